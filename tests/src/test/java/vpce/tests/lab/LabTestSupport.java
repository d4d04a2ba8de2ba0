package vpce.tests.lab;

import vpce.appliance.lab.ExecResult;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * Helpers shared by the lab system tests: unique lab names, root-namespace queries and polling.
 */
final class LabTestSupport
{
    private LabTestSupport()
    {
    }

    /**
     * @return "vt" and five random lower-case letters or digits, so that concurrent test runs on
     * one machine never share namespaces.
     */
    static String uniqueLabName()
    {
        final String alphabet = "abcdefghijklmnopqrstuvwxyz0123456789";
        final StringBuilder name = new StringBuilder("vt");
        for (int i = 0; i < 5; i++)
        {
            name.append(alphabet.charAt(ThreadLocalRandom.current().nextInt(alphabet.length())));
        }
        return name.toString();
    }

    /**
     * @param prefix namespace name prefix, e.g. "vtab12c-".
     * @return namespaces in {@code ip netns list} whose name starts with the prefix.
     */
    static List<String> namespacesWithPrefix(final String prefix)
    {
        final ExecResult list = run(Duration.ofSeconds(10), "ip", "netns", "list");
        if (!list.ok())
        {
            fail(list.describe());
        }
        final List<String> names = new ArrayList<>();
        for (final String line : list.stdout().split("\n"))
        {
            // Lines look like "name (id: 3)" or just "name".
            final String name = line.trim().split("\\s+")[0];
            if (name.startsWith(prefix))
            {
                names.add(name);
            }
        }
        return names;
    }

    static ExecResult run(final Duration timeout, final String... command)
    {
        try
        {
            final ProcessBuilder builder = new ProcessBuilder(command);
            final java.io.File out = java.io.File.createTempFile("vt-", ".out");
            final java.io.File err = java.io.File.createTempFile("vt-", ".err");
            try
            {
                final Process process = builder.redirectOutput(out).redirectError(err).start();
                final boolean done = process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
                if (!done)
                {
                    process.destroyForcibly();
                }
                return new ExecResult(
                    List.of(command),
                    done ? process.exitValue() : -1,
                    java.nio.file.Files.readString(out.toPath()),
                    java.nio.file.Files.readString(err.toPath()),
                    !done);
            }
            finally
            {
                out.delete();
                err.delete();
            }
        }
        catch (final Exception ex)
        {
            throw new AssertionError("cannot run " + String.join(" ", command), ex);
        }
    }

    /**
     * Poll a condition until it holds or the deadline passes.
     */
    static void awaitTrue(final String what, final Duration timeout, final BooleanSupplier condition)
    {
        final long deadlineNs = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean())
        {
            if (System.nanoTime() - deadlineNs > 0)
            {
                fail("timed out after " + timeout + " waiting for " + what);
            }
            // Polling a condition with a deadline: a short park between looks, not a timed wait.
            LockSupport.parkNanos(10_000_000L);
            if (Thread.interrupted())
            {
                fail("interrupted waiting for " + what);
            }
        }
    }
}
