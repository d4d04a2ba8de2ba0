package vpce.appliance.packet;

import java.lang.foreign.MemorySegment;

import static vpce.appliance.packet.Layouts.BE16;
import static vpce.appliance.packet.Layouts.BE32;

/**
 * Builders for complete Ethernet + ARP frames (14 + 28 = 42 bytes). No padding to the 60-byte
 * Ethernet minimum is written: the kernel (AF_PACKET, TAP) or the NIC pads short frames.
 * All builders write every byte of the frame, so the slot need not be cleared first.
 */
public final class ArpFrames
{
    public static final int FRAME_LENGTH = EthernetFlyweight.HEADER_LENGTH + ArpFlyweight.HEADER_LENGTH;

    private ArpFrames()
    {
    }

    /**
     * Broadcast "who has targetIp? tell srcIp". Target MAC is zero as RFC 826 leaves it unknown.
     *
     * @return the frame length, {@link #FRAME_LENGTH}.
     */
    public static int writeRequest(
        final MemorySegment segment, final long offset, final long srcMac, final int srcIp, final int targetIp)
    {
        return write(
            segment, offset, EthernetFlyweight.BROADCAST_MAC, srcMac,
            ArpFlyweight.OPERATION_REQUEST, srcMac, srcIp, 0L, targetIp);
    }

    /**
     * Unicast "srcIp is at srcMac", sent to the requester.
     *
     * @return the frame length, {@link #FRAME_LENGTH}.
     */
    public static int writeReply(
        final MemorySegment segment,
        final long offset,
        final long srcMac,
        final int srcIp,
        final long dstMac,
        final int dstIp)
    {
        return write(segment, offset, dstMac, srcMac, ArpFlyweight.OPERATION_REPLY, srcMac, srcIp, dstMac, dstIp);
    }

    /**
     * Gratuitous ARP announcement (RFC 5227 section 2.3): a broadcast request with sender IP ==
     * target IP and a zero target MAC, so neighbours refresh their cache entry for ip.
     *
     * @return the frame length, {@link #FRAME_LENGTH}.
     */
    public static int writeGratuitous(final MemorySegment segment, final long offset, final long mac, final int ip)
    {
        return write(
            segment, offset, EthernetFlyweight.BROADCAST_MAC, mac, ArpFlyweight.OPERATION_REQUEST, mac, ip, 0L, ip);
    }

    private static int write(
        final MemorySegment segment,
        final long offset,
        final long ethDst,
        final long ethSrc,
        final int operation,
        final long senderMac,
        final int senderIp,
        final long targetMac,
        final int targetIp)
    {
        EthernetFlyweight.putMac(segment, offset + EthernetFlyweight.DESTINATION_OFFSET, ethDst);
        EthernetFlyweight.putMac(segment, offset + EthernetFlyweight.SOURCE_OFFSET, ethSrc);
        segment.set(BE16, offset + EthernetFlyweight.ETHER_TYPE_OFFSET, (short)EthernetFlyweight.ETHERTYPE_ARP);

        final long arp = offset + EthernetFlyweight.HEADER_LENGTH;
        segment.set(BE16, arp + ArpFlyweight.HARDWARE_TYPE_OFFSET, (short)ArpFlyweight.HARDWARE_TYPE_ETHERNET);
        segment.set(BE16, arp + ArpFlyweight.PROTOCOL_TYPE_OFFSET, (short)ArpFlyweight.PROTOCOL_TYPE_IPV4);
        segment.set(BE16, arp + ArpFlyweight.HARDWARE_LENGTH_OFFSET, (short)((6 << 8) | 4));
        segment.set(BE16, arp + ArpFlyweight.OPERATION_OFFSET, (short)operation);
        EthernetFlyweight.putMac(segment, arp + ArpFlyweight.SENDER_MAC_OFFSET, senderMac);
        segment.set(BE32, arp + ArpFlyweight.SENDER_IP_OFFSET, senderIp);
        EthernetFlyweight.putMac(segment, arp + ArpFlyweight.TARGET_MAC_OFFSET, targetMac);
        segment.set(BE32, arp + ArpFlyweight.TARGET_IP_OFFSET, targetIp);

        return FRAME_LENGTH;
    }
}
