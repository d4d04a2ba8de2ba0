package vpce.appliance.packet;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.HashSet;
import java.util.Random;
import java.util.Set;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static vpce.appliance.packet.FrameClass.*;
import static vpce.appliance.packet.TestFrames.CONSUMER_IP;
import static vpce.appliance.packet.TestFrames.ENI_IP;
import static vpce.appliance.packet.TestFrames.VNET;

class FrameValidatorTest
{
    private static final int MAX_NON_GSO = 1514;
    private static final int ETH = VNET;       // Ethernet header in a test slot
    private static final int IP = VNET + 14;   // IPv4 header in a test slot

    private final FrameValidator validator = new FrameValidator(MAX_NON_GSO);
    private final Random random = new Random(0x5EED);

    private int classify(final byte[] slot)
    {
        return validator.classify(MemorySegment.ofArray(slot), 0, slot.length - VNET);
    }

    private static byte[] frame(final int protocol, final int ihl, final int l4HeaderLength, final int payload, final int padding)
    {
        return TestFrames.frame(
            TestFrames.ipPacket(protocol, CONSUMER_IP, ENI_IP, ihl, l4HeaderLength, payload, new Random(protocol + payload)),
            padding);
    }

    /** Apply an edit to the IPv4 header of a slot and fix its checksum so only the edit matters. */
    private static void fixIpChecksum(final byte[] slot)
    {
        new Ipv4Flyweight().wrap(MemorySegment.ofArray(slot), IP, slot.length - IP).updateHeaderChecksum();
    }

    private static void vnet(final byte[] slot, final int flags, final int gsoType, final int gsoSize, final int csumStart, final int csumOffset)
    {
        new VirtioNetHeaderFlyweight().wrap(MemorySegment.ofArray(slot), 0)
            .flags(flags).gsoType(gsoType).hdrLen(csumStart + 20).gsoSize(gsoSize).csumStart(csumStart).csumOffset(csumOffset);
    }

    @Test
    void goldenSynWithEthernetPaddingIsTcp()
    {
        final byte[] slot = TestFrames.frame(TestFrames.GOLDEN_SYN_IP_TCP, 6);
        for (int i = slot.length - 6; i < slot.length; i++)
        {
            slot[i] = (byte)0xA5; // padding is not covered by the checksum
        }
        assertEquals(IPV4_TCP, classify(slot));

        assertEquals(TestFrames.ENI_MAC, validator.ethernet().destination());
        assertEquals(CONSUMER_IP, validator.ipv4().source());
        assertEquals(IP, validator.ipv4().offset());
        assertEquals(IP + 20, validator.tcp().offset());
        assertEquals(40, validator.tcp().length());
        assertEquals(443, validator.tcp().destinationPort());
        assertEquals(TcpFlyweight.SYN, validator.tcp().flags());
    }

    @Test
    void classifiesUdpIcmpAndOtherProtocols()
    {
        assertEquals(IPV4_UDP, classify(frame(17, 5, 8, 100, 0)));
        assertEquals(100 + 8, validator.udp().length());
        assertEquals(IPV4_ICMP, classify(frame(1, 5, 8, 56, 0)));
        assertEquals(IcmpFlyweight.ECHO_REQUEST, validator.icmp().type());
        assertTrue(validator.icmp().isChecksumValid());
        assertEquals(IPV4_OTHER, classify(frame(47, 5, 0, 30, 0)));
        assertEquals(IPV4_TCP, classify(frame(6, 15, 60, 1000, 0)));
        assertEquals(60, validator.tcp().headerLength());
    }

    @Test
    void truncatedAndOutOfSegmentFrames()
    {
        final byte[] slot = frame(6, 5, 20, 0, 0);
        final MemorySegment segment = MemorySegment.ofArray(slot);
        assertEquals(TRUNCATED, validator.classify(null, 0, 54));
        assertEquals(TRUNCATED, validator.classify(segment, -1, 54));
        assertEquals(TRUNCATED, validator.classify(segment, 0, -1));
        assertEquals(TRUNCATED, validator.classify(segment, 1, slot.length - VNET));
        assertEquals(TRUNCATED, validator.classify(segment, Long.MAX_VALUE, 1));
        assertEquals(TRUNCATED, validator.classify(segment, 0, Integer.MAX_VALUE));
        assertEquals(TRUNCATED, validator.classify(segment, 0, 13));
        assertEquals(TRUNCATED, validator.classify(segment, 0, 14 + 19));
        assertEquals(IPV4_TCP, validator.classify(segment, 0, slot.length - VNET));

        final byte[] arp = new byte[VNET + 42];
        ArpFrames.writeRequest(MemorySegment.ofArray(arp), VNET, 1L, 2, 3);
        assertEquals(TRUNCATED, validator.classify(MemorySegment.ofArray(arp), 0, 41));
    }

