package vpce.mgmt.ec2;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * Decoded query parameters: names (unique) to values, in the order received. Immutable.
 */
public final class QueryParameters
{
    public static final QueryParameters EMPTY = new QueryParameters(Map.of());

    private final Map<String, String> values;

    QueryParameters(final Map<String, String> values)
    {
        this.values = values;
    }

    /**
     * For tests and internal callers: no decoding, but the same duplicate-free map.
     */
    public static QueryParameters of(final Map<String, String> values)
    {
        return new QueryParameters(Collections.unmodifiableMap(new LinkedHashMap<>(values)));
    }

    /**
     * @return the value, or null when absent.
     */
    public String get(final String name)
    {
        return values.get(name);
    }

    public boolean contains(final String name)
    {
        return values.containsKey(name);
    }

    public int size()
    {
        return values.size();
    }

    /** The names in the order received. */
    public Set<String> names()
    {
        return values.keySet();
    }

    public Map<String, String> asMap()
    {
        return values;
    }

    /**
     * @return both sets of parameters, e.g. a POST's URI query and its body.
     * @throws vpce.mgmt.ApiException {@code MalformedQueryString} when a name is in both.
     */
    public QueryParameters merge(final QueryParameters other)
    {
        if (other.values.isEmpty())
        {
            return this;
        }
        if (values.isEmpty())
        {
            return other;
        }
        final Map<String, String> merged = new LinkedHashMap<>(values);
        for (final Map.Entry<String, String> entry : other.values.entrySet())
        {
            if (merged.putIfAbsent(entry.getKey(), entry.getValue()) != null)
            {
                throw Ec2Errors.malformedQueryString("The parameter " + Ec2Errors.echo(entry.getKey()) + " is given more than once");
            }
        }
        if (merged.size() > FormDecoder.MAX_PARAMETERS)
        {
            throw Ec2Errors.malformedQueryString("The request has more than " + FormDecoder.MAX_PARAMETERS + " parameters");
        }
        return new QueryParameters(Collections.unmodifiableMap(merged));
    }

    @Override
    public String toString()
    {
        return "QueryParameters" + values.keySet();
    }
}
