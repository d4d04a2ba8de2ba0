package vpce.appliance.io;

import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static org.junit.jupiter.api.Assertions.fail;

/** Frame building and receive helpers shared by the port tests. */
final class Frames
{
    /** IEEE 802 local experimental EtherType: nothing in the kernel reacts to it. */
    static final int ETHERTYPE_TEST = 0x88B5;
    static final long DEADLINE_NS = 5_000_000_000L;

    // struct virtio_net_hdr, <linux/virtio_net.h>
    static final int VNET_FLAGS = 0;
    static final int VNET_GSO_TYPE = 1;
    static final int VNET_HDR_LEN = 2;
    static final int VNET_GSO_SIZE = 4;
    static final int VNET_CSUM_START = 6;
    static final int VNET_CSUM_OFFSET = 8;
    static final int VIRTIO_NET_HDR_F_NEEDS_CSUM = 1;
    static final int VIRTIO_NET_HDR_F_DATA_VALID = 2;
    static final int VIRTIO_NET_HDR_GSO_NONE = 0;
    static final int VIRTIO_NET_HDR_GSO_TCPV4 = 1;

    private Frames()
    {
    }

    static void putMac(final ByteBuffer buffer, final long mac)
    {
        for (int shift = 40; shift >= 0; shift -= 8)
        {
            buffer.put((byte)(mac >>> shift));
        }
    }

    /** virtio header (all zero) + Ethernet frame of the test EtherType, payload tagged with seq. */
    static byte[] testFrame(final long dst, final long src, final int seq, final int frameLength)
    {
        final ByteBuffer buffer = ByteBuffer.allocate(FrameBatch.VNET_HDR_LENGTH + frameLength).order(ByteOrder.BIG_ENDIAN);
        buffer.position(FrameBatch.VNET_HDR_LENGTH);
        putMac(buffer, dst);
        putMac(buffer, src);
        buffer.putShort((short)ETHERTYPE_TEST);
        buffer.putInt(seq);
        for (int i = buffer.position(); i < buffer.capacity(); i++)
        {
            buffer.put((byte)(i * 31 + seq));
        }
        return buffer.array();
    }

    static int etherType(final byte[] vnetAndFrame)
    {
        final int offset = FrameBatch.VNET_HDR_LENGTH + 12;
        return ((vnetAndFrame[offset] & 0xFF) << 8) | (vnetAndFrame[offset + 1] & 0xFF);
    }

    static int u16le(final byte[] bytes, final int offset)
    {
        return (bytes[offset] & 0xFF) | ((bytes[offset + 1] & 0xFF) << 8);
    }

    static int u16be(final byte[] bytes, final int offset)
    {
        return ((bytes[offset] & 0xFF) << 8) | (bytes[offset + 1] & 0xFF);
    }

    /** Copies of slot i of a batch: virtio header + frame. */
    static byte[] slot(final FrameBatch batch, final int i)
    {
        return batch.memory().asSlice(batch.slotOffset(i), FrameBatch.VNET_HDR_LENGTH + batch.frameLength(i)).toArray(JAVA_BYTE);
    }

    /** Receive until `wanted` frames matching the filter arrived or the deadline passed; others are ignored. */
    static List<byte[]> receive(final Port port, final FrameBatch batch, final int wanted, final Predicate<byte[]> filter)
    {
        final List<byte[]> frames = new ArrayList<>();
        final long deadlineNs = System.nanoTime() + DEADLINE_NS;
        while (frames.size() < wanted)
        {
            if (System.nanoTime() - deadlineNs > 0)
            {
                fail("port " + port.name() + ": received " + frames.size() + " of " + wanted +
                    " frames before the deadline; " + diagnostics(port));
            }
            final int count = port.receive(batch);
            for (int i = 0; i < count; i++)
            {
                final byte[] frame = slot(batch, i);
                if (filter.test(frame))
                {
                    frames.add(frame);
                }
            }
            if (count == 0)
            {
                Thread.onSpinWait();
            }
        }
        return frames;
    }

    static String diagnostics(final Port port)
    {
        if (port instanceof TapPort tap)
        {
            return "received=" + tap.framesReceived() + " receiveErrors=" + tap.receiveErrors() +
                " lastErrno=" + tap.lastReceiveErrno() + " truncated=" + tap.truncatedFrames();
        }
        if (port instanceof AfPacketPort af)
        {
            return "received=" + af.framesReceived() + " receiveErrors=" + af.receiveErrors() +
                " lastErrno=" + af.lastReceiveErrno() + " truncated=" + af.truncatedFrames();
        }
        return "truncated=" + port.truncatedFrames();
    }

    /** Put a frame built on the heap into slot i of a batch and queue it. */
    static void queue(final FrameBatch batch, final int i, final byte[] vnetAndFrame, final TxQueue queue)
    {
        MemorySegment.copy(vnetAndFrame, 0, batch.memory(), JAVA_BYTE, batch.slotOffset(i), vnetAndFrame.length);
        if (!queue.offer(batch.slotAddress(i), vnetAndFrame.length - FrameBatch.VNET_HDR_LENGTH))
        {
            fail("tx queue full");
        }
    }

    /** One's-complement sum of 16-bit big-endian words, folded, not inverted. */
    static int onesComplementSum(final byte[] bytes, final int offset, final int length, final int initial)
    {
        long sum = initial;
        for (int i = 0; i + 1 < length; i += 2)
        {
            sum += ((bytes[offset + i] & 0xFF) << 8) | (bytes[offset + i + 1] & 0xFF);
        }
        if ((length & 1) != 0)
        {
            sum += (bytes[offset + length - 1] & 0xFF) << 8;
        }
        while ((sum >>> 16) != 0)
        {
            sum = (sum & 0xFFFF) + (sum >>> 16);
        }
        return (int)sum;
    }
}
