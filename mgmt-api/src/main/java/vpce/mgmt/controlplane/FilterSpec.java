package vpce.mgmt.controlplane;

import vpce.mgmt.ApiException;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.regex.Pattern;

/**
 * The filter names one Describe accepts and how each reads a resource's attribute (as text: booleans
 * {@code true}/{@code false}, integers in decimal). {@code tag:<key>} and {@code tag-key} are accepted when the
 * resource has tags. An unknown name is {@code InvalidFilter}; more than {@link #MAX_FILTERS} filters or
 * {@link #MAX_VALUES} values in one filter is {@code FilterLimitExceeded}.
 */
final class FilterSpec<T>
{
    static final int MAX_FILTERS = 50;
    static final int MAX_VALUES = 200;

    private final Map<String, Function<T, Collection<String>>> attributes;
    private final Function<T, Map<String, String>> tags;

    private FilterSpec(final Map<String, Function<T, Collection<String>>> attributes, final Function<T, Map<String, String>> tags)
    {
        this.attributes = attributes;
        this.tags = tags;
    }

    static <T> Builder<T> builder()
    {
        return new Builder<>();
    }

    /** @return a predicate true for resources matching every filter; throws ApiException for a bad filter. */
    Predicate<T> compile(final List<Filter> filters)
    {
        if (filters.size() > MAX_FILTERS)
        {
            throw new ApiException("FilterLimitExceeded", "The request uses more than " + MAX_FILTERS + " filters");
        }
        Predicate<T> all = resource -> true;
        for (final Filter filter : filters)
        {
            final String name = filter.name();
            if (filter.values().size() > MAX_VALUES)
            {
                throw new ApiException("FilterLimitExceeded", "The filter '" + name + "' has more than " + MAX_VALUES + " values");
            }
            if (filter.values().isEmpty())
            {
                throw new ApiException("InvalidParameterValue", "The filter '" + name + "' has no values");
            }
            final Function<T, Collection<String>> read = reader(name);
            final List<Predicate<String>> matchers = new ArrayList<>(filter.values().size());
            for (final String value : filter.values())
            {
                matchers.add(matcher(value));
            }
            all = all.and(resource ->
            {
                for (final String attribute : read.apply(resource))
                {
                    if (attribute != null)
                    {
                        for (final Predicate<String> matcher : matchers)
                        {
                            if (matcher.test(attribute))
                            {
                                return true;
                            }
                        }
                    }
                }
                return false;
            });
        }
        return all;
    }

    private Function<T, Collection<String>> reader(final String name)
    {
        if (name != null && tags != null)
        {
            if (name.startsWith("tag:") && name.length() > 4)
            {
                final String key = name.substring(4);
                return resource ->
                {
                    final String value = tags.apply(resource).get(key);
                    return value == null ? List.of() : List.of(value);
                };
            }
            if (name.equals("tag-key"))
            {
                return resource -> tags.apply(resource).keySet();
            }
        }
        final Function<T, Collection<String>> read = name == null ? null : attributes.get(name);
        if (read == null)
        {
            throw new ApiException("InvalidFilter", "The filter '" + name + "' is invalid");
        }
        return read;
    }

    /** EC2 filter values: {@code *} any run, {@code ?} one character, {@code \} escapes the next character. */
    static Predicate<String> matcher(final String value)
    {
        if (value.indexOf('*') < 0 && value.indexOf('?') < 0 && value.indexOf('\\') < 0)
        {
            return value::equals;
        }
        final StringBuilder regex = new StringBuilder();
        final StringBuilder literal = new StringBuilder();
        for (int i = 0; i < value.length(); i++)
        {
            final char c = value.charAt(i);
            if (c == '\\' && i + 1 < value.length())
            {
                literal.append(value.charAt(++i));
            }
            else if (c == '*' || c == '?')
            {
                if (!literal.isEmpty())
                {
                    regex.append(Pattern.quote(literal.toString()));
                    literal.setLength(0);
                }
                regex.append(c == '*' ? ".*" : ".");
            }
            else
            {
                literal.append(c);
            }
        }
        if (!literal.isEmpty())
        {
            regex.append(Pattern.quote(literal.toString()));
        }
        final Pattern pattern = Pattern.compile(regex.toString(), Pattern.DOTALL);
        return text -> pattern.matcher(text).matches();
    }

    static final class Builder<T>
    {
        private final Map<String, Function<T, Collection<String>>> attributes = new HashMap<>();
        private Function<T, Map<String, String>> tags;

        /** A single-valued attribute; null never matches. */
        Builder<T> one(final String name, final Function<T, ?> read)
        {
            attributes.put(name, resource ->
            {
                final Object value = read.apply(resource);
                return value == null ? List.of() : List.of(String.valueOf(value));
            });
            return this;
        }

        /** A multi-valued attribute (e.g. a group's rule CIDRs): matches when any value does. */
        Builder<T> many(final String name, final Function<T, Collection<?>> read)
        {
            attributes.put(name, resource ->
            {
                final List<String> values = new ArrayList<>();
                for (final Object value : read.apply(resource))
                {
                    if (value != null)
                    {
                        values.add(String.valueOf(value));
                    }
                }
                return values;
            });
            return this;
        }

        /** An EC2 filter name for an attribute this control plane does not model: it never matches. */
        Builder<T> never(final String... names)
        {
            for (final String name : names)
            {
                attributes.put(name, resource -> List.of());
            }
            return this;
        }

        Builder<T> tags(final Function<T, Map<String, String>> read)
        {
            this.tags = read;
            return this;
        }

        FilterSpec<T> build()
        {
            return new FilterSpec<>(Map.copyOf(attributes), tags);
        }
    }
}