    @Test
    void dropsVlanAndOtherEtherTypes()
    {
        final byte[] slot = frame(6, 5, 20, 10, 0);
        TestFrames.putShort(slot, ETH + 12, EthernetFlyweight.ETHERTYPE_VLAN);
        assertEquals(VLAN_TAGGED, classify(slot));
        TestFrames.putShort(slot, ETH + 12, EthernetFlyweight.ETHERTYPE_QINQ);
        assertEquals(VLAN_TAGGED, classify(slot));
        TestFrames.putShort(slot, ETH + 12, EthernetFlyweight.ETHERTYPE_IPV6);
        assertEquals(UNSUPPORTED_ETHERTYPE, classify(slot));
        TestFrames.putShort(slot, ETH + 12, 0x0042);
        assertEquals(UNSUPPORTED_ETHERTYPE, classify(slot));
    }

    @Test
    void dropsBadArp()
    {
        final byte[] slot = new byte[VNET + 60];
        final MemorySegment segment = MemorySegment.ofArray(slot);
        ArpFrames.writeReply(segment, VNET, 1L, 2, 3L, 4);
        assertEquals(ARP, classify(slot));

        final ArpFlyweight arp = new ArpFlyweight().wrap(segment, VNET + 14, 28);
        arp.operation(3);
        assertEquals(BAD_ARP, classify(slot));
        arp.operation(0);
        assertEquals(BAD_ARP, classify(slot));
        arp.operation(1).hardwareLength(8);
        assertEquals(BAD_ARP, classify(slot));
        arp.hardwareLength(6).protocolType(EthernetFlyweight.ETHERTYPE_IPV6);
        assertEquals(BAD_ARP, classify(slot));
        arp.protocolType(0x0800).hardwareType(6);
        assertEquals(BAD_ARP, classify(slot));
        arp.hardwareType(1);
        assertEquals(ARP, classify(slot));
    }

    @Test
    void dropsBadIpv4Headers()
    {
        final byte[] slot = frame(6, 5, 20, 10, 0);
        assertEquals(IPV4_TCP, classify(slot));

        slot[IP] = 0x65;
        assertEquals(BAD_IPV4_VERSION, classify(slot));
        slot[IP] = 0x44;
        assertEquals(BAD_IPV4_HEADER_LENGTH, classify(slot));
        slot[IP] = 0x40;
        assertEquals(BAD_IPV4_HEADER_LENGTH, classify(slot));
        slot[IP] = 0x4F; // 60 bytes of header, only 50 bytes of IP in the frame
        assertEquals(BAD_IPV4_HEADER_LENGTH, classify(slot));
        slot[IP] = 0x45;

        TestFrames.putShort(slot, IP + 2, 19);
        fixIpChecksum(slot);
        assertEquals(BAD_IPV4_TOTAL_LENGTH, classify(slot));
        TestFrames.putShort(slot, IP + 2, 51);
        fixIpChecksum(slot);
        assertEquals(BAD_IPV4_TOTAL_LENGTH, classify(slot));
        TestFrames.putShort(slot, IP + 2, 0xFFFF);
        fixIpChecksum(slot);
        assertEquals(BAD_IPV4_TOTAL_LENGTH, classify(slot));
        TestFrames.putShort(slot, IP + 2, 50);
        fixIpChecksum(slot);
        assertEquals(IPV4_TCP, classify(slot));

        slot[IP + 5] ^= 0x01;
        assertEquals(BAD_IPV4_CHECKSUM, classify(slot));
        slot[IP + 5] ^= 0x01;
        assertEquals(IPV4_TCP, classify(slot));
    }

