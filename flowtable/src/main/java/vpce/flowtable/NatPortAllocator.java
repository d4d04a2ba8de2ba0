package vpce.flowtable;

import org.agrona.BitUtil;
import org.agrona.BufferUtil;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Source ports for the provider side of NAT, one pool per NAT address index.
 * <p>
 * Each pool is a FIFO ring of free ports in an int array, filled in port order at construction: allocate takes the
 * head, release appends at the tail. Both are O(1) and allocation-free. FIFO means a released port waits behind
 * every other free port before it is handed out again, so a port is reused as late as possible. That matters
 * after the flow is gone: the provider (or a firewall in between) may still hold TIME_WAIT for the old
 * (natIp, natPort, target, targetPort), and a quick reuse would get the new SYN dropped or answered with a
 * stale ACK. The flow table already keeps the port through its own TIME_WAIT; callers release only from
 * {@link FlowExpiryHandler#onFlowExpired(FlowTable, int)} or after {@link FlowTable#remove(int)}.
 * <p>
 * A bitmap of allocated ports per pool makes {@link #release(int, int)} reject a port that is not allocated
 * (double release, wrong pool), which would otherwise put the same port in the ring twice and later give it to
 * two flows.
 * <p>
 * <b>Why one pool per NAT address.</b> Linux masquerading and AWS only need the 5-tuple
 * (natIp, natPort, targetIp, targetPort, protocol) to be unique, so a port may be used at once towards different
 * targets and 64k is a limit per (natAddress, target, targetPort). Keying by NAT address alone is stricter: one
 * address carries at most {@code maxPort - minPort + 1} concurrent flows (64,512 by default) across all targets.
 * It is kept for now because it is one array per address with no hashing of target tuples, it can never produce
 * a reverse-key collision in the flow table, and the appliance can add NAT addresses to scale. A per-target pool
 * is the later refinement if an address runs out.
 * <p>
 * <b>Threads.</b> Owned by one datapath worker (the same one as its {@link FlowTable}); with several workers give
 * each its own allocator over disjoint NAT addresses or disjoint port ranges. Other threads may call only
 * {@link #exhaustedCount()}, {@link #invalidReleaseCount()} and {@link #allocatedCount()}: the writer stores them
 * with {@link UnsafeBuffer#putLongRelease(int, long)} and those getters read with
 * {@link UnsafeBuffer#getLongVolatile(int)}.
 */
public final class NatPortAllocator
{
    /**
     * {@link #allocate(int)} result when the pool is empty or the address index is out of range.
     */
    public static final int NO_PORT = -1;

    public static final int DEFAULT_MIN_PORT = 1024;
    public static final int DEFAULT_MAX_PORT = 65535;

    private static final int EXHAUSTED_COUNTER_OFFSET = 0;
    private static final int INVALID_RELEASE_COUNTER_OFFSET = 8;
    private static final int ALLOCATED_COUNTER_OFFSET = 16;
    private static final int COUNTERS_LENGTH = 64;

    private final int natAddressCount;
    private final int minPort;
    private final int maxPort;
    private final int portCount;
    private final int bitmapWordsPerAddress;
    private final int[] freeRing;
    private final int[] ringHead;
    private final int[] freeCount;
    private final long[] allocatedBitmap;
    private final UnsafeBuffer counters;

    /**
     * Pools of ports {@value #DEFAULT_MIN_PORT}..{@value #DEFAULT_MAX_PORT}.
     *
     * @param natAddressCount number of NAT addresses, indexed 0..natAddressCount-1.
     */
    public NatPortAllocator(final int natAddressCount)
    {
        this(natAddressCount, DEFAULT_MIN_PORT, DEFAULT_MAX_PORT);
    }

    /**
     * @param natAddressCount number of NAT addresses, indexed 0..natAddressCount-1.
     * @param minPort         lowest port handed out, 1..65535.
     * @param maxPort         highest port handed out, minPort..65535.
     */
    public NatPortAllocator(final int natAddressCount, final int minPort, final int maxPort)
    {
        if (minPort < 1 || minPort > 65535)
        {
            throw new IllegalArgumentException("minPort=" + minPort + " must be in 1..65535");
        }
        if (maxPort < minPort || maxPort > 65535)
        {
            throw new IllegalArgumentException("maxPort=" + maxPort + " must be in " + minPort + "..65535");
        }
        final int portCount = maxPort - minPort + 1;
        if (natAddressCount < 1 || (long)natAddressCount * portCount > Integer.MAX_VALUE - 8)
        {
            throw new IllegalArgumentException("natAddressCount=" + natAddressCount + " must be in 1.." +
                ((Integer.MAX_VALUE - 8) / portCount));
        }

        this.natAddressCount = natAddressCount;
        this.minPort = minPort;
        this.maxPort = maxPort;
        this.portCount = portCount;
        bitmapWordsPerAddress = (portCount + 63) >>> 6;
        freeRing = new int[natAddressCount * portCount];
        ringHead = new int[natAddressCount];
        freeCount = new int[natAddressCount];
        allocatedBitmap = new long[natAddressCount * bitmapWordsPerAddress];
        counters = new UnsafeBuffer(BufferUtil.allocateDirectAligned(COUNTERS_LENGTH, BitUtil.CACHE_LINE_LENGTH));

        for (int address = 0; address < natAddressCount; address++)
        {
            final int base = address * portCount;
            for (int i = 0; i < portCount; i++)
            {
                freeRing[base + i] = minPort + i;
            }
            freeCount[address] = portCount;
        }
    }

    /**
     * Take the least recently released free port of a NAT address.
     *
     * @param natAddressIndex 0..natAddressCount-1.
     * @return the port, or {@link #NO_PORT} when the pool is exhausted (counted) or the index is out of range.
     */
    public int allocate(final int natAddressIndex)
    {
        if (natAddressIndex < 0 || natAddressIndex >= natAddressCount)
        {
            return NO_PORT;
        }

        final int free = freeCount[natAddressIndex];
        if (0 == free)
        {
            increment(EXHAUSTED_COUNTER_OFFSET, 1);
            return NO_PORT;
        }

        final int head = ringHead[natAddressIndex];
        final int port = freeRing[natAddressIndex * portCount + head];
        ringHead[natAddressIndex] = head + 1 == portCount ? 0 : head + 1;
        freeCount[natAddressIndex] = free - 1;

        final int bit = port - minPort;
        allocatedBitmap[natAddressIndex * bitmapWordsPerAddress + (bit >>> 6)] |= 1L << bit;
        increment(ALLOCATED_COUNTER_OFFSET, 1);

        return port;
    }

    /**
     * Take ports that flows restored after a restart already hold (start-up only): marks them
     * allocated and rebuilds the pool's free ring from the rest, in one pass over the range.
     *
     * @return how many of the given ports were taken (a port out of range or given twice is not).
     */
    public int claim(final int natAddressIndex, final int[] ports, final int count)
    {
        if (natAddressIndex < 0 || natAddressIndex >= natAddressCount)
        {
            return 0;
        }
        int claimed = 0;
        for (int i = 0; i < count; i++)
        {
            final int port = ports[i];
            if (port < minPort || port > maxPort)
            {
                continue;
            }
            final int bit = port - minPort;
            final int word = natAddressIndex * bitmapWordsPerAddress + (bit >>> 6);
            if ((allocatedBitmap[word] & (1L << bit)) == 0)
            {
                allocatedBitmap[word] |= 1L << bit;
                claimed++;
            }
        }
        int free = 0;
        final int base = natAddressIndex * portCount;
        for (int port = minPort; port <= maxPort; port++)
        {
            final int bit = port - minPort;
            if ((allocatedBitmap[natAddressIndex * bitmapWordsPerAddress + (bit >>> 6)] & (1L << bit)) == 0)
            {
                freeRing[base + free++] = port;
            }
        }
        ringHead[natAddressIndex] = 0;
        freeCount[natAddressIndex] = free;
        increment(ALLOCATED_COUNTER_OFFSET, claimed);
        return claimed;
    }

    /**
     * Return a port to the tail of its pool.
     *
     * @param natAddressIndex 0..natAddressCount-1.
     * @param port            a port previously returned by {@link #allocate(int)} for this index.
     * @return true if released; false (and counted) if the index or port is out of range or not allocated.
     */
    public boolean release(final int natAddressIndex, final int port)
    {
        if (natAddressIndex < 0 || natAddressIndex >= natAddressCount || port < minPort || port > maxPort)
        {
            increment(INVALID_RELEASE_COUNTER_OFFSET, 1);
            return false;
        }

        final int bit = port - minPort;
        final int word = natAddressIndex * bitmapWordsPerAddress + (bit >>> 6);
        final long mask = 1L << bit;
        if ((allocatedBitmap[word] & mask) == 0)
        {
            increment(INVALID_RELEASE_COUNTER_OFFSET, 1);
            return false;
        }
        allocatedBitmap[word] &= ~mask;

        final int free = freeCount[natAddressIndex];
        int tail = ringHead[natAddressIndex] + free;
        if (tail >= portCount)
        {
            tail -= portCount;
        }
        freeRing[natAddressIndex * portCount + tail] = port;
        freeCount[natAddressIndex] = free + 1;
        increment(ALLOCATED_COUNTER_OFFSET, -1);

        return true;
    }

    /**
     * Free ports of a NAT address. Writer thread only.
     *
     * @param natAddressIndex 0..natAddressCount-1.
     * @return number of ports {@link #allocate(int)} can still hand out, 0 for an index out of range.
     */
    public int available(final int natAddressIndex)
    {
        return natAddressIndex < 0 || natAddressIndex >= natAddressCount ? 0 : freeCount[natAddressIndex];
    }

    /**
     * Is this port currently allocated from this pool? Writer thread only.
     */
    public boolean isAllocated(final int natAddressIndex, final int port)
    {
        if (natAddressIndex < 0 || natAddressIndex >= natAddressCount || port < minPort || port > maxPort)
        {
            return false;
        }
        final int bit = port - minPort;

        return (allocatedBitmap[natAddressIndex * bitmapWordsPerAddress + (bit >>> 6)] & (1L << bit)) != 0;
    }

    public int natAddressCount()
    {
        return natAddressCount;
    }

    public int minPort()
    {
        return minPort;
    }

    public int maxPort()
    {
        return maxPort;
    }

    /**
     * Ports per NAT address, {@code maxPort - minPort + 1}.
     */
    public int portsPerAddress()
    {
        return portCount;
    }

    /**
     * {@link #allocate(int)} calls that found the pool empty. Any thread: acquire read of a release store.
     */
    public long exhaustedCount()
    {
        return counters.getLongVolatile(EXHAUSTED_COUNTER_OFFSET);
    }

    /**
     * {@link #release(int, int)} calls rejected. Any thread: acquire read of a release store.
     */
    public long invalidReleaseCount()
    {
        return counters.getLongVolatile(INVALID_RELEASE_COUNTER_OFFSET);
    }

    /**
     * Ports allocated across all addresses. Any thread: acquire read of a release store.
     */
    public long allocatedCount()
    {
        return counters.getLongVolatile(ALLOCATED_COUNTER_OFFSET);
    }

    private void increment(final int counterOffset, final long delta)
    {
        counters.putLongRelease(counterOffset, counters.getLong(counterOffset) + delta);
    }
}
