package vpce.mgmt.controlplane;

import vpce.mgmt.ApiException;

import java.util.Collections;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/** Resource tags: sorted by key (stable output), immutable, validated as EC2 does at creation. */
public final class Tags
{
    public static final int MAX_TAGS = 50;

    private Tags()
    {
    }

    /** @return an immutable sorted copy; null is no tags. */
    public static SortedMap<String, String> copyOf(final Map<String, String> tags)
    {
        if (tags == null || tags.isEmpty())
        {
            return Collections.emptySortedMap();
        }
        return Collections.unmodifiableSortedMap(new TreeMap<>(tags));
    }

    /** Checks tags given by a caller: keys 1..128 characters, not starting with "aws:", values up to 256. */
    public static SortedMap<String, String> validate(final Map<String, String> tags)
    {
        if (tags == null)
        {
            return Collections.emptySortedMap();
        }
        if (tags.size() > MAX_TAGS)
        {
            throw new ApiException("TagLimitExceeded", "The maximum number of tags per resource is " + MAX_TAGS);
        }
        for (final Map.Entry<String, String> tag : tags.entrySet())
        {
            final String key = tag.getKey();
            if (key == null || key.isEmpty() || key.length() > 128)
            {
                throw new ApiException("InvalidParameterValue", "Tag keys must be 1 to 128 characters long");
            }
            if (key.startsWith("aws:"))
            {
                throw new ApiException("InvalidParameterValue", "Tag keys starting with 'aws:' are reserved for internal use");
            }
            final String value = tag.getValue();
            if (value == null || value.length() > 256)
            {
                throw new ApiException("InvalidParameterValue", "Tag values must be at most 256 characters long");
            }
        }
        return copyOf(tags);
    }
}
