package vpce.tests.support;

import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A strict parser of the Prometheus text exposition format (version 0.0.4): every line is a HELP, a TYPE, a comment
 * or a sample; names and label names are valid; label values use only the escapes \\, \" and \n; a family is typed
 * once, before its samples, and its samples come together; a series appears once; a counter's samples are named as
 * its family, a summary's or histogram's also {@code _sum}, {@code _count} (and {@code _bucket}); the text ends with a
 * newline. Anything else throws.
 */
public final class PrometheusText
{
    private static final Pattern NAME = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");
    private static final Pattern HELP = Pattern.compile("# HELP (" + NAME.pattern() + ") (.*)");
    private static final Pattern TYPE = Pattern.compile("# TYPE (" + NAME.pattern() + ") (counter|gauge|summary|histogram|untyped)");
    private static final Pattern SAMPLE = Pattern.compile(
        "(" + NAME.pattern() + ")(\\{(.*)\\})? (\\S+)( -?[0-9]+)?");
    private static final Pattern LABEL = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\\\n]|\\\\[\\\\\"n])*)\"");

    private PrometheusText()
    {
    }

    /** @return each series ({@code name{a="x",b="y"}}, labels sorted) to its value. */
    public static Map<String, Double> parse(final String text)
    {
        if (!text.endsWith("\n"))
        {
            throw new IllegalArgumentException("the exposition does not end with a newline");
        }
        final Map<String, String> types = new HashMap<>();
        final Set<String> finished = new HashSet<>();
        final Map<String, Double> series = new LinkedHashMap<>();
        String currentFamily = null;
        int lineNumber = 0;
        for (final String line : text.split("\n", -1))
        {
            lineNumber++;
            if (line.isEmpty())
            {
                continue;
            }
            final String at = "line " + lineNumber + ": " + line;
            if (line.startsWith("#"))
            {
                final Matcher type = TYPE.matcher(line);
                if (type.matches())
                {
                    if (types.put(type.group(1), type.group(2)) != null)
                    {
                        throw new IllegalArgumentException("family typed twice, " + at);
                    }
                    if (currentFamily != null)
                    {
                        finished.add(currentFamily);
                    }
                    currentFamily = type.group(1);
                    continue;
                }
                if (line.startsWith("# HELP ") && !HELP.matcher(line).matches() || line.startsWith("# TYPE "))
                {
                    throw new IllegalArgumentException("bad HELP or TYPE, " + at);
                }
                continue;
            }
            final Matcher sample = SAMPLE.matcher(line);
            if (!sample.matches())
            {
                throw new IllegalArgumentException("not a sample, " + at);
            }
            final String name = sample.group(1);
            final String family = familyOf(name, types);
            if (family == null)
            {
                throw new IllegalArgumentException("sample of no typed family, " + at);
            }
            if (finished.contains(family) || !family.equals(currentFamily))
            {
                throw new IllegalArgumentException("family's samples not together, " + at);
            }
            final TreeMap<String, String> labels = new TreeMap<>();
            if (sample.group(3) != null && !sample.group(3).isEmpty())
            {
                final String labelText = sample.group(3).endsWith(",") ? sample.group(3).substring(0, sample.group(3).length() - 1) :
                    sample.group(3);
                final Matcher label = LABEL.matcher(labelText);
                int end = 0;
                while (label.find())
                {
                    if (label.start() != end)
                    {
                        throw new IllegalArgumentException("bad label list, " + at);
                    }
                    if (labels.put(label.group(1), label.group(2)) != null)
                    {
                        throw new IllegalArgumentException("label twice, " + at);
                    }
                    end = label.end();
                    if (end < labelText.length())
                    {
                        if (labelText.charAt(end) != ',')
                        {
                            throw new IllegalArgumentException("bad label list, " + at);
                        }
                        end++;
                    }
                }
                if (end != labelText.length())
                {
                    throw new IllegalArgumentException("bad label list, " + at);
                }
            }
            final double value = value(sample.group(4), at);
            final StringBuilder key = new StringBuilder(name);
            if (!labels.isEmpty())
            {
                key.append('{');
                labels.forEach((k, v) -> key.append(k).append("=\"").append(v).append("\","));
                key.setLength(key.length() - 1);
                key.append('}');
            }
            if (series.put(key.toString(), value) != null)
            {
                throw new IllegalArgumentException("series twice, " + at);
            }
        }
        return series;
    }

    private static String familyOf(final String name, final Map<String, String> types)
    {
        if (types.containsKey(name))
        {
            return name;
        }
        for (final String suffix : new String[] {"_sum", "_count", "_bucket"})
        {
            if (name.endsWith(suffix))
            {
                final String family = name.substring(0, name.length() - suffix.length());
                final String type = types.get(family);
                if ("summary".equals(type) && !suffix.equals("_bucket") || "histogram".equals(type))
                {
                    return family;
                }
            }
        }
        return null;
    }

    private static double value(final String text, final String at)
    {
        switch (text)
        {
            case "NaN":
                return Double.NaN;
            case "+Inf":
                return Double.POSITIVE_INFINITY;
            case "-Inf":
                return Double.NEGATIVE_INFINITY;
            default:
                try
                {
                    return Double.parseDouble(text);
                }
                catch (final NumberFormatException ex)
                {
                    throw new IllegalArgumentException("bad value, " + at);
                }
        }
    }
}
