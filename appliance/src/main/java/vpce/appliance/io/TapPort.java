package vpce.appliance.io;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

/**
 * A TAP device owned by this process: frames the kernel routes to the device are read here, and
 * frames written here enter the kernel as if received on it. Each frame is preceded by a 10-byte
 * struct virtio_net_hdr.
 *
 * <p>Kernel facts this relies on (drivers/net/tun.c, linux/if_tun.h):
 * <ul>
 * <li>The device is created by TUNSETIFF on an fd of /dev/net/tun, in the network namespace the
 *     file was <em>opened</em> in; IFF_TAP gives Ethernet frames, IFF_NO_PI drops the 4-byte
 *     packet-info prefix, IFF_VNET_HDR adds the virtio_net_hdr.</li>
 * <li>TUNSETVNETHDRSZ sets the header size (10 = virtio_net_hdr without num_buffers).</li>
 * <li>TUNSETOFFLOAD (flags passed by value) declares what the reader accepts: with TUN_F_CSUM
 *     the kernel hands over CHECKSUM_PARTIAL frames (NEEDS_CSUM), with TUN_F_TSO4/6 it hands
 *     over TCP super-frames whole instead of segmenting them first.</li>
 * <li>read(2) returns one frame per call, header included, and EAGAIN on an O_NONBLOCK fd when
 *     none is queued. When the buffer is too short the frame is cut silently and the call
 *     returns the bytes copied (seen on 6.18), so a frame that exactly fills a slot and a cut
 *     one look alike. We therefore readv into the slot plus a small overflow buffer: any byte
 *     landing in the overflow means the frame did not fit.</li>
 * <li>write(2) takes one whole frame per call; there are no partial writes.</li>
 * <li>The device is down at creation; it is brought up with SIOCSIFFLAGS IFF_UP on an AF_INET
 *     socket of the same namespace when {@link Options#bringUp()} is set, else by the caller.
 *     Its carrier is on while this fd is open.</li>
 * </ul>
 */
public final class TapPort implements Port
{
    // <linux/if_tun.h>: _IOW('T', nr, int|unsigned int)
    public static final long TUNSETIFF = 0x400454caL;
    public static final long TUNSETOFFLOAD = 0x400454d0L;
    public static final long TUNSETVNETHDRSZ = 0x400454d8L;
    public static final short IFF_TAP = 0x0002;
    public static final short IFF_NO_PI = 0x1000;
    public static final short IFF_VNET_HDR = 0x4000;
    public static final int TUN_F_CSUM = 0x01;
    public static final int TUN_F_TSO4 = 0x02;
    public static final int TUN_F_TSO6 = 0x04;
    public static final int TUN_F_TSO_ECN = 0x08;

    /** Largest frame accepted for send: what a default receive slot holds. */
    public static final int MAX_FRAME_LENGTH = FrameBatch.DEFAULT_SLOT_SIZE - FrameBatch.VNET_HDR_LENGTH;
    private static final String TUN_DEVICE = "/dev/net/tun";
    /** Only its being written to matters; 64 B keeps it a whole cache line. */
    private static final long OVERFLOW_LENGTH = 64;

    /**
     * Options fixed at open.
     *
     * @param offloads TUN_F_* flags for TUNSETOFFLOAD.
     * @param bringUp set IFF_UP on the new device.
     */
    public record Options(int offloads, boolean bringUp)
    {
        public static final Options DEFAULT = new Options(TUN_F_CSUM | TUN_F_TSO4, true);

        public Options
        {
            if ((offloads & ~(TUN_F_CSUM | TUN_F_TSO4 | TUN_F_TSO6 | TUN_F_TSO_ECN)) != 0)
            {
                throw new IllegalArgumentException("offloads has unsupported bits: 0x" + Integer.toHexString(offloads));
            }
            if ((offloads & (TUN_F_TSO4 | TUN_F_TSO6 | TUN_F_TSO_ECN)) != 0 && (offloads & TUN_F_CSUM) == 0)
            {
                // tun.c set_offload honours TSO bits only together with CSUM and refuses leftovers
                // with EINVAL: say so at configuration, naming the value.
                throw new IllegalArgumentException("offloads: TSO needs TUN_F_CSUM, got 0x" + Integer.toHexString(offloads));
            }
        }
    }

    private final String name;
    private final String interfaceName;
    private final long deviceMacAddress;
    private final long macAddress;
    private final int mtu;
    private final Arena arena;
    private final MemorySegment callState;
    /** iovec[2]: [0] the current slot, rewritten per read; [1] the overflow buffer, fixed. */
    private final MemorySegment rxIovs;
    private final long rxIovsAddress;
    private int fd;

    private long framesReceived;
    private long framesSent;
    private long bytesSent;
    private long truncatedFrames;
    private long receiveErrors;
    private long sendErrors;
    private long invalidTxFrames;
    private int lastReceiveErrno;
    private int lastSendErrno;

    /** Create the TAP device in the calling thread's current network namespace. */
    public static TapPort open(final String name, final String interfaceName, final Options options) throws PortException
    {
        return new TapPort(name, interfaceName, options);
    }

