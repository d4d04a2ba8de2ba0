package vpce.appliance.lab;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs external commands (ip, nft, sysctl, iperf3, curl) with a deadline. Output goes to temporary
 * files rather than pipes so that a chatty command can never block on a full pipe while we wait
 * for it, and a command still running at its deadline is killed with its descendants.
 */
final class Commands
{
    private Commands()
    {
    }

    /**
     * @param namespace network namespace to run in.
     * @param command   the command.
     * @return {@code ip netns exec <namespace> command...}; ip execs the command so the pid is
     * the command's own.
     */
    static List<String> inNamespace(final String namespace, final String... command)
    {
        final List<String> line = new ArrayList<>(command.length + 4);
        line.add("ip");
        line.add("netns");
        line.add("exec");
        line.add(namespace);
        line.addAll(Arrays.asList(command));
        return line;
    }

    static ExecResult run(final Duration timeout, final String... command)
    {
        return run(List.of(command), timeout, null);
    }

    /**
     * Run a command to completion or until the deadline.
     *
     * @param command command line.
     * @param timeout deadline; the process tree is killed when it passes.
     * @param stdin   bytes for standard input, or null for none.
     * @return the result; never throws for a non-zero status.
     */
    static ExecResult run(final List<String> command, final Duration timeout, final String stdin)
    {
        Path out = null;
        Path err = null;
        Path in = null;
        try
        {
            out = Files.createTempFile("vpce-lab-", ".out");
            err = Files.createTempFile("vpce-lab-", ".err");
            final ProcessBuilder builder = new ProcessBuilder(command)
                .redirectOutput(out.toFile())
                .redirectError(err.toFile());
            if (null != stdin)
            {
                in = Files.createTempFile("vpce-lab-", ".in");
                Files.writeString(in, stdin, StandardCharsets.UTF_8);
                builder.redirectInput(in.toFile());
            }
            else
            {
                builder.redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));
            }

            final Process process = builder.start();
            boolean timedOut = false;
            if (!process.waitFor(timeout.toNanos(), TimeUnit.NANOSECONDS))
            {
                timedOut = true;
                kill(process.toHandle(), Duration.ZERO);
                process.waitFor(5, TimeUnit.SECONDS);
            }

            return new ExecResult(
                command,
                timedOut ? -1 : process.exitValue(),
                Files.readString(out, StandardCharsets.UTF_8),
                Files.readString(err, StandardCharsets.UTF_8),
                timedOut);
        }
        catch (final IOException ex)
        {
            throw new LabException("cannot run " + String.join(" ", command) + ": " + ex.getMessage(), ex);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new LabException("interrupted running " + String.join(" ", command), ex);
        }
        finally
        {
            deleteQuietly(out);
            deleteQuietly(err);
            deleteQuietly(in);
        }
    }

    /**
     * Ask a process and its descendants to stop (SIGTERM), then SIGKILL whatever is left at the
     * deadline.
     *
     * @param process the process.
     * @param grace   how long SIGTERM gets; zero kills at once.
     */
    static void kill(final ProcessHandle process, final Duration grace)
    {
        // Descendants first: once the parent is gone they are reparented and out of reach.
        final List<ProcessHandle> tree = new ArrayList<>(process.descendants().toList());
        tree.add(process);
        for (final ProcessHandle handle : tree)
        {
            if (grace.isZero())
            {
                handle.destroyForcibly();
            }
            else
            {
                handle.destroy();
            }
        }

        final long deadlineNs = System.nanoTime() + grace.toNanos();
        for (final ProcessHandle handle : tree)
        {
            while (handle.isAlive() && System.nanoTime() - deadlineNs < 0)
            {
                pause();
            }
            if (handle.isAlive())
            {
                handle.destroyForcibly();
            }
        }
    }

    /**
     * Wait between polls of a condition; short enough that waits end promptly, long enough not to
     * load the 2-core machines the lab runs on.
     */
    static void pause()
    {
        try
        {
            Thread.sleep(20);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new LabException("interrupted", ex);
        }
    }

    static void deleteQuietly(final Path path)
    {
        if (null != path)
        {
            try
            {
                Files.deleteIfExists(path);
            }
            catch (final IOException ignore)
            {
                // A temp file left behind is harmless; the command's result matters more.
            }
        }
    }

    static String readTail(final Path file, final int maxChars)
    {
        try
        {
            if (!Files.exists(file))
            {
                return "(" + file + " does not exist)";
            }
            final String text = Files.readString(file, StandardCharsets.UTF_8);
            return text.length() <= maxChars ? text : "..." + text.substring(text.length() - maxChars);
        }
        catch (final IOException | UncheckedIOException ex)
        {
            return "(cannot read " + file + ": " + ex.getMessage() + ")";
        }
    }
}