    @Test
    void dropsFragments()
    {
        final byte[] slot = frame(6, 5, 20, 10, 0);
        TestFrames.putShort(slot, IP + 6, Ipv4Flyweight.FLAG_MORE_FRAGMENTS);
        fixIpChecksum(slot);
        assertEquals(IPV4_FRAGMENT, classify(slot));
        TestFrames.putShort(slot, IP + 6, 185); // last fragment, offset 1480
        fixIpChecksum(slot);
        assertEquals(IPV4_FRAGMENT, classify(slot));
        TestFrames.putShort(slot, IP + 6, 0);
        fixIpChecksum(slot);
        assertEquals(IPV4_TCP, classify(slot));
    }

    @Test
    void dropsExpiringTtl()
    {
        final byte[] slot = frame(6, 5, 20, 10, 0);
        for (final int ttl : new int[] { 0, 1 })
        {
            slot[IP + 8] = (byte)ttl;
            fixIpChecksum(slot);
            assertEquals(TTL_EXPIRED, classify(slot), "ttl " + ttl);
        }
        slot[IP + 8] = 2;
        fixIpChecksum(slot);
        assertEquals(IPV4_TCP, classify(slot));
    }

    @Test
    void dropsBadTcp()
    {
        final byte[] slot = frame(6, 5, 20, 10, 0);
        final int tcp = IP + 20;
        slot[tcp + 12] = 0x40; // 16-byte header
        assertEquals(BAD_TCP_HEADER, classify(slot));
        slot[tcp + 12] = (byte)0x80; // 32 > 30 bytes of IP payload
        assertEquals(BAD_TCP_HEADER, classify(slot));
        slot[tcp + 12] = 0x50;
        assertEquals(IPV4_TCP, classify(slot));

        slot[slot.length - 1] ^= 0x10;
        assertEquals(BAD_TCP_CHECKSUM, classify(slot));

        // Someone else vouches for the checksum, or it is not there yet.
        vnet(slot, VirtioNetHeaderFlyweight.FLAG_DATA_VALID, 0, 0, 0, 0);
        assertEquals(IPV4_TCP, classify(slot));
        vnet(slot, VirtioNetHeaderFlyweight.FLAG_NEEDS_CSUM, 0, 0, 34, 16);
        assertEquals(IPV4_TCP, classify(slot));

        // Fewer than 20 bytes of IP payload for the TCP header.
        final byte[] shortTcp = frame(6, 5, 20, 0, 0);
        TestFrames.putShort(shortTcp, IP + 2, 20 + 19);
        fixIpChecksum(shortTcp);
        assertEquals(BAD_TCP_HEADER, classify(shortTcp));
    }

    @Test
    void tcpChecksumCoversTotalLengthNotPadding()
    {
        final byte[] slot = frame(6, 5, 20, 11, 7);
        random.nextBytes(slot);
        final byte[] good = frame(6, 5, 20, 11, 7);
        System.arraycopy(good, 0, slot, 0, good.length - 7);
        assertEquals(IPV4_TCP, classify(slot));
        assertEquals(31, validator.tcp().length());
    }

    @Test
    void dropsBadUdpAndIcmp()
    {
        final byte[] udp = frame(17, 5, 8, 20, 0);
        TestFrames.putShort(udp, IP + 20 + 4, 7);
        assertEquals(BAD_UDP_HEADER, classify(udp));
        TestFrames.putShort(udp, IP + 20 + 4, 29);
        assertEquals(BAD_UDP_HEADER, classify(udp));
        TestFrames.putShort(udp, IP + 20 + 4, 28);
        assertEquals(IPV4_UDP, classify(udp));
        TestFrames.putShort(udp, IP + 2, 27);
        fixIpChecksum(udp);
        assertEquals(BAD_UDP_HEADER, classify(udp));

        final byte[] icmp = frame(1, 5, 8, 0, 0);
        assertEquals(IPV4_ICMP, classify(icmp));
        TestFrames.putShort(icmp, IP + 2, 27);
        fixIpChecksum(icmp);
        assertEquals(BAD_ICMP_HEADER, classify(icmp));
    }

