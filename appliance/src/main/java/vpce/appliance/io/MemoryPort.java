package vpce.appliance.io;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;

/**
 * A port in memory, for unit tests and benchmarks. Frames given to {@link #inject} (virtio
 * header + Ethernet frame, copied in) are delivered by {@link #receive} in order; frames given
 * to {@link #send} are copied into a record of fixed capacity that tests read back.
 *
 * <p>All storage is allocated in the constructor; receive and send copy bytes but do not
 * allocate. In {@link #replay(boolean) replay} mode received frames are not consumed but
 * delivered round-robin forever, so a benchmark can drive a datapath without a feeder thread.
 * When the sent record is full, frames are still accepted and counted in {@link #framesSent()}
 * but not recorded. Owned by one thread, like any port.
 */
public final class MemoryPort implements Port
{
    /** A view of the whole address space, to copy from TxQueue's raw addresses without a segment per frame. */
    private static final MemorySegment ALL_MEMORY = MemorySegment.NULL.reinterpret(Long.MAX_VALUE);

    private final String name;
    private final long macAddress;
    private final int mtu;
    private final int slotSize;
    private final int queueCapacity;
    private final MemorySegment queue;
    private final int[] queueLengths;
    private final int sentCapacity;
    private final MemorySegment sent;
    private final int[] sentLengths;
    private int head;
    private int size;
    private int replayCursor;
    private boolean replay;
    private int sentCount;

    private long framesReceived;
    private long framesSent;
    private long bytesSent;
    private long truncatedFrames;
    private long sendErrors;

    /**
     * @param slotSize largest (virtio header + frame) that inject and send take.
     * @param queueCapacity frames that may wait for receive.
     * @param sentCapacity frames the sent record keeps.
     */
    public MemoryPort(
        final String name,
        final long macAddress,
        final int mtu,
        final int slotSize,
        final int queueCapacity,
        final int sentCapacity)
    {
        if (slotSize <= FrameBatch.VNET_HDR_LENGTH || queueCapacity <= 0 || sentCapacity < 0)
        {
            throw new IllegalArgumentException(
                "slotSize=" + slotSize + " queueCapacity=" + queueCapacity + " sentCapacity=" + sentCapacity);
        }
        this.name = name;
        this.macAddress = macAddress & 0xFFFF_FFFF_FFFFL;
        this.mtu = mtu;
        this.slotSize = slotSize;
        this.queueCapacity = queueCapacity;
        this.sentCapacity = sentCapacity;
        final Arena arena = Arena.ofAuto();
        this.queue = arena.allocate((long)queueCapacity * slotSize, 64);
        this.queueLengths = new int[queueCapacity];
        this.sent = arena.allocate(Math.max(1L, (long)sentCapacity * slotSize), 64);
        this.sentLengths = new int[sentCapacity];
    }

    /**
     * Queue one frame for receive, copied from (virtio header + Ethernet frame).
     *
     * @return false when the queue is full or the length is not 10..slotSize (nothing queued).
     */
    public boolean inject(final byte[] vnetHeaderAndFrame)
    {
        return inject(MemorySegment.ofArray(vnetHeaderAndFrame), 0, vnetHeaderAndFrame.length);
    }

    /** As {@link #inject(byte[])} from length bytes of a segment at an offset. */
    public boolean inject(final MemorySegment source, final long offset, final int length)
    {
        if (size == queueCapacity || length < FrameBatch.VNET_HDR_LENGTH || length > slotSize)
        {
            return false;
        }
        final int index = (head + size) % queueCapacity;
        MemorySegment.copy(source, offset, queue, (long)index * slotSize, length);
        queueLengths[index] = length;
        size++;
        return true;
    }

    /** Queue a frame behind an all-zero virtio header (no offloads). */
    public boolean injectFrame(final byte[] frame)
    {
        if (size == queueCapacity || frame.length + FrameBatch.VNET_HDR_LENGTH > slotSize)
        {
            return false;
        }
        final int index = (head + size) % queueCapacity;
        final long base = (long)index * slotSize;
        queue.asSlice(base, FrameBatch.VNET_HDR_LENGTH).fill((byte)0);
        MemorySegment.copy(frame, 0, queue, JAVA_BYTE, base + FrameBatch.VNET_HDR_LENGTH, frame.length);
        queueLengths[index] = FrameBatch.VNET_HDR_LENGTH + frame.length;
        size++;
        return true;
    }

    /** When true, receive delivers the queued frames round-robin without consuming them. */
    public void replay(final boolean replay)
    {
        this.replay = replay;
        this.replayCursor = 0;
    }

    /** Frames waiting for receive. */
    public int pending()
    {
        return size;
    }

    public int receive(final FrameBatch batch)
    {
        final int wanted = replay ? (size == 0 ? 0 : batch.capacity()) : Math.min(size, batch.capacity());
        int count = 0;
        for (int i = 0; i < wanted; i++)
        {
            final int index;
            if (replay)
            {
                index = (head + replayCursor) % queueCapacity;
                replayCursor = replayCursor + 1 == size ? 0 : replayCursor + 1;
            }
            else
            {
                index = head;
                head = head + 1 == queueCapacity ? 0 : head + 1;
                size--;
            }
            final int length = queueLengths[index];
            if (length > batch.slotSize())
            {
                truncatedFrames++;
                continue;
            }
            MemorySegment.copy(queue, (long)index * slotSize, batch.memory(), batch.slotOffset(count), length);
            batch.frameLength(count, length - FrameBatch.VNET_HDR_LENGTH);
            count++;
        }
        framesReceived += count;
        batch.count(count);
        return count;
    }

    public int send(final TxQueue txQueue)
    {
        final int count = txQueue.count();
        int accepted = 0;
        for (int i = 0; i < count; i++)
        {
            final long address = txQueue.address(i);
            final int frameLength = txQueue.frameLength(i);
            final int length = FrameBatch.VNET_HDR_LENGTH + frameLength;
            if (address == 0 || frameLength < LibC.ETH_HLEN || length > slotSize)
            {
                sendErrors++;
                continue;
            }
            if (sentCount < sentCapacity)
            {
                MemorySegment.copy(ALL_MEMORY, address, sent, (long)sentCount * slotSize, length);
                sentLengths[sentCount] = length;
                sentCount++;
            }
            accepted++;
            bytesSent += frameLength;
        }
        txQueue.clear();
        framesSent += accepted;
        return accepted;
    }

    /** Frames in the sent record. */
    public int sentCount()
    {
        return sentCount;
    }

    /** A copy of recorded frame i, virtio header included (allocates; tests only). */
    public byte[] sentFrame(final int i)
    {
        if (i < 0 || i >= sentCount)
        {
            throw new IndexOutOfBoundsException("sent frame " + i + " of " + sentCount);
        }
        return sent.asSlice((long)i * slotSize, sentLengths[i]).toArray(JAVA_BYTE);
    }

    /** Forget the recorded frames so the record can fill again. */
    public void clearSent()
    {
        sentCount = 0;
    }

    public String name()
    {
        return name;
    }

    public long macAddress()
    {
        return macAddress;
    }

    public int mtu()
    {
        return mtu;
    }

    /** Nothing to poll: an idle strategy just waits its timeout. */
    public int pollFd()
    {
        return -1;
    }

    public long bytesSent()
    {
        return bytesSent;
    }

    public long truncatedFrames()
    {
        return truncatedFrames;
    }

    public long sendErrors()
    {
        return sendErrors;
    }

    public long framesReceived()
    {
        return framesReceived;
    }

    public long framesSent()
    {
        return framesSent;
    }

    public void close()
    {
    }
}
