package vpce.mgmt.ec2;

import vpce.mgmt.ApiException;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/**
 * Typed, read-only view of a request's parameters, rooted at a prefix: the whole request, or one structure such as
 * {@code IpPermissions.2.} (from {@link #structList}) or {@code PortRange.} (from {@link #struct}). Names passed to
 * the accessors are relative to the view; errors name the full parameter ({@code IpPermissions.2.FromPort}).
 *
 * <ul>
 *   <li>Absent required parameter, or present and empty: {@code MissingParameter}.</li>
 *   <li>Booleans are exactly {@code true} or {@code false}; integers are decimal within the range given; anything
 *       else is {@code InvalidParameterValue} naming the parameter and the value.</li>
 *   <li>Lists are 1-based ({@code SubnetId.1}, {@code SubnetId.2}); values come back in index order. The schema
 *       has already bounded the indexes.</li>
 * </ul>
 * Reading a name the action's {@link ParameterSchema} does not declare is a programming error
 * ({@link IllegalStateException}, answered as {@code InternalError}): a typo in a handler shows up in its first
 * test instead of silently reading nothing.
 */
public final class Ec2Params
{
    /** AWS: "The maximum number of filter values specified on a single call is 200". */
    public static final int MAX_FILTER_VALUES = 200;

    private final QueryParameters parameters;
    private final ParameterSchema schema;
    private final String prefix;

    Ec2Params(final QueryParameters parameters, final ParameterSchema schema, final String prefix)
    {
        this.parameters = parameters;
        this.schema = schema;
        this.prefix = prefix;
    }

    /**
     * The root view of already-checked parameters (the dispatcher builds these; public for tests).
     */
    public static Ec2Params of(final QueryParameters parameters, final ParameterSchema schema)
    {
        schema.check(parameters);
        return new Ec2Params(parameters, schema, "");
    }

    /**
     * @return {@code name} with this view's prefix: the name a client sent, for messages.
     */
    public String fullName(final String name)
    {
        return prefix + name;
    }

    /** Whether the parameter is present (even empty). */
    public boolean has(final String name)
    {
        return parameters.contains(known(name));
    }

    /** Whether any parameter is {@code name} or lies under {@code name.} (a structure or list was given). */
    public boolean hasAny(final String name)
    {
        final String full = knownPrefix(name);
        if (parameters.contains(full))
        {
            return true;
        }
        final String under = full + ".";
        for (final String candidate : parameters.names())
        {
            if (candidate.startsWith(under))
            {
                return true;
            }
        }
        return false;
    }

    /**
     * @throws ApiException {@code MissingParameter} when absent or empty.
     */
    public String requiredString(final String name)
    {
        final String value = parameters.get(known(name));
        if (value == null || value.isEmpty())
        {
            throw Ec2Errors.missingParameter(fullName(name));
        }
        return value;
    }

    /**
     * @return the value ("" when sent empty), or null when absent.
     */
    public String optionalString(final String name)
    {
        return parameters.get(known(name));
    }

    public String optionalString(final String name, final String absent)
    {
        final String value = optionalString(name);
        return value == null ? absent : value;
    }

    /**
     * @param allowed the values the model's enum lists, e.g. {@code "allow", "deny"} (compared exactly).
     */
    public String requiredOneOf(final String name, final String... allowed)
    {
        return oneOf(name, requiredString(name), allowed);
    }

    /**
     * @return the value, or null when absent.
     */
    public String optionalOneOf(final String name, final String... allowed)
    {
        final String value = optionalString(name);
        return value == null ? null : oneOf(name, value, allowed);
    }

    public boolean requiredBoolean(final String name)
    {
        return bool(name, requiredString(name));
    }

    /**
     * @return the value, or null when absent.
     */
    public Boolean optionalBoolean(final String name)
    {
        final String value = optionalString(name);
        return value == null ? null : bool(name, value);
    }

    public boolean optionalBoolean(final String name, final boolean absent)
    {
        final Boolean value = optionalBoolean(name);
        return value == null ? absent : value;
    }

    /**
     * @throws ApiException {@code MissingParameter}, or {@code InvalidParameterValue} when not a decimal integer
     *                      from {@code min} to {@code max}.
     */
    public int requiredInt(final String name, final int min, final int max)
    {
        return integer(name, requiredString(name), min, max);
    }

    /**
     * @return the value, or null when absent.
     */
    public Integer optionalInt(final String name, final int min, final int max)
    {
        final String value = optionalString(name);
        return value == null ? null : integer(name, value, min, max);
    }

    public int optionalInt(final String name, final int absent, final int min, final int max)
    {
        final Integer value = optionalInt(name, min, max);
        return value == null ? absent : value;
    }

    /**
     * @param name the list's name without index, e.g. {@code SubnetId} for {@code SubnetId.N}.
     * @return the values in index order; empty when none was given.
     */
    public List<String> stringList(final String name)
    {
        final String full = knownList(name, false);
        final List<String> values = new ArrayList<>();
        for (final int index : indexes(full, false))
        {
            values.add(parameters.get(full + "." + index));
        }
        return values;
    }

    /**
     * @throws ApiException {@code MissingParameter} naming the list when it is empty.
     */
    public List<String> requiredStringList(final String name)
    {
        final List<String> values = stringList(name);
        if (values.isEmpty())
        {
            throw Ec2Errors.missingParameter(fullName(name) + ".1");
        }
        return values;
    }

