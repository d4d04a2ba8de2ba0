package vpce.flowtable;

import org.agrona.BitUtil;
import org.agrona.BufferUtil;
import org.agrona.collections.Long2ObjectHashMap;
import org.agrona.concurrent.UnsafeBuffer;

import java.util.Arrays;

/**
 * Source ports for the provider side of NAT: one pool per (NAT address, target address, target port).
 * <p>
 * <b>Why per target.</b> A binding only has to be unique as the 5-tuple (natIp, natPort, targetIp, targetPort, TCP),
 * which is the flow table's reverse key and what Linux masquerading and AWS use. So one NAT port may be in use
 * towards several targets (or target ports) at once, and each (address, target, targetPort) has its own
 * {@code maxPort - minPort + 1} ports (64,512 by default). Pools of one target can never hand out a binding that a
 * live flow holds, so no reverse-key collision is possible.
 * <p>
 * <b>Candidates.</b> A target is declared with a mask of the NAT addresses that may speak to it (bit i = address
 * index i): the datapath passes those on the next hop's network, the on-link rule. {@link #allocate(int, int)}
 * tries them in index order and moves on to the next only when a pool is exhausted; when all are, it returns
 * {@link #NO_PORT} and counts it ({@link #exhaustedCount()}), never throws.
 * <p>
 * <b>FIFO reuse, per pool.</b> A pool hands out its never-used ports first, in port order (a cursor over the
 * allocation bitmap), then released ports in the order they were released (a ring). That is the order a ring filled
 * with every port and appended to on release would give, so a released port waits behind every other free port of
 * its pool and is reused as late as possible: the provider (or a firewall in between) may still hold TIME_WAIT for
 * the old 5-tuple, and a quick reuse would get the new SYN dropped or answered with a stale ACK. The flow table
 * keeps the port through its own TIME_WAIT; callers release only from
 * {@link FlowExpiryHandler#onFlowExpired(FlowTable, int)}, after {@link FlowTable#remove(int)}, or when the flow
 * could not be created. The bitmap also makes {@link #release(int, int, int, int)} reject a port that is not
 * allocated (double release, wrong pool), which would otherwise put it in the ring twice and give it to two flows.
 * <p>
 * <b>Memory.</b> Once a pool has gone round, a strict FIFO must remember the order of every free port, so each pool
 * costs N bits of bitmap and N 16-bit ring entries, N = {@code maxPort - minPort + 1}: {@link #bytesPerPool()}
 * = 137,088 bytes (134 KiB) at the default range, half of an int ring. Pools exist only for the declared
 * (target, targetPort) pairs times their candidate addresses, plus retired ones that still hold ports:
 * 100 pairs x 4 addresses = 400 pools = 55 MB; 1,000 pairs x 2 addresses = 274 MB.
 * <p>
 * <b>Pool lifecycle.</b> The writer declares the complete set of targets of each new configuration snapshot with
 * {@link #beginTargets()}, {@link #target(int, int, long)} for each, {@link #endTargets()}: missing pools are
 * created there, the only place (with {@link #claim(int, int, int, int)}) that allocates, so call it outside the
 * per-packet path. A target left out of the latest round is retired: its pools are dropped at once if none of
 * their ports is allocated, otherwise by the {@code release} of the last one. A target that comes back later
 * starts with fresh pools; its old ports were released after the flow table's TIME_WAIT.
 * <p>
 * <b>Threads.</b> Owned by one datapath worker (the same one as its {@link FlowTable}); with several workers give
 * each its own allocator over disjoint NAT addresses or disjoint port ranges. Building it and
 * {@link #claim(int, int, int, int)}ing restored bindings happen before the worker thread starts, which publishes
 * them to it. Other threads may call only the counter getters ({@link #exhaustedCount()},
 * {@link #invalidReleaseCount()}, {@link #allocatedCount()}, {@link #spilledCount()}, {@link #unknownTargetCount()},
 * {@link #poolCount()}): the writer stores them with {@link UnsafeBuffer#putLongRelease(int, long)} and the getters
 * read with {@link UnsafeBuffer#getLongVolatile(int)}.
 */
public final class NatPortAllocator
{
    /**
     * {@link #allocate(int, int)} result when no candidate pool has a free port or the target is not declared.
     */
    public static final int NO_PORT = -1;

