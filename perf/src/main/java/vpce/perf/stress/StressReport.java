package vpce.perf.stress;

import java.util.List;
import java.util.Map;

/**
 * What one scenario covered and what it found.
 *
 * @param operations named counts of the operations the threads performed (publications, reads,
 *                   invariant checks, records), in a stable order.
 */
public record StressReport(String scenario, double seconds, Map<String, Long> operations, long violationCount, List<String> violations)
{
    public boolean passed()
    {
        return violationCount == 0;
    }

    public long operation(final String name)
    {
        final Long value = operations.get(name);
        if (value == null)
        {
            throw new IllegalArgumentException(scenario + " has no operation " + name + ": " + operations.keySet());
        }
        return value;
    }

    @Override
    public String toString()
    {
        final StringBuilder text = new StringBuilder();
        text.append(String.format("%-16s %s in %.1f s:", scenario, passed() ? "PASS" : "FAIL", seconds));
        operations.forEach((name, value) -> text.append(' ').append(name).append('=').append(value));
        if (!passed())
        {
            text.append("\n  ").append(violationCount).append(" violation(s):");
            for (final String violation : violations)
            {
                text.append("\n    ").append(violation);
            }
        }
        return text.toString();
    }
}
