package vpce.appliance.io;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.DatagramChannel;
import java.util.List;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * A TAP device created by TapPort inside a namespace of this test's own, with 10.77.0.1/24 on
 * it. The test plays 10.77.0.2 on the far side of the TAP: it answers the kernel's ARP request
 * and sees the kernel's datagram that was waiting for that answer.
 */
@Timeout(60)
class TapPortTest
{
    private static final String TAP = "vpcetap0";
    private static final long PEER_MAC = 0x02_00_00_77_00_02L;
    private static final byte[] PEER_IP = {10, 77, 0, 2};
    private static final byte[] LOCAL_IP = {10, 77, 0, 1};
    private static final int DISCARD_PORT = 9;

    private static TestNamespace namespace;
    private static TapPort port;

    @BeforeAll
    static void open() throws Exception
    {
        namespace = TestNamespace.create();
        port = TapPort.open("tap", namespace.name, TAP, TapPort.Options.DEFAULT);
        namespace.ip("addr", "add", "10.77.0.1/24", "dev", TAP);
    }

    @AfterAll
    static void close() throws Exception
    {
        try
        {
            if (null != port)
            {
                port.close();
            }
        }
        finally
        {
            if (null != namespace)
            {
                namespace.close();
            }
        }
    }

    /** Send a UDP datagram from inside the namespace to an address behind the TAP. */
    private static void sendDatagramTo(final String address, final int payloadLength) throws Exception
    {
        NetworkNamespace.call(namespace.name, () ->
        {
            try (DatagramChannel channel = DatagramChannel.open(StandardProtocolFamily.INET))
            {
                channel.send(ByteBuffer.allocate(payloadLength), new InetSocketAddress(address, DISCARD_PORT));
            }
            return null;
        });
    }

    private static boolean isArpRequestForPeer(final byte[] f)
    {
        final int arp = FrameBatch.VNET_HDR_LENGTH + 14;
        return Frames.etherType(f) == 0x0806 && f.length >= arp + 28 && Frames.u16be(f, arp + 6) == 1 &&
            f[arp + 24] == 10 && f[arp + 25] == 77 && f[arp + 26] == 0 && f[arp + 27] == 2;
    }

    private static boolean isUdpToPeer(final byte[] f)
    {
        final int ip = FrameBatch.VNET_HDR_LENGTH + 14;
        return Frames.etherType(f) == 0x0800 && f[ip + 9] == 17 && Frames.u16be(f, ip + 22) == DISCARD_PORT;
    }

    private static long macAt(final byte[] bytes, final int offset)
    {
        long mac = 0;
        for (int i = 0; i < 6; i++)
        {
            mac = (mac << 8) | (bytes[offset + i] & 0xFF);
        }
        return mac;
    }

    private static byte[] arpReply(final long targetMac)
    {
        final ByteBuffer b = ByteBuffer.allocate(FrameBatch.VNET_HDR_LENGTH + 42).order(ByteOrder.BIG_ENDIAN);
        b.position(FrameBatch.VNET_HDR_LENGTH);
        Frames.putMac(b, targetMac);
        Frames.putMac(b, PEER_MAC);
        b.putShort((short)0x0806);
        b.putShort((short)1).putShort((short)0x0800).put((byte)6).put((byte)4).putShort((short)2);
        Frames.putMac(b, PEER_MAC);
        b.put(PEER_IP);
        Frames.putMac(b, targetMac);
        b.put(LOCAL_IP);
        return b.array();
    }

    /** The virtio header must describe a frame a NIC could finish: flags known, checksum inside it. */
    private static void assertSaneVnetHeader(final byte[] f)
    {
        final int flags = f[Frames.VNET_FLAGS] & 0xFF;
        assertEquals(0, flags & ~(Frames.VIRTIO_NET_HDR_F_NEEDS_CSUM | Frames.VIRTIO_NET_HDR_F_DATA_VALID), "flags " + flags);
        assertEquals(Frames.VIRTIO_NET_HDR_GSO_NONE, f[Frames.VNET_GSO_TYPE], "gso_type of a small frame");
        if ((flags & Frames.VIRTIO_NET_HDR_F_NEEDS_CSUM) != 0)
        {
            final int frameLength = f.length - FrameBatch.VNET_HDR_LENGTH;
            final int end = Frames.u16le(f, Frames.VNET_CSUM_START) + Frames.u16le(f, Frames.VNET_CSUM_OFFSET) + 2;
            assertTrue(end <= frameLength, "checksum field ends at " + end + " beyond frame of " + frameLength);
        }
    }

