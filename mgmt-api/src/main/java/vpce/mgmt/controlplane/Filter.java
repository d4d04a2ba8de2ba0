package vpce.mgmt.controlplane;

import java.util.List;

/**
 * One Describe filter ({@code Filter.N.Name}/{@code Filter.N.Value.M}): the resource matches when its attribute
 * matches any value; values may hold {@code *} (any run of characters) and {@code ?} (one character) wildcards, and
 * {@code \} escapes them. Filters of one request are ANDed.
 */
public record Filter(String name, List<String> values)
{
    public Filter
    {
        values = values == null ? List.of() : List.copyOf(values);
    }

    public static Filter of(final String name, final String... values)
    {
        return new Filter(name, List.of(values));
    }
}
