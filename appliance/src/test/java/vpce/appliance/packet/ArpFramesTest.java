package vpce.appliance.packet;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ArpFramesTest
{
    private static final long MAC = 0x0200_0A00_0209L;
    private static final long PEER_MAC = 0x5254_0012_3456L;
    private static final int IP = 0x0A000209;      // 10.0.2.9
    private static final int PEER_IP = 0x0A000101; // 10.0.1.1
    private static final int OFFSET = 5 + VirtioNetHeaderFlyweight.HEADER_LENGTH;

    private final byte[] bytes = new byte[OFFSET + 64];
    private final MemorySegment segment = MemorySegment.ofArray(bytes);
    private final FrameValidator validator = new FrameValidator(1514);

    @Test
    void requestBytesOnTheWire()
    {
        Arrays.fill(bytes, (byte)0x5A); // builders must write every byte
        assertEquals(42, ArpFrames.writeRequest(segment, OFFSET, MAC, IP, PEER_IP));

        final byte[] expected =
        {
            -1, -1, -1, -1, -1, -1, 0x02, 0x00, 0x0a, 0x00, 0x02, 0x09, 0x08, 0x06,
            0x00, 0x01, 0x08, 0x00, 0x06, 0x04, 0x00, 0x01,
            0x02, 0x00, 0x0a, 0x00, 0x02, 0x09, 0x0a, 0x00, 0x02, 0x09,
            0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x0a, 0x00, 0x01, 0x01,
        };
        assertArrayEquals(expected, Arrays.copyOfRange(bytes, OFFSET, OFFSET + 42));
        assertEquals(0x5A, bytes[OFFSET + 42]);
        assertEquals(0x5A, bytes[OFFSET - 1]);
    }

    @Test
    void requestParsesBack()
    {
        final int length = ArpFrames.writeRequest(segment, OFFSET, MAC, IP, PEER_IP);
        assertEquals(FrameClass.ARP, validator.classify(segment, OFFSET - 10, length));

        final EthernetFlyweight eth = validator.ethernet();
        assertEquals(EthernetFlyweight.BROADCAST_MAC, eth.destination());
        assertEquals(MAC, eth.source());
        final ArpFlyweight arp = validator.arp();
        assertEquals(ArpFlyweight.OPERATION_REQUEST, arp.operation());
        assertEquals(MAC, arp.senderMac());
        assertEquals(IP, arp.senderIp());
        assertEquals(0L, arp.targetMac());
        assertEquals(PEER_IP, arp.targetIp());
    }

    @Test
    void replyParsesBack()
    {
        final int length = ArpFrames.writeReply(segment, OFFSET, MAC, IP, PEER_MAC, PEER_IP);
        assertEquals(42, length);
        assertEquals(FrameClass.ARP, validator.classify(segment, OFFSET - 10, length));

        assertEquals(PEER_MAC, validator.ethernet().destination());
        assertEquals(MAC, validator.ethernet().source());
        final ArpFlyweight arp = validator.arp();
        assertTrue(arp.isEthernetIpv4());
        assertEquals(ArpFlyweight.OPERATION_REPLY, arp.operation());
        assertEquals(MAC, arp.senderMac());
        assertEquals(IP, arp.senderIp());
        assertEquals(PEER_MAC, arp.targetMac());
        assertEquals(PEER_IP, arp.targetIp());
    }

    @Test
    void gratuitousParsesBack()
    {
        final int length = ArpFrames.writeGratuitous(segment, OFFSET, MAC, IP);
        assertEquals(42, length);
        assertEquals(FrameClass.ARP, validator.classify(segment, OFFSET - 10, length));

        assertEquals(EthernetFlyweight.BROADCAST_MAC, validator.ethernet().destination());
        final ArpFlyweight arp = validator.arp();
        assertEquals(ArpFlyweight.OPERATION_REQUEST, arp.operation());
        assertEquals(MAC, arp.senderMac());
        assertEquals(IP, arp.senderIp());
        assertEquals(IP, arp.targetIp());
        assertEquals(0L, arp.targetMac());
        assertTrue(arp.isGratuitous());
    }
}
