package vpce.appliance.packet;

import java.lang.foreign.MemorySegment;

import static vpce.appliance.packet.Layouts.BE16;

/**
 * Flyweight over a UDP header (RFC 768), wrapped at the IPv4 payload.
 *
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-------------------------------+-------------------------------+
 * |          Source Port          |       Destination Port        |
 * +-------------------------------+-------------------------------+
 * |            Length             |           Checksum            |
 * +-------------------------------+-------------------------------+
 * </pre>
 *
 * A checksum of 0 means "not computed" over IPv4; a computed 0 is sent as 0xFFFF.
 */
public final class UdpFlyweight
{
    public static final int HEADER_LENGTH = 8;

    public static final int SOURCE_PORT_OFFSET = 0;
    public static final int DESTINATION_PORT_OFFSET = 2;
    public static final int LENGTH_OFFSET = 4;
    /** Also the virtio csum_offset of a partial UDP checksum. */
    public static final int CHECKSUM_OFFSET = 6;

    private MemorySegment segment;
    private long offset;
    private int length;

    /**
     * @param length UDP header plus payload, from the IP total length.
     */
    public UdpFlyweight wrap(final MemorySegment segment, final long offset, final int length)
    {
        this.segment = segment;
        this.offset = offset;
        this.length = length;
        return this;
    }

    public MemorySegment segment()
    {
        return segment;
    }

    public long offset()
    {
        return offset;
    }

    /** Bytes wrapped (from the IP header), not the UDP length field. */
    public int length()
    {
        return length;
    }

    public int sourcePort()
    {
        return segment.get(BE16, offset + SOURCE_PORT_OFFSET) & 0xFFFF;
    }

    public UdpFlyweight sourcePort(final int port)
    {
        segment.set(BE16, offset + SOURCE_PORT_OFFSET, (short)port);
        return this;
    }

    public int destinationPort()
    {
        return segment.get(BE16, offset + DESTINATION_PORT_OFFSET) & 0xFFFF;
    }

    public UdpFlyweight destinationPort(final int port)
    {
        segment.set(BE16, offset + DESTINATION_PORT_OFFSET, (short)port);
        return this;
    }

    /** The UDP length field: header plus payload. */
    public int udpLength()
    {
        return segment.get(BE16, offset + LENGTH_OFFSET) & 0xFFFF;
    }

    public UdpFlyweight udpLength(final int udpLength)
    {
        segment.set(BE16, offset + LENGTH_OFFSET, (short)udpLength);
        return this;
    }

    public int checksum()
    {
        return segment.get(BE16, offset + CHECKSUM_OFFSET) & 0xFFFF;
    }

    public UdpFlyweight checksum(final int checksum)
    {
        segment.set(BE16, offset + CHECKSUM_OFFSET, (short)checksum);
        return this;
    }
}