    /** Create the TAP device inside /run/netns/NAME; this process keeps its fd. */
    public static TapPort open(
        final String name, final String networkNamespace, final String interfaceName, final Options options)
        throws PortException
    {
        try
        {
            return NetworkNamespace.call(networkNamespace, () -> new TapPort(name, interfaceName, options));
        }
        catch (final PortException | RuntimeException ex)
        {
            throw ex;
        }
        catch (final Exception ex)
        {
            throw new PortException("open tap " + interfaceName + " in netns " + networkNamespace + ": " + ex, 0);
        }
    }

    private TapPort(final String name, final String interfaceName, final Options options) throws PortException
    {
        this.name = name;
        this.interfaceName = interfaceName;
        this.macAddress = randomLocalUnicastMac();
        this.arena = Arena.ofShared();
        this.fd = -1;
        boolean opened = false;
        try
        {
            callState = LibC.allocateCallState(arena);
            rxIovs = arena.allocate(2L * LibC.IOVEC_SIZE, 16);
            rxIovsAddress = rxIovs.address();
            final MemorySegment overflow = arena.allocate(OVERFLOW_LENGTH, 16);
            rxIovs.set(JAVA_LONG, LibC.IOVEC_SIZE + LibC.IOVEC_BASE_OFFSET, overflow.address());
            rxIovs.set(JAVA_LONG, LibC.IOVEC_SIZE + LibC.IOVEC_LEN_OFFSET, OVERFLOW_LENGTH);
            fd = LibC.open(
                callState, arena.allocateFrom(TUN_DEVICE), LibC.O_RDWR | LibC.O_NONBLOCK | LibC.O_CLOEXEC);
            if (fd < 0)
            {
                throw new PortException(what("open " + TUN_DEVICE), LibC.errno(callState));
            }

            final MemorySegment ifreq = arena.allocate(LibC.IFREQ_SIZE, 8);
            LibC.ifreqName(ifreq, interfaceName);
            ifreq.set(JAVA_SHORT, LibC.IFREQ_FLAGS_OFFSET, (short)(IFF_TAP | IFF_NO_PI | IFF_VNET_HDR));
            if (LibC.ioctl(callState, fd, TUNSETIFF, ifreq) != 0)
            {
                throw new PortException(what("TUNSETIFF"), LibC.errno(callState));
            }

            final MemorySegment headerSize = arena.allocate(JAVA_INT);
            headerSize.set(JAVA_INT, 0, FrameBatch.VNET_HDR_LENGTH);
            if (LibC.ioctl(callState, fd, TUNSETVNETHDRSZ, headerSize) != 0)
            {
                throw new PortException(what("TUNSETVNETHDRSZ"), LibC.errno(callState));
            }
            if (LibC.ioctlValue(callState, fd, TUNSETOFFLOAD, options.offloads()) != 0)
            {
                throw new PortException(what("TUNSETOFFLOAD 0x" + Integer.toHexString(options.offloads())), LibC.errno(callState));
            }

            // Interface ioctls need a socket of the device's namespace: this thread is in it now.
            final int socket = LibC.socket(callState, LibC.AF_INET, LibC.SOCK_DGRAM | LibC.SOCK_CLOEXEC, 0);
            if (socket < 0)
            {
                throw new PortException(what("socket(AF_INET, SOCK_DGRAM)"), LibC.errno(callState));
            }
            try
            {
                LibC.ifreqName(ifreq, interfaceName);
                if (LibC.ioctl(callState, socket, LibC.SIOCGIFHWADDR, ifreq) != 0)
                {
                    throw new PortException(what("SIOCGIFHWADDR"), LibC.errno(callState));
                }
                deviceMacAddress = LibC.macAt(ifreq, LibC.IFREQ_HWADDR_DATA_OFFSET);

                LibC.ifreqName(ifreq, interfaceName);
                if (LibC.ioctl(callState, socket, LibC.SIOCGIFMTU, ifreq) != 0)
                {
                    throw new PortException(what("SIOCGIFMTU"), LibC.errno(callState));
                }
                mtu = ifreq.get(JAVA_INT, LibC.IFREQ_MTU_OFFSET);

                if (options.bringUp())
                {
                    LibC.ifreqName(ifreq, interfaceName);
                    if (LibC.ioctl(callState, socket, LibC.SIOCGIFFLAGS, ifreq) != 0)
                    {
                        throw new PortException(what("SIOCGIFFLAGS"), LibC.errno(callState));
                    }
                    final short flags = ifreq.get(JAVA_SHORT, LibC.IFREQ_FLAGS_OFFSET);
                    ifreq.set(JAVA_SHORT, LibC.IFREQ_FLAGS_OFFSET, (short)(flags | LibC.IFF_UP));
                    if (LibC.ioctl(callState, socket, LibC.SIOCSIFFLAGS, ifreq) != 0)
                    {
                        throw new PortException(what("SIOCSIFFLAGS IFF_UP"), LibC.errno(callState));
                    }
                }
            }
            finally
            {
                LibC.close(callState, socket);
            }
            opened = true;
        }
        finally
        {
            if (!opened)
            {
                close();
            }
        }
    }