    @Test
    void oversizedUnlessGso()
    {
        final byte[] big = frame(6, 5, 20, 1500 - 40 + 1, 0); // one byte over MTU 1500
        assertEquals(OVERSIZED, classify(big));

        final byte[] exact = frame(6, 5, 20, 1500 - 40, 0);
        assertEquals(IPV4_TCP, classify(exact));

        final byte[] superFrame = frame(6, 5, 20, 64_000, 0);
        vnet(superFrame, VirtioNetHeaderFlyweight.FLAG_NEEDS_CSUM, VirtioNetHeaderFlyweight.GSO_TCPV4, 1448, 34, 16);
        assertEquals(IPV4_TCP, classify(superFrame));
        vnet(superFrame, VirtioNetHeaderFlyweight.FLAG_NEEDS_CSUM,
            VirtioNetHeaderFlyweight.GSO_TCPV4 | VirtioNetHeaderFlyweight.GSO_ECN, 1448, 34, 16);
        assertEquals(IPV4_TCP, classify(superFrame));
    }

    @Test
    void dropsInconsistentVirtioHeaders()
    {
        final byte[] tcp = frame(6, 5, 20, 3000, 0);
        vnet(tcp, VirtioNetHeaderFlyweight.FLAG_NEEDS_CSUM, VirtioNetHeaderFlyweight.GSO_TCPV6, 1448, 34, 16);
        assertEquals(BAD_VNET_HEADER, classify(tcp));
        vnet(tcp, VirtioNetHeaderFlyweight.FLAG_NEEDS_CSUM, VirtioNetHeaderFlyweight.GSO_UDP, 1448, 34, 16);
        assertEquals(BAD_VNET_HEADER, classify(tcp));
        vnet(tcp, 0, VirtioNetHeaderFlyweight.GSO_TCPV4, 1448, 34, 16);
        assertEquals(BAD_VNET_HEADER, classify(tcp));
        vnet(tcp, VirtioNetHeaderFlyweight.FLAG_NEEDS_CSUM, VirtioNetHeaderFlyweight.GSO_TCPV4, 0, 34, 16);
        assertEquals(BAD_VNET_HEADER, classify(tcp));
        vnet(tcp, VirtioNetHeaderFlyweight.FLAG_NEEDS_CSUM, VirtioNetHeaderFlyweight.GSO_TCPV4, 1448, 24, 16);
        assertEquals(BAD_VNET_HEADER, classify(tcp));
        vnet(tcp, VirtioNetHeaderFlyweight.FLAG_NEEDS_CSUM, VirtioNetHeaderFlyweight.GSO_TCPV4, 1448, 34, 6);
        assertEquals(BAD_VNET_HEADER, classify(tcp));
        vnet(tcp, VirtioNetHeaderFlyweight.FLAG_NEEDS_CSUM, VirtioNetHeaderFlyweight.GSO_TCPV4, 1448, 34, 16);
        assertEquals(IPV4_TCP, classify(tcp));

        final byte[] udp = frame(17, 5, 8, 20, 0);
        vnet(udp, VirtioNetHeaderFlyweight.FLAG_NEEDS_CSUM, 0, 0, 34, 6);
        assertEquals(IPV4_UDP, classify(udp));
        vnet(udp, VirtioNetHeaderFlyweight.FLAG_NEEDS_CSUM, 0, 0, 34, 16);
        assertEquals(BAD_VNET_HEADER, classify(udp));
        vnet(udp, VirtioNetHeaderFlyweight.FLAG_NEEDS_CSUM, VirtioNetHeaderFlyweight.GSO_TCPV4, 1448, 34, 6);
        assertEquals(BAD_VNET_HEADER, classify(udp));

        final byte[] arp = new byte[VNET + 42];
        ArpFrames.writeGratuitous(MemorySegment.ofArray(arp), VNET, 1L, 2);
        vnet(arp, 0, VirtioNetHeaderFlyweight.GSO_TCPV4, 1448, 34, 16);
        assertEquals(BAD_VNET_HEADER, classify(arp));
        vnet(arp, VirtioNetHeaderFlyweight.FLAG_NEEDS_CSUM, 0, 0, 14, 0);
        assertEquals(BAD_VNET_HEADER, classify(arp));

        final byte[] gre = frame(47, 5, 0, 30, 0);
        vnet(gre, VirtioNetHeaderFlyweight.FLAG_NEEDS_CSUM, VirtioNetHeaderFlyweight.GSO_TCPV4, 1448, 34, 16);
        assertEquals(BAD_VNET_HEADER, classify(gre));
    }

