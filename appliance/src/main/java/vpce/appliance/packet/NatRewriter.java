package vpce.appliance.packet;

/**
 * In-place NAT of IPv4/TCP packets: rewrite the source or destination address and port and
 * keep both checksums right without summing the packet again.
 *
 * <p><b>IPv4 header checksum:</b> always a full checksum, updated per RFC 1624 eqn. 3.
 *
 * <p><b>TCP checksum</b> depends on how the packet arrived:
 * <ul>
 *   <li><em>Full</em> (no virtio NEEDS_CSUM): the field is a real checksum over pseudo-header,
 *   header and payload. Addresses (pseudo-header) and ports (header) both change it, so both
 *   get an RFC 1624 update: HC' = ~(~HC + ~m + m').</li>
 *   <li><em>Partial</em> (virtio NEEDS_CSUM, Linux CHECKSUM_PARTIAL): the field holds the
 *   folded, <em>non-complemented</em> sum of the pseudo-header only. The device will later
 *   sum from csum_start (the TCP header, this field included) to the end and store the
 *   complement at csum_start + csum_offset. So an address change is applied to the field as a
 *   plain sum, field' = field + ~old + new (the opposite sense of RFC 1624, as Linux
 *   inet_proto_csum_replace4 does with pseudohdr), and a port change must not touch the field
 *   at all: ports lie inside the range the device sums.</li>
 * </ul>
 *
 * <p><b>GSO:</b> a TCPV4 super-frame can be rewritten like any other packet. NAT does not change
 * any header length, so the virtio hdr_len, csum_start and csum_offset stay valid, and the
 * partial field's pseudo-header length (whatever the sender put there: Linux uses the
 * super-frame's TCP length and the segmenter fixes it per segment) is untouched. GSO packets
 * built by a local stack carry NEEDS_CSUM and take the partial path; GRO super-frames from a NIC
 * carry DATA_VALID instead and are turned into partial ones by {@link #makeChecksumPartial}.
 *
 * <p>Stateless, allocation-free. The caller has validated the packet (see {@link FrameValidator}).
 */
public final class NatRewriter
{
    private NatRewriter()
    {
    }

    /**
     * Rewrite the source address and port (SNAT, consumer to provider direction, or the reply
     * translation back towards the consumer).
     *
     * @param partialChecksum the virtio header has {@link VirtioNetHeaderFlyweight#FLAG_NEEDS_CSUM}.
     */
    public static void rewriteSource(
        final Ipv4Flyweight ip,
        final TcpFlyweight tcp,
        final int newAddress,
        final int newPort,
        final boolean partialChecksum)
    {
        final int oldAddress = ip.source();
        final int oldPort = tcp.sourcePort();
        ip.setSource(newAddress);
        tcp.sourcePort(newPort);
        tcp.checksum(updatedTcpChecksum(tcp.checksum(), oldAddress, newAddress, oldPort, newPort, partialChecksum));
    }

    /**
     * Rewrite the destination address and port (DNAT to the provider target, or the reply
     * translation back to the consumer).
     *
     * @param partialChecksum the virtio header has {@link VirtioNetHeaderFlyweight#FLAG_NEEDS_CSUM}.
     */
    public static void rewriteDestination(
        final Ipv4Flyweight ip,
        final TcpFlyweight tcp,
        final int newAddress,
        final int newPort,
        final boolean partialChecksum)
    {
        final int oldAddress = ip.destination();
        final int oldPort = tcp.destinationPort();
        ip.setDestination(newAddress);
        tcp.destinationPort(newPort);
        tcp.checksum(updatedTcpChecksum(tcp.checksum(), oldAddress, newAddress, oldPort, newPort, partialChecksum));
    }

    /**
     * Turn a GRO super-frame whose checksum the receiving NIC verified (DATA_VALID, no
     * NEEDS_CSUM) into one with a partial checksum, after its addresses were rewritten. Its TCP
     * checksum field is that of the first merged segment, meaningless for the whole, so it cannot
     * be updated incrementally; with NEEDS_CSUM and the pseudo-header sum the kernel computes each
     * segment's checksum when it segments the frame on the way out.
     *
     * @param transportFrameOffset offset of the TCP header from the start of the Ethernet frame.
     */
    public static void makeChecksumPartial(
        final VirtioNetHeaderFlyweight vnetHeader,
        final Ipv4Flyweight ip,
        final TcpFlyweight tcp,
        final int transportFrameOffset)
    {
        final int tcpLength = ip.totalLength() - ip.headerLength();
        vnetHeader.flags(VirtioNetHeaderFlyweight.FLAG_NEEDS_CSUM)
            .csumStart(transportFrameOffset)
            .csumOffset(TcpFlyweight.CHECKSUM_OFFSET);
        tcp.checksum(Checksum.pseudoHeaderSum(ip.source(), ip.destination(), Ipv4Flyweight.PROTOCOL_TCP, tcpLength));
    }

    /**
     * New TCP checksum field value after an address and port change.
     * Both cases are one fold over a handful of 16-bit terms.
     */
    static int updatedTcpChecksum(
        final int field,
        final int oldAddress,
        final int newAddress,
        final int oldPort,
        final int newPort,
        final boolean partialChecksum)
    {
        if (partialChecksum)
        {
            return Checksum.adjustSum32(field, oldAddress, newAddress);
        }

        final long acc = (~field & 0xFFFF) +
            (~oldAddress >>> 16) + (~oldAddress & 0xFFFF) +
            (newAddress >>> 16) + (newAddress & 0xFFFF) +
            (~oldPort & 0xFFFF) + (newPort & 0xFFFF);
        return ~Checksum.fold(acc) & 0xFFFF;
    }
}
