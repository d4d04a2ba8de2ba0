package vpce.mgmt.ec2;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The parameter names one action knows, as patterns in the reference's notation: dotted segments where {@code N}
 * and {@code M} stand for a 1-based list index, e.g. {@code SubnetId.N}, {@code Filter.N.Value.M},
 * {@code IpPermissions.N.IpRanges.M.CidrIp}, {@code PortRange.From}.
 *
 * <p>{@link #check} runs before the action's handler: a parameter no pattern matches is {@code UnknownParameter}; an
 * index that is not a canonical decimal from 1 to {@link #MAX_LIST_INDEX} ({@code SubnetId.0},
 * {@code SubnetId.01}, {@code SubnetId.99999}) is {@code InvalidParameterValue}. So a handler reads only names it
 * declared, and no list is longer than the bound.
 *
 * <p>{@linkplain Builder#ignore Ignored} patterns are accepted and not acted on: the members newer clients send
 * ({@code ServiceRegion}, {@code SubnetConfigurations}, ...) or that the appliance has no use for
 * ({@code ClientToken} before idempotency exists). {@link #ignoredIn} names the ones a request carried, for the log.
 * {@code Action}, {@code Version} and {@code DryRun} are known to every action.
 */
public final class ParameterSchema
{
    /** EC2 caps its lists at 1000 items (ids per Describe, MaxResults); an index past that is hostile. */
    public static final int MAX_LIST_INDEX = 1000;
    public static final List<String> COMMON = List.of("Action", "Version", "DryRun");
    public static final List<String> FILTERS = List.of("Filter.N.Name", "Filter.N.Value.M");
    public static final List<String> TAG_SPECIFICATIONS =
        List.of("TagSpecification.N.ResourceType", "TagSpecification.N.Tag.M.Key", "TagSpecification.N.Tag.M.Value");

    private static final String INDEX = "#";
    private static final Pattern SEGMENT = Pattern.compile("[A-Za-z][A-Za-z0-9_-]*");

    private final List<String[]> accepted;
    private final List<String[]> ignored;
    /** Every pattern and each of its prefixes, with indexes as '#', for the accessors' programming-error guard. */
    private final Set<String> shapes;

    private ParameterSchema(final List<String[]> accepted, final List<String[]> ignored)
    {
        this.accepted = accepted;
        this.ignored = ignored;
        final Set<String> shapes = new HashSet<>();
        for (final List<String[]> patterns : List.of(accepted, ignored))
        {
            for (final String[] pattern : patterns)
            {
                final StringBuilder shape = new StringBuilder();
                for (int i = 0; i < pattern.length; i++)
                {
                    shape.append(i == 0 ? "" : ".").append(pattern[i]);
                    shapes.add(shape.toString());
                }
            }
        }
        this.shapes = Set.copyOf(shapes);
    }

    public static Builder builder()
    {
        return new Builder();
    }

    /**
     * @param patterns accepted patterns, e.g. {@code "VpcId", "SubnetId.N"}.
     */
    public static ParameterSchema of(final String... patterns)
    {
        return builder().accept(patterns).build();
    }

    /**
     * @throws vpce.mgmt.ApiException {@code UnknownParameter} or {@code InvalidParameterValue} naming the parameter.
     */
    public void check(final QueryParameters parameters)
    {
        for (final String name : parameters.names())
        {
            final String[] segments = name.split("\\.", -1);
            if (!matchesAny(accepted, segments) && !matchesAny(ignored, segments))
            {
                throw Ec2Errors.unknownParameter(name);
            }
        }
    }

    /**
     * @return the names in the request that match only an ignored pattern.
     */
    public List<String> ignoredIn(final QueryParameters parameters)
    {
        final List<String> names = new ArrayList<>();
        for (final String name : parameters.names())
        {
            final String[] segments = name.split("\\.", -1);
            if (matchesAny(ignored, segments) && !matchesAny(accepted, segments))
            {
                names.add(name);
            }
        }
        return names;
    }

    /**
     * @param shape a name with its indexes as {@code #} ({@code IpPermissions.#.FromPort}), or a prefix of one.
     */
    boolean knows(final String shape)
    {
        return shapes.contains(shape) || COMMON.contains(shape);
    }

    private static boolean matchesAny(final List<String[]> patterns, final String[] segments)
    {
        if (segments.length == 1 && COMMON.contains(segments[0]))
        {
            return true;
        }
        boolean badIndex = false;
        for (final String[] pattern : patterns)
        {
            if (pattern.length != segments.length)
            {
                continue;
            }
            int i = 0;
            boolean indexOk = true;
            while (i < pattern.length)
            {
                if (INDEX.equals(pattern[i]))
                {
                    if (!isIndexShaped(segments[i]))
                    {
                        break;
                    }
                    indexOk &= isValidIndex(segments[i]);
                }
                else if (!pattern[i].equals(segments[i]))
                {
                    break;
                }
                i++;
            }
            if (i == pattern.length)
            {
                if (indexOk)
                {
                    return true;
                }
                badIndex = true;
            }
        }
        if (badIndex)
        {
            final String name = String.join(".", segments);
            throw Ec2Errors.invalidParameterValue(name, name, "list indexes run from 1 to " + MAX_LIST_INDEX + " without leading zeros");
        }
        return false;
    }

    private static boolean isIndexShaped(final String segment)
    {
        if (segment.isEmpty())
        {
            return false;
        }
        for (int i = 0; i < segment.length(); i++)
        {
            if (segment.charAt(i) < '0' || segment.charAt(i) > '9')
            {
                return false;
            }
        }
        return true;
    }

    private static boolean isValidIndex(final String segment)
    {
        return segment.charAt(0) != '0' && segment.length() <= 4 && Integer.parseInt(segment) <= MAX_LIST_INDEX;
    }

    /** Collects the patterns of one action. */
    public static final class Builder
    {
        private final Set<String> accepted = new LinkedHashSet<>();
        private final Set<String> ignored = new LinkedHashSet<>();

        private Builder()
        {
        }

        /** Parameters the action reads. */
        public Builder accept(final String... patterns)
        {
            accepted.addAll(List.of(patterns));
            return this;
        }

        /** Parameters the action accepts and does not act on. */
        public Builder ignore(final String... patterns)
        {
            ignored.addAll(List.of(patterns));
            return this;
        }

        /** {@code Filter.N.Name} and {@code Filter.N.Value.M}, read with {@link Ec2Params#filters()}. */
        public Builder filters()
        {
            accepted.addAll(FILTERS);
            return this;
        }

        /** {@code TagSpecification.N.ResourceType} and {@code .Tag.M.Key} / {@code .Tag.M.Value}. */
        public Builder tagSpecifications()
        {
            accepted.addAll(TAG_SPECIFICATIONS);
            return this;
        }

        /**
         * @throws IllegalArgumentException for a malformed pattern.
         */
        public ParameterSchema build()
        {
            return new ParameterSchema(compile(accepted), compile(ignored));
        }

        private static List<String[]> compile(final Set<String> patterns)
        {
            final List<String[]> compiled = new ArrayList<>();
            for (final String pattern : patterns)
            {
                final String[] segments = pattern.split("\\.", -1);
                for (int i = 0; i < segments.length; i++)
                {
                    final String segment = segments[i];
                    if ("N".equals(segment) || "M".equals(segment))
                    {
                        if (i == 0)
                        {
                            throw new IllegalArgumentException("pattern " + pattern + " starts with an index");
                        }
                        segments[i] = INDEX;
                    }
                    else if (!SEGMENT.matcher(segment).matches())
                    {
                        throw new IllegalArgumentException("pattern " + pattern + " has a bad segment '" + segment + "'");
                    }
                }
                compiled.add(segments);
            }
            return List.copyOf(compiled);
        }
    }
}
