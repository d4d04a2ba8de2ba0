package vpce.appliance;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;

/**
 * A start-up step run on a thread of its own while the starting thread does other steps: on two
 * cores, opening the flow journal and setting up the flow table's memory overlap with opening the
 * ports and building the snapshot, and a restart's outage is its start-up.
 *
 * <p>The result is handed over through the {@link FutureTask}, whose completion happens-before
 * {@link #await()} returns: from then on the awaiting thread owns it, and the step's thread has
 * ended.
 */
final class StartupTask<T>
{
    private final String what;
    private final FutureTask<T> task;

    private StartupTask(final String what, final FutureTask<T> task)
    {
        this.what = what;
        this.task = task;
    }

    /** Starts the step on a daemon thread (a start that fails elsewhere must not wait for it to end the JVM). */
    static <T> StartupTask<T> start(final String what, final Callable<T> step)
    {
        final FutureTask<T> task = new FutureTask<>(step);
        Thread.ofPlatform().name("vpce-start-" + what.replace(' ', '-')).daemon(true).start(task);
        return new StartupTask<>(what, task);
    }

    /** @return the step's result; its failure rethrown as it was thrown. */
    T await() throws IOException
    {
        try
        {
            return task.get();
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted waiting for the " + what, ex);
        }
        catch (final ExecutionException ex)
        {
            final Throwable cause = ex.getCause();
            if (cause instanceof IOException io)
            {
                throw io;
            }
            if (cause instanceof UncheckedIOException io)
            {
                throw io.getCause();
            }
            if (cause instanceof RuntimeException runtime)
            {
                throw runtime;
            }
            if (cause instanceof Error error)
            {
                throw error;
            }
            throw new IOException("cannot set up the " + what, cause);
        }
    }

    /** @return the result, or null when the step failed (for a start that is failing already). */
    T awaitQuietly()
    {
        try
        {
            return await();
        }
        catch (final IOException | RuntimeException ex)
        {
            return null;
        }
    }
}