    public static final int DEFAULT_MIN_PORT = 1024;
    public static final int DEFAULT_MAX_PORT = 65535;

    /** Candidate masks are longs. */
    public static final int MAX_NAT_ADDRESSES = 64;

    private static final int EXHAUSTED_COUNTER_OFFSET = 0;
    private static final int INVALID_RELEASE_COUNTER_OFFSET = 8;
    private static final int ALLOCATED_COUNTER_OFFSET = 16;
    private static final int SPILLED_COUNTER_OFFSET = 24;
    private static final int UNKNOWN_TARGET_COUNTER_OFFSET = 32;
    private static final int POOLS_COUNTER_OFFSET = 40;
    private static final int COUNTERS_LENGTH = 64;
    /** A target declared by no round yet (created by a claim). */
    private static final int NEVER_DECLARED = -1;

    private final int natAddressCount;
    private final int minPort;
    private final int maxPort;
    private final int portCount;
    private final int bitmapWords;
    private final Long2ObjectHashMap<Target> targetsByKey = new Long2ObjectHashMap<>();
    /** The same targets, for the sweep at the end of a round; a target knows its index here. */
    private Target[] targets = new Target[16];
    private int targetCount;
    private int poolCount;
    /** The round being declared, and the last one ended: only a target left out of an ended round retires. */
    private int round;
    private int endedRound;
    private final UnsafeBuffer counters;

    /**
     * Pools of ports {@value #DEFAULT_MIN_PORT}..{@value #DEFAULT_MAX_PORT}.
     *
     * @param natAddressCount number of NAT addresses, indexed 0..natAddressCount-1, at most {@value #MAX_NAT_ADDRESSES}.
     */
    public NatPortAllocator(final int natAddressCount)
    {
        this(natAddressCount, DEFAULT_MIN_PORT, DEFAULT_MAX_PORT);
    }

    /**
     * @param natAddressCount number of NAT addresses, indexed 0..natAddressCount-1, at most {@value #MAX_NAT_ADDRESSES}.
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
        if (natAddressCount < 1 || natAddressCount > MAX_NAT_ADDRESSES)
        {
            throw new IllegalArgumentException("natAddressCount=" + natAddressCount + " must be in 1.." + MAX_NAT_ADDRESSES);
        }
        this.natAddressCount = natAddressCount;
        this.minPort = minPort;
        this.maxPort = maxPort;
        this.portCount = maxPort - minPort + 1;
        this.bitmapWords = (portCount + 63) >>> 6;
        counters = new UnsafeBuffer(BufferUtil.allocateDirectAligned(COUNTERS_LENGTH, BitUtil.CACHE_LINE_LENGTH));
    }

    /**
     * Starts declaring the targets of a new configuration; see {@link #endTargets()}.
     */
    public void beginTargets()
    {
        round++;
    }

    /**
     * Declares a target in the current round and creates its missing pools (allocates: not on the packet path).
     *
     * @param targetIp           the target's address.
     * @param targetPort         the target's port, 0..65535.
     * @param candidateAddresses bit i set: NAT address i may be used towards it; tried in index order. Bits of
     *                           addresses beyond {@code natAddressCount} are ignored.
     * @return false (nothing declared) when the port is out of range or no candidate is left.
     */
    public boolean target(final int targetIp, final int targetPort, final long candidateAddresses)
    {
        final long candidates = candidateAddresses & addressMask();
        if (targetPort < 0 || targetPort > 65535 || candidates == 0)
        {
            return false;
        }
        final Target target = targetOrNew(targetIp, targetPort);
        target.declaredRound = round;
        target.candidates = candidates;
        for (long c = candidates; c != 0; c &= c - 1)
        {
            poolOrNew(target, Long.numberOfTrailingZeros(c));
        }
        publishPoolCount();
        return true;
    }

    /**
     * Ends the round: every target not declared since {@link #beginTargets()} is retired, at once if it holds no
     * port, else when its last port is released.
     *
     * @return the number of pools now in existence.
     */
    public int endTargets()
    {
        for (int i = targetCount - 1; i >= 0; i--)
        {
            final Target target = targets[i];
            if (target.declaredRound < round && target.allocated == 0)
            {
                retire(target);
            }
        }
        endedRound = round;
        publishPoolCount();
        return poolCount;
    }

