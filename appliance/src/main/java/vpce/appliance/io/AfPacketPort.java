package vpce.appliance.io;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;
import static java.lang.foreign.ValueLayout.JAVA_SHORT_UNALIGNED;

/**
 * A kernel netdev seen through an AF_PACKET SOCK_RAW socket, with a struct virtio_net_hdr in
 * front of every frame so GSO super-frames and partial checksums cross user space whole.
 *
 * <p>Kernel facts this relies on (net/packet/af_packet.c, linux/if_packet.h):
 * <ul>
 * <li>PACKET_VNET_HDR makes every recv start with a 10-byte virtio_net_hdr describing the skb
 *     (gso_type/gso_size for a GSO skb, NEEDS_CSUM with csum_start/offset for CHECKSUM_PARTIAL,
 *     DATA_VALID for CHECKSUM_UNNECESSARY) and every send start with one the kernel honours. It
 *     must be set before PACKET_RX_RING/TX_RING (EBUSY after); we set it before bind.</li>
 * <li>The socket is created with protocol 0, so it receives nothing, and starts receiving only
 *     at bind(2) with sll_protocol ETH_P_ALL and the ifindex: a socket created with ETH_P_ALL
 *     would briefly see frames of every interface in the namespace.</li>
 * <li>The kernel never loops a socket's own sends back to it (skb_loop_sk), but every other skb
 *     leaving the interface through its qdisc (the kernel stack's, another socket's) reaches all
 *     packet taps of the device; PACKET_IGNORE_OUTGOING (4.20+) keeps those out of our receive
 *     queue so the datapath sees only what arrives on the wire.</li>
 * <li>PACKET_QDISC_BYPASS sends straight to the driver (dev_direct_xmit): no qdisc, so a busy
 *     device refuses with ENOBUFS rather than queueing.</li>
 * <li>recvmmsg sets MSG_TRUNC in msg_flags when a frame did not fit its iovec; msg_len is the
 *     number of bytes copied, virtio header included.</li>
 * <li>sendmmsg returns the number sent before the first failure and loses that failure's errno;
 *     it returns -1 only when the first message fails.</li>
 * <li>The socket belongs to the namespace of the thread that created it; interface facts are
 *     read with ioctls on the socket itself (not sysfs, which shows the mounter's namespace).</li>
 * </ul>
 *
 * <p>Receive arrays: the port owns one mmsghdr and one iovec array of
 * {@link Options#maxReceiveBatch} entries, built at open. They are pointed at the slots of the
 * last {@link FrameBatch} passed to {@link #receive}; passing a different batch re-points them
 * (a loop of native stores, no allocation), so a datapath that uses one batch per port pays
 * nothing. The port holds a reference to that batch, which keeps its memory alive while the
 * kernel may write into it.
 *
 * <p>Counters are plain fields written by the owning thread; another thread reading them sees
 * a recent value (64-bit plain loads do not tear on the 64-bit JVMs we run on) but no ordering
 * with the frames; publish them through Agrona counters if that is needed.
 */
public final class AfPacketPort implements Port
{
    /** Largest frame accepted for send: what a default receive slot holds. */
    public static final int MAX_FRAME_LENGTH = FrameBatch.DEFAULT_SLOT_SIZE - FrameBatch.VNET_HDR_LENGTH;
    /** <linux/if_arp.h>: the hardware type of Ethernet-like netdevs (veth, tap, physical NICs). */
    public static final int ARPHRD_ETHER = 1;
    /** <linux/sockios.h> */
    private static final long SIOCGIFINDEX = 0x8933;

    /**
     * Options fixed at open.
     *
     * @param qdiscBypass set PACKET_QDISC_BYPASS: lower cost, but no traffic shaping and ENOBUFS
     *     instead of queueing when the device is busy.
     * @param receiveBufferBytes SO_RCVBUF(FORCE); the kernel doubles it for bookkeeping.
     * @param sendBufferBytes SO_SNDBUF(FORCE).
     * @param maxReceiveBatch most frames one {@link #receive} takes (one recvmmsg).
     * @param maxSendBatch most frames one sendmmsg carries; longer queues take several calls.
     */
    public record Options(
        boolean qdiscBypass,
        int receiveBufferBytes,
        int sendBufferBytes,
        int maxReceiveBatch,
        int maxSendBatch)
    {
        public static final Options DEFAULT = new Options(true, 32 << 20, 32 << 20, 64, 64);

        public Options
        {
            if (receiveBufferBytes <= 0 || sendBufferBytes <= 0)
            {
                throw new IllegalArgumentException(
                    "buffer sizes must be > 0: receiveBufferBytes=" + receiveBufferBytes +
                    " sendBufferBytes=" + sendBufferBytes);
            }
            if (maxReceiveBatch <= 0 || maxReceiveBatch > 1024 || maxSendBatch <= 0 || maxSendBatch > 1024)
            {
                // UIO_MAXIOV (1024) caps the vlen of recvmmsg/sendmmsg.
                throw new IllegalArgumentException(
                    "batch sizes must be 1..1024: maxReceiveBatch=" + maxReceiveBatch + " maxSendBatch=" + maxSendBatch);
            }
        }
    }

