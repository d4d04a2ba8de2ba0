package vpce.appliance.io;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * Runs an action with the calling thread inside a named network namespace, then returns the
 * thread to the namespace it was in, so one process can own ports whose netdevs live elsewhere.
 *
 * <p>Kernel facts this relies on:
 * <ul>
 * <li>setns(2) with CLONE_NEWNET moves only the calling <em>thread</em> (a JVM platform thread is
 *     one kernel task); other JVM threads are unaffected. Needs CAP_SYS_ADMIN.</li>
 * <li>A socket belongs to the namespace its creating thread was in at socket(2) time, and a TAP
 *     device is created in the namespace the /dev/net/tun file was opened in; both stay there
 *     after the thread leaves, so fds opened inside the action keep working outside.</li>
 * <li>/proc/thread-self/ns/net names the calling thread's current namespace (not the process'),
 *     which is what must be restored.</li>
 * <li>{@code ip netns add NAME} bind-mounts the namespace at /run/netns/NAME.</li>
 * <li>sysfs (/sys/class/net) shows the namespace of whoever mounted it, not the thread's, so
 *     code run inside the action must query interfaces with ioctls on a socket, not via sysfs.</li>
 * </ul>
 *
 * Must run on a platform thread: a virtual thread may be moved to another carrier mid-action.
 */
public final class NetworkNamespace
{
    /** Where iproute2 keeps named namespaces. */
    public static final String NETNS_RUN_DIR = "/run/netns/";
    private static final String THREAD_SELF_NET = "/proc/thread-self/ns/net";

    /** An action run inside the namespace; may throw the start-up exceptions of port opening. */
    @FunctionalInterface
    public interface Action<T>
    {
        T run() throws Exception;
    }

    private NetworkNamespace()
    {
    }

    /**
     * Run the action inside /run/netns/NAME (or, when name is null or empty, in the current
     * namespace) and return its result; the thread is back in its own namespace on return,
     * whether the action succeeded or threw.
     *
     * @throws PortException when the namespace cannot be entered.
     * @throws IllegalStateException when the thread cannot return to its namespace: the thread
     *     is then unusable and the caller should treat it as fatal.
     */
    public static <T> T call(final String name, final Action<T> action) throws Exception
    {
        if (null == name || name.isEmpty())
        {
            return action.run();
        }
        if (name.indexOf('/') >= 0 || name.equals(".") || name.equals(".."))
        {
            throw new IllegalArgumentException("bad namespace name: '" + name + "'");
        }
        if (Thread.currentThread().isVirtual())
        {
            throw new IllegalStateException("setns on a virtual thread would move its carrier thread");
        }

        try (Arena arena = Arena.ofConfined())
        {
            final MemorySegment callState = LibC.allocateCallState(arena);
            final int originalFd = LibC.open(callState, arena.allocateFrom(THREAD_SELF_NET), LibC.O_RDONLY | LibC.O_CLOEXEC);
            if (originalFd < 0)
            {
                throw new PortException("open " + THREAD_SELF_NET, LibC.errno(callState));
            }
            try
            {
                final String path = NETNS_RUN_DIR + name;
                final int targetFd = LibC.open(callState, arena.allocateFrom(path), LibC.O_RDONLY | LibC.O_CLOEXEC);
                if (targetFd < 0)
                {
                    throw new PortException("open network namespace " + path, LibC.errno(callState));
                }
                try
                {
                    if (LibC.setns(callState, targetFd, LibC.CLONE_NEWNET) != 0)
                    {
                        throw new PortException("setns into " + path, LibC.errno(callState));
                    }
                }
                finally
                {
                    LibC.close(callState, targetFd);
                }

                try
                {
                    return action.run();
                }
                finally
                {
                    if (LibC.setns(callState, originalFd, LibC.CLONE_NEWNET) != 0)
                    {
                        throw new IllegalStateException(
                            "cannot return thread to its network namespace: " + LibC.describe(LibC.errno(callState)));
                    }
                }
            }
            finally
            {
                LibC.close(callState, originalFd);
            }
        }
    }
}
