package vpce.appliance.packet;

import java.lang.foreign.MemorySegment;

import static vpce.appliance.packet.Layouts.BE16;
import static vpce.appliance.packet.Layouts.U8;

/**
 * Flyweight over an ICMP header (RFC 792), wrapped at the IPv4 payload. For echo request and
 * reply the rest-of-header word is identifier:sequence.
 *
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +---------------+---------------+-------------------------------+
 * |     Type      |     Code      |           Checksum            |
 * +---------------+---------------+-------------------------------+
 * |   Identifier (echo)           |   Sequence Number (echo)      |
 * +-------------------------------+-------------------------------+
 * </pre>
 *
 * The checksum covers the whole ICMP message and has no pseudo-header:
 * {@code ~Checksum.sum(segment, offset, length)} with the field zeroed.
 */
public final class IcmpFlyweight
{
    public static final int HEADER_LENGTH = 8;

    public static final int TYPE_OFFSET = 0;
    public static final int CODE_OFFSET = 1;
    public static final int CHECKSUM_OFFSET = 2;
    public static final int IDENTIFIER_OFFSET = 4;
    public static final int SEQUENCE_OFFSET = 6;

    public static final int ECHO_REPLY = 0;
    public static final int DESTINATION_UNREACHABLE = 3;
    public static final int ECHO_REQUEST = 8;
    public static final int TIME_EXCEEDED = 11;

    private MemorySegment segment;
    private long offset;
    private int length;

    /**
     * @param length ICMP header plus payload, from the IP total length.
     */
    public IcmpFlyweight wrap(final MemorySegment segment, final long offset, final int length)
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

    public int length()
    {
        return length;
    }

    public int type()
    {
        return segment.get(U8, offset + TYPE_OFFSET) & 0xFF;
    }

    public IcmpFlyweight type(final int type)
    {
        segment.set(U8, offset + TYPE_OFFSET, (byte)type);
        return this;
    }

    public int code()
    {
        return segment.get(U8, offset + CODE_OFFSET) & 0xFF;
    }

    public IcmpFlyweight code(final int code)
    {
        segment.set(U8, offset + CODE_OFFSET, (byte)code);
        return this;
    }

    public int checksum()
    {
        return segment.get(BE16, offset + CHECKSUM_OFFSET) & 0xFFFF;
    }

    public IcmpFlyweight checksum(final int checksum)
    {
        segment.set(BE16, offset + CHECKSUM_OFFSET, (short)checksum);
        return this;
    }

    public int identifier()
    {
        return segment.get(BE16, offset + IDENTIFIER_OFFSET) & 0xFFFF;
    }

    public IcmpFlyweight identifier(final int identifier)
    {
        segment.set(BE16, offset + IDENTIFIER_OFFSET, (short)identifier);
        return this;
    }

    public int sequence()
    {
        return segment.get(BE16, offset + SEQUENCE_OFFSET) & 0xFFFF;
    }

    public IcmpFlyweight sequence(final int sequence)
    {
        segment.set(BE16, offset + SEQUENCE_OFFSET, (short)sequence);
        return this;
    }

    /** The message (header and payload, {@link #length()} bytes) sums to 0xFFFF. */
    public boolean isChecksumValid()
    {
        return Checksum.sum(segment, offset, length) == 0xFFFF;
    }

    /** Recompute and store the checksum over {@link #length()} bytes, e.g. after turning a request into a reply. */
    public IcmpFlyweight updateChecksum()
    {
        checksum(0);
        return checksum(~Checksum.sum(segment, offset, length) & 0xFFFF);
    }
}