    private final String name;
    private final String interfaceName;
    private final int ifIndex;
    private final long macAddress;
    private final int mtu;
    private final int maxReceiveBatch;
    private final int maxSendBatch;
    private final Arena arena;
    private final MemorySegment callState;
    private final MemorySegment rxMsgs;
    private final MemorySegment rxIovs;
    private final long rxMsgsAddress;
    /** One tpacket_auxdata control message per receive message. */
    private final MemorySegment rxControl;
    private final MemorySegment txMsgs;
    private final MemorySegment txIovs;
    private final long txMsgsAddress;
    private int fd;
    private FrameBatch boundBatch;

    private long framesReceived;
    private long framesSent;
    private long bytesSent;
    private long truncatedFrames;
    private long vlanTaggedFrames;
    private long receiveErrors;
    private long sendErrors;
    private long invalidTxFrames;
    private int lastReceiveErrno;
    private int lastSendErrno;

    /**
     * Open a port on an interface of the calling thread's current network namespace.
     *
     * @param name the port's name for counters and logs.
     */
    public static AfPacketPort open(final String name, final String interfaceName, final Options options)
        throws PortException
    {
        return new AfPacketPort(name, interfaceName, options);
    }

    /**
     * Open a port on an interface that lives in the named network namespace (/run/netns/NAME);
     * the socket stays bound to that namespace, the caller's thread does not.
     */
    public static AfPacketPort open(
        final String name, final String networkNamespace, final String interfaceName, final Options options)
        throws PortException
    {
        try
        {
            return NetworkNamespace.call(networkNamespace, () -> new AfPacketPort(name, interfaceName, options));
        }
        catch (final PortException | RuntimeException ex)
        {
            throw ex;
        }
        catch (final Exception ex)
        {
            throw new PortException("open " + interfaceName + " in netns " + networkNamespace + ": " + ex, 0);
        }
    }

