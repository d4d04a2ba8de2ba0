package vpce.appliance.io;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import org.agrona.concurrent.IdleStrategy;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

/**
 * Idles a datapath agent on its ports' file descriptors: after a few empty duty cycles spent
 * spinning, it blocks in poll(2) for POLLIN on every port for at most a short timeout. An idle
 * appliance then uses almost no CPU, and a frame arriving wakes the agent at once (poll returns
 * as soon as any fd is readable) instead of after a sleep.
 *
 * <p>poll(2) is level-triggered: a frame that arrived before the call makes it return
 * immediately, so no wake-up is lost between the agent's last receive and the poll. The timeout
 * bounds how late the agent notices work that does not come through the fds (timers, commands
 * from the control plane).
 *
 * <p>The pollfd array is built once; ports without an fd ({@link Port#pollFd()} == -1) are left
 * out. With no fds at all, poll just sleeps the timeout. Used by one agent thread.
 */
public final class PollIdleStrategy implements IdleStrategy
{
    public static final String ALIAS = "poll";
    public static final int DEFAULT_SPINS = 100;
    public static final int DEFAULT_POLL_TIMEOUT_MS = 1;

    private final int maxSpins;
    private final int pollTimeoutMs;
    private final int fdCount;
    private final MemorySegment pollFds;
    private final long pollFdsAddress;
    private final MemorySegment callState;
    private int spins;
    private long polls;
    private long wakeups;

    /**
     * @param ports the ports whose input should end the wait.
     * @param maxSpins empty duty cycles spent spinning before polling.
     * @param pollTimeoutMs longest wait in one poll(2), at least 1 ms.
     */
    public PollIdleStrategy(final Port[] ports, final int maxSpins, final int pollTimeoutMs)
    {
        if (maxSpins < 0 || pollTimeoutMs < 1)
        {
            throw new IllegalArgumentException("maxSpins=" + maxSpins + " pollTimeoutMs=" + pollTimeoutMs);
        }
        this.maxSpins = maxSpins;
        this.pollTimeoutMs = pollTimeoutMs;
        int count = 0;
        for (final Port port : ports)
        {
            if (port.pollFd() >= 0)
            {
                count++;
            }
        }
        this.fdCount = count;
        // Auto arena: the strategy is built by the launching thread and used by the agent's.
        final Arena arena = Arena.ofAuto();
        this.pollFds = arena.allocate(Math.max(1, count) * (long)LibC.POLLFD_SIZE, 8);
        this.pollFdsAddress = count == 0 ? 0L : pollFds.address();
        this.callState = LibC.allocateCallState(arena);
        int i = 0;
        for (final Port port : ports)
        {
            if (port.pollFd() >= 0)
            {
                final long base = (long)i * LibC.POLLFD_SIZE;
                pollFds.set(JAVA_INT, base + LibC.POLLFD_FD_OFFSET, port.pollFd());
                pollFds.set(JAVA_SHORT, base + LibC.POLLFD_EVENTS_OFFSET, LibC.POLLIN);
                i++;
            }
        }
    }

    public PollIdleStrategy(final Port[] ports)
    {
        this(ports, DEFAULT_SPINS, DEFAULT_POLL_TIMEOUT_MS);
    }

    public void idle(final int workCount)
    {
        if (workCount > 0)
        {
            spins = 0;
            return;
        }
        idle();
    }

    public void idle()
    {
        if (spins < maxSpins)
        {
            spins++;
            Thread.onSpinWait();
            return;
        }
        polls++;
        // poll rewrites only revents; fd and events stay as built. Errors (EINTR) just end the wait.
        if (LibC.poll(callState, pollFdsAddress, fdCount, pollTimeoutMs) > 0)
        {
            wakeups++;
        }
    }

    public void reset()
    {
        spins = 0;
    }

    public String alias()
    {
        return ALIAS;
    }

    /** poll(2) calls made; with {@link #wakeups()} shows how the agent idles. */
    public long polls()
    {
        return polls;
    }

    /** poll(2) calls that ended because an fd became readable. */
    public long wakeups()
    {
        return wakeups;
    }

    public int fdCount()
    {
        return fdCount;
    }

    public String toString()
    {
        return "PollIdleStrategy{fds=" + fdCount + ", maxSpins=" + maxSpins + ", pollTimeoutMs=" + pollTimeoutMs + "}";
    }
}