    /**
     * Takes the least recently released free port towards a target, from its first candidate address whose pool
     * is not exhausted. Allocation-free.
     *
     * @return {@code natAddressIndex << 16 | port} (see {@link #natAddressIndexOf(int)}, {@link #portOf(int)}), or
     * {@link #NO_PORT} when every candidate pool is exhausted (counted in {@link #exhaustedCount()}) or the target
     * was never declared (counted in {@link #unknownTargetCount()}).
     */
    public int allocate(final int targetIp, final int targetPort)
    {
        final Target target = targetPort < 0 || targetPort > 65535 ? null : targetsByKey.get(key(targetIp, targetPort));
        if (target == null)
        {
            increment(UNKNOWN_TARGET_COUNTER_OFFSET, 1);
            return NO_PORT;
        }
        boolean first = true;
        for (long c = target.candidates; c != 0; c &= c - 1)
        {
            final int address = Long.numberOfTrailingZeros(c);
            final Pool pool = target.pools[address];
            if (pool.allocated < portCount)
            {
                final int offset = take(pool);
                target.allocated++;
                increment(ALLOCATED_COUNTER_OFFSET, 1);
                if (!first)
                {
                    increment(SPILLED_COUNTER_OFFSET, 1);
                }
                return address << 16 | (minPort + offset);
            }
            first = false;
        }
        increment(EXHAUSTED_COUNTER_OFFSET, 1);
        return NO_PORT;
    }

    /**
     * @param allocation a result of {@link #allocate(int, int)} other than {@link #NO_PORT}.
     * @return the index of the NAT address it came from.
     */
    public static int natAddressIndexOf(final int allocation)
    {
        return allocation >>> 16;
    }

    /**
     * @param allocation a result of {@link #allocate(int, int)} other than {@link #NO_PORT}.
     * @return the NAT port.
     */
    public static int portOf(final int allocation)
    {
        return allocation & 0xFFFF;
    }

    /**
     * Returns a port to the tail of its pool. Allocation-free.
     *
     * @return true if released; false (and counted) if there is no such pool or the port is not allocated in it.
     */
    public boolean release(final int natAddressIndex, final int targetIp, final int targetPort, final int port)
    {
        final Pool pool = pool(natAddressIndex, targetIp, targetPort);
        final int offset = port - minPort;
        if (pool == null || port < minPort || port > maxPort || !isSet(pool.allocatedBits, offset))
        {
            increment(INVALID_RELEASE_COUNTER_OFFSET, 1);
            return false;
        }
        clear(pool.allocatedBits, offset);
        pool.allocated--;
        // A port the cursor has not reached yet is fresh again: only a claimed one before claimsDone().
        if (offset < pool.cursor)
        {
            int tail = pool.head + pool.queued;
            if (tail >= portCount)
            {
                tail -= portCount;
            }
            pool.ring[tail] = (char)offset;
            pool.queued++;
        }
        final Target target = pool.target;
        target.allocated--;
        increment(ALLOCATED_COUNTER_OFFSET, -1);
        if (target.allocated == 0 && target.declaredRound < endedRound)
        {
            retire(target);
            publishPoolCount();
        }
        return true;
    }

    /**
     * Marks a binding that a flow restored after a restart already holds (start-up only, before any
     * {@link #allocate(int, int)} from that pool), creating the target and its pool if needed. A target no round
     * declares is retired when its last port is released. Call {@link #claimsDone()} after the last claim.
     *
     * @return true if claimed; false if out of range, already claimed, or the pool has already handed out ports.
     */
    public boolean claim(final int natAddressIndex, final int targetIp, final int targetPort, final int port)
    {
        if (natAddressIndex < 0 || natAddressIndex >= natAddressCount || targetPort < 0 || targetPort > 65535 ||
            port < minPort || port > maxPort)
        {
            return false;
        }
        final Target target = targetOrNew(targetIp, targetPort);
        final Pool pool = poolOrNew(target, natAddressIndex);
        publishPoolCount();
        final int offset = port - minPort;
        if (pool.cursor != 0 || pool.queued != 0 || isSet(pool.allocatedBits, offset))
        {
            return false;
        }
        set(pool.allocatedBits, offset);
        pool.allocated++;
        pool.claimed = true;
        target.allocated++;
        increment(ALLOCATED_COUNTER_OFFSET, 1);
        return true;
    }

