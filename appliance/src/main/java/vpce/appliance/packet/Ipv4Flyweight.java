package vpce.appliance.packet;

import java.lang.foreign.MemorySegment;

import static vpce.appliance.packet.Layouts.BE16;
import static vpce.appliance.packet.Layouts.BE32;
import static vpce.appliance.packet.Layouts.U8;

/**
 * Flyweight over an IPv4 header (RFC 791), wrapped at the Ethernet payload.
 *
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-------+-------+---------------+-------------------------------+
 * |Version|  IHL  |      TOS      |          Total Length         |
 * +-------+-------+---------------+-----+-------------------------+
 * |         Identification        |Flags|     Fragment Offset     |
 * +---------------+---------------+-----+-------------------------+
 * |      TTL      |   Protocol    |        Header Checksum        |
 * +---------------+---------------+-------------------------------+
 * |                        Source Address                         |
 * +---------------------------------------------------------------+
 * |                     Destination Address                       |
 * +---------------------------------------------------------------+
 * |                  Options (IHL > 5)                            |
 * +---------------------------------------------------------------+
 * </pre>
 *
 * <p>Two kinds of setter: the fluent raw setters ({@code ttl(int)}, {@code source(int)}, ...)
 * write only their field and leave the header checksum stale, for building headers before one
 * {@link #updateHeaderChecksum()}; {@link #setSource}, {@link #setDestination} and
 * {@link #decrementTtl} keep a correct checksum correct with an RFC 1624 incremental update,
 * for rewriting forwarded packets without summing the header again.
 */
public final class Ipv4Flyweight
{
    public static final int MIN_HEADER_LENGTH = 20;
    public static final int VERSION = 4;

    public static final int VERSION_IHL_OFFSET = 0;
    public static final int TOS_OFFSET = 1;
    public static final int TOTAL_LENGTH_OFFSET = 2;
    public static final int IDENTIFICATION_OFFSET = 4;
    public static final int FLAGS_FRAGMENT_OFFSET = 6;
    public static final int TTL_OFFSET = 8;
    public static final int PROTOCOL_OFFSET = 9;
    public static final int HEADER_CHECKSUM_OFFSET = 10;
    public static final int SOURCE_OFFSET = 12;
    public static final int DESTINATION_OFFSET = 16;

    /** In the 16-bit flags/fragment-offset word. */
    public static final int FLAG_DONT_FRAGMENT = 0x4000;
    public static final int FLAG_MORE_FRAGMENTS = 0x2000;
    public static final int FRAGMENT_OFFSET_MASK = 0x1FFF;

    public static final int PROTOCOL_ICMP = 1;
    public static final int PROTOCOL_TCP = 6;
    public static final int PROTOCOL_UDP = 17;

    private MemorySegment segment;
    private long offset;
    private int length;

    /**
     * @param length bytes available from offset (header and payload, possibly Ethernet padding).
     */
    public Ipv4Flyweight wrap(final MemorySegment segment, final long offset, final int length)
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

    /** Bytes wrapped, which may exceed {@link #totalLength()} by Ethernet padding. */
    public int length()
    {
        return length;
    }

    public int version()
    {
        return (segment.get(U8, offset + VERSION_IHL_OFFSET) & 0xFF) >>> 4;
    }

    /** Header length in 32-bit words. */
    public int ihl()
    {
        return segment.get(U8, offset + VERSION_IHL_OFFSET) & 0x0F;
    }

    /** Header length in bytes, IHL * 4. */
    public int headerLength()
    {
        return (segment.get(U8, offset + VERSION_IHL_OFFSET) & 0x0F) << 2;
    }

    public Ipv4Flyweight versionAndIhl(final int version, final int ihl)
    {
        segment.set(U8, offset + VERSION_IHL_OFFSET, (byte)((version << 4) | (ihl & 0x0F)));
        return this;
    }

    public int tos()
    {
        return segment.get(U8, offset + TOS_OFFSET) & 0xFF;
    }

    public Ipv4Flyweight tos(final int tos)
    {
        segment.set(U8, offset + TOS_OFFSET, (byte)tos);
        return this;
    }

    public int totalLength()
    {
        return segment.get(BE16, offset + TOTAL_LENGTH_OFFSET) & 0xFFFF;
    }

    public Ipv4Flyweight totalLength(final int totalLength)
    {
        segment.set(BE16, offset + TOTAL_LENGTH_OFFSET, (short)totalLength);
        return this;
    }

    public int identification()
    {
        return segment.get(BE16, offset + IDENTIFICATION_OFFSET) & 0xFFFF;
    }

    public Ipv4Flyweight identification(final int identification)
    {
        segment.set(BE16, offset + IDENTIFICATION_OFFSET, (short)identification);
        return this;
    }

    /** The whole flags/fragment-offset word. */
    public int flagsAndFragmentOffset()
    {
        return segment.get(BE16, offset + FLAGS_FRAGMENT_OFFSET) & 0xFFFF;
    }

