package vpce.perf.stress;

import java.util.ArrayList;
import java.util.List;

/**
 * The threads of one scenario: started together, joined with a deadline. A thread that throws or
 * does not finish in time is a violation (a hang is what a lost publication often looks like).
 */
final class StressThreads
{
    private final Violations violations;
    private final List<Thread> threads = new ArrayList<>();

    StressThreads(final Violations violations)
    {
        this.violations = violations;
    }

    Thread start(final String name, final Runnable body)
    {
        final Thread thread = new Thread(() ->
        {
            try
            {
                body.run();
            }
            catch (final Throwable ex)
            {
                violations.report("threw " + ex);
                ex.printStackTrace();
            }
        }, name);
        thread.setDaemon(true);
        threads.add(thread);
        thread.start();
        return thread;
    }

    static void join(final Thread thread, final long timeoutMs, final Violations violations) throws InterruptedException
    {
        thread.join(timeoutMs);
        if (thread.isAlive())
        {
            violations.report(thread.getName() + " did not finish within " + timeoutMs + " ms");
        }
    }

    void joinAll(final long timeoutMs) throws InterruptedException
    {
        for (final Thread thread : threads)
        {
            join(thread, timeoutMs, violations);
        }
    }
}
