package vpce.appliance.packet;

import java.lang.foreign.MemorySegment;

/**
 * Validates a received frame and classifies it with a {@link FrameClass} code, never throwing
 * whatever the bytes. The order of checks follows the headers outwards-in; the first failure
 * names the drop reason.
 *
 * <pre>
 * vnetHeaderOffset
 * v
 * +-----------------+----------+---------------+------------------+-----------------+
 * | virtio_net_hdr  | Ethernet | IPv4 (IHL*4)  | TCP/UDP/ICMP     | padding (opt.)  |
 * |      10 B       |   14 B   |               |                  |                 |
 * +-----------------+----------+---------------+------------------+-----------------+
 *                   |&lt;-------------------------- frameLength ------------------------&gt;|
 *                              |&lt;-------- IPv4 total length ------&gt;|
 * </pre>
 *
 * <p>After a non-drop result the flyweights for that class are wrapped and safe to read:
 * always {@link #vnetHeader()} and {@link #ethernet()}; {@link #arp()} for ARP;
 * {@link #ipv4()} for every IPV4_* class, then {@link #tcp()}, {@link #udp()} or
 * {@link #icmp()}, each wrapped over the transport header plus payload as bounded by the IP
 * total length. After a drop they are in whatever state the checks reached.
 *
 * <p>The TCP checksum is verified only when no one else vouches for it: no NEEDS_CSUM (the
 * checksum is not there yet), no DATA_VALID (already verified) and no GSO. UDP and ICMP
 * checksums are not verified here.
 *
 * <p>One instance per agent; not thread-safe. Allocates only at construction.
 */
public final class FrameValidator
{
    private final int maxNonGsoFrameLength;
    private final VirtioNetHeaderFlyweight vnetHeader = new VirtioNetHeaderFlyweight();
    private final EthernetFlyweight ethernet = new EthernetFlyweight();
    private final ArpFlyweight arp = new ArpFlyweight();
    private final Ipv4Flyweight ipv4 = new Ipv4Flyweight();
    private final TcpFlyweight tcp = new TcpFlyweight();
    private final UdpFlyweight udp = new UdpFlyweight();
    private final IcmpFlyweight icmp = new IcmpFlyweight();

    /**
     * @param maxNonGsoFrameLength longest frame accepted without GSO, usually MTU + 14.
     */
    public FrameValidator(final int maxNonGsoFrameLength)
    {
        if (maxNonGsoFrameLength < EthernetFlyweight.HEADER_LENGTH)
        {
            throw new IllegalArgumentException("maxNonGsoFrameLength=" + maxNonGsoFrameLength);
        }
        this.maxNonGsoFrameLength = maxNonGsoFrameLength;
    }

    public int maxNonGsoFrameLength()
    {
        return maxNonGsoFrameLength;
    }

    /**
     * Classify the frame at vnetHeaderOffset + 10 of frameLength bytes.
     *
     * @param segment          holding the virtio header and frame.
     * @param vnetHeaderOffset offset of the virtio_net_hdr in segment.
     * @param frameLength      Ethernet frame length, virtio header excluded.
     * @return a {@link FrameClass} code.
     */
    public int classify(final MemorySegment segment, final long vnetHeaderOffset, final int frameLength)
    {
        if (null == segment || vnetHeaderOffset < 0 || frameLength < 0 ||
            vnetHeaderOffset > segment.byteSize() - VirtioNetHeaderFlyweight.HEADER_LENGTH - frameLength)
        {
            return FrameClass.TRUNCATED;
        }

        final VirtioNetHeaderFlyweight vnetHeader = this.vnetHeader.wrap(segment, vnetHeaderOffset);
        final long frameOffset = vnetHeaderOffset + VirtioNetHeaderFlyweight.HEADER_LENGTH;
        if (frameLength < EthernetFlyweight.HEADER_LENGTH)
        {
            return FrameClass.TRUNCATED;
        }

        final int gsoType = vnetHeader.gsoType();
        if (VirtioNetHeaderFlyweight.GSO_NONE == gsoType && frameLength > maxNonGsoFrameLength)
        {
            return FrameClass.OVERSIZED;
        }

        final EthernetFlyweight ethernet = this.ethernet.wrap(segment, frameOffset, frameLength);
        final int etherType = ethernet.etherType();
        if (EthernetFlyweight.ETHERTYPE_IPV4 == etherType)
        {
            return classifyIpv4(segment, frameOffset, frameLength, vnetHeader, gsoType);
        }

        final int result;
        if (EthernetFlyweight.ETHERTYPE_ARP == etherType)
        {
            result = classifyArp(segment, frameOffset, frameLength);
        }
        else if (EthernetFlyweight.ETHERTYPE_VLAN == etherType || EthernetFlyweight.ETHERTYPE_QINQ == etherType)
        {
            result = FrameClass.VLAN_TAGGED;
        }
        else
        {
            result = FrameClass.UNSUPPORTED_ETHERTYPE;
        }

        if (!FrameClass.isDrop(result) && (VirtioNetHeaderFlyweight.GSO_NONE != gsoType || vnetHeader.needsChecksum()))
        {
            return FrameClass.BAD_VNET_HEADER;
        }
        return result;
    }