    public Ipv4Flyweight flagsAndFragmentOffset(final int value)
    {
        segment.set(BE16, offset + FLAGS_FRAGMENT_OFFSET, (short)value);
        return this;
    }

    /** The 3 flag bits: reserved, DF, MF (so DF == 2, MF == 1). */
    public int flags()
    {
        return flagsAndFragmentOffset() >>> 13;
    }

    /** Fragment offset in 8-byte units. */
    public int fragmentOffset()
    {
        return flagsAndFragmentOffset() & FRAGMENT_OFFSET_MASK;
    }

    public boolean dontFragment()
    {
        return (flagsAndFragmentOffset() & FLAG_DONT_FRAGMENT) != 0;
    }

    /** A fragment of a larger datagram: MF set or a non-zero offset (RFC 791). */
    public boolean isFragment()
    {
        return (flagsAndFragmentOffset() & (FLAG_MORE_FRAGMENTS | FRAGMENT_OFFSET_MASK)) != 0;
    }

    public int ttl()
    {
        return segment.get(U8, offset + TTL_OFFSET) & 0xFF;
    }

    public Ipv4Flyweight ttl(final int ttl)
    {
        segment.set(U8, offset + TTL_OFFSET, (byte)ttl);
        return this;
    }

    public int protocol()
    {
        return segment.get(U8, offset + PROTOCOL_OFFSET) & 0xFF;
    }

    public Ipv4Flyweight protocol(final int protocol)
    {
        segment.set(U8, offset + PROTOCOL_OFFSET, (byte)protocol);
        return this;
    }

    public int headerChecksum()
    {
        return segment.get(BE16, offset + HEADER_CHECKSUM_OFFSET) & 0xFFFF;
    }

    public Ipv4Flyweight headerChecksum(final int checksum)
    {
        segment.set(BE16, offset + HEADER_CHECKSUM_OFFSET, (short)checksum);
        return this;
    }

    public int source()
    {
        return segment.get(BE32, offset + SOURCE_OFFSET);
    }

    /** Raw write; the header checksum is left stale. */
    public Ipv4Flyweight source(final int address)
    {
        segment.set(BE32, offset + SOURCE_OFFSET, address);
        return this;
    }

    public int destination()
    {
        return segment.get(BE32, offset + DESTINATION_OFFSET);
    }

    /** Raw write; the header checksum is left stale. */
    public Ipv4Flyweight destination(final int address)
    {
        segment.set(BE32, offset + DESTINATION_OFFSET, address);
        return this;
    }

    /** Offset of the payload (transport header) in the segment. */
    public long payloadOffset()
    {
        return offset + headerLength();
    }

    /** Payload length from the header: total length minus header length. */
    public int payloadLength()
    {
        return totalLength() - headerLength();
    }

    /**
     * Checksum of the header as it should be, computed from scratch with the checksum field
     * taken as zero (RFC 791). Reads IHL * 4 bytes.
     */
    public int computeHeaderChecksum()
    {
        final int headerLength = headerLength();
        final int sum = Checksum.fold(
            (long)Checksum.sum(segment, offset, HEADER_CHECKSUM_OFFSET) +
            Checksum.sum(segment, offset + SOURCE_OFFSET, headerLength - SOURCE_OFFSET));
        return ~sum & 0xFFFF;
    }

    /** Recompute and store the header checksum. */
    public Ipv4Flyweight updateHeaderChecksum()
    {
        return headerChecksum(computeHeaderChecksum());
    }

    /** The header, checksum included, sums to 0xFFFF (RFC 1071 verification). */
    public boolean isHeaderChecksumValid()
    {
        return Checksum.sum(segment, offset, headerLength()) == 0xFFFF;
    }

    /** Set the source address and update the header checksum incrementally. */
    public Ipv4Flyweight setSource(final int address)
    {
        final int old = source();
        source(address);
        return headerChecksum(Checksum.update32(headerChecksum(), old, address));
    }

    /** Set the destination address and update the header checksum incrementally. */
    public Ipv4Flyweight setDestination(final int address)
    {
        final int old = destination();
        destination(address);
        return headerChecksum(Checksum.update32(headerChecksum(), old, address));
    }

    /**
     * Decrement the TTL and update the header checksum incrementally. TTL is the high byte of
     * the TTL:protocol word, so the word changes by 0x0100 (RFC 1141, via RFC 1624 eqn. 3).
     * The caller checks the TTL first; at 0 it wraps to 255.
     *
     * @return the new TTL.
     */
    public int decrementTtl()
    {
        final long wordOffset = offset + TTL_OFFSET;
        final int oldWord = segment.get(BE16, wordOffset) & 0xFFFF;
        final int newWord = (oldWord - 0x0100) & 0xFFFF;
        segment.set(BE16, wordOffset, (short)newWord);
        headerChecksum(Checksum.update16(headerChecksum(), oldWord, newWord));
        return newWord >>> 8;
    }
}
