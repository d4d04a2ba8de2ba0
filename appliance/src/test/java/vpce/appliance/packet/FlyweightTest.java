package vpce.appliance.packet;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Random;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FlyweightTest
{
    private static final int BASE = 3; // odd base offset: every access is unaligned

    @Test
    void virtioHeaderRoundTripIsLittleEndian()
    {
        final byte[] bytes = new byte[BASE + 10];
        final MemorySegment segment = MemorySegment.ofArray(bytes);
        final VirtioNetHeaderFlyweight vnet = new VirtioNetHeaderFlyweight().wrap(segment, BASE);
        vnet.flags(VirtioNetHeaderFlyweight.FLAG_NEEDS_CSUM)
            .gsoType(VirtioNetHeaderFlyweight.GSO_TCPV4 | VirtioNetHeaderFlyweight.GSO_ECN)
            .hdrLen(0x0102).gsoSize(1448).csumStart(34).csumOffset(16);

        assertEquals(1, vnet.flags());
        assertTrue(vnet.needsChecksum());
        assertFalse(vnet.dataValid());
        assertEquals(0x81, vnet.gsoType());
        assertEquals(VirtioNetHeaderFlyweight.GSO_TCPV4, vnet.gsoProtocol());
        assertEquals(0x0102, vnet.hdrLen());
        assertEquals(1448, vnet.gsoSize());
        assertEquals(34, vnet.csumStart());
        assertEquals(16, vnet.csumOffset());
        assertArrayEquals(
            new byte[] { 0, 0, 0, 1, (byte)0x81, 0x02, 0x01, (byte)0xa8, 0x05, 34, 0, 16, 0 }, bytes);

        vnet.flags(VirtioNetHeaderFlyweight.FLAG_DATA_VALID).gsoSize(0xFFFF);
        assertTrue(vnet.dataValid());
        assertEquals(0xFFFF, vnet.gsoSize());

        vnet.clear();
        assertArrayEquals(new byte[BASE + 10], bytes);
        assertEquals(BASE, vnet.offset());
    }

    @Test
    void ethernetRoundTripAndVlan()
    {
        final byte[] bytes = new byte[BASE + 18];
        final MemorySegment segment = MemorySegment.ofArray(bytes);
        final EthernetFlyweight eth = new EthernetFlyweight().wrap(segment, BASE, 18);
        eth.destination(0x0A0B_0C0D_0E0FL).source(0xF0E1_D2C3_B4A5L).etherType(EthernetFlyweight.ETHERTYPE_IPV4);

        assertEquals(0x0A0B_0C0D_0E0FL, eth.destination());
        assertEquals(0xF0E1_D2C3_B4A5L, eth.source());
        assertEquals(0x0800, eth.etherType());
        assertEquals(0x0A, bytes[BASE]);
        assertEquals((byte)0xA5, bytes[BASE + 11]);
        assertFalse(eth.isVlanTagged());
        assertEquals(14, eth.payloadOffset());
        assertEquals(0x0800, eth.payloadEtherType());

        eth.etherType(EthernetFlyweight.ETHERTYPE_VLAN);
        TestFrames.putShort(bytes, BASE + 14, 0xA123); // PCP 5, VID 0x123
        TestFrames.putShort(bytes, BASE + 16, EthernetFlyweight.ETHERTYPE_ARP);
        assertTrue(eth.isVlanTagged());
        assertEquals(0x123, eth.vlanId());
        assertEquals(18, eth.payloadOffset());
        assertEquals(EthernetFlyweight.ETHERTYPE_ARP, eth.payloadEtherType());

        eth.swapAddresses();
        assertEquals(0xF0E1_D2C3_B4A5L, eth.destination());
        assertEquals(0x0A0B_0C0D_0E0FL, eth.source());

        // Writing a MAC must not spill into the neighbouring field.
        eth.destination(-1L);
        assertEquals(EthernetFlyweight.BROADCAST_MAC, eth.destination());
        assertEquals(0x0A0B_0C0D_0E0FL, eth.source());
    }

    @Test
    void arpRoundTrip()
    {
        final MemorySegment segment = MemorySegment.ofArray(new byte[BASE + 28]);
        final ArpFlyweight arp = new ArpFlyweight().wrap(segment, BASE, 28);
        arp.hardwareType(1).protocolType(0x0800).hardwareLength(6).protocolLength(4)
            .operation(ArpFlyweight.OPERATION_REPLY)
            .senderMac(0x0200_0000_00AAL).senderIp(0x0A000001)
            .targetMac(0x0200_0000_00BBL).targetIp(0xC0A80001);

        assertTrue(arp.isEthernetIpv4());
        assertEquals(1, arp.hardwareType());
        assertEquals(0x0800, arp.protocolType());
        assertEquals(6, arp.hardwareLength());
        assertEquals(4, arp.protocolLength());
        assertEquals(2, arp.operation());
        assertEquals(0x0200_0000_00AAL, arp.senderMac());
        assertEquals(0x0A000001, arp.senderIp());
        assertEquals(0x0200_0000_00BBL, arp.targetMac());
        assertEquals(0xC0A80001, arp.targetIp());
        assertFalse(arp.isGratuitous());

        arp.protocolLength(16);
        assertFalse(arp.isEthernetIpv4());
        arp.protocolLength(4).hardwareType(6);
        assertFalse(arp.isEthernetIpv4());
        arp.hardwareType(1).protocolType(0x86DD);
        assertFalse(arp.isEthernetIpv4());
    }

    @Test
    void ipv4RoundTrip()
    {
        final MemorySegment segment = MemorySegment.ofArray(new byte[BASE + 24]);
        final Ipv4Flyweight ip = new Ipv4Flyweight().wrap(segment, BASE, 24);
        ip.versionAndIhl(4, 6).tos(0xB8).totalLength(0xFFEE).identification(0xBEEF)
            .flagsAndFragmentOffset(Ipv4Flyweight.FLAG_DONT_FRAGMENT).ttl(255).protocol(17)
            .headerChecksum(0x1234).source(0xC0A80001).destination(0xFFFFFFFF);

        assertEquals(4, ip.version());
        assertEquals(6, ip.ihl());
        assertEquals(24, ip.headerLength());
        assertEquals(0xB8, ip.tos());
        assertEquals(0xFFEE, ip.totalLength());
        assertEquals(0xBEEF, ip.identification());
        assertEquals(2, ip.flags());
        assertTrue(ip.dontFragment());
        assertFalse(ip.isFragment());
        assertEquals(0, ip.fragmentOffset());
        assertEquals(255, ip.ttl());
        assertEquals(17, ip.protocol());
        assertEquals(0x1234, ip.headerChecksum());
        assertEquals(0xC0A80001, ip.source());
        assertEquals(0xFFFFFFFF, ip.destination());
        assertEquals(BASE + 24, ip.payloadOffset());
        assertEquals(0xFFEE - 24, ip.payloadLength());

        ip.flagsAndFragmentOffset(Ipv4Flyweight.FLAG_MORE_FRAGMENTS);
        assertTrue(ip.isFragment());
        assertEquals(1, ip.flags());
        ip.flagsAndFragmentOffset(Ipv4Flyweight.FLAG_DONT_FRAGMENT | 0x1FFF);
        assertTrue(ip.isFragment());
        assertEquals(0x1FFF, ip.fragmentOffset());
        ip.flagsAndFragmentOffset(0x8000); // reserved bit only
        assertFalse(ip.isFragment());

        ip.updateHeaderChecksum();
        assertTrue(ip.isHeaderChecksumValid());
        ip.tos(0);
        assertFalse(ip.isHeaderChecksumValid());
    }

    @Test
    void ipv4IncrementalSettersKeepChecksumEqualToRecomputation()
    {
        final Random random = new Random(791);
        try (Arena arena = Arena.ofConfined())
        {
            final MemorySegment segment = arena.allocate(64);
            final Ipv4Flyweight ip = new Ipv4Flyweight();
            for (int i = 0; i < 100_000; i++)
            {
                final int ihl = 5 + random.nextInt(11);
                final byte[] header = new byte[ihl * 4];
                random.nextBytes(header);
                MemorySegment.copy(MemorySegment.ofArray(header), 0, segment, 1, header.length);
                ip.wrap(segment, 1, header.length).versionAndIhl(4, ihl).updateHeaderChecksum();
                assertTrue(ip.isHeaderChecksumValid());

                switch (random.nextInt(3))
                {
                    case 0 -> ip.setSource(random.nextInt(4) == 0 ? 0 : random.nextInt());
                    case 1 -> ip.setDestination(random.nextInt(4) == 0 ? -1 : random.nextInt());
                    default ->
                    {
                        final int ttl = ip.ttl();
                        assertEquals((ttl - 1) & 0xFF, ip.decrementTtl());
                        assertEquals((ttl - 1) & 0xFF, ip.ttl());
                    }
                }
                assertEquals(ip.computeHeaderChecksum(), ip.headerChecksum(), "iteration " + i);
                assertTrue(ip.isHeaderChecksumValid());
            }
        }
    }

    @Test
    void decrementTtlOnWikipediaHeader()
    {
        final byte[] header =
        {
            0x45, 0x00, 0x00, 0x73, 0x00, 0x00, 0x40, 0x00, 0x40, 0x11, (byte)0xb8, 0x61,
            (byte)0xc0, (byte)0xa8, 0x00, 0x01, (byte)0xc0, (byte)0xa8, 0x00, (byte)0xc7,
        };
        final Ipv4Flyweight ip = new Ipv4Flyweight().wrap(MemorySegment.ofArray(header), 0, 20);
        assertEquals(63, ip.decrementTtl());
        // TTL word 0x4011 -> 0x3f11: checksum rises by 0x0100.
        assertEquals(0xB961, ip.headerChecksum());
        assertTrue(ip.isHeaderChecksumValid());
    }

    @Test
    void tcpRoundTrip()
    {
        final byte[] bytes = new byte[BASE + 20];
        final MemorySegment segment = MemorySegment.ofArray(bytes);
        final TcpFlyweight tcp = new TcpFlyweight().wrap(segment, BASE, 20);
        bytes[BASE + 12] = 0x01; // AE/NS bit must survive a data offset write
        tcp.sourcePort(65535).destinationPort(443).sequence(0xFEDCBA98).acknowledgment(0x01234567)
            .dataOffset(15).flags(TcpFlyweight.SYN | TcpFlyweight.ACK | TcpFlyweight.CWR)
            .window(0x8001).checksum(0xFFFF).urgentPointer(0x7FFF);

        assertEquals(65535, tcp.sourcePort());
        assertEquals(443, tcp.destinationPort());
        assertEquals(0xFEDCBA98, tcp.sequence());
        assertEquals(0x01234567, tcp.acknowledgment());
        assertEquals(15, tcp.dataOffset());
        assertEquals(60, tcp.headerLength());
        assertEquals(0xF1, bytes[BASE + 12] & 0xFF);
        assertEquals(0x92, tcp.flags());
        assertTrue(tcp.hasFlags(TcpFlyweight.SYN | TcpFlyweight.ACK));
        assertFalse(tcp.hasFlags(TcpFlyweight.SYN | TcpFlyweight.FIN));
        assertEquals(0x8001, tcp.window());
        assertEquals(0xFFFF, tcp.checksum());
        assertEquals(0x7FFF, tcp.urgentPointer());
        assertEquals(1 | 2 | 4 | 8 | 16 | 32 | 64 | 128,
            TcpFlyweight.FIN | TcpFlyweight.SYN | TcpFlyweight.RST | TcpFlyweight.PSH |
            TcpFlyweight.ACK | TcpFlyweight.URG | TcpFlyweight.ECE | TcpFlyweight.CWR);
    }

    @Test
    void goldenSynParses()
    {
        final MemorySegment segment = MemorySegment.ofArray(TestFrames.GOLDEN_SYN_IP_TCP);
        final Ipv4Flyweight ip = new Ipv4Flyweight().wrap(segment, 0, 60);
        final TcpFlyweight tcp = new TcpFlyweight().wrap(segment, ip.payloadOffset(), ip.payloadLength());
        assertEquals(TestFrames.CONSUMER_IP, ip.source());
        assertEquals(TestFrames.ENI_IP, ip.destination());
        assertEquals(0x1C46, ip.identification());
        assertTrue(ip.isHeaderChecksumValid());
        assertEquals(40000, tcp.sourcePort());
        assertEquals(443, tcp.destinationPort());
        assertEquals(0x3B9ACA00, tcp.sequence());
        assertEquals(40, tcp.headerLength());
        assertEquals(TcpFlyweight.SYN, tcp.flags());
        assertEquals(64240, tcp.window());
        assertEquals(0xB02C, tcp.checksum());
    }

    @Test
    void udpRoundTrip()
    {
        final MemorySegment segment = MemorySegment.ofArray(new byte[BASE + 8]);
        final UdpFlyweight udp = new UdpFlyweight().wrap(segment, BASE, 8);
        udp.sourcePort(53).destinationPort(0xFFFE).udpLength(8).checksum(0xABCD);
        assertEquals(53, udp.sourcePort());
        assertEquals(0xFFFE, udp.destinationPort());
        assertEquals(8, udp.udpLength());
        assertEquals(0xABCD, udp.checksum());
        assertEquals(8, udp.length());
    }

    @Test
    void icmpRoundTripAndChecksum()
    {
        final MemorySegment segment = MemorySegment.ofArray(new byte[BASE + 12]);
        final IcmpFlyweight icmp = new IcmpFlyweight().wrap(segment, BASE, 12);
        icmp.type(IcmpFlyweight.ECHO_REQUEST).code(0).identifier(0x1234).sequence(0xFFFF);
        segment.set(Layouts.BE32, BASE + 8, 0xDEADBEEF);
        icmp.updateChecksum();
        assertEquals(8, icmp.type());
        assertEquals(0, icmp.code());
        assertEquals(0x1234, icmp.identifier());
        assertEquals(0xFFFF, icmp.sequence());
        assertTrue(icmp.isChecksumValid());
        // 0800 0000 1234 ffff dead beef sums to 0xB7D1, so the checksum is 0x482E.
        assertEquals(0x482E, icmp.checksum());

        icmp.type(IcmpFlyweight.ECHO_REPLY);
        assertFalse(icmp.isChecksumValid());
        icmp.checksum(Checksum.update16(icmp.checksum(), 0x0800, 0x0000));
        assertTrue(icmp.isChecksumValid());
    }
}