    /**
     * Ends the claims (start-up only): each pool with claimed ports lines up all its free ports in port order, so
     * that a claimed port, when released, waits behind every one of them. One pass over each such pool.
     */
    public void claimsDone()
    {
        for (int t = 0; t < targetCount; t++)
        {
            for (final Pool pool : targets[t].pools)
            {
                if (pool != null && pool.claimed)
                {
                    int queued = 0;
                    for (int offset = 0; offset < portCount; offset++)
                    {
                        if (!isSet(pool.allocatedBits, offset))
                        {
                            pool.ring[queued++] = (char)offset;
                        }
                    }
                    pool.head = 0;
                    pool.queued = queued;
                    pool.cursor = portCount;
                    pool.claimed = false;
                }
            }
        }
    }

    /**
     * Free ports of one pool; writer thread only.
     *
     * @return ports {@link #allocate(int, int)} can still take from this address towards the target; 0 without a
     * pool.
     */
    public int available(final int natAddressIndex, final int targetIp, final int targetPort)
    {
        final Pool pool = pool(natAddressIndex, targetIp, targetPort);
        return pool == null ? 0 : portCount - pool.allocated;
    }

    /**
     * Is this binding allocated? Writer thread only.
     */
    public boolean isAllocated(final int natAddressIndex, final int targetIp, final int targetPort, final int port)
    {
        final Pool pool = pool(natAddressIndex, targetIp, targetPort);
        return pool != null && port >= minPort && port <= maxPort && isSet(pool.allocatedBits, port - minPort);
    }

    /**
     * Is there a pool for this address and target? Writer thread only.
     */
    public boolean hasPool(final int natAddressIndex, final int targetIp, final int targetPort)
    {
        return pool(natAddressIndex, targetIp, targetPort) != null;
    }