    private AfPacketPort(final String name, final String interfaceName, final Options options) throws PortException
    {
        this.name = name;
        this.interfaceName = interfaceName;
        this.maxReceiveBatch = options.maxReceiveBatch();
        this.maxSendBatch = options.maxSendBatch();
        this.arena = Arena.ofShared();
        this.fd = -1;
        boolean opened = false;
        try
        {
            callState = LibC.allocateCallState(arena);
            final MemorySegment scratch = arena.allocate(64, 8);

            fd = LibC.socket(callState, LibC.AF_PACKET, LibC.SOCK_RAW | LibC.SOCK_CLOEXEC, 0);
            if (fd < 0)
            {
                throw new PortException(what("socket(AF_PACKET, SOCK_RAW)"), LibC.errno(callState));
            }
            setOption(scratch, LibC.SOL_PACKET, LibC.PACKET_VNET_HDR, 1, "PACKET_VNET_HDR");
            setOption(scratch, LibC.SOL_PACKET, LibC.PACKET_IGNORE_OUTGOING, 1, "PACKET_IGNORE_OUTGOING");
            // The kernel strips an 802.1Q tag before packet sockets see the frame; only the
            // auxiliary data says it was there.
            setOption(scratch, LibC.SOL_PACKET, LibC.PACKET_AUXDATA, 1, "PACKET_AUXDATA");
            if (options.qdiscBypass())
            {
                setOption(scratch, LibC.SOL_PACKET, LibC.PACKET_QDISC_BYPASS, 1, "PACKET_QDISC_BYPASS");
            }
            setBuffer(scratch, LibC.SO_RCVBUFFORCE, LibC.SO_RCVBUF, options.receiveBufferBytes(), "SO_RCVBUF");
            setBuffer(scratch, LibC.SO_SNDBUFFORCE, LibC.SO_SNDBUF, options.sendBufferBytes(), "SO_SNDBUF");

            final MemorySegment ifreq = arena.allocate(LibC.IFREQ_SIZE, 8);
            LibC.ifreqName(ifreq, interfaceName);
            if (LibC.ioctl(callState, fd, SIOCGIFINDEX, ifreq) != 0)
            {
                throw new PortException(what("no such interface (SIOCGIFINDEX)"), LibC.errno(callState));
            }
            ifIndex = ifreq.get(JAVA_INT, LibC.IFREQ_FLAGS_OFFSET);

            LibC.ifreqName(ifreq, interfaceName);
            if (LibC.ioctl(callState, fd, LibC.SIOCGIFHWADDR, ifreq) != 0)
            {
                throw new PortException(what("SIOCGIFHWADDR"), LibC.errno(callState));
            }
            final int hardwareType = ifreq.get(JAVA_SHORT, LibC.IFREQ_FLAGS_OFFSET) & 0xFFFF;
            if (hardwareType != ARPHRD_ETHER)
            {
                throw new PortException(what("not an Ethernet interface, ARPHRD type " + hardwareType), 0);
            }
            macAddress = LibC.macAt(ifreq, LibC.IFREQ_HWADDR_DATA_OFFSET);

            LibC.ifreqName(ifreq, interfaceName);
            if (LibC.ioctl(callState, fd, LibC.SIOCGIFMTU, ifreq) != 0)
            {
                throw new PortException(what("SIOCGIFMTU"), LibC.errno(callState));
            }
            mtu = ifreq.get(JAVA_INT, LibC.IFREQ_MTU_OFFSET);

            final MemorySegment sockaddr = arena.allocate(LibC.SOCKADDR_LL_SIZE, 4);
            sockaddr.set(JAVA_SHORT, 0, (short)LibC.AF_PACKET);
            sockaddr.set(JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN), LibC.SOCKADDR_LL_PROTOCOL_OFFSET, (short)LibC.ETH_P_ALL);
            sockaddr.set(JAVA_INT, LibC.SOCKADDR_LL_IFINDEX_OFFSET, ifIndex);
            if (LibC.bind(callState, fd, sockaddr, LibC.SOCKADDR_LL_SIZE) != 0)
            {
                throw new PortException(what("bind ifindex " + ifIndex), LibC.errno(callState));
            }

            rxMsgs = arena.allocate((long)maxReceiveBatch * LibC.MMSGHDR_SIZE, 64);
            rxIovs = arena.allocate((long)maxReceiveBatch * LibC.IOVEC_SIZE, 64);
            rxMsgsAddress = rxMsgs.address();
            linkMessages(rxMsgs, rxIovs, maxReceiveBatch);
            rxControl = arena.allocate((long)maxReceiveBatch * LibC.CMSG_AUXDATA_SPACE, 8);
            for (int i = 0; i < maxReceiveBatch; i++)
            {
                rxMsgs.set(JAVA_LONG, (long)i * LibC.MMSGHDR_SIZE + LibC.MSGHDR_CONTROL_OFFSET,
                    rxControl.address() + (long)i * LibC.CMSG_AUXDATA_SPACE);
            }
            txMsgs = arena.allocate((long)maxSendBatch * LibC.MMSGHDR_SIZE, 64);
            txIovs = arena.allocate((long)maxSendBatch * LibC.IOVEC_SIZE, 64);
            txMsgsAddress = txMsgs.address();
            linkMessages(txMsgs, txIovs, maxSendBatch);
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

    /** One iovec per message, never changed again; only iov_base/iov_len are rewritten. */
    private static void linkMessages(final MemorySegment msgs, final MemorySegment iovs, final int count)
    {
        for (int i = 0; i < count; i++)
        {
            final long msg = (long)i * LibC.MMSGHDR_SIZE;
            msgs.set(JAVA_LONG, msg + LibC.MSGHDR_IOV_OFFSET, iovs.address() + (long)i * LibC.IOVEC_SIZE);
            msgs.set(JAVA_LONG, msg + LibC.MSGHDR_IOVLEN_OFFSET, 1L);
        }
    }

    private String what(final String action)
    {
        return "port " + name + " (" + interfaceName + "): " + action;
    }

    private void setOption(final MemorySegment scratch, final int level, final int option, final int value, final String label)
        throws PortException
    {
        if (LibC.setIntOption(callState, scratch, fd, level, option, value) != 0)
        {
            throw new PortException(what("setsockopt " + label + "=" + value), LibC.errno(callState));
        }
    }

    /** The FORCE variant (CAP_NET_ADMIN) ignores net.core.[rw]mem_max; fall back when not privileged. */
    private void setBuffer(final MemorySegment scratch, final int forceOption, final int option, final int bytes, final String label)
        throws PortException
    {
        if (LibC.setIntOption(callState, scratch, fd, LibC.SOL_SOCKET, forceOption, bytes) != 0)
        {
            setOption(scratch, LibC.SOL_SOCKET, option, bytes, label);
        }
    }

    private void bindReceiveSlots(final FrameBatch batch)
    {
        final int count = Math.min(batch.capacity(), maxReceiveBatch);
        for (int i = 0; i < count; i++)
        {
            final long iov = (long)i * LibC.IOVEC_SIZE;
            rxIovs.set(JAVA_LONG, iov + LibC.IOVEC_BASE_OFFSET, batch.slotAddress(i));
            rxIovs.set(JAVA_LONG, iov + LibC.IOVEC_LEN_OFFSET, batch.slotSize());
        }
        boundBatch = batch;
    }

    public int receive(final FrameBatch batch)
    {
        if (batch != boundBatch)
        {
            bindReceiveSlots(batch);
        }
        final int wanted = Math.min(batch.capacity(), maxReceiveBatch);
        for (int i = 0; i < wanted; i++)
        {
            // recvmsg overwrites msg_controllen with what it used: give the room back each time.
            rxMsgs.set(JAVA_LONG, (long)i * LibC.MMSGHDR_SIZE + LibC.MSGHDR_CONTROLLEN_OFFSET, LibC.CMSG_AUXDATA_SPACE);
        }
        final int received = LibC.recvmmsg(callState, fd, rxMsgsAddress, wanted, LibC.MSG_DONTWAIT, 0L);
        if (received <= 0)
        {
            if (received < 0)
            {
                final int errno = LibC.errno(callState);
                if (errno != LibC.EAGAIN && errno != LibC.EINTR)
                {
                    // e.g. ENETDOWN once after the link went down: reported, not fatal.
                    receiveErrors++;
                    lastReceiveErrno = errno;
                }
            }
            batch.count(0);
            return 0;
        }

        int kept = 0;
        for (int i = 0; i < received; i++)
        {
            final long msg = (long)i * LibC.MMSGHDR_SIZE;
            final int flags = rxMsgs.get(JAVA_INT, msg + LibC.MSGHDR_FLAGS_OFFSET);
            final int frameLength = rxMsgs.get(JAVA_INT, msg + LibC.MMSGHDR_LEN_OFFSET) - FrameBatch.VNET_HDR_LENGTH;
            if ((flags & LibC.MSG_TRUNC) != 0)
            {
                truncatedFrames++;
                continue;
            }
            if (frameLength < LibC.ETH_HLEN)
            {
                receiveErrors++;
                continue;
            }
            if (wasVlanTagged(i, msg))
            {
                // Ports are untagged: a frame from a VLAN must not pass as native.
                vlanTaggedFrames++;
                continue;
            }
            if (kept != i)
            {
                // Only after a dropped frame: close the gap so slots 0..kept-1 stay contiguous.
                MemorySegment.copy(
                    batch.memory(), batch.slotOffset(i), batch.memory(), batch.slotOffset(kept),
                    FrameBatch.VNET_HDR_LENGTH + frameLength);
            }
            batch.frameLength(kept, frameLength);
            kept++;
        }
        framesReceived += kept;
        batch.count(kept);
        return kept;
    }

    private boolean wasVlanTagged(final int i, final long msg)
    {
        final long controlLength = rxMsgs.get(JAVA_LONG, msg + LibC.MSGHDR_CONTROLLEN_OFFSET);
        if (controlLength < LibC.CMSG_DATA_OFFSET + LibC.TPACKET_AUXDATA_SIZE)
        {
            return false;
        }
        final long cmsg = (long)i * LibC.CMSG_AUXDATA_SPACE;
        return rxControl.get(JAVA_INT, cmsg + LibC.CMSG_LEVEL_OFFSET) == LibC.SOL_PACKET &&
            rxControl.get(JAVA_INT, cmsg + LibC.CMSG_TYPE_OFFSET) == LibC.PACKET_AUXDATA &&
            (rxControl.get(JAVA_INT, cmsg + LibC.CMSG_DATA_OFFSET + LibC.TPACKET_AUXDATA_STATUS_OFFSET) &
            LibC.TP_STATUS_VLAN_VALID) != 0;
    }

    public int send(final TxQueue queue)
    {
        final int count = queue.count();
        int accepted = 0;
        int index = 0;
        while (index < count)
        {
            int chunk = 0;
            while (index < count && chunk < maxSendBatch)
            {
                final long address = queue.address(index);
                final int frameLength = queue.frameLength(index);
                index++;
                if (address == 0 || frameLength < LibC.ETH_HLEN || frameLength > MAX_FRAME_LENGTH)
                {
                    invalidTxFrames++;
                    sendErrors++;
                    continue;
                }
                final long iov = (long)chunk * LibC.IOVEC_SIZE;
                txIovs.set(JAVA_LONG, iov + LibC.IOVEC_BASE_OFFSET, address);
                txIovs.set(JAVA_LONG, iov + LibC.IOVEC_LEN_OFFSET, (long)FrameBatch.VNET_HDR_LENGTH + frameLength);
                chunk++;
            }
            if (chunk > 0)
            {
                accepted += sendChunk(chunk);
            }
        }
        queue.clear();
        framesSent += accepted;
        return accepted;
    }

    /**
     * sendmmsg the first count prepared messages. A partial send is retried once from the first
     * unsent frame; a frame the kernel refuses for itself (EMSGSIZE, EINVAL for a bad virtio
     * header) is skipped; EAGAIN/ENOBUFS (socket buffer or device queue full) drops the rest.
     */
    private int sendChunk(final int count)
    {
        int done = 0;
        int sent = 0;
        boolean retried = false;
        while (done < count)
        {
            final int result = LibC.sendmmsg(
                callState, fd, txMsgsAddress + (long)done * LibC.MMSGHDR_SIZE, count - done, LibC.MSG_DONTWAIT);
            if (result > 0)
            {
                for (int m = done; m < done + result; m++)
                {
                    // A packet socket sends a message whole or not at all.
                    bytesSent += txIovs.get(JAVA_LONG, (long)m * LibC.IOVEC_SIZE + LibC.IOVEC_LEN_OFFSET) -
                        FrameBatch.VNET_HDR_LENGTH;
                }
                done += result;
                sent += result;
                if (done < count)
                {
                    if (retried)
                    {
                        break;
                    }
                    retried = true;
                }
                continue;
            }
            if (result == 0)
            {
                break;
            }
            final int errno = LibC.errno(callState);
            lastSendErrno = errno;
            if (errno == LibC.EAGAIN || errno == LibC.ENOBUFS || errno == LibC.EINTR)
            {
                if (errno == LibC.EINTR && !retried)
                {
                    retried = true;
                    continue;
                }
                break;
            }
            done++;
        }
        sendErrors += count - sent;
        return sent;
    }

    public String name()
    {
        return name;
    }

    public String interfaceName()
    {
        return interfaceName;
    }

    public int ifIndex()
    {
        return ifIndex;
    }

    public long macAddress()
    {
        return macAddress;
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

    public long vlanTaggedFrames()
    {
        return vlanTaggedFrames;
    }

    public long truncatedFrames()
    {
        return truncatedFrames;
    }

    public long sendErrors()
    {
        return sendErrors;
    }

    /** Frames received. */
    public long framesReceived()
    {
        return framesReceived;
    }

    /** Frames the kernel accepted for sending. */
    public long framesSent()
    {
        return framesSent;
    }

    /** Failed recvmmsg calls (other than EAGAIN/EINTR) plus received frames shorter than an Ethernet header. */
    public long receiveErrors()
    {
        return receiveErrors;
    }

    /** Queue entries refused before reaching the kernel (null address, impossible length); also in sendErrors. */
    public long invalidTxFrames()
    {
        return invalidTxFrames;
    }

    /** errno of the last failed recvmmsg, for diagnostics. */
    public int lastReceiveErrno()
    {
        return lastReceiveErrno;
    }

    /** errno of the last failed sendmmsg, for diagnostics. */
    public int lastSendErrno()
    {
        return lastSendErrno;
    }

    public void close()
    {
        if (fd >= 0)
        {
            LibC.close(callState, fd);
            fd = -1;
        }
        boundBatch = null;
        if (arena.scope().isAlive())
        {
            arena.close();
        }
    }

    public String toString()
    {
        return "AfPacketPort{" + name + ", " + interfaceName + ", ifindex=" + ifIndex + ", mtu=" + mtu + "}";
    }
}
