package vpce.appliance.packet;

import java.lang.foreign.MemorySegment;

import static vpce.appliance.packet.Layouts.BE64;
import static vpce.appliance.packet.Layouts.LE16;
import static vpce.appliance.packet.Layouts.U8;

/**
 * Flyweight over struct virtio_net_hdr without num_buffers (linux/virtio_net.h), the 10 bytes
 * that precede every frame on an AF_PACKET socket with PACKET_VNET_HDR or a TAP with
 * IFF_VNET_HDR. Fields are little-endian.
 *
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +---------------+---------------+-------------------------------+
 * |     flags     |   gso_type    |        hdr_len (LE)           |
 * +---------------+---------------+-------------------------------+
 * |        gso_size (LE)          |       csum_start (LE)         |
 * +-------------------------------+-------------------------------+
 * |       csum_offset (LE)        |
 * +-------------------------------+
 * </pre>
 *
 * With {@link #FLAG_NEEDS_CSUM} the transport checksum is partial: the device sums from
 * csum_start (relative to the Ethernet frame start) to the end of the packet and stores the
 * complement at csum_start + csum_offset. With a GSO type the frame is a super-frame the
 * device or peer stack will cut into gso_size-payload segments.
 */
public final class VirtioNetHeaderFlyweight
{
    public static final int HEADER_LENGTH = 10;

    public static final int FLAGS_OFFSET = 0;
    public static final int GSO_TYPE_OFFSET = 1;
    public static final int HDR_LEN_OFFSET = 2;
    public static final int GSO_SIZE_OFFSET = 4;
    public static final int CSUM_START_OFFSET = 6;
    public static final int CSUM_OFFSET_OFFSET = 8;

    /** Checksum is partial: csum_start/csum_offset are valid. */
    public static final int FLAG_NEEDS_CSUM = 1;
    /** The device (or sending stack) already verified the checksum. */
    public static final int FLAG_DATA_VALID = 2;

    public static final int GSO_NONE = 0;
    public static final int GSO_TCPV4 = 1;
    public static final int GSO_UDP = 3;
    public static final int GSO_TCPV6 = 4;
    /** Flag OR-ed into gso_type: the TCP stream uses ECN (CWR must be kept on the first segment only). */
    public static final int GSO_ECN = 0x80;

    private MemorySegment segment;
    private long offset;

    public VirtioNetHeaderFlyweight wrap(final MemorySegment segment, final long offset)
    {
        this.segment = segment;
        this.offset = offset;
        return this;
    }

    /** Same as {@link #wrap(MemorySegment, long)}; the length is always {@link #HEADER_LENGTH}. */
    public VirtioNetHeaderFlyweight wrap(final MemorySegment segment, final long offset, final int length)
    {
        return wrap(segment, offset);
    }

    public MemorySegment segment()
    {
        return segment;
    }

    public long offset()
    {
        return offset;
    }

    /** Zero all fields: no offload, no GSO, what a frame built in user space carries. */
    public VirtioNetHeaderFlyweight clear()
    {
        segment.set(BE64, offset, 0L);
        segment.set(LE16, offset + CSUM_OFFSET_OFFSET, (short)0);
        return this;
    }

    public int flags()
    {
        return segment.get(U8, offset + FLAGS_OFFSET) & 0xFF;
    }

    public VirtioNetHeaderFlyweight flags(final int flags)
    {
        segment.set(U8, offset + FLAGS_OFFSET, (byte)flags);
        return this;
    }

    public boolean needsChecksum()
    {
        return (flags() & FLAG_NEEDS_CSUM) != 0;
    }

    public boolean dataValid()
    {
        return (flags() & FLAG_DATA_VALID) != 0;
    }

    /** gso_type including the {@link #GSO_ECN} flag. */
    public int gsoType()
    {
        return segment.get(U8, offset + GSO_TYPE_OFFSET) & 0xFF;
    }

    public VirtioNetHeaderFlyweight gsoType(final int gsoType)
    {
        segment.set(U8, offset + GSO_TYPE_OFFSET, (byte)gsoType);
        return this;
    }

    /** gso_type without the {@link #GSO_ECN} flag. */
    public int gsoProtocol()
    {
        return gsoType() & ~GSO_ECN;
    }

    public int hdrLen()
    {
        return segment.get(LE16, offset + HDR_LEN_OFFSET) & 0xFFFF;
    }

    public VirtioNetHeaderFlyweight hdrLen(final int hdrLen)
    {
        segment.set(LE16, offset + HDR_LEN_OFFSET, (short)hdrLen);
        return this;
    }

    public int gsoSize()
    {
        return segment.get(LE16, offset + GSO_SIZE_OFFSET) & 0xFFFF;
    }

    public VirtioNetHeaderFlyweight gsoSize(final int gsoSize)
    {
        segment.set(LE16, offset + GSO_SIZE_OFFSET, (short)gsoSize);
        return this;
    }

    public int csumStart()
    {
        return segment.get(LE16, offset + CSUM_START_OFFSET) & 0xFFFF;
    }

    public VirtioNetHeaderFlyweight csumStart(final int csumStart)
    {
        segment.set(LE16, offset + CSUM_START_OFFSET, (short)csumStart);
        return this;
    }

    public int csumOffset()
    {
        return segment.get(LE16, offset + CSUM_OFFSET_OFFSET) & 0xFFFF;
    }

    public VirtioNetHeaderFlyweight csumOffset(final int csumOffset)
    {
        segment.set(LE16, offset + CSUM_OFFSET_OFFSET, (short)csumOffset);
        return this;
    }
}
