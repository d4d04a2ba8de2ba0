package vpce.appliance.io;

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

import org.agrona.LangUtil;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * Downcalls into glibc through {@code java.lang.foreign}, bound once at class initialisation.
 *
 * <p>Every system call takes, as its first argument, a call-state segment from
 * {@link #allocateCallState(Arena)} into which the linker stores {@code errno} right after the
 * call ({@code Linker.Option.captureCallState("errno")}). Reading {@code errno} through
 * {@link #errno(MemorySegment)} afterwards is a plain load: no allocation, so a port that owns
 * one call-state segment may call these on the packet path. Without capture, {@code errno}
 * would be unreliable because the JVM itself may make system calls between the downcall and
 * the read.
 *
 * <p>Struct layouts below are the x86_64 / aarch64 LP64 ones (8-byte pointers and size_t).
 * Constants cite the header they come from.
 */
public final class LibC
{
    // <bits/socket.h>, <linux/socket.h>
    public static final int AF_INET = 2;
    public static final int AF_PACKET = 17;
    public static final int SOCK_DGRAM = 2;
    public static final int SOCK_RAW = 3;
    /** <bits/socket_type.h>: SOCK_CLOEXEC == O_CLOEXEC so children never inherit a port's fd. */
    public static final int SOCK_CLOEXEC = 0x80000;
    public static final int MSG_TRUNC = 0x20;
    public static final int MSG_DONTWAIT = 0x40;

    // <asm-generic/socket.h>
    public static final int SOL_SOCKET = 1;
    public static final int SO_SNDBUF = 7;
    public static final int SO_RCVBUF = 8;
    /** As SO_SNDBUF but ignores net.core.wmem_max; needs CAP_NET_ADMIN. */
    public static final int SO_SNDBUFFORCE = 32;
    /** As SO_RCVBUF but ignores net.core.rmem_max; needs CAP_NET_ADMIN. */
    public static final int SO_RCVBUFFORCE = 33;

    // <linux/socket.h>: SOL_PACKET
    public static final int SOL_PACKET = 263;

    // <linux/if_packet.h>
    public static final int PACKET_QDISC_BYPASS = 20;
    public static final int PACKET_VNET_HDR = 15;
    public static final int PACKET_IGNORE_OUTGOING = 23;
    public static final int PACKET_AUXDATA = 8;
    /** tpacket_auxdata.tp_status: the frame carried an 802.1Q tag that the kernel removed. */
    public static final int TP_STATUS_VLAN_VALID = 1 << 4;

    // <linux/if_ether.h>
    public static final int ETH_P_ALL = 0x0003;
    public static final int ETH_HLEN = 14;
    public static final int ETH_ALEN = 6;

    // <asm-generic/errno-base.h>, <asm-generic/errno.h>
    public static final int EINTR = 4;
    public static final int EAGAIN = 11;
    public static final int EPERM = 1;
    public static final int EINVAL = 22;
    public static final int EMSGSIZE = 90;
    public static final int ENOBUFS = 105;

    // <asm-generic/fcntl.h>
    public static final int O_RDONLY = 0;
    public static final int O_RDWR = 2;
    public static final int O_NONBLOCK = 0x800;
    public static final int O_CLOEXEC = 0x80000;

    // <asm-generic/poll.h>
    public static final short POLLIN = 0x1;

    // <linux/sched.h>
    public static final int CLONE_NEWNET = 0x40000000;

    // <linux/sockios.h>
    public static final long SIOCGIFFLAGS = 0x8913;
    public static final long SIOCSIFFLAGS = 0x8914;
    public static final long SIOCGIFMTU = 0x8921;
    public static final long SIOCGIFHWADDR = 0x8927;

    // <linux/if.h>
    public static final int IFNAMSIZ = 16;
    public static final short IFF_UP = 0x1;

    /**
     * <pre>
     * struct ifreq {                  // <linux/if.h>, 40 bytes
     *     char ifr_name[IFNAMSIZ];    // 0
     *     union {                     // 16
     *         short ifr_flags;        //   TUNSETIFF, SIOC[GS]IFFLAGS
     *         int ifr_mtu;            //   SIOCGIFMTU
     *         struct sockaddr ifr_hwaddr; // SIOCGIFHWADDR: sa_family (2 B) then sa_data
     *         ...                     //   largest member is 24 bytes (struct ifmap)
     *     };
     * };
     * </pre>
     */
    public static final int IFREQ_SIZE = 40;
    public static final int IFREQ_FLAGS_OFFSET = 16;
    public static final int IFREQ_MTU_OFFSET = 16;
    public static final int IFREQ_HWADDR_DATA_OFFSET = 18;

    /**
     * <pre>
     * struct iovec { void *iov_base; size_t iov_len; };   // <bits/types/struct_iovec.h>, 16 B
     *
     * struct msghdr {                 // <bits/socket.h>, 56 B
     *     void *msg_name;             // 0
     *     socklen_t msg_namelen;      // 8 (+4 padding)
     *     struct iovec *msg_iov;      // 16
     *     size_t msg_iovlen;          // 24
     *     void *msg_control;          // 32
     *     size_t msg_controllen;      // 40
     *     int msg_flags;              // 48 (+4 padding)
     * };
     * struct mmsghdr { struct msghdr msg_hdr; unsigned int msg_len; };  // 64 B with padding
     * </pre>
     */
    public static final int IOVEC_SIZE = 16;
    public static final int IOVEC_BASE_OFFSET = 0;
    public static final int IOVEC_LEN_OFFSET = 8;
    public static final int MMSGHDR_SIZE = 64;
    public static final int MSGHDR_IOV_OFFSET = 16;
    public static final int MSGHDR_IOVLEN_OFFSET = 24;
    public static final int MSGHDR_CONTROL_OFFSET = 32;
    public static final int MSGHDR_CONTROLLEN_OFFSET = 40;
    public static final int MSGHDR_FLAGS_OFFSET = 48;
    // <linux/socket.h> struct cmsghdr { size_t cmsg_len; int cmsg_level; int cmsg_type; } then data.
    public static final int CMSG_LEVEL_OFFSET = 8;
    public static final int CMSG_TYPE_OFFSET = 12;
    public static final int CMSG_DATA_OFFSET = 16;
    // <linux/if_packet.h> struct tpacket_auxdata { u32 tp_status, tp_len, tp_snaplen; u16 tp_mac, tp_net,
    // tp_vlan_tci, tp_vlan_tpid; }: 20 bytes; CMSG_SPACE(20) = 40.
    public static final int TPACKET_AUXDATA_STATUS_OFFSET = 0;
    public static final int TPACKET_AUXDATA_SIZE = 20;
    public static final int CMSG_AUXDATA_SPACE = 40;
    public static final int MMSGHDR_LEN_OFFSET = 56;

    /** struct pollfd { int fd; short events; short revents; }; <asm-generic/poll.h>, 8 B. */
    public static final int POLLFD_SIZE = 8;
    public static final int POLLFD_FD_OFFSET = 0;
    public static final int POLLFD_EVENTS_OFFSET = 4;
    public static final int POLLFD_REVENTS_OFFSET = 6;

    /**
     * <pre>
     * struct sockaddr_ll {            // <linux/if_packet.h>, 20 B
     *     unsigned short sll_family;  // 0
     *     __be16 sll_protocol;        // 2
     *     int sll_ifindex;            // 4
     *     unsigned short sll_hatype;  // 8
     *     unsigned char sll_pkttype;  // 10
     *     unsigned char sll_halen;    // 11
     *     unsigned char sll_addr[8];  // 12
     * };
     * </pre>
     */
    public static final int SOCKADDR_LL_SIZE = 20;
    public static final int SOCKADDR_LL_PROTOCOL_OFFSET = 2;
    public static final int SOCKADDR_LL_IFINDEX_OFFSET = 4;

    private static final Linker LINKER = Linker.nativeLinker();
    private static final SymbolLookup LOOKUP = LINKER.defaultLookup();
    private static final StructLayout CALL_STATE_LAYOUT = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = CALL_STATE_LAYOUT.varHandle(MemoryLayout.PathElement.groupElement("errno"));
    private static final Linker.Option CAPTURE_ERRNO = Linker.Option.captureCallState("errno");

    private static final MethodHandle SOCKET = errnoHandle("socket", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT));
    private static final MethodHandle BIND = errnoHandle("bind", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle SETSOCKOPT = errnoHandle(
        "setsockopt", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle GETSOCKOPT = errnoHandle(
        "getsockopt", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, ADDRESS));
    private static final MethodHandle RECVMMSG = errnoHandle(
        "recvmmsg", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, JAVA_INT, JAVA_INT, JAVA_LONG));
    private static final MethodHandle SENDMMSG = errnoHandle(
        "sendmmsg", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, JAVA_INT, JAVA_INT));
    private static final MethodHandle POLL = errnoHandle("poll", FunctionDescriptor.of(JAVA_INT, JAVA_LONG, JAVA_LONG, JAVA_INT));
    private static final MethodHandle CLOSE = errnoHandle("close", FunctionDescriptor.of(JAVA_INT, JAVA_INT));
    /** int open(const char *path, int flags, ...): the mode is variadic (<fcntl.h>). */
    private static final MethodHandle OPEN = errnoHandle(
        "open", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT), Linker.Option.firstVariadicArg(2));
    private static final MethodHandle READ = errnoHandle("read", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, JAVA_LONG, JAVA_LONG));
    private static final MethodHandle READV = errnoHandle("readv", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, JAVA_LONG, JAVA_INT));
    private static final MethodHandle WRITE = errnoHandle("write", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, JAVA_LONG, JAVA_LONG));
    /** int ioctl(int fd, unsigned long request, ...): the argument is variadic (<sys/ioctl.h>). */
    private static final MethodHandle IOCTL_PTR = errnoHandle(
        "ioctl", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, ADDRESS), Linker.Option.firstVariadicArg(2));
    /** ioctl whose argument is a value, not a pointer (e.g. TUNSETOFFLOAD takes the flags by value). */
    private static final MethodHandle IOCTL_LONG = errnoHandle(
        "ioctl", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, JAVA_LONG), Linker.Option.firstVariadicArg(2));
    private static final MethodHandle IF_NAMETOINDEX = errnoHandle("if_nametoindex", FunctionDescriptor.of(JAVA_INT, ADDRESS));
    private static final MethodHandle SETNS = errnoHandle("setns", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));
    private static final MethodHandle STRERROR = LINKER.downcallHandle(
        LOOKUP.findOrThrow("strerror"), FunctionDescriptor.of(ADDRESS, JAVA_INT));

    private LibC()
    {
    }

    private static MethodHandle errnoHandle(final String name, final FunctionDescriptor descriptor, final Linker.Option... more)
    {
        final Linker.Option[] options = new Linker.Option[more.length + 1];
        options[0] = CAPTURE_ERRNO;
        System.arraycopy(more, 0, options, 1, more.length);
        return LINKER.downcallHandle(LOOKUP.findOrThrow(name), descriptor, options);
    }

    /**
     * A segment to pass as the first argument of every call here; allocate one per port (or per
     * thread) at start-up and reuse it.
     */
    public static MemorySegment allocateCallState(final Arena arena)
    {
        return arena.allocate(CALL_STATE_LAYOUT);
    }

    /** errno as captured by the last call that was given this call-state segment. */
    public static int errno(final MemorySegment callState)
    {
        return (int)ERRNO.get(callState, 0L);
    }

    /** Message for an errno value; allocates, for start-up errors and logs only. */
    public static String strerror(final int errno)
    {
        try
        {
            final MemorySegment message = (MemorySegment)STRERROR.invokeExact(errno);
            return message.reinterpret(1024).getString(0);
        }
        catch (final Throwable t)
        {
            return "errno " + errno;
        }
    }

    public static int socket(final MemorySegment callState, final int domain, final int type, final int protocol)
    {
        try
        {
            return (int)SOCKET.invokeExact(callState, domain, type, protocol);
        }
        catch (final Throwable t)
        {
            LangUtil.rethrowUnchecked(t);
            return -1;
        }
    }

    public static int bind(final MemorySegment callState, final int fd, final MemorySegment address, final int length)
    {
        try
        {
            return (int)BIND.invokeExact(callState, fd, address, length);
        }
        catch (final Throwable t)
        {
            LangUtil.rethrowUnchecked(t);
            return -1;
        }
    }

    public static int setsockopt(
        final MemorySegment callState,
        final int fd,
        final int level,
        final int option,
        final MemorySegment value,
        final int length)
    {
        try
        {
            return (int)SETSOCKOPT.invokeExact(callState, fd, level, option, value, length);
        }
        catch (final Throwable t)
        {
            LangUtil.rethrowUnchecked(t);
            return -1;
        }
    }

    /** @param length a socklen_t in memory: buffer size in, value size out. */
    public static int getsockopt(
        final MemorySegment callState,
        final int fd,
        final int level,
        final int option,
        final MemorySegment value,
        final MemorySegment length)
    {
        try
        {
            return (int)GETSOCKOPT.invokeExact(callState, fd, level, option, value, length);
        }
        catch (final Throwable t)
        {
            LangUtil.rethrowUnchecked(t);
            return -1;
        }
    }

    /**
     * recvmmsg(2) with addresses as longs so the packet path builds no segment objects.
     *
     * @param timeoutAddress struct timespec *, 0 for none.
     */
    public static int recvmmsg(
        final MemorySegment callState,
        final int fd,
        final long mmsghdrAddress,
        final int count,
        final int flags,
        final long timeoutAddress)
    {
        try
        {
            return (int)RECVMMSG.invokeExact(callState, fd, mmsghdrAddress, count, flags, timeoutAddress);
        }
        catch (final Throwable t)
        {
            LangUtil.rethrowUnchecked(t);
            return -1;
        }
    }

    public static int sendmmsg(
        final MemorySegment callState, final int fd, final long mmsghdrAddress, final int count, final int flags)
    {
        try
        {
            return (int)SENDMMSG.invokeExact(callState, fd, mmsghdrAddress, count, flags);
        }
        catch (final Throwable t)
        {
            LangUtil.rethrowUnchecked(t);
            return -1;
        }
    }

    public static int poll(final MemorySegment callState, final long pollfdAddress, final long count, final int timeoutMs)
    {
        try
        {
            return (int)POLL.invokeExact(callState, pollfdAddress, count, timeoutMs);
        }
        catch (final Throwable t)
        {
            LangUtil.rethrowUnchecked(t);
            return -1;
        }
    }

    public static int close(final MemorySegment callState, final int fd)
    {
        try
        {
            return (int)CLOSE.invokeExact(callState, fd);
        }
        catch (final Throwable t)
        {
            LangUtil.rethrowUnchecked(t);
            return -1;
        }
    }

    /** @param path a NUL-terminated C string. */
    public static int open(final MemorySegment callState, final MemorySegment path, final int flags)
    {
        try
        {
            return (int)OPEN.invokeExact(callState, path, flags, 0);
        }
        catch (final Throwable t)
        {
            LangUtil.rethrowUnchecked(t);
            return -1;
        }
    }

    public static long read(final MemorySegment callState, final int fd, final long address, final long length)
    {
        try
        {
            return (long)READ.invokeExact(callState, fd, address, length);
        }
        catch (final Throwable t)
        {
            LangUtil.rethrowUnchecked(t);
            return -1;
        }
    }

    /** readv(2) with the iovec array as an address. */
    public static long readv(final MemorySegment callState, final int fd, final long iovAddress, final int iovCount)
    {
        try
        {
            return (long)READV.invokeExact(callState, fd, iovAddress, iovCount);
        }
        catch (final Throwable t)
        {
            LangUtil.rethrowUnchecked(t);
            return -1;
        }
    }

    public static long write(final MemorySegment callState, final int fd, final long address, final long length)
    {
        try
        {
            return (long)WRITE.invokeExact(callState, fd, address, length);
        }
        catch (final Throwable t)
        {
            LangUtil.rethrowUnchecked(t);
            return -1;
        }
    }

    public static int ioctl(final MemorySegment callState, final int fd, final long request, final MemorySegment argument)
    {
        try
        {
            return (int)IOCTL_PTR.invokeExact(callState, fd, request, argument);
        }
        catch (final Throwable t)
        {
            LangUtil.rethrowUnchecked(t);
            return -1;
        }
    }

    public static int ioctlValue(final MemorySegment callState, final int fd, final long request, final long value)
    {
        try
        {
            return (int)IOCTL_LONG.invokeExact(callState, fd, request, value);
        }
        catch (final Throwable t)
        {
            LangUtil.rethrowUnchecked(t);
            return -1;
        }
    }

    /** @return the ifindex, 0 when there is no such interface (errno says why). */
    public static int ifNameToIndex(final MemorySegment callState, final MemorySegment name)
    {
        try
        {
            return (int)IF_NAMETOINDEX.invokeExact(callState, name);
        }
        catch (final Throwable t)
        {
            LangUtil.rethrowUnchecked(t);
            return -1;
        }
    }

    public static int setns(final MemorySegment callState, final int fd, final int nsType)
    {
        try
        {
            return (int)SETNS.invokeExact(callState, fd, nsType);
        }
        catch (final Throwable t)
        {
            LangUtil.rethrowUnchecked(t);
            return -1;
        }
    }

    /** setsockopt for an int option, from a scratch segment of at least 4 bytes. */
    static int setIntOption(
        final MemorySegment callState,
        final MemorySegment scratch,
        final int fd,
        final int level,
        final int option,
        final int value)
    {
        scratch.set(ValueLayout.JAVA_INT, 0, value);
        return setsockopt(callState, fd, level, option, scratch, Integer.BYTES);
    }

    /** Fill an ifreq's name field; throws for names the kernel would refuse (start-up only). */
    static void ifreqName(final MemorySegment ifreq, final String name)
    {
        final byte[] bytes = name.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        if (bytes.length == 0 || bytes.length >= IFNAMSIZ)
        {
            throw new IllegalArgumentException("interface name must be 1.." + (IFNAMSIZ - 1) + " chars: '" + name + "'");
        }
        ifreq.fill((byte)0);
        MemorySegment.copy(bytes, 0, ifreq, ValueLayout.JAVA_BYTE, 0, bytes.length);
    }

    /** A MAC address from 6 bytes at an offset, as the low 48 bits of a long. */
    static long macAt(final MemorySegment segment, final long offset)
    {
        long mac = 0;
        for (int i = 0; i < ETH_ALEN; i++)
        {
            mac = (mac << 8) | (segment.get(ValueLayout.JAVA_BYTE, offset + i) & 0xFF);
        }
        return mac;
    }

    /** "errno N (message)" for start-up exceptions. */
    static String describe(final int errno)
    {
        return "errno " + errno + " (" + strerror(errno) + ")";
    }
}