    /**
     * @param name the list's name without index, e.g. {@code IpPermissions} for {@code IpPermissions.N.FromPort}.
     * @return one view per index given, in index order (rooted at {@code IpPermissions.1.}, ...).
     */
    public List<Ec2Params> structList(final String name)
    {
        final String full = knownList(name, true);
        final List<Ec2Params> views = new ArrayList<>();
        for (final int index : indexes(full, true))
        {
            views.add(new Ec2Params(parameters, schema, full + "." + index + "."));
        }
        return views;
    }

    /**
     * @param name a structure's name, e.g. {@code PortRange} for {@code PortRange.From}.
     * @return its view (whose members may all be absent: see {@link #hasAny}).
     */
    public Ec2Params struct(final String name)
    {
        return new Ec2Params(parameters, schema, knownPrefix(name) + ".");
    }

    /**
     * {@code Filter.N.Name} and {@code Filter.N.Value.M}, in index order.
     *
     * @throws ApiException {@code MissingParameter} for a filter without a name, {@code InvalidParameterValue} for
     *                      one without values, {@code FilterLimitExceeded} past {@link #MAX_FILTER_VALUES} values.
     */
    public List<Filter> filters()
    {
        final List<Filter> filters = new ArrayList<>();
        int values = 0;
        for (final Ec2Params filter : structList("Filter"))
        {
            final String filterName = filter.requiredString("Name");
            final List<String> filterValues = filter.stringList("Value");
            if (filterValues.isEmpty())
            {
                throw Ec2Errors.invalidParameterValue(filter.fullName("Value.1"), "", "the filter '" +
                    Ec2Errors.echo(filterName) + "' has no values");
            }
            values += filterValues.size();
            if (values > MAX_FILTER_VALUES)
            {
                throw new ApiException(Ec2Errors.FILTER_LIMIT_EXCEEDED,
                    "The maximum number of filter values specified on a single call is " + MAX_FILTER_VALUES);
            }
            filters.add(new Filter(filterName, filterValues));
        }
        return filters;
    }

    @Override
    public String toString()
    {
        return "Ec2Params[" + (prefix.isEmpty() ? "root" : prefix) + "]";
    }

    private TreeSet<Integer> indexes(final String full, final boolean structures)
    {
        final String under = full + ".";
        final TreeSet<Integer> indexes = new TreeSet<>();
        for (final String candidate : parameters.names())
        {
            if (candidate.startsWith(under))
            {
                final int dot = candidate.indexOf('.', under.length());
                if (structures == (dot >= 0))
                {
                    final String index = dot < 0 ? candidate.substring(under.length()) : candidate.substring(under.length(), dot);
                    if (!index.isEmpty() && index.chars().allMatch(c -> c >= '0' && c <= '9'))
                    {
                        indexes.add(Integer.parseInt(index)); // the schema check made it 1..MAX_LIST_INDEX
                    }
                }
            }
        }
        return indexes;
    }

    private String oneOf(final String name, final String value, final String... allowed)
    {
        for (final String candidate : allowed)
        {
            if (candidate.equals(value))
            {
                return value;
            }
        }
        throw Ec2Errors.invalidParameterValue(fullName(name), value, "must be one of " + String.join(", ", allowed));
    }

    private boolean bool(final String name, final String value)
    {
        return switch (value)
        {
            case "true" -> true;
            case "false" -> false;
            default -> throw Ec2Errors.invalidParameterValue(fullName(name), value, "must be true or false");
        };
    }

    private int integer(final String name, final String value, final int min, final int max)
    {
        final int start = value.startsWith("-") ? 1 : 0;
        boolean digits = value.length() > start && value.length() <= start + 10;
        for (int i = start; digits && i < value.length(); i++)
        {
            digits = value.charAt(i) >= '0' && value.charAt(i) <= '9';
        }
        final long parsed = digits ? Long.parseLong(value) : Long.MIN_VALUE;
        if (!digits || parsed < min || parsed > max)
        {
            throw Ec2Errors.invalidParameterValue(fullName(name), value, "must be an integer from " + min + " to " + max);
        }
        return (int)parsed;
    }

    private String known(final String name)
    {
        final String full = prefix + name;
        if (!schema.knows(shape(full)))
        {
            throw new IllegalStateException("the handler reads " + full + ", which its action's schema does not declare");
        }
        return full;
    }

    private String knownPrefix(final String name)
    {
        return known(name);
    }

    private String knownList(final String name, final boolean structures)
    {
        final String full = prefix + name;
        if (!schema.knows(shape(full) + ".#"))
        {
            throw new IllegalStateException("the handler reads the list " + full + (structures ? ".N.*" : ".N") +
                ", which its action's schema does not declare");
        }
        return full;
    }

    /** {@code IpPermissions.2.FromPort} to {@code IpPermissions.#.FromPort}. */
    private static String shape(final String name)
    {
        final String[] segments = name.split("\\.", -1);
        for (int i = 1; i < segments.length; i++)
        {
            if (!segments[i].isEmpty() && Character.isDigit(segments[i].charAt(0)))
            {
                segments[i] = "#";
            }
        }
        return String.join(".", segments);
    }
}
