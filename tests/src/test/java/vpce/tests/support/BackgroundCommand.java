package vpce.tests.support;

import vpce.appliance.lab.ExecResult;
import vpce.appliance.lab.Lab;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.locks.LockSupport;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** A long-running command inside a lab namespace, stopped on close (even when a test fails). */
public final class BackgroundCommand implements AutoCloseable
{
    private final Process process;

    public BackgroundCommand(final String namespace, final String... command)
    {
        final List<String> argv = new ArrayList<>(List.of("ip", "netns", "exec", namespace));
        argv.addAll(List.of(command));
        try
        {
            process = new ProcessBuilder(argv).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        }
        catch (final IOException ex)
        {
            throw new IllegalStateException("cannot start " + argv, ex);
        }
    }

    /** Waits until a TCP listener on the port shows in the namespace (ss -ltn), or fails. */
    public BackgroundCommand awaitListening(final Lab lab, final String namespace, final int port)
    {
        final long deadlineNs = System.nanoTime() + Duration.ofSeconds(15).toNanos();
        while (System.nanoTime() - deadlineNs < 0)
        {
            final ExecResult ss = lab.exec(namespace, Duration.ofSeconds(5), "ss", "-Hltn", "sport = :" + port);
            if (ss.ok() && !ss.stdout().isBlank())
            {
                return this;
            }
            if (!process.isAlive())
            {
                throw new IllegalStateException("background command exited with " + process.exitValue());
            }
            LockSupport.parkNanos(1_000_000L);
        }
        throw new IllegalStateException("nothing listens on port " + port + " in " + namespace);
    }

    @Override
    public void close()
    {
        process.descendants().forEach(ProcessHandle::destroy);
        process.destroy();
        try
        {
            if (!process.waitFor(5, TimeUnit.SECONDS))
            {
                process.destroyForcibly();
            }
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }
}
