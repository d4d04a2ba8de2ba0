package vpce.appliance.packet;

import java.lang.foreign.MemorySegment;
import java.util.Random;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class NatRewriterTest
{
    private static final int PROVIDER_ADDRESS = 0x0A640005; // 10.100.0.5
    private static final int TARGET_ADDRESS = 0xAC100A0A;   // 172.16.10.10

    private final Ipv4Flyweight ip = new Ipv4Flyweight();
    private final TcpFlyweight tcp = new TcpFlyweight();
    private final FrameValidator validator = new FrameValidator(65535);

    @Test
    void goldenSynDnatAndSnatWithFullChecksum()
    {
        final byte[] frame = TestFrames.frame(TestFrames.GOLDEN_SYN_IP_TCP, 6);
        final MemorySegment segment = MemorySegment.ofArray(frame);
        assertEquals(FrameClass.IPV4_TCP, validator.classify(segment, 0, frame.length - 10));

        NatRewriter.rewriteDestination(validator.ipv4(), validator.tcp(), TARGET_ADDRESS, 8443, false);
        NatRewriter.rewriteSource(validator.ipv4(), validator.tcp(), PROVIDER_ADDRESS, 61000, false);

        assertEquals(FrameClass.IPV4_TCP, validator.classify(segment, 0, frame.length - 10));
        assertEquals(PROVIDER_ADDRESS, validator.ipv4().source());
        assertEquals(TARGET_ADDRESS, validator.ipv4().destination());
        assertEquals(61000, validator.tcp().sourcePort());
        assertEquals(8443, validator.tcp().destinationPort());
        assertReference(frame, 10 + 14, 20);
    }

    /** Many random packets and rewrites: the incremental result equals a full recomputation. */
    @Test
    void fullChecksumRewritesEqualRecomputation()
    {
        final Random random = new Random(3022);
        final int[] cornerPorts = { 0, 1, 0xFFFF, 0xFFFE, 0x8000 };
        final int[] cornerAddresses = { 0, -1, 0xFFFF0000, 0x0000FFFF };
        for (int i = 0; i < 50_000; i++)
        {
            final int src = random.nextInt();
            final int dst = random.nextInt();
            final int ihl = 5 + random.nextInt(3);
            final byte[] packet = TestFrames.ipPacket(
                Ipv4Flyweight.PROTOCOL_TCP, src, dst, ihl, 20 + 4 * random.nextInt(3), random.nextInt(80), random);
            final MemorySegment segment = MemorySegment.ofArray(packet);
            ip.wrap(segment, 0, packet.length);
            tcp.wrap(segment, ip.payloadOffset(), ip.payloadLength());

            final int newAddress = random.nextInt(4) == 0 ?
                cornerAddresses[random.nextInt(cornerAddresses.length)] : random.nextInt();
            final int newPort = random.nextInt(4) == 0 ? cornerPorts[random.nextInt(cornerPorts.length)] : random.nextInt(65536);
            if (random.nextBoolean())
            {
                NatRewriter.rewriteSource(ip, tcp, newAddress, newPort, false);
                assertEquals(newAddress, ip.source());
                assertEquals(newPort, tcp.sourcePort());
            }
            else
            {
                NatRewriter.rewriteDestination(ip, tcp, newAddress, newPort, false);
                assertEquals(newAddress, ip.destination());
                assertEquals(newPort, tcp.destinationPort());
            }
            assertReference(packet, 0, ihl * 4);
        }
    }

    /**
     * CHECKSUM_PARTIAL: the field holds the pseudo-header sum. After NAT it must equal the
     * pseudo-header sum of the new addresses (ports do not enter it), and completing it the way
     * the device does must give a correct full checksum.
     */
    @Test
    void partialChecksumRewriteEqualsFreshPseudoHeaderSum()
    {
        final Random random = new Random(1045);
        for (int i = 0; i < 50_000; i++)
        {
            final int src = random.nextInt();
            final int dst = random.nextInt();
            final byte[] packet = TestFrames.ipPacket(
                Ipv4Flyweight.PROTOCOL_TCP, src, dst, 5, 20 + 4 * random.nextInt(4), random.nextInt(200), random);
            final MemorySegment segment = MemorySegment.ofArray(packet);
            ip.wrap(segment, 0, packet.length);
            tcp.wrap(segment, 20, ip.payloadLength());
            final int tcpLength = ip.payloadLength();
            tcp.checksum(Checksum.pseudoHeaderSum(src, dst, 6, tcpLength));

            final int newAddress = random.nextInt(8) == 0 ? 0 : random.nextInt();
            final int newPort = random.nextInt(65536);
            final boolean source = random.nextBoolean();
            if (source)
            {
                NatRewriter.rewriteSource(ip, tcp, newAddress, newPort, true);
            }
            else
            {
                NatRewriter.rewriteDestination(ip, tcp, newAddress, newPort, true);
            }

            assertEquals(Checksum.pseudoHeaderSum(ip.source(), ip.destination(), 6, tcpLength), tcp.checksum());
            assertEquals(newPort, source ? tcp.sourcePort() : tcp.destinationPort());
            assertEquals(ip.computeHeaderChecksum(), ip.headerChecksum());

            // What the device does with csum_start = 20, csum_offset = 16.
            tcp.checksum(~Checksum.sum(segment, 20, tcpLength) & 0xFFFF);
            assertEquals(0, TestFrames.referenceTransportChecksum(packet, 20, tcpLength, ip.source(), ip.destination(), 6));
        }
    }

    @Test
    void partialChecksumPortOnlyChangeLeavesFieldAlone()
    {
        final byte[] packet = TestFrames.ipPacket(6, TestFrames.CONSUMER_IP, TestFrames.ENI_IP, 5, 20, 10, new Random(1));
        final MemorySegment segment = MemorySegment.ofArray(packet);
        ip.wrap(segment, 0, packet.length);
        tcp.wrap(segment, 20, 30);
        final int pseudo = Checksum.pseudoHeaderSum(TestFrames.CONSUMER_IP, TestFrames.ENI_IP, 6, 30);
        tcp.checksum(pseudo);

        NatRewriter.rewriteSource(ip, tcp, TestFrames.CONSUMER_IP, 1, true);
        assertEquals(pseudo, tcp.checksum());
        assertEquals(1, tcp.sourcePort());
    }

    /** The NAT'd packet's checksums, compared with the naive reference implementation. */
    private static void assertReference(final byte[] bytes, final int ipOffset, final int ipHeaderLength)
    {
        final int ipHeaderChecksum = TestFrames.getShort(bytes, ipOffset + 10);
        TestFrames.putShort(bytes, ipOffset + 10, 0);
        assertEquals(~TestFrames.referenceSum(bytes, ipOffset, ipHeaderLength) & 0xFFFF, ipHeaderChecksum);
        TestFrames.putShort(bytes, ipOffset + 10, ipHeaderChecksum);

        final int total = TestFrames.getShort(bytes, ipOffset + 2);
        final int l4 = ipOffset + ipHeaderLength;
        final int src = (TestFrames.getShort(bytes, ipOffset + 12) << 16) | TestFrames.getShort(bytes, ipOffset + 14);
        final int dst = (TestFrames.getShort(bytes, ipOffset + 16) << 16) | TestFrames.getShort(bytes, ipOffset + 18);
        final int tcpChecksum = TestFrames.getShort(bytes, l4 + 16);
        TestFrames.putShort(bytes, l4 + 16, 0);
        assertEquals(
            TestFrames.referenceTransportChecksum(bytes, l4, total - ipHeaderLength, src, dst, 6), tcpChecksum);
        TestFrames.putShort(bytes, l4 + 16, tcpChecksum);
    }
}
