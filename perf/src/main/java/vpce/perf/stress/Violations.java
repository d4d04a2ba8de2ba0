package vpce.perf.stress;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Broken invariants seen by any thread of a scenario: a count and the first few messages. Only the
 * failure path synchronises (an atomic add, a lock for the messages), so a passing run's threads
 * share nothing through this class that could hide a missing release/acquire.
 */
public final class Violations
{
    private static final int KEPT = 20;

    private final AtomicLong count = new AtomicLong();
    private final List<String> first = new ArrayList<>();

    public void report(final String message)
    {
        if (count.getAndIncrement() < KEPT)
        {
            synchronized (first)
            {
                first.add("[" + Thread.currentThread().getName() + "] " + message);
            }
        }
    }

    /** Checks one invariant; {@code message} is only built when it fails. */
    public void check(final boolean holds, final String invariant, final long... values)
    {
        if (!holds)
        {
            final StringBuilder text = new StringBuilder(invariant);
            for (final long value : values)
            {
                text.append(' ').append(value);
            }
            report(text.toString());
        }
    }

    public long count()
    {
        return count.get();
    }

    public List<String> messages()
    {
        synchronized (first)
        {
            return List.copyOf(first);
        }
    }
}