    @Test
    void kernelArpRequestIsReceivedAndOurReplyIsLearned() throws Exception
    {
        final FrameBatch rx = new FrameBatch(16, FrameBatch.DEFAULT_SLOT_SIZE);
        final FrameBatch tx = new FrameBatch(1, 2048);
        final TxQueue queue = new TxQueue(1);
        assertEquals(1500, port.mtu());

        sendDatagramTo("10.77.0.2", 32);

        final byte[] request = Frames.receive(port, rx, 1, TapPortTest::isArpRequestForPeer).get(0);
        assertSaneVnetHeader(request);
        assertEquals(0, request[Frames.VNET_FLAGS], "ARP carries no checksum offload");
        assertEquals(port.deviceMacAddress(), macAt(request, FrameBatch.VNET_HDR_LENGTH + 6), "source MAC is the TAP netdev's");
        assertNotEquals(port.deviceMacAddress(), port.macAddress(), "the appliance's side has its own MAC");

        Frames.queue(tx, 0, arpReply(port.deviceMacAddress()), queue);
        assertEquals(1, port.send(queue), "errno " + port.lastSendErrno());

        // The kernel learned 02:00:00:77:00:02 and flushes the datagram that waited for it.
        final byte[] datagram = Frames.receive(port, rx, 1, TapPortTest::isUdpToPeer).get(0);
        assertEquals(PEER_MAC, macAt(datagram, FrameBatch.VNET_HDR_LENGTH), "datagram goes to the MAC we announced");
        assertSaneVnetHeader(datagram);
        // TUN_F_CSUM: the kernel leaves the UDP checksum to us (CHECKSUM_PARTIAL), at 34 + 6.
        assertEquals(Frames.VIRTIO_NET_HDR_F_NEEDS_CSUM, datagram[Frames.VNET_FLAGS]);
        assertEquals(34, Frames.u16le(datagram, Frames.VNET_CSUM_START));
        assertEquals(6, Frames.u16le(datagram, Frames.VNET_CSUM_OFFSET));

        final String neigh = namespace.ip("neigh", "show", "10.77.0.2", "dev", TAP);
        assertTrue(neigh.contains("lladdr 02:00:00:77:00:02") &&
            (neigh.contains("REACHABLE") || neigh.contains("STALE") || neigh.contains("DELAY")), neigh);
    }

    @Test
    void frameBiggerThanSlotIsCounted() throws Exception
    {
        // Another address than the ARP test's, so the order the tests run in does not matter.
        namespace.ip("neigh", "replace", "10.77.0.3", "lladdr", "02:00:00:77:00:03", "dev", TAP, "nud", "permanent");
        final FrameBatch small = new FrameBatch(4, 512);
        final FrameBatch rx = new FrameBatch(16, FrameBatch.DEFAULT_SLOT_SIZE);
        final long truncatedBefore = port.truncatedFrames();

        sendDatagramTo("10.77.0.3", 1200);
        final long deadlineNs = System.nanoTime() + Frames.DEADLINE_NS;
        while (port.truncatedFrames() == truncatedBefore)
        {
            if (System.nanoTime() - deadlineNs > 0)
            {
                fail("no truncation counted; " + Frames.diagnostics(port) + " last length " + small.frameLength(0) + " count " + small.count());
            }
            port.receive(small);
        }
        assertEquals(truncatedBefore + 1, port.truncatedFrames());

        // The port is still usable: a small datagram now arrives whole.
        sendDatagramTo("10.77.0.3", 16);
        final byte[] datagram = Frames.receive(port, rx, 1, TapPortTest::isUdpToPeer).get(0);
        assertEquals(14 + 20 + 8 + 16, datagram.length - FrameBatch.VNET_HDR_LENGTH);
    }

    @Test
    void hostileQueueEntriesAreRefusedAndCounted()
    {
        final FrameBatch tx = new FrameBatch(1, 2048);
        final TxQueue queue = new TxQueue(4);
        final long errorsBefore = port.sendErrors();
        queue.offer(tx.slotAddress(0), Integer.MAX_VALUE);
        queue.offer(tx.slotAddress(0), -5);
        queue.offer(0L, 60);

        assertEquals(0, port.send(queue));
        assertEquals(errorsBefore + 3, port.sendErrors());
        assertEquals(3, port.invalidTxFrames());
        assertEquals(0, queue.count());
    }

    @Test
    void closingTheFdRemovesTheDevice() throws Exception
    {
        final TapPort second = TapPort.open("tap2", namespace.name, "vpcetap1", new TapPort.Options(0, false));
        assertTrue(namespace.ip("link", "show", "vpcetap1").contains("vpcetap1"));
        second.close();
        assertThrows(IOException.class, () -> namespace.ip("link", "show", "vpcetap1"));
    }
}
