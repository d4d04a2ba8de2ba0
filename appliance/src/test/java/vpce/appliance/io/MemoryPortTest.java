package vpce.appliance.io;

import java.util.Arrays;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MemoryPortTest
{
    private static final long MAC_A = 0x02_00_00_00_00_0AL;
    private static final long MAC_B = 0x02_00_00_00_00_0BL;

    @Test
    void injectedFramesAreReceivedAndSentFramesRecorded()
    {
        final MemoryPort port = new MemoryPort("m", MAC_A, 1500, 2048, 4, 4);
        final byte[] first = Frames.testFrame(MAC_A, MAC_B, 1, 60);
        final byte[] second = Frames.testFrame(MAC_A, MAC_B, 2, 1514);
        second[0] = 1; // a NEEDS_CSUM flag survives the trip
        assertTrue(port.inject(first));
        assertTrue(port.inject(second));
        assertEquals(2, port.pending());

        final FrameBatch batch = new FrameBatch(8, 2048);
        assertEquals(2, port.receive(batch));
        assertEquals(2, batch.count());
        assertEquals(60, batch.frameLength(0));
        assertArrayEquals(first, Frames.slot(batch, 0));
        assertArrayEquals(second, Frames.slot(batch, 1));
        assertEquals(0, port.receive(batch));

        // Forward both out of the same slots: zero copy from the receive batch.
        final TxQueue queue = new TxQueue(4);
        queue.offer(batch.slotAddress(1), batch.frameLength(1));
        queue.offer(batch.slotAddress(0), batch.frameLength(0));
        assertEquals(2, port.send(queue));
        assertEquals(0, queue.count());
        assertEquals(2, port.sentCount());
        assertArrayEquals(second, port.sentFrame(0));
        assertArrayEquals(first, port.sentFrame(1));
        assertEquals(MAC_A, port.macAddress());
        assertEquals(1500, port.mtu());
        assertEquals(-1, port.pollFd());
    }

    @Test
    void queueAndRecordAreBounded()
    {
        final MemoryPort port = new MemoryPort("m", MAC_A, 1500, 128, 2, 1);
        assertTrue(port.injectFrame(new byte[60]));
        assertTrue(port.injectFrame(new byte[60]));
        assertFalse(port.injectFrame(new byte[60]), "queue full");
        assertFalse(new MemoryPort("m", MAC_A, 1500, 128, 2, 1).inject(new byte[129]), "bigger than a slot");
        assertFalse(new MemoryPort("m", MAC_A, 1500, 128, 2, 1).inject(new byte[5]), "shorter than a virtio header");

        final FrameBatch batch = new FrameBatch(2, 128);
        assertEquals(2, port.receive(batch));
        final TxQueue queue = new TxQueue(4);
        queue.offer(batch.slotAddress(0), 60);
        queue.offer(batch.slotAddress(1), 60);
        queue.offer(batch.slotAddress(1), 1 << 30);
        assertEquals(2, port.send(queue));
        assertEquals(1, port.sendErrors());
        assertEquals(1, port.sentCount(), "record holds one");
        assertEquals(2, port.framesSent());
    }

    @Test
    void frameBiggerThanTheBatchSlotIsTruncatedAndCounted()
    {
        final MemoryPort port = new MemoryPort("m", MAC_A, 1500, 2048, 4, 0);
        assertTrue(port.inject(Frames.testFrame(MAC_A, MAC_B, 1, 1000)));
        assertTrue(port.inject(Frames.testFrame(MAC_A, MAC_B, 2, 100)));
        final FrameBatch batch = new FrameBatch(4, 256);
        assertEquals(1, port.receive(batch));
        assertEquals(100, batch.frameLength(0));
        assertEquals(1, port.truncatedFrames());
    }

    @Test
    void replayDeliversTheSameFramesForever()
    {
        final MemoryPort port = new MemoryPort("m", MAC_A, 1500, 2048, 4, 0);
        final byte[] a = Frames.testFrame(MAC_A, MAC_B, 1, 60);
        final byte[] b = Frames.testFrame(MAC_A, MAC_B, 2, 70);
        port.inject(a);
        port.inject(b);
        port.replay(true);
        final FrameBatch batch = new FrameBatch(3, 2048);
        for (int round = 0; round < 3; round++)
        {
            assertEquals(3, port.receive(batch));
        }
        // 9 deliveries of a, b, a, b, ...: the last batch starts at delivery 6 -> a, b, a.
        assertArrayEquals(a, Frames.slot(batch, 0));
        assertArrayEquals(b, Frames.slot(batch, 1));
        assertArrayEquals(a, Frames.slot(batch, 2));
        assertEquals(2, port.pending());
        assertEquals(9, port.framesReceived());
        assertTrue(Arrays.equals(a, Frames.slot(batch, 2)));
    }
}