    private String what(final String action)
    {
        return "port " + name + " (tap " + interfaceName + "): " + action;
    }

    public int receive(final FrameBatch batch)
    {
        final int capacity = batch.capacity();
        final int slotSize = batch.slotSize();
        int count = 0;
        // One read per frame; bounded by the batch, and by the attempts so a storm of oversized
        // frames cannot keep this loop from returning.
        for (int attempt = 0; attempt < capacity && count < capacity; attempt++)
        {
            rxIovs.set(JAVA_LONG, LibC.IOVEC_BASE_OFFSET, batch.slotAddress(count));
            rxIovs.set(JAVA_LONG, LibC.IOVEC_LEN_OFFSET, slotSize);
            final long result = LibC.readv(callState, fd, rxIovsAddress, 2);
            if (result < 0)
            {
                final int errno = LibC.errno(callState);
                if (errno != LibC.EAGAIN && errno != LibC.EINTR)
                {
                    receiveErrors++;
                    lastReceiveErrno = errno;
                }
                break;
            }
            if (result > slotSize)
            {
                truncatedFrames++;
                continue;
            }
            final int frameLength = (int)result - FrameBatch.VNET_HDR_LENGTH;
            if (frameLength < LibC.ETH_HLEN)
            {
                receiveErrors++;
                continue;
            }
            batch.frameLength(count, frameLength);
            count++;
        }
        framesReceived += count;
        batch.count(count);
        return count;
    }

    public int send(final TxQueue queue)
    {
        final int count = queue.count();
        int accepted = 0;
        for (int i = 0; i < count; i++)
        {
            final long address = queue.address(i);
            final int frameLength = queue.frameLength(i);
            if (address == 0 || frameLength < LibC.ETH_HLEN || frameLength > MAX_FRAME_LENGTH)
            {
                invalidTxFrames++;
                sendErrors++;
                continue;
            }
            final long result = LibC.write(callState, fd, address, (long)FrameBatch.VNET_HDR_LENGTH + frameLength);
            if (result < 0)
            {
                final int errno = LibC.errno(callState);
                lastSendErrno = errno;
                if (errno == LibC.EAGAIN || errno == LibC.ENOBUFS)
                {
                    // The kernel cannot take more now; never wait: drop the rest of this cycle.
                    sendErrors += count - i;
                    break;
                }
                // Refused for itself (EINVAL: bad virtio header; EIO: device down): drop this one.
                sendErrors++;
                continue;
            }
            accepted++;
            bytesSent += frameLength;
        }
        queue.clear();
        framesSent += accepted;
        return accepted;
    }

    public String name()
    {
        return name;
    }

    public String interfaceName()
    {
        return interfaceName;
    }

    /**
     * The appliance's own station address on this link. The TAP netdev's MAC belongs to the
     * kernel side (the peer host's NIC, {@link #deviceMacAddress()}); like a VM's NIC behind a
     * tap, the appliance needs a different one: a random locally administered unicast address.
     */
    public long macAddress()
    {
        return macAddress;
    }

    private static long randomLocalUnicastMac()
    {
        final long random = new java.security.SecureRandom().nextLong() & 0xFFFF_FFFF_FFFFL;
        // First octet: set the locally administered bit (0x02), clear the group bit (0x01).
        return (random & ~(0x01L << 40)) | (0x02L << 40);
    }

    /** The TAP netdev's MAC: the address of the kernel side of the link. */
    public long deviceMacAddress()
    {
        return deviceMacAddress;
    }

    public int mtu()
    {
        return mtu;
    }

    public int pollFd()
    {
        return fd;
    }

    public long bytesSent()
    {
        return bytesSent;
    }

    public long truncatedFrames()
    {
        return truncatedFrames;
    }

    public long sendErrors()
    {
        return sendErrors;
    }

    public long framesReceived()
    {
        return framesReceived;
    }

    public long framesSent()
    {
        return framesSent;
    }

    /** Failed reads (other than EAGAIN/EINTR) plus frames shorter than an Ethernet header. */
    public long receiveErrors()
    {
        return receiveErrors;
    }

    /** Queue entries refused before reaching the kernel; also counted in sendErrors. */
    public long invalidTxFrames()
    {
        return invalidTxFrames;
    }

    public int lastReceiveErrno()
    {
        return lastReceiveErrno;
    }

    public int lastSendErrno()
    {
        return lastSendErrno;
    }

    /** Closing the fd destroys the (non-persistent) TAP device. */
    public void close()
    {
        if (fd >= 0)
        {
            LibC.close(callState, fd);
            fd = -1;
        }
        if (arena.scope().isAlive())
        {
            arena.close();
        }
    }

    public String toString()
    {
        return "TapPort{" + name + ", " + interfaceName + ", mtu=" + mtu + "}";
    }
}
