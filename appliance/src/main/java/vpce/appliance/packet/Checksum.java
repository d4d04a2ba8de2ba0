package vpce.appliance.packet;

import java.lang.foreign.MemorySegment;

import static vpce.appliance.packet.Layouts.BE16;
import static vpce.appliance.packet.Layouts.BE32;
import static vpce.appliance.packet.Layouts.BE64;
import static vpce.appliance.packet.Layouts.U8;

/**
 * The Internet checksum (RFC 1071) and its incremental update (RFC 1624), allocation-free.
 *
 * <p>Terms used below:
 * <ul>
 *   <li><b>sum</b>: the ones-complement sum of 16-bit big-endian words, folded to 16 bits and
 *   <em>not</em> complemented. For any input that is not all zeros it lies in 1..0xFFFF.</li>
 *   <li><b>checksum</b>: the complement of a sum, the value stored in a header. A correct
 *   header or segment sums (checksum field included) to 0xFFFF.</li>
 * </ul>
 *
 * <p>The ones-complement sum does not depend on word size as long as the end-around carry is
 * kept: 2^16 == 1 (mod 2^16 - 1), so a big-endian 32-bit word hi:lo adds exactly like hi + lo.
 * {@link #sum} therefore reads 8 bytes at a time, adds both 32-bit halves into a long and folds
 * once at the end.
 */
public final class Checksum
{
    /** IPv4 pseudo-header protocol numbers used with {@link #pseudoHeaderSum}. */
    public static final int PROTOCOL_TCP = 6;
    public static final int PROTOCOL_UDP = 17;

    private Checksum()
    {
    }

    /**
     * Fold a wide ones-complement accumulator to 16 bits with end-around carry.
     * The result is 0 only when the accumulator is 0.
     *
     * @param sum a non-negative accumulator.
     * @return the folded sum, 0..0xFFFF, not complemented.
     */
    public static int fold(final long sum)
    {
        long s = (sum & 0xFFFF_FFFFL) + (sum >>> 32);
        s = (s & 0xFFFF) + (s >>> 16);
        s = (s & 0xFFFF) + (s >>> 16);
        s = (s & 0xFFFF) + (s >>> 16);
        return (int)s;
    }

    /**
     * Ones-complement sum of the bytes [offset, offset + length) as big-endian 16-bit words,
     * an odd last byte padded with a zero byte (RFC 1071 section 4.1).
     *
     * @return the folded sum, not complemented.
     */
    public static int sum(final MemorySegment segment, final long offset, final int length)
    {
        long acc = 0;
        long i = offset;
        final long end8 = offset + (length & ~7);
        // At most 2^33 per step, so even 2^28 steps cannot overflow the long.
        while (i < end8)
        {
            final long word = segment.get(BE64, i);
            acc += (word >>> 32) + (word & 0xFFFF_FFFFL);
            i += 8;
        }
        if ((length & 4) != 0)
        {
            acc += segment.get(BE32, i) & 0xFFFF_FFFFL;
            i += 4;
        }
        if ((length & 2) != 0)
        {
            acc += segment.get(BE16, i) & 0xFFFF;
            i += 2;
        }
        if ((length & 1) != 0)
        {
            acc += (segment.get(U8, i) & 0xFF) << 8;
        }
        return fold(acc);
    }

    /**
     * Sum of the IPv4 pseudo-header (RFC 793 section 3.1, RFC 768): source, destination,
     * zero:protocol, and the transport length. This is also the value Linux leaves in the
     * transport checksum field of a CHECKSUM_PARTIAL packet (virtio NEEDS_CSUM).
     *
     * @return the folded sum, not complemented; never 0 for a non-zero protocol.
     */
    public static int pseudoHeaderSum(final int source, final int destination, final int protocol, final int length)
    {
        final long acc = (source >>> 16) + (source & 0xFFFF) +
            (destination >>> 16) + (destination & 0xFFFF) +
            (protocol & 0xFF) + (length & 0xFFFF);
        return fold(acc);
    }

    /**
     * TCP/UDP checksum over the pseudo-header and the segment bytes as they are.
     * With the checksum field zeroed this is the value to store; over a segment whose field
     * holds a correct checksum it is 0. (A UDP sender must still map 0 to 0xFFFF, RFC 768.)
     *
     * @param offset of the transport header.
     * @param length of the transport header plus payload (from the IP total length, so
     *               Ethernet padding is excluded).
     */
    public static int transportChecksum(
        final MemorySegment segment,
        final long offset,
        final int length,
        final int source,
        final int destination,
        final int protocol)
    {
        final int sum = fold((long)pseudoHeaderSum(source, destination, protocol, length) +
            sum(segment, offset, length));
        return ~sum & 0xFFFF;
    }

    /**
     * Incremental checksum update for a 16-bit field changing from oldValue to newValue,
     * RFC 1624 eqn. 3: HC' = ~(~HC + ~m + m'). Unlike eqn. 2 (HC' = HC + m - m') this never
     * turns a correct checksum into -0 (0xFFFF) when the true result is +0, and it gives the
     * same value a full recomputation would for any checksum a full computation can produce.
     */
    public static int update16(final int checksum, final int oldValue, final int newValue)
    {
        final long acc = (~checksum & 0xFFFF) + (~oldValue & 0xFFFF) + (newValue & 0xFFFF);
        return ~fold(acc) & 0xFFFF;
    }

    /** {@link #update16} for a 32-bit field (an IPv4 address), both halves in one fold. */
    public static int update32(final int checksum, final int oldValue, final int newValue)
    {
        final long acc = (~checksum & 0xFFFF) +
            (~oldValue >>> 16) + (~oldValue & 0xFFFF) +
            (newValue >>> 16) + (newValue & 0xFFFF);
        return ~fold(acc) & 0xFFFF;
    }

    /**
     * Update a plain (non-complemented) sum for a 16-bit change: sum' = sum + ~m + m'.
     * This is the opposite sense of {@link #update16}, used on a CHECKSUM_PARTIAL field that
     * holds the pseudo-header sum rather than a checksum (Linux inet_proto_csum_replace4 with
     * pseudohdr set does the same).
     */
    public static int adjustSum16(final int sum, final int oldValue, final int newValue)
    {
        return fold((long)(sum & 0xFFFF) + (~oldValue & 0xFFFF) + (newValue & 0xFFFF));
    }

    /** {@link #adjustSum16} for a 32-bit field. */
    public static int adjustSum32(final int sum, final int oldValue, final int newValue)
    {
        final long acc = (sum & 0xFFFF) +
            (~oldValue >>> 16) + (~oldValue & 0xFFFF) +
            (newValue >>> 16) + (newValue & 0xFFFF);
        return fold(acc);
    }
}
