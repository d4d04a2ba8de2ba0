package vpce.appliance;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Start-up phases logged at INFO with the time since the process started (not since main: the
 * JVM's own start-up is part of what a restart costs). A restart's outage is the time from the
 * kill to the datapath running; these lines show where it goes.
 *
 * <p>The process start comes from the kernel: {@code /proc/self/stat} field 22 (start time in
 * clock ticks since boot, USER_HZ = 100 on Linux) against {@code /proc/uptime}, read once; later
 * phases use {@link System#nanoTime()}. Where /proc is missing the clock counts from its first use.
 */
public final class StartupClock
{
    private static final Logger LOG = LoggerFactory.getLogger(StartupClock.class);
    /** USER_HZ: fixed at 100 by the Linux ABI (sysconf(_SC_CLK_TCK)), whatever the kernel's HZ. */
    private static final long CLOCK_TICKS_PER_SECOND = 100;
    /** {@link System#nanoTime()} at the process start, as near as /proc tells it (10 ms ticks). */
    private static final long PROCESS_START_NS = System.nanoTime() - ageOfProcessNs();

    private StartupClock()
    {
    }

    /** @return milliseconds since the process started. */
    public static long sinceProcessStartMs()
    {
        return (System.nanoTime() - PROCESS_START_NS) / 1_000_000L;
    }

    /**
     * Logs that a start-up phase is done: "start-up: {what} at {ms} ms (cpu {ms} ms)". The CPU time
     * (all threads: JIT and GC included) shows how much of the wait was work and how much was
     * waiting for a core on a busy machine.
     */
    public static void phase(final String what)
    {
        final long atMs = sinceProcessStartMs();
        LOG.info("start-up: {} at {} ms (cpu {} ms)", what, atMs, cpuMs());
    }

    /** @return user + system CPU time of this process so far, -1 when /proc cannot tell. */
    static long cpuMs()
    {
        try
        {
            final String[] fields = statFields();
            // utime and stime: fields 14 and 15, in clock ticks.
            return (Long.parseLong(fields[11]) + Long.parseLong(fields[12])) * (1000L / CLOCK_TICKS_PER_SECOND);
        }
        catch (final IOException | RuntimeException ex)
        {
            return -1;
        }
    }

    /** Fields of /proc/self/stat after the command name (which is in parentheses and may hold spaces): index 0 is field 3. */
    private static String[] statFields() throws IOException
    {
        final String stat = Files.readString(Path.of("/proc/self/stat"), StandardCharsets.US_ASCII);
        return stat.substring(stat.lastIndexOf(')') + 2).split(" ");
    }

    private static long ageOfProcessNs()
    {
        try
        {
            final String[] fields = statFields();
            final String uptime = Files.readString(Path.of("/proc/uptime"), StandardCharsets.US_ASCII);
            final long startTicks = Long.parseLong(fields[19]); // starttime, field 22
            final double uptimeSeconds = Double.parseDouble(uptime.substring(0, uptime.indexOf(' ')));
            final long ageNs = (long)(uptimeSeconds * 1e9) - startTicks * (1_000_000_000L / CLOCK_TICKS_PER_SECOND);
            return Math.max(0, ageNs);
        }
        catch (final IOException | RuntimeException ex)
        {
            return 0;
        }
    }
}