    @Test
    void namesAreDistinctSnakeCase()
    {
        final Set<String> names = new HashSet<>();
        for (int code = 0; code < COUNT; code++)
        {
            final String name = FrameClass.name(code);
            assertTrue(name.matches("[a-z0-9]+(_[a-z0-9]+)*"), name);
            assertTrue(names.add(name), name);
            assertEquals(code >= TRUNCATED, FrameClass.isDrop(code));
        }
        assertEquals("bad_ipv4_checksum", FrameValidator.name(BAD_IPV4_CHECKSUM));
        assertEquals("ipv4_tcp", FrameClass.name(IPV4_TCP));
        assertEquals("bad_vnet_header", FrameClass.name(BAD_VNET_HEADER));
        assertEquals("unknown", FrameClass.name(COUNT));
        assertEquals("unknown", FrameClass.name(-1));
    }

    /** Every proper prefix of a valid frame is a drop, never an exception or a false accept. */
    @Test
    void everyTruncationIsDropped()
    {
        final byte[][] frames =
        {
            TestFrames.frame(TestFrames.GOLDEN_SYN_IP_TCP, 0),
            frame(6, 7, 32, 100, 0),
            frame(17, 5, 8, 33, 0),
            frame(1, 6, 8, 64, 0),
            frame(47, 5, 0, 9, 0),
        };
        for (final byte[] slot : frames)
        {
            final MemorySegment segment = MemorySegment.ofArray(slot);
            final int full = slot.length - VNET;
            assertFalse(FrameClass.isDrop(validator.classify(segment, 0, full)));
            for (int length = 0; length < full; length++)
            {
                final int code = validator.classify(segment, 0, length);
                assertTrue(FrameClass.isDrop(code), "length " + length + " gave " + FrameClass.name(code));
            }
        }

        final byte[] arp = new byte[VNET + 42];
        ArpFrames.writeRequest(MemorySegment.ofArray(arp), VNET, 1L, 2, 3);
        for (int length = 0; length < 42; length++)
        {
            assertEquals(TRUNCATED, validator.classify(MemorySegment.ofArray(arp), 0, length));
        }
    }

    /**
     * Random bytes in a native slot (where an out-of-bounds read would be a real fault if
     * bounds checks were ever bypassed), random lengths and random virtio headers: every
     * result is a defined code, and every accept is backed by what was checked.
     */
    @Test
    void randomBytesNeverThrowAndAcceptsAreConsistent()
    {
        final int[] counts = new int[COUNT];
        final byte[] bytes = new byte[VNET + 128];
        try (Arena arena = Arena.ofConfined())
        {
            final MemorySegment slot = arena.allocate(bytes.length);
            for (int i = 0; i < 300_000; i++)
            {
                random.nextBytes(bytes);
                // Bias towards frames that get past the Ethernet and IPv4 gates.
                switch (i & 3)
                {
                    case 0 ->
                    {
                        TestFrames.putShort(bytes, ETH + 12, EthernetFlyweight.ETHERTYPE_IPV4);
                        bytes[IP] = (byte)(0x40 | (bytes[IP] & 0x0F));
                        TestFrames.putShort(bytes, IP + 2, random.nextInt(130));
                    }
                    case 1 ->
                    {
                        TestFrames.putShort(bytes, ETH + 12, EthernetFlyweight.ETHERTYPE_IPV4);
                        bytes[IP] = 0x45;
                        bytes[IP + 6] = 0;
                        bytes[IP + 7] = 0;
                        bytes[IP + 9] = (byte)new int[] { 1, 6, 17, 47 }[random.nextInt(4)];
                        TestFrames.putShort(bytes, IP + 2, random.nextInt(130));
                        TestFrames.putShort(bytes, IP + 10, 0);
                        TestFrames.putShort(bytes, IP + 10, ~TestFrames.referenceSum(bytes, IP, 20) & 0xFFFF);
                    }
                    case 2 ->
                    {
                        TestFrames.putShort(bytes, ETH + 12, EthernetFlyweight.ETHERTYPE_ARP);
                        TestFrames.putInt(bytes, IP, 0x0001_0800);
                        TestFrames.putShort(bytes, IP + 4, 0x0604);
                        TestFrames.putShort(bytes, IP + 6, random.nextInt(4));
                    }
                    default ->
                    {
                    }
                }
                final int vnetMode = random.nextInt(3);
                if (vnetMode != 0)
                {
                    java.util.Arrays.fill(bytes, 0, VNET, (byte)0);
                    bytes[0] = (byte)(vnetMode == 1 ? VirtioNetHeaderFlyweight.FLAG_DATA_VALID : 0);
                }
                MemorySegment.copy(MemorySegment.ofArray(bytes), 0, slot, 0, bytes.length);
                final int length = random.nextInt(bytes.length - VNET + 1);

                final int code = validator.classify(slot, 0, length);
                assertTrue(code >= 0 && code < COUNT, "code " + code);
                counts[code]++;
                assertAcceptIsConsistent(code, length);
            }
        }

        // The biased inputs must reach deep into the validator, not just bounce off the front.
        final String histogram = java.util.Arrays.toString(counts);
        assertTrue(counts[IPV4_TCP] > 100, histogram);
        assertTrue(counts[IPV4_UDP] + counts[IPV4_ICMP] + counts[IPV4_OTHER] > 1000, histogram);
        assertTrue(counts[ARP] > 0, histogram);
        assertTrue(counts[BAD_IPV4_CHECKSUM] > 1000, histogram);
        assertTrue(counts[BAD_TCP_CHECKSUM] > 100, histogram);
        assertTrue(counts[BAD_ARP] > 1000, histogram);
        assertTrue(counts[TRUNCATED] > 1000, histogram);
    }