    private int classifyArp(final MemorySegment segment, final long frameOffset, final int frameLength)
    {
        if (frameLength < EthernetFlyweight.HEADER_LENGTH + ArpFlyweight.HEADER_LENGTH)
        {
            return FrameClass.TRUNCATED;
        }

        final ArpFlyweight arp = this.arp.wrap(
            segment, frameOffset + EthernetFlyweight.HEADER_LENGTH, frameLength - EthernetFlyweight.HEADER_LENGTH);
        final int operation = arp.operation();
        if (!arp.isEthernetIpv4() ||
            (ArpFlyweight.OPERATION_REQUEST != operation && ArpFlyweight.OPERATION_REPLY != operation))
        {
            return FrameClass.BAD_ARP;
        }

        return FrameClass.ARP;
    }

    private int classifyIpv4(
        final MemorySegment segment,
        final long frameOffset,
        final int frameLength,
        final VirtioNetHeaderFlyweight vnetHeader,
        final int gsoType)
    {
        final int available = frameLength - EthernetFlyweight.HEADER_LENGTH;
        if (available < Ipv4Flyweight.MIN_HEADER_LENGTH)
        {
            return FrameClass.TRUNCATED;
        }

        final Ipv4Flyweight ipv4 = this.ipv4.wrap(segment, frameOffset + EthernetFlyweight.HEADER_LENGTH, available);
        if (Ipv4Flyweight.VERSION != ipv4.version())
        {
            return FrameClass.BAD_IPV4_VERSION;
        }

        final int headerLength = ipv4.headerLength();
        if (headerLength < Ipv4Flyweight.MIN_HEADER_LENGTH || headerLength > available)
        {
            return FrameClass.BAD_IPV4_HEADER_LENGTH;
        }

        final int totalLength = ipv4.totalLength();
        if (totalLength < headerLength || totalLength > available)
        {
            return FrameClass.BAD_IPV4_TOTAL_LENGTH;
        }

        if (!ipv4.isHeaderChecksumValid())
        {
            return FrameClass.BAD_IPV4_CHECKSUM;
        }

        if (ipv4.isFragment())
        {
            return FrameClass.IPV4_FRAGMENT;
        }

        if (ipv4.ttl() <= 1)
        {
            return FrameClass.TTL_EXPIRED;
        }

        final long l4Offset = ipv4.offset() + headerLength;
        final int l4Length = totalLength - headerLength;
        // csum_start is relative to the Ethernet frame start.
        final int l4FrameOffset = EthernetFlyweight.HEADER_LENGTH + headerLength;
        final boolean needsChecksum = vnetHeader.needsChecksum();

        switch (ipv4.protocol())
        {
            case Ipv4Flyweight.PROTOCOL_TCP:
            {
                if (l4Length < TcpFlyweight.MIN_HEADER_LENGTH)
                {
                    return FrameClass.BAD_TCP_HEADER;
                }
                final TcpFlyweight tcp = this.tcp.wrap(segment, l4Offset, l4Length);
                final int tcpHeaderLength = tcp.headerLength();
                if (tcpHeaderLength < TcpFlyweight.MIN_HEADER_LENGTH || tcpHeaderLength > l4Length)
                {
                    return FrameClass.BAD_TCP_HEADER;
                }

                if (VirtioNetHeaderFlyweight.GSO_NONE != gsoType)
                {
                    // A super-frame's checksum is partial (built locally, NEEDS_CSUM) or already
                    // verified (GRO on a NIC, DATA_VALID); the NAT path handles both.
                    if (VirtioNetHeaderFlyweight.GSO_TCPV4 != (gsoType & ~VirtioNetHeaderFlyweight.GSO_ECN) ||
                        !(needsChecksum || vnetHeader.dataValid()) || 0 == vnetHeader.gsoSize())
                    {
                        return FrameClass.BAD_VNET_HEADER;
                    }
                }

                if (needsChecksum)
                {
                    if (!isPartialChecksumAt(vnetHeader, l4FrameOffset, TcpFlyweight.CHECKSUM_OFFSET))
                    {
                        return FrameClass.BAD_VNET_HEADER;
                    }
                }
                else if (!vnetHeader.dataValid() &&
                    0 != Checksum.transportChecksum(
                        segment, l4Offset, l4Length, ipv4.source(), ipv4.destination(), Ipv4Flyweight.PROTOCOL_TCP))
                {
                    return FrameClass.BAD_TCP_CHECKSUM;
                }

                return FrameClass.IPV4_TCP;
            }

            case Ipv4Flyweight.PROTOCOL_UDP:
            {
                if (l4Length < UdpFlyweight.HEADER_LENGTH)
                {
                    return FrameClass.BAD_UDP_HEADER;
                }
                final UdpFlyweight udp = this.udp.wrap(segment, l4Offset, l4Length);
                final int udpLength = udp.udpLength();
                if (udpLength < UdpFlyweight.HEADER_LENGTH || udpLength > l4Length)
                {
                    return FrameClass.BAD_UDP_HEADER;
                }
                if (VirtioNetHeaderFlyweight.GSO_NONE != gsoType ||
                    (needsChecksum && !isPartialChecksumAt(vnetHeader, l4FrameOffset, UdpFlyweight.CHECKSUM_OFFSET)))
                {
                    return FrameClass.BAD_VNET_HEADER;
                }
                return FrameClass.IPV4_UDP;
            }

            case Ipv4Flyweight.PROTOCOL_ICMP:
            {
                if (l4Length < IcmpFlyweight.HEADER_LENGTH)
                {
                    return FrameClass.BAD_ICMP_HEADER;
                }
                icmp.wrap(segment, l4Offset, l4Length);
                if (VirtioNetHeaderFlyweight.GSO_NONE != gsoType ||
                    (needsChecksum && !isPartialChecksumAt(vnetHeader, l4FrameOffset, IcmpFlyweight.CHECKSUM_OFFSET)))
                {
                    return FrameClass.BAD_VNET_HEADER;
                }
                return FrameClass.IPV4_ICMP;
            }

            default:
            {
                // Other protocols are passed on untouched, so offloads on them are the peer's business,
                // but GSO on a protocol the appliance cannot segment is not.
                if (VirtioNetHeaderFlyweight.GSO_NONE != gsoType)
                {
                    return FrameClass.BAD_VNET_HEADER;
                }
                return FrameClass.IPV4_OTHER;
            }
        }
    }

    private static boolean isPartialChecksumAt(
        final VirtioNetHeaderFlyweight vnetHeader, final int l4FrameOffset, final int checksumOffset)
    {
        return vnetHeader.csumStart() == l4FrameOffset && vnetHeader.csumOffset() == checksumOffset;
    }

    public VirtioNetHeaderFlyweight vnetHeader()
    {
        return vnetHeader;
    }

    public EthernetFlyweight ethernet()
    {
        return ethernet;
    }

    public ArpFlyweight arp()
    {
        return arp;
    }

    public Ipv4Flyweight ipv4()
    {
        return ipv4;
    }

    public TcpFlyweight tcp()
    {
        return tcp;
    }

    public UdpFlyweight udp()
    {
        return udp;
    }

    public IcmpFlyweight icmp()
    {
        return icmp;
    }

    /** Same as {@link FrameClass#name(int)}. */
    public static String name(final int code)
    {
        return FrameClass.name(code);
    }
}