    /**
     * Targets with pools (declared or retiring); writer thread only.
     */
    public int targetCount()
    {
        return targetCount;
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
     * Ports per pool, {@code maxPort - minPort + 1}.
     */
    public int portsPerPool()
    {
        return portCount;
    }

    /**
     * Memory of one pool's bitmap and ring, the bound per pool.
     */
    public long bytesPerPool()
    {
        return (long)bitmapWords * Long.BYTES + (long)portCount * Character.BYTES;
    }

    /**
     * {@link #allocate(int, int)} calls that found every candidate pool exhausted. Any thread: acquire read of a
     * release store.
     */
    public long exhaustedCount()
    {
        return counters.getLongVolatile(EXHAUSTED_COUNTER_OFFSET);
    }

    /**
     * {@link #allocate(int, int)} calls for a target with no pools. Any thread.
     */
    public long unknownTargetCount()
    {
        return counters.getLongVolatile(UNKNOWN_TARGET_COUNTER_OFFSET);
    }

    /**
     * Allocations served by a candidate after the first, because the earlier ones were exhausted. Any thread.
     */
    public long spilledCount()
    {
        return counters.getLongVolatile(SPILLED_COUNTER_OFFSET);
    }

    /**
     * {@link #release(int, int, int, int)} calls rejected. Any thread.
     */
    public long invalidReleaseCount()
    {
        return counters.getLongVolatile(INVALID_RELEASE_COUNTER_OFFSET);
    }

    /**
     * Ports allocated across all pools. Any thread.
     */
    public long allocatedCount()
    {
        return counters.getLongVolatile(ALLOCATED_COUNTER_OFFSET);
    }

    /**
     * Pools in existence, each {@link #bytesPerPool()}. Any thread.
     */
    public long poolCount()
    {
        return counters.getLongVolatile(POOLS_COUNTER_OFFSET);
    }

    private int take(final Pool pool)
    {
        if (pool.cursor < portCount)
        {
            final int offset = nextClearBit(pool.allocatedBits, pool.cursor);
            if (offset < portCount)
            {
                set(pool.allocatedBits, offset);
                pool.cursor = offset + 1;
                pool.allocated++;
                return offset;
            }
            pool.cursor = portCount;
        }
        // Every free port is now in the ring (allocated < portCount was checked).
        final int offset = pool.ring[pool.head];
        pool.head = pool.head + 1 == portCount ? 0 : pool.head + 1;
        pool.queued--;
        set(pool.allocatedBits, offset);
        pool.allocated++;
        return offset;
    }

    private int nextClearBit(final long[] bits, final int from)
    {
        int word = from >>> 6;
        long free = ~bits[word] & (-1L << from);
        while (free == 0)
        {
            if (++word == bitmapWords)
            {
                return portCount;
            }
            free = ~bits[word];
        }
        // Bits past portCount in the last word read as free: clamp.
        return Math.min((word << 6) + Long.numberOfTrailingZeros(free), portCount);
    }

    private Pool pool(final int natAddressIndex, final int targetIp, final int targetPort)
    {
        if (natAddressIndex < 0 || natAddressIndex >= natAddressCount || targetPort < 0 || targetPort > 65535)
        {
            return null;
        }
        final Target target = targetsByKey.get(key(targetIp, targetPort));
        return target == null ? null : target.pools[natAddressIndex];
    }

    private Target targetOrNew(final int targetIp, final int targetPort)
    {
        final long key = key(targetIp, targetPort);
        Target target = targetsByKey.get(key);
        if (target == null)
        {
            target = new Target(key, natAddressCount);
            targetsByKey.put(key, target);
            if (targetCount == targets.length)
            {
                targets = Arrays.copyOf(targets, targetCount * 2);
            }
            target.index = targetCount;
            targets[targetCount++] = target;
        }
        return target;
    }

    private Pool poolOrNew(final Target target, final int natAddressIndex)
    {
        Pool pool = target.pools[natAddressIndex];
        if (pool == null)
        {
            pool = new Pool(target, bitmapWords, portCount);
            target.pools[natAddressIndex] = pool;
            poolCount++;
        }
        return pool;
    }

    /** Allocation-free: may run on the packet path, from the release of a retired target's last port. */
    private void retire(final Target target)
    {
        targetsByKey.remove(target.key);
        final Target last = targets[--targetCount];
        targets[target.index] = last;
        last.index = target.index;
        targets[targetCount] = null;
        for (final Pool pool : target.pools)
        {
            if (pool != null)
            {
                poolCount--;
            }
        }
    }

    private long addressMask()
    {
        return natAddressCount == 64 ? -1L : (1L << natAddressCount) - 1;
    }

    private static long key(final int targetIp, final int targetPort)
    {
        return (targetIp & 0xFFFF_FFFFL) << 16 | targetPort;
    }

    private static boolean isSet(final long[] bits, final int offset)
    {
        return (bits[offset >>> 6] & (1L << offset)) != 0;
    }

    private static void set(final long[] bits, final int offset)
    {
        bits[offset >>> 6] |= 1L << offset;
    }

    private static void clear(final long[] bits, final int offset)
    {
        bits[offset >>> 6] &= ~(1L << offset);
    }

    private void publishPoolCount()
    {
        counters.putLongRelease(POOLS_COUNTER_OFFSET, poolCount);
    }

    private void increment(final int counterOffset, final long delta)
    {
        counters.putLongRelease(counterOffset, counters.getLong(counterOffset) + delta);
    }

    /** The pools towards one (target, targetPort), by NAT address index. */
    private static final class Target
    {
        final long key;
        final Pool[] pools;
        /** Addresses {@link #allocate(int, int)} may use, as declared last. */
        long candidates;
        /** Ports allocated over all its pools: the target retires when this reaches 0 outside its round. */
        int allocated;
        int declaredRound = NEVER_DECLARED;
        int index;

        Target(final long key, final int natAddressCount)
        {
            this.key = key;
            this.pools = new Pool[natAddressCount];
        }
    }

    /**
     * One (address, target, targetPort) pool. Free ports are those at or past {@code cursor} whose bit is clear
     * (never handed out, in port order), then {@code queued} released ones in the ring from {@code head}.
     */
    private static final class Pool
    {
        final Target target;
        final long[] allocatedBits;
        /** Port offsets; 16 bits hold any offset of a 1..65535 range. */
        final char[] ring;
        int cursor;
        int head;
        int queued;
        int allocated;
        boolean claimed;

        Pool(final Target target, final int bitmapWords, final int portCount)
        {
            this.target = target;
            this.allocatedBits = new long[bitmapWords];
            this.ring = new char[portCount];
        }
    }
}