    /** Single-byte corruptions of valid frames, to reach every check with nearly-valid input. */
    @Test
    void mutatedFramesNeverThrow()
    {
        final byte[][] originals =
        {
            TestFrames.frame(TestFrames.GOLDEN_SYN_IP_TCP, 4),
            frame(17, 5, 8, 20, 0),
            frame(1, 5, 8, 20, 0),
        };
        final int[] counts = new int[COUNT];
        for (int i = 0; i < 200_000; i++)
        {
            final byte[] slot = originals[i % originals.length].clone();
            final int flips = 1 + random.nextInt(3);
            for (int f = 0; f < flips; f++)
            {
                slot[random.nextInt(slot.length)] ^= (byte)(1 << random.nextInt(8));
            }
            final int length = random.nextInt(8) == 0 ? random.nextInt(slot.length - VNET) : slot.length - VNET;
            final int code = validator.classify(MemorySegment.ofArray(slot), 0, length);
            assertTrue(code >= 0 && code < COUNT);
            counts[code]++;
            assertAcceptIsConsistent(code, length);
        }
        for (final int code : new int[] { BAD_IPV4_CHECKSUM, BAD_TCP_CHECKSUM, BAD_VNET_HEADER, TRUNCATED,
            BAD_IPV4_VERSION, BAD_IPV4_HEADER_LENGTH, BAD_IPV4_TOTAL_LENGTH, UNSUPPORTED_ETHERTYPE })
        {
            assertTrue(counts[code] > 0, FrameClass.name(code));
        }
    }

    private void assertAcceptIsConsistent(final int code, final int frameLength)
    {
        if (FrameClass.isDrop(code))
        {
            return;
        }
        final VirtioNetHeaderFlyweight vnet = validator.vnetHeader();
        assertTrue(vnet.gsoType() == 0 || code == IPV4_TCP);
        assertTrue(vnet.gsoType() != 0 || frameLength <= MAX_NON_GSO);
        if (code == ARP)
        {
            assertTrue(frameLength >= 42);
            assertTrue(validator.arp().isEthernetIpv4());
            return;
        }
        final Ipv4Flyweight ip = validator.ipv4();
        assertEquals(4, ip.version());
        assertTrue(ip.headerLength() >= 20 && ip.totalLength() >= ip.headerLength());
        assertTrue(ip.totalLength() <= frameLength - 14);
        assertTrue(ip.isHeaderChecksumValid());
        assertFalse(ip.isFragment());
        assertTrue(ip.ttl() > 1);
        if (code == IPV4_TCP)
        {
            final TcpFlyweight tcp = validator.tcp();
            assertTrue(tcp.headerLength() >= 20 && tcp.headerLength() <= ip.payloadLength());
            if (!vnet.needsChecksum() && !vnet.dataValid())
            {
                assertEquals(0, Checksum.transportChecksum(
                    tcp.segment(), tcp.offset(), tcp.length(), ip.source(), ip.destination(), 6));
            }
        }
    }
}
