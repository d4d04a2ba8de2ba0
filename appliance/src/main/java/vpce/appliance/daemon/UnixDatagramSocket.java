package vpce.appliance.daemon;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.nio.charset.StandardCharsets;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * A UNIX datagram socket through {@code java.lang.foreign}: the JDK's UNIX-domain channels are
 * stream-only, and sd_notify(3) is one datagram per message. Addresses are file paths, or
 * names in the abstract namespace written with a leading {@code @} (as systemd writes
 * {@code $NOTIFY_SOCKET}). Not on the packet path: it allocates per call.
 */
public final class UnixDatagramSocket implements AutoCloseable
{
    /** {@code <bits/socket.h>}. */
    private static final int AF_UNIX = 1;
    private static final int SOCK_DGRAM = 2;
    private static final int SOCK_CLOEXEC = 0x80000;
    /** {@code <asm-generic/errno-base.h>}: EINTR, EAGAIN. */
    private static final int EINTR = 4;
    private static final int EAGAIN = 11;
    /** {@code struct sockaddr_un}: sa_family_t (2 bytes) then sun_path[108] ({@code <sys/un.h>}). */
    private static final int SUN_PATH_OFFSET = 2;
    private static final int SUN_PATH_LENGTH = 108;
    /** {@code <poll.h>}. */
    private static final short POLLIN = 1;

