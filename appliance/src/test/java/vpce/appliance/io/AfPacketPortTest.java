package vpce.appliance.io;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.List;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Two AfPacketPorts on the two ends of a veth pair inside a namespace of this test's own.
 * Each test tags its frames (sequence numbers, a marker EtherType or the TCP port) and filters
 * for them, so tests do not depend on one another's leftovers.
 */
@Timeout(60)
class AfPacketPortTest
{
    private static TestNamespace namespace;
    private static AfPacketPort portA;
    private static AfPacketPort portB;

    @BeforeAll
    static void open() throws Exception
    {
        namespace = TestNamespace.create();
        namespace.vethPair("vpa", "vpb");
        portA = AfPacketPort.open("a", namespace.name, "vpa", AfPacketPort.Options.DEFAULT);
        portB = AfPacketPort.open("b", namespace.name, "vpb", AfPacketPort.Options.DEFAULT);
    }

    @AfterAll
    static void close() throws Exception
    {
        try
        {
            if (null != portA)
            {
                portA.close();
            }
            if (null != portB)
            {
                portB.close();
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

    private static boolean isTestFrame(final byte[] frame, final int firstSeq, final int lastSeq)
    {
        if (Frames.etherType(frame) != Frames.ETHERTYPE_TEST)
        {
            return false;
        }
        final int seq = ByteBuffer.wrap(frame, FrameBatch.VNET_HDR_LENGTH + 14, 4).getInt();
        return seq >= firstSeq && seq <= lastSeq;
    }

    @Test
    void interfaceFactsComeFromTheNamespace() throws Exception
    {
        assertEquals(1500, portA.mtu());
        final String link = namespace.ip("link", "show", "vpa");
        final long mac = portA.macAddress();
        final String expected = String.format("%02x:%02x:%02x:%02x:%02x:%02x",
            (mac >>> 40) & 0xFF, (mac >>> 32) & 0xFF, (mac >>> 24) & 0xFF, (mac >>> 16) & 0xFF, (mac >>> 8) & 0xFF, mac & 0xFF);
        assertTrue(link.contains("link/ether " + expected), link + " should show " + expected);
        assertNotEquals(portA.macAddress(), portB.macAddress());
        assertTrue(portA.pollFd() >= 0);
    }

    @Test
    void openingAMissingInterfaceThrowsAClearError()
    {
        final PortException ex = assertThrows(
            PortException.class,
            () -> AfPacketPort.open("x", namespace.name, "nosuchif0", AfPacketPort.Options.DEFAULT));
        assertTrue(ex.getMessage().contains("nosuchif0"), ex.getMessage());
        assertEquals(19, ex.errno(), ex.getMessage()); // ENODEV
    }

    @Test
    void aFrameFromAVlanIsDroppedAndCountedAlthoughTheKernelStrippedItsTag()
    {
        final FrameBatch tx = new FrameBatch(2, 2048);
        final FrameBatch rx = new FrameBatch(8, FrameBatch.DEFAULT_SLOT_SIZE);
        final TxQueue queue = new TxQueue(2);
        final byte[] untagged = Frames.testFrame(portB.macAddress(), portA.macAddress(), 901, 60);
        // The same kind of frame with an 802.1Q tag (VLAN 42) spliced in after the MAC addresses.
        final byte[] tagged = new byte[untagged.length + 4];
        final int macs = FrameBatch.VNET_HDR_LENGTH + 12;
        final byte[] inner = Frames.testFrame(portB.macAddress(), portA.macAddress(), 900, 60);
        System.arraycopy(inner, 0, tagged, 0, macs);
        tagged[macs] = (byte)0x81;
        tagged[macs + 1] = 0x00;
        tagged[macs + 2] = 0x00;
        tagged[macs + 3] = 42;
        System.arraycopy(inner, macs, tagged, macs + 4, inner.length - macs);
        Frames.queue(tx, 0, tagged, queue);
        Frames.queue(tx, 1, untagged, queue);
        final long vlanBefore = portB.vlanTaggedFrames();

        assertEquals(2, portA.send(queue));
        final List<byte[]> received = Frames.receive(portB, rx, 1, f -> isTestFrame(f, 900, 901));

        assertEquals(1, received.size());
        assertTrue(isTestFrame(received.get(0), 901, 901), "the tagged frame must not arrive as if untagged");
        assertEquals(vlanBefore + 1, portB.vlanTaggedFrames());
    }

    @Test
    void smallFrameArrivesIdentical()
    {
        final FrameBatch tx = new FrameBatch(4, 2048);
        final FrameBatch rx = new FrameBatch(8, FrameBatch.DEFAULT_SLOT_SIZE);
        final TxQueue queue = new TxQueue(4);
        final byte[] frame = Frames.testFrame(portB.macAddress(), portA.macAddress(), 1, 60);
        Frames.queue(tx, 0, frame, queue);

        assertEquals(1, portA.send(queue));
        assertEquals(0, queue.count());

        final List<byte[]> received = Frames.receive(portB, rx, 1, f -> isTestFrame(f, 1, 1));
        final byte[] got = received.get(0);
        assertEquals(frame.length, got.length);
        assertArrayEquals(
            Arrays.copyOfRange(frame, FrameBatch.VNET_HDR_LENGTH, frame.length),
            Arrays.copyOfRange(got, FrameBatch.VNET_HDR_LENGTH, got.length));
        assertEquals(0, got[Frames.VNET_FLAGS], "virtio flags");
        assertEquals(Frames.VIRTIO_NET_HDR_GSO_NONE, got[Frames.VNET_GSO_TYPE], "gso_type");
        assertEquals(0, Frames.u16le(got, Frames.VNET_GSO_SIZE), "gso_size");
    }

    @Test
    void batchOf32FramesArrivesInOrder()
    {
        final int frames = 32;
        final FrameBatch tx = new FrameBatch(frames, 2048);
        final FrameBatch rx = new FrameBatch(64, FrameBatch.DEFAULT_SLOT_SIZE);
        final TxQueue queue = new TxQueue(frames);
        for (int i = 0; i < frames; i++)
        {
            Frames.queue(tx, i, Frames.testFrame(portA.macAddress(), portB.macAddress(), 100 + i, 60 + i * 40), queue);
        }
        final long errorsBefore = portB.sendErrors();

        assertEquals(frames, portB.send(queue));
        assertEquals(errorsBefore, portB.sendErrors());

        final List<byte[]> received = Frames.receive(portA, rx, frames, f -> isTestFrame(f, 100, 100 + frames - 1));
        for (int i = 0; i < frames; i++)
        {
            final byte[] expected = Frames.testFrame(portA.macAddress(), portB.macAddress(), 100 + i, 60 + i * 40);
            assertArrayEquals(
                Arrays.copyOfRange(expected, FrameBatch.VNET_HDR_LENGTH, expected.length),
                Arrays.copyOfRange(received.get(i), FrameBatch.VNET_HDR_LENGTH, received.get(i).length),
                "frame " + i);
        }
    }

    /**
     * An IPv4/TCP super-frame of 30 000 payload bytes with a TSO request in its virtio header, as
     * the kernel itself would hand it to a NIC: gso TCPV4, gso_size 1448, NEEDS_CSUM over the TCP
     * header with the pseudo-header sum in the checksum field.
     */
    static byte[] gsoFrame(final long dst, final long src, final int payloadLength, final int gsoSize)
    {
        final int ipLength = 20 + 20 + payloadLength;
        final int frameLength = 14 + ipLength;
        final byte[] bytes = new byte[FrameBatch.VNET_HDR_LENGTH + frameLength];
        final ByteBuffer vnet = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        vnet.put((byte)Frames.VIRTIO_NET_HDR_F_NEEDS_CSUM);
        vnet.put((byte)Frames.VIRTIO_NET_HDR_GSO_TCPV4);
        vnet.putShort((short)(14 + 20 + 20));
        vnet.putShort((short)gsoSize);
        vnet.putShort((short)(14 + 20));
        vnet.putShort((short)16);

        final ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.BIG_ENDIAN);
        b.position(FrameBatch.VNET_HDR_LENGTH);
        Frames.putMac(b, dst);
        Frames.putMac(b, src);
        b.putShort((short)0x0800);
        final int ip = b.position();
        b.put((byte)0x45).put((byte)0).putShort((short)ipLength).putShort((short)0x1234).putShort((short)0x4000);
        b.put((byte)64).put((byte)6).putShort((short)0);
        b.put(new byte[] {10, 0, 0, 1}).put(new byte[] {10, 0, 0, 2});
        b.putShort(ip + 10, (short)~Frames.onesComplementSum(bytes, ip, 20, 0));
        final int tcp = b.position();
        b.putShort((short)40000).putShort((short)5201).putInt(1).putInt(1);
        b.put((byte)0x50).put((byte)0x18).putShort((short)0xFFFF).putShort((short)0).putShort((short)0);
        for (int i = 0; i < payloadLength; i++)
        {
            b.put((byte)(i * 7));
        }
        // Pseudo-header: src, dst, zero + protocol, TCP length. The NIC (here: whoever
        // segments) adds the TCP header and payload and inverts.
        final int pseudo = Frames.onesComplementSum(bytes, ip + 12, 8, 6 + 20 + payloadLength);
        b.putShort(tcp + 16, (short)pseudo);
        return bytes;
    }

    @Test
    void gsoSuperFrameCrossesWhole()
    {
        final byte[] frame = gsoFrame(portB.macAddress(), portA.macAddress(), 30_000, 1448);
        final FrameBatch tx = new FrameBatch(1, FrameBatch.DEFAULT_SLOT_SIZE);
        final FrameBatch rx = new FrameBatch(8, FrameBatch.DEFAULT_SLOT_SIZE);
        final TxQueue queue = new TxQueue(1);
        Frames.queue(tx, 0, frame, queue);

        assertEquals(1, portA.send(queue), "errno " + portA.lastSendErrno());

        final List<byte[]> received = Frames.receive(
            portB, rx, 1, f -> Frames.etherType(f) == 0x0800 && Frames.u16be(f, FrameBatch.VNET_HDR_LENGTH + 34) == 40000);
        final byte[] got = received.get(0);
        assertEquals(frame.length, got.length, "one frame, whole");
        assertEquals(Frames.VIRTIO_NET_HDR_GSO_TCPV4, got[Frames.VNET_GSO_TYPE], "gso_type");
        assertEquals(1448, Frames.u16le(got, Frames.VNET_GSO_SIZE), "gso_size");
        assertEquals(Frames.VIRTIO_NET_HDR_F_NEEDS_CSUM, got[Frames.VNET_FLAGS], "flags");
        assertEquals(34, Frames.u16le(got, Frames.VNET_CSUM_START), "csum_start");
        assertEquals(16, Frames.u16le(got, Frames.VNET_CSUM_OFFSET), "csum_offset");
        assertArrayEquals(
            Arrays.copyOfRange(frame, FrameBatch.VNET_HDR_LENGTH, frame.length),
            Arrays.copyOfRange(got, FrameBatch.VNET_HDR_LENGTH, got.length));
    }

    @Test
    void frameBiggerThanSlotIsCountedAndTheRestCompacted()
    {
        final FrameBatch tx = new FrameBatch(3, 2048);
        final FrameBatch rx = new FrameBatch(8, 256);
        final TxQueue queue = new TxQueue(3);
        final byte[] first = Frames.testFrame(portB.macAddress(), portA.macAddress(), 200, 100);
        final byte[] big = Frames.testFrame(portB.macAddress(), portA.macAddress(), 201, 1000);
        final byte[] last = Frames.testFrame(portB.macAddress(), portA.macAddress(), 202, 120);
        Frames.queue(tx, 0, first, queue);
        Frames.queue(tx, 1, big, queue);
        Frames.queue(tx, 2, last, queue);
        final long truncatedBefore = portB.truncatedFrames();

        assertEquals(3, portA.send(queue));

        final List<byte[]> received = Frames.receive(portB, rx, 2, f -> isTestFrame(f, 200, 202));
        assertEquals(truncatedBefore + 1, portB.truncatedFrames());
        assertArrayEquals(Arrays.copyOfRange(first, 10, first.length), Arrays.copyOfRange(received.get(0), 10, received.get(0).length));
        assertArrayEquals(Arrays.copyOfRange(last, 10, last.length), Arrays.copyOfRange(received.get(1), 10, received.get(1).length));
    }

    @Test
    void hostileQueueEntriesAreRefusedAndCounted()
    {
        final FrameBatch tx = new FrameBatch(2, 2048);
        final FrameBatch rx = new FrameBatch(8, FrameBatch.DEFAULT_SLOT_SIZE);
        final TxQueue queue = new TxQueue(8);
        final byte[] good = Frames.testFrame(portB.macAddress(), portA.macAddress(), 300, 80);
        final long invalidBefore = portA.invalidTxFrames();
        final long errorsBefore = portA.sendErrors();

        queue.offer(tx.slotAddress(0), Integer.MAX_VALUE);
        queue.offer(tx.slotAddress(0), -1);
        queue.offer(0L, 60);
        queue.offer(tx.slotAddress(0), 3);
        Frames.queue(tx, 1, good, queue);

        assertEquals(1, portA.send(queue));
        assertEquals(invalidBefore + 4, portA.invalidTxFrames());
        assertEquals(errorsBefore + 4, portA.sendErrors());
        assertEquals(0, queue.count());
        final List<byte[]> received = Frames.receive(portB, rx, 1, f -> isTestFrame(f, 300, 300));
        assertEquals(good.length, received.get(0).length);
    }

    @Test
    void frameTheKernelRefusesIsSkippedAndTheNextStillSent()
    {
        // 9000 bytes without GSO on a 1500 MTU link: packet_snd refuses it with EMSGSIZE.
        final FrameBatch tx = new FrameBatch(3, 16384);
        final FrameBatch rx = new FrameBatch(8, FrameBatch.DEFAULT_SLOT_SIZE);
        final TxQueue queue = new TxQueue(3);
        Frames.queue(tx, 0, Frames.testFrame(portB.macAddress(), portA.macAddress(), 400, 64), queue);
        Frames.queue(tx, 1, Frames.testFrame(portB.macAddress(), portA.macAddress(), 401, 9000), queue);
        Frames.queue(tx, 2, Frames.testFrame(portB.macAddress(), portA.macAddress(), 402, 64), queue);
        final long errorsBefore = portA.sendErrors();

        assertEquals(2, portA.send(queue));
        assertEquals(errorsBefore + 1, portA.sendErrors());
        assertEquals(LibC.EMSGSIZE, portA.lastSendErrno());
        final List<byte[]> received = Frames.receive(portB, rx, 2, f -> isTestFrame(f, 400, 402));
        assertEquals(400, ByteBuffer.wrap(received.get(0), 24, 4).getInt());
        assertEquals(402, ByteBuffer.wrap(received.get(1), 24, 4).getInt());
    }

    @Test
    void outgoingFramesOfTheInterfaceAreNotReceived() throws Exception
    {
        // Through the qdisc the kernel hands every skb leaving vpa to the packet taps of vpa
        // (dev_queue_xmit_nit), except the sending socket itself: only PACKET_IGNORE_OUTGOING
        // keeps what another socket, or the kernel's own stack, sends out of vpa away from portA.
        final AfPacketPort.Options viaQdisc = new AfPacketPort.Options(false, 1 << 20, 1 << 20, 16, 16);
        try (AfPacketPort other = AfPacketPort.open("a2", namespace.name, "vpa", viaQdisc))
        {
            final FrameBatch tx = new FrameBatch(1, 2048);
            final FrameBatch rx = new FrameBatch(8, FrameBatch.DEFAULT_SLOT_SIZE);
            final TxQueue queue = new TxQueue(1);
            Frames.queue(tx, 0, Frames.testFrame(portB.macAddress(), other.macAddress(), 500, 64), queue);
            assertEquals(1, other.send(queue));
            // Once B has it, portA's copy would already be queued: the tap runs before the
            // driver's xmit, in the same call.
            Frames.receive(portB, rx, 1, f -> isTestFrame(f, 500, 500));
            int seenByA = 0;
            final int count = portA.receive(rx);
            for (int i = 0; i < count; i++)
            {
                if (isTestFrame(Frames.slot(rx, i), 500, 500))
                {
                    seenByA++;
                }
            }
            assertEquals(0, seenByA);
        }
    }

    /**
     * The packet path allocates nothing once warm: a steady exchange of frames between the two
     * ports (send, receive, forward from the receive slots) must not grow this thread's
     * allocated bytes by more than a rounding error.
     */
    @Test
    void packetPathDoesNotAllocate()
    {
        final FrameBatch tx = new FrameBatch(8, 2048);
        final FrameBatch rx = new FrameBatch(8, 2048);
        final TxQueue queue = new TxQueue(8);
        final com.sun.management.ThreadMXBean threads =
            (com.sun.management.ThreadMXBean)java.lang.management.ManagementFactory.getThreadMXBean();
        final byte[] frame = Frames.testFrame(portB.macAddress(), portA.macAddress(), 600, 128);
        for (int i = 0; i < 8; i++)
        {
            java.lang.foreign.MemorySegment.copy(
                frame, 0, tx.memory(), java.lang.foreign.ValueLayout.JAVA_BYTE, tx.slotOffset(i), frame.length);
        }

        // Steady state, not warm-up: until C2 has compiled the path (late on a busy machine) the
        // interpreter and C1 box what escape analysis later removes. A path that really allocates per
        // packet allocates in every round; one that does not reaches a quiet round once compiled.
        exchange(tx, rx, queue, 20_000);
        long received = 0;
        long fewestAllocated = Long.MAX_VALUE;
        for (int round = 0; round < 15 && fewestAllocated >= 4096; round++)
        {
            final long before = threads.getCurrentThreadAllocatedBytes();
            received += exchange(tx, rx, queue, 20_000);
            fewestAllocated = Math.min(fewestAllocated, threads.getCurrentThreadAllocatedBytes() - before);
        }

        assertTrue(received > 0, "frames flowed");
        assertTrue(fewestAllocated < 4096, fewestAllocated + " bytes allocated over 20 000 duty cycles in the quietest round");
    }

    private static long exchange(final FrameBatch tx, final FrameBatch rx, final TxQueue queue, final int cycles)
    {
        long received = 0;
        for (int cycle = 0; cycle < cycles; cycle++)
        {
            for (int i = 0; i < 8; i++)
            {
                queue.offer(tx.slotAddress(i), 128);
            }
            portA.send(queue);
            final int count = portB.receive(rx);
            for (int i = 0; i < count; i++)
            {
                queue.offer(rx.slotAddress(i), rx.frameLength(i));
            }
            portB.send(queue);
            received += count + portA.receive(rx);
        }
        return received;
    }
}