    private static final Linker LINKER = Linker.nativeLinker();
    private static final SymbolLookup LOOKUP = LINKER.defaultLookup();
    private static final StructLayout CALL_STATE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = CALL_STATE.varHandle(MemoryLayout.PathElement.groupElement("errno"));
    private static final MethodHandle SOCKET = handle("socket", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT));
    private static final MethodHandle BIND = handle("bind", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle SENDTO = handle(
        "sendto", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle RECV = handle("recv", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT));
    private static final MethodHandle POLL = handle("poll", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT));
    private static final MethodHandle CLOSE = handle("close", FunctionDescriptor.of(JAVA_INT, JAVA_INT));

    private final int fd;

    private UnixDatagramSocket(final int fd)
    {
        this.fd = fd;
    }

    private static MethodHandle handle(final String name, final FunctionDescriptor descriptor)
    {
        return LINKER.downcallHandle(LOOKUP.findOrThrow(name), descriptor, Linker.Option.captureCallState("errno"));
    }

    /** An unbound socket, enough to send. */
    public static UnixDatagramSocket open() throws IOException
    {
        try (Arena arena = Arena.ofConfined())
        {
            final MemorySegment state = arena.allocate(CALL_STATE);
            final int fd = (int)SOCKET.invokeExact(state, AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
            if (fd < 0)
            {
                throw new IOException("socket(AF_UNIX, SOCK_DGRAM): errno " + (int)ERRNO.get(state, 0L));
            }
            return new UnixDatagramSocket(fd);
        }
        catch (final IOException | RuntimeException | Error ex)
        {
            throw ex;
        }
        catch (final Throwable t)
        {
            throw new IllegalStateException(t);
        }
    }

    /** A socket bound to {@code address} (a path, or {@code @name}), to receive. */
    public static UnixDatagramSocket bind(final String address) throws IOException
    {
        final UnixDatagramSocket socket = open();
        try (Arena arena = Arena.ofConfined())
        {
            final MemorySegment state = arena.allocate(CALL_STATE);
            final MemorySegment sockaddr = arena.allocate(SUN_PATH_OFFSET + SUN_PATH_LENGTH);
            final int length = sockaddr(sockaddr, address);
            if ((int)BIND.invokeExact(state, socket.fd, sockaddr, length) != 0)
            {
                final int errno = (int)ERRNO.get(state, 0L);
                socket.close();
                throw new IOException("bind(" + address + "): errno " + errno);
            }
            return socket;
        }
        catch (final IOException | RuntimeException | Error ex)
        {
            socket.close();
            throw ex;
        }
        catch (final Throwable t)
        {
            socket.close();
            throw new IllegalStateException(t);
        }
    }

    /**
     * Fills a {@code sockaddr_un}.
     *
     * @return the address length to pass: the family and the path with its NUL, or for an
     * abstract name the family, the leading NUL and the name without one (unix(7)).
     */
    static int sockaddr(final MemorySegment sockaddr, final String address) throws IOException
    {
        final boolean abstractName = address.startsWith("@");
        final byte[] path = address.getBytes(StandardCharsets.UTF_8);
        if (address.isEmpty() || path.length > SUN_PATH_LENGTH - (abstractName ? 0 : 1) || !(abstractName || address.startsWith("/")))
        {
            throw new IOException("not a UNIX socket address (an absolute path or @name, at most 107 bytes): " + address);
        }
        sockaddr.fill((byte)0);
        sockaddr.set(ValueLayout.JAVA_SHORT_UNALIGNED, 0, (short)AF_UNIX);
        MemorySegment.copy(path, 0, sockaddr, ValueLayout.JAVA_BYTE, SUN_PATH_OFFSET, path.length);
        if (abstractName)
        {
            sockaddr.set(ValueLayout.JAVA_BYTE, SUN_PATH_OFFSET, (byte)0);
            return SUN_PATH_OFFSET + path.length;
        }
        return SUN_PATH_OFFSET + path.length + 1;
    }

    /** Sends one datagram; retried on EINTR, never blocks for long (the receiver's queue is the only wait). */
    public void send(final String address, final byte[] message) throws IOException
    {
        try (Arena arena = Arena.ofConfined())
        {
            final MemorySegment state = arena.allocate(CALL_STATE);
            final MemorySegment sockaddr = arena.allocate(SUN_PATH_OFFSET + SUN_PATH_LENGTH);
            final int length = sockaddr(sockaddr, address);
            final MemorySegment buffer = arena.allocate(Math.max(1, message.length));
            MemorySegment.copy(message, 0, buffer, ValueLayout.JAVA_BYTE, 0, message.length);
            while (true)
            {
                final long sent = (long)SENDTO.invokeExact(state, fd, buffer, (long)message.length, 0, sockaddr, length);
                if (sent >= 0)
                {
                    return;
                }
                final int errno = (int)ERRNO.get(state, 0L);
                if (errno != EINTR)
                {
                    throw new IOException("sendto(" + address + "): errno " + errno);
                }
            }
        }
        catch (final IOException | RuntimeException | Error ex)
        {
            throw ex;
        }
        catch (final Throwable t)
        {
            throw new IllegalStateException(t);
        }
    }

    /**
     * Waits up to {@code timeoutMs} for a datagram.
     *
     * @return its bytes, or null when none came in time.
     */
    public byte[] receive(final int timeoutMs) throws IOException
    {
        try (Arena arena = Arena.ofConfined())
        {
            final MemorySegment state = arena.allocate(CALL_STATE);
            final MemorySegment pollFd = arena.allocate(8);
            pollFd.set(JAVA_INT, 0, fd);
            pollFd.set(ValueLayout.JAVA_SHORT, 4, POLLIN);
            final int ready = (int)POLL.invokeExact(state, pollFd, 1L, timeoutMs);
            if (ready <= 0)
            {
                return null;
            }
            final MemorySegment buffer = arena.allocate(4096);
            final long received = (long)RECV.invokeExact(state, fd, buffer, 4096L, 0x40 /* MSG_DONTWAIT */);
            if (received < 0)
            {
                final int errno = (int)ERRNO.get(state, 0L);
                if (errno == EAGAIN || errno == EINTR)
                {
                    return null;
                }
                throw new IOException("recv: errno " + errno);
            }
            return buffer.asSlice(0, received).toArray(ValueLayout.JAVA_BYTE);
        }
        catch (final IOException | RuntimeException | Error ex)
        {
            throw ex;
        }
        catch (final Throwable t)
        {
            throw new IllegalStateException(t);
        }
    }

    @Override
    public void close()
    {
        try (Arena arena = Arena.ofConfined())
        {
            final int ignored = (int)CLOSE.invokeExact(arena.allocate(CALL_STATE), fd);
        }
        catch (final Throwable t)
        {
            // Nothing to do: the fd is gone or the process is ending.
        }
    }
}
