package vpce.appliance.flowlog;

import org.agrona.concurrent.AtomicBuffer;
import org.agrona.concurrent.ringbuffer.RingBuffer;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Arrays;

import static vpce.appliance.flowlog.FlowLogRecordDescriptor.*;

/**
 * Aggregates packets into VPC Flow Log records (format version 2) on the datapath agent's
 * thread and publishes each closed capture window into a one-to-one ring buffer as binary
 * messages ({@link FlowLogRecordDescriptor}) for the {@link FlowLogWriterAgent}.
 *
 * <p><b>Single writer.</b> Every method except the counter getters belongs to the thread that
 * owns the datapath: {@link #record} on the packet path, {@link #flushIfDue} from housekeeping,
 * {@link #enabledInterfaces} when that thread takes a new snapshot. No locks and no allocation
 * after construction.
 *
 * <p><b>Aggregation key</b> (as AWS): interface, source and destination address and port,
 * protocol and action. A record's start and end are the times of its first and last packet.
 *
 * <p><b>Windows.</b> A capture window opens with the first packet recorded after the previous
 * one closed and ends {@code windowNs} later (AWS offers 60 s or 600 s; the configuration
 * validates the value, this class only needs it positive). Packets that arrive after the end but
 * before the next {@link #flushIfDue} still join the ending window, so {@code flushIfDue} should
 * run at housekeeping pace (milliseconds).
 *
 * <p><b>Two tables.</b> At the end of a window the current table becomes the <i>draining</i>
 * table and an empty one takes the packets: a flush publishes at most {@code maxRecordsPerFlush}
 * messages per call, so a full 65,536-record window never stalls forwarding for one long
 * housekeeping pass, and the ring only needs room for a few batches instead of a whole window.
 * When the ring is full the drain stops and resumes on the next call: nothing is lost for a slow
 * writer. Only when the next window ends while the previous one still has not drained (the
 * writer was stuck for a whole window) are its remaining records given up: they are counted in
 * {@link #recordsSkipped()} and reported as {@code SKIPDATA} for their interfaces with the next
 * window.
 *
 * <p><b>Table full.</b> A packet whose key is new when the table already holds
 * {@code capacity} records is not captured: it is counted in {@link #packetsSkipped()} and its
 * interface gets a {@code SKIPDATA} record for the window. Existing records keep aggregating.
 *
 * <p><b>Clocks.</b> Packets carry the agent's monotonic {@code nowNs} (read once per duty
 * cycle). Each flush receives the wall clock as {@code epochNowMs} and converts with the offset
 * {@code epochNowMs * 10^6 - nowNs} taken at that moment, so a step of the wall clock (NTP)
 * affects only records published after it and the monotonic clock never needs a wall-clock
 * anchor at construction.
 *
 * <p><b>Memory ordering.</b> The ring buffer is the only channel to the writer thread; its
 * commit is a release store paired with the reader's acquire load of the record header, which
 * also publishes the message body written before it. The enabled-interfaces array is replaced
 * by a plain field write from the same thread that reads it, so it needs no ordering. The
 * counters are written only by the owning thread with release stores ({@code setRelease} after
 * a plain read of its own last value) and read by other threads with acquire loads. A drain
 * stores {@link #recordsPublished()} after its last commit, so the writer's
 * {@code linesWritten} may be ahead of it for a moment; they agree once the ring is drained.
 */
public final class FlowLogAggregator
{
    public static final long DEFAULT_WINDOW_NS = 60_000_000_000L;
    public static final int DEFAULT_MAX_RECORDS_PER_FLUSH = 1024;

    private static final long NANOS_PER_SECOND = 1_000_000_000L;
    private static final long NANOS_PER_MILLI = 1_000_000L;
    private static final boolean[] NONE_ENABLED = new boolean[0];

    private static final VarHandle RECORDS_PUBLISHED;
    private static final VarHandle SKIP_RECORDS_PUBLISHED;
    private static final VarHandle RECORDS_SKIPPED;
    private static final VarHandle PACKETS_SKIPPED;

    static
    {
        try
        {
            final MethodHandles.Lookup lookup = MethodHandles.lookup();
            RECORDS_PUBLISHED = lookup.findVarHandle(FlowLogAggregator.class, "recordsPublished", long.class);
            SKIP_RECORDS_PUBLISHED = lookup.findVarHandle(FlowLogAggregator.class, "skipRecordsPublished", long.class);
            RECORDS_SKIPPED = lookup.findVarHandle(FlowLogAggregator.class, "recordsSkipped", long.class);
            PACKETS_SKIPPED = lookup.findVarHandle(FlowLogAggregator.class, "packetsSkipped", long.class);
        }
        catch (final ReflectiveOperationException ex)
        {
            throw new ExceptionInInitializerError(ex);
        }
    }

    private final RingBuffer ring;
    private final AtomicBuffer ringBuffer;
    private final long windowNs;
    private final int maxInterfaces;
    private final int maxRecordsPerFlush;

    private boolean[] enabled = NONE_ENABLED;
    private Window current;
    /** The closed window being published, or null. */
    private Window draining;
    /** The empty table that becomes current at the next swap; null while {@link #draining} is set. */
    private Window spare;
    private long windowEndNs;
    /** Wall clock minus monotonic clock, in ns, taken at the start of each flush call. */
    private long epochOffsetNs;

    private long recordsPublished;
    private long skipRecordsPublished;
    private long recordsSkipped;
    private long packetsSkipped;

    /**
     * @param capacity           records one window can hold (e.g. 65,536); the hash index has
     *                           at least twice as many slots so probes stay short.
     * @param windowNs           capture window length.
     * @param maxInterfaces      interface indices are in {@code [0, maxInterfaces)}.
     * @param maxRecordsPerFlush messages published by one {@link #flushIfDue} call at most.
     * @param ring               one-to-one ring to the writer; this object is its only producer.
     */
    public FlowLogAggregator(
        final int capacity,
        final long windowNs,
        final int maxInterfaces,
        final int maxRecordsPerFlush,
        final RingBuffer ring)
    {
        if (capacity < 1 || capacity > (1 << 28))
        {
            throw new IllegalArgumentException("capacity must be in [1, 2^28]: " + capacity);
        }
        if (windowNs <= 0)
        {
            throw new IllegalArgumentException("windowNs must be positive: " + windowNs);
        }
        if (maxInterfaces < 1)
        {
            throw new IllegalArgumentException("maxInterfaces must be positive: " + maxInterfaces);
        }
        if (maxRecordsPerFlush < 1)
        {
            throw new IllegalArgumentException("maxRecordsPerFlush must be positive: " + maxRecordsPerFlush);
        }
        if (ring.maxMsgLength() < Math.max(FLOW_LENGTH, SKIP_LENGTH))
        {
            throw new IllegalArgumentException("ring too small: max message " + ring.maxMsgLength() + " bytes");
        }
        this.windowNs = windowNs;
        this.maxInterfaces = maxInterfaces;
        this.maxRecordsPerFlush = maxRecordsPerFlush;
        this.ring = ring;
        this.ringBuffer = ring.buffer();
        current = new Window(capacity, maxInterfaces);
        spare = new Window(capacity, maxInterfaces);
    }

    /**
     * Replace the set of interfaces whose traffic is logged (off for all by default). Called by
     * the owning thread when it takes a new snapshot; the array must not be changed afterwards.
     * Records already captured for an interface that is now disabled are still published.
     *
     * @param enabled {@code enabled[i]} logs interface {@code i}; at most {@code maxInterfaces} long.
     */
    public void enabledInterfaces(final boolean[] enabled)
    {
        if (enabled.length > maxInterfaces)
        {
            throw new IllegalArgumentException(enabled.length + " interfaces, at most " + maxInterfaces);
        }
        this.enabled = enabled;
    }

    public boolean isEnabled(final int interfaceIndex)
    {
        final boolean[] enabled = this.enabled;
        return interfaceIndex >= 0 && interfaceIndex < enabled.length && enabled[interfaceIndex];
    }

    /**
     * Count one packet in the current window. Packets of interfaces that are not enabled are
     * ignored, so the caller may skip {@link #isEnabled} (or call it first to avoid gathering
     * the fields).
     *
     * @param accept true for ACCEPT, false for REJECT (dropped by an ACL or security group).
     * @param bytes  IP packet length (AWS counts the IP packet, not the Ethernet frame).
     * @param nowNs  the agent's cached monotonic time for this duty cycle.
     */
    public void record(
        final int interfaceIndex,
        final int srcIp,
        final int dstIp,
        final int srcPort,
        final int dstPort,
        final int protocol,
        final boolean accept,
        final int bytes,
        final long nowNs)
    {
        if (!isEnabled(interfaceIndex))
        {
            return;
        }
        final Window window = current;
        if (!window.isOpen())
        {
            windowEndNs = nowNs + windowNs;
        }
        if (!window.add(interfaceIndex, srcIp, dstIp, srcPort, dstPort, protocol, accept, bytes, nowNs))
        {
            window.addSkip(interfaceIndex, 1, 0, nowNs, nowNs);
            PACKETS_SKIPPED.setRelease(this, packetsSkipped + 1);
        }
    }

    /**
     * Housekeeping: continue publishing the previous window if it is not done, and close the
     * current window if its time is up. Cheap when there is nothing to do.
     *
     * @param nowNs      the agent's cached monotonic time.
     * @param epochNowMs the wall clock now (e.g. {@code SystemEpochClock.INSTANCE.time()}).
     * @return messages published into the ring by this call.
     */
    public int flushIfDue(final long nowNs, final long epochNowMs)
    {
        int published = 0;
        if (draining != null)
        {
            epochOffsetNs = epochNowMs * NANOS_PER_MILLI - nowNs;
            published += drain(maxRecordsPerFlush);
        }
        if (isFlushDue(nowNs))
        {
            epochOffsetNs = epochNowMs * NANOS_PER_MILLI - nowNs;
            if (draining != null)
            {
                // The writer could not take the previous window during a whole window: give it up.
                abandon(draining, current);
            }
            swap();
            published += drain(maxRecordsPerFlush - published);
        }
        return published;
    }

    /** True when the current window has ended; lets housekeeping read the wall clock only then. */
    public boolean isFlushDue(final long nowNs)
    {
        return current.isOpen() && nowNs - windowEndNs >= 0;
    }

    /**
     * Shut-down: close the current window now, whatever its age, and publish as much as the ring
     * takes without ever giving records up. Call until {@link #hasPendingRecords()} is false
     * (with a deadline, while the writer agent still runs), from the thread that owns this
     * object, or from another after that thread has ended (the join orders the hand-over).
     *
     * @return messages published into the ring by this call.
     */
    public int drainNow(final long nowNs, final long epochNowMs)
    {
        epochOffsetNs = epochNowMs * NANOS_PER_MILLI - nowNs;
        int published = 0;
        if (draining != null)
        {
            published += drain(maxRecordsPerFlush);
        }
        if (draining == null && current.isOpen())
        {
            swap();
            published += drain(maxRecordsPerFlush - published);
        }
        return published;
    }

    /** True while a window holds records or SKIPDATA not yet published. */
    public boolean hasPendingRecords()
    {
        return draining != null || current.isOpen();
    }

    /** Records of the current (not yet closed) window. */
    public int currentRecordCount()
    {
        return current.size;
    }

    /** Flow records (ACCEPT/REJECT ... OK) published into the ring. Any thread. */
    public long recordsPublished()
    {
        return (long)RECORDS_PUBLISHED.getAcquire(this);
    }

    /** SKIPDATA records published into the ring. Any thread. */
    public long skipRecordsPublished()
    {
        return (long)SKIP_RECORDS_PUBLISHED.getAcquire(this);
    }

    /** Flow records given up because the ring stayed full for a whole window. Any thread. */
    public long recordsSkipped()
    {
        return (long)RECORDS_SKIPPED.getAcquire(this);
    }

    /** Packets not captured in any record because the table was full. Any thread. */
    public long packetsSkipped()
    {
        return (long)PACKETS_SKIPPED.getAcquire(this);
    }

    private void swap()
    {
        draining = current;
        current = spare;
        spare = null;
    }

    /**
     * Publish up to {@code limit} messages of the draining window: its records in the order they
     * were created, then one SKIPDATA per interface that had skips. Stops early when the ring is
     * full; the cursors let the next call resume exactly there.
     */
    private int drain(final int limit)
    {
        final Window window = draining;
        int published = 0;
        int flows = 0;
        int skips = 0;
        boolean done = false;
        while (published < limit)
        {
            if (window.recordCursor < window.size)
            {
                if (!publishFlow(window, window.recordCursor))
                {
                    break;
                }
                window.recordCursor++;
                flows++;
                published++;
            }
            else if (window.skipInterfaces > 0 && window.interfaceCursor < maxInterfaces)
            {
                final int i = window.interfaceCursor;
                if (window.hasSkip(i))
                {
                    if (!publishSkip(window, i))
                    {
                        break;
                    }
                    window.clearSkip(i);
                    skips++;
                    published++;
                }
                window.interfaceCursor++;
            }
            else
            {
                done = true;
                break;
            }
        }
        if (!done && window.recordCursor >= window.size && window.skipInterfaces == 0)
        {
            done = true;
        }
        if (done)
        {
            window.clear();
            spare = window;
            draining = null;
        }
        if (flows > 0)
        {
            RECORDS_PUBLISHED.setRelease(this, recordsPublished + flows);
        }
        if (skips > 0)
        {
            SKIP_RECORDS_PUBLISHED.setRelease(this, skipRecordsPublished + skips);
        }
        return published;
    }

    /** Move what {@code from} did not publish into the SKIPDATA state of {@code into}. */
    private void abandon(final Window from, final Window into)
    {
        final int lost = from.size - from.recordCursor;
        for (int r = from.recordCursor; r < from.size; r++)
        {
            into.addSkip(from.interfaces[r], 0, 1, from.firstNs[r], from.lastNs[r]);
        }
        if (from.skipInterfaces > 0)
        {
            for (int i = 0; i < maxInterfaces; i++)
            {
                if (from.hasSkip(i))
                {
                    into.addSkip(i, from.skippedPackets[i], from.skippedRecords[i], from.skipFirstNs[i], from.skipLastNs[i]);
                }
            }
        }
        if (lost > 0)
        {
            RECORDS_SKIPPED.setRelease(this, recordsSkipped + lost);
        }
        from.clear();
        spare = from;
        draining = null;
    }

    private boolean publishFlow(final Window window, final int r)
    {
        final int index = ring.tryClaim(FLOW_MSG_TYPE_ID, FLOW_LENGTH);
        if (index < 0)
        {
            return false;
        }
        final AtomicBuffer buffer = ringBuffer;
        final long addresses = window.addresses[r];
        final long portsProtocol = window.portsProtocol[r];
        buffer.putInt(index + INTERFACE_INDEX_OFFSET, window.interfaces[r]);
        buffer.putInt(index + SRC_ADDR_OFFSET, (int)(addresses >>> 32));
        buffer.putInt(index + DST_ADDR_OFFSET, (int)addresses);
        buffer.putShort(index + SRC_PORT_OFFSET, (short)(portsProtocol >>> 48));
        buffer.putShort(index + DST_PORT_OFFSET, (short)(portsProtocol >>> 32));
        buffer.putLong(index + PACKETS_OFFSET, window.packets[r]);
        buffer.putLong(index + BYTES_OFFSET, window.bytes[r]);
        buffer.putLong(index + FLOW_START_OFFSET, epochSeconds(window.firstNs[r]));
        buffer.putLong(index + FLOW_END_OFFSET, epochSeconds(window.lastNs[r]));
        buffer.putByte(index + PROTOCOL_OFFSET, (byte)(portsProtocol >>> 8));
        buffer.putByte(index + ACTION_OFFSET, (byte)(portsProtocol & 1));
        ring.commit(index);
        return true;
    }

    private boolean publishSkip(final Window window, final int interfaceIndex)
    {
        final int index = ring.tryClaim(SKIP_MSG_TYPE_ID, SKIP_LENGTH);
        if (index < 0)
        {
            return false;
        }
        final AtomicBuffer buffer = ringBuffer;
        buffer.putInt(index + INTERFACE_INDEX_OFFSET, interfaceIndex);
        buffer.putInt(index + INTERFACE_INDEX_OFFSET + 4, 0);
        buffer.putLong(index + SKIP_START_OFFSET, epochSeconds(window.skipFirstNs[interfaceIndex]));
        buffer.putLong(index + SKIP_END_OFFSET, epochSeconds(window.skipLastNs[interfaceIndex]));
        buffer.putLong(index + SKIP_PACKETS_OFFSET, window.skippedPackets[interfaceIndex]);
        buffer.putLong(index + SKIP_RECORDS_OFFSET, window.skippedRecords[interfaceIndex]);
        ring.commit(index);
        return true;
    }

    private long epochSeconds(final long monotonicNs)
    {
        return Math.floorDiv(monotonicNs + epochOffsetNs, NANOS_PER_SECOND);
    }

    /**
     * One window's records: an open-addressing (linear probing) index of record numbers over
     * dense primitive columns, so a flush walks records in creation order and a clear touches
     * only the slots used. Keys are packed into two longs and an int to compare in three loads.
     */
    static final class Window
    {
        final int capacity;
        final int mask;
        /** Hash slot to record number + 1; 0 is an empty slot. */
        final int[] index;
        final int[] slotOfRecord;
        final int[] interfaces;
        /** src << 32 | dst. */
        final long[] addresses;
        /** srcPort << 48 | dstPort << 32 | protocol << 8 | action. */
        final long[] portsProtocol;
        final long[] packets;
        final long[] bytes;
        final long[] firstNs;
        final long[] lastNs;
        int size;

        final long[] skippedPackets;
        final long[] skippedRecords;
        final long[] skipFirstNs;
        final long[] skipLastNs;
        /** Interfaces with a non-zero skip count. */
        int skipInterfaces;

        int recordCursor;
        int interfaceCursor;

        Window(final int capacity, final int maxInterfaces)
        {
            this.capacity = capacity;
            // At most a quarter full: linear probes stay a cache line or two long.
            final int slots = Integer.highestOneBit(capacity) << 2;
            mask = slots - 1;
            index = new int[slots];
            slotOfRecord = new int[capacity];
            interfaces = new int[capacity];
            addresses = new long[capacity];
            portsProtocol = new long[capacity];
            packets = new long[capacity];
            bytes = new long[capacity];
            firstNs = new long[capacity];
            lastNs = new long[capacity];
            skippedPackets = new long[maxInterfaces];
            skippedRecords = new long[maxInterfaces];
            skipFirstNs = new long[maxInterfaces];
            skipLastNs = new long[maxInterfaces];
        }

        boolean isOpen()
        {
            return size > 0 || skipInterfaces > 0;
        }

        boolean add(
            final int interfaceIndex,
            final int srcIp,
            final int dstIp,
            final int srcPort,
            final int dstPort,
            final int protocol,
            final boolean accept,
            final int length,
            final long nowNs)
        {
            final long addressKey = ((long)srcIp << 32) | (dstIp & 0xFFFF_FFFFL);
            final long portsKey = ((long)(srcPort & 0xFFFF) << 48) | ((long)(dstPort & 0xFFFF) << 32) |
                ((protocol & 0xFF) << 8) | (accept ? ACTION_ACCEPT : ACTION_REJECT);
            int slot = hash(interfaceIndex, addressKey, portsKey) & mask;
            while (true)
            {
                final int r = index[slot] - 1;
                if (r < 0)
                {
                    if (size == capacity)
                    {
                        return false;
                    }
                    final int n = size++;
                    index[slot] = n + 1;
                    slotOfRecord[n] = slot;
                    interfaces[n] = interfaceIndex;
                    addresses[n] = addressKey;
                    portsProtocol[n] = portsKey;
                    packets[n] = 1;
                    bytes[n] = length & 0xFFFF_FFFFL;
                    firstNs[n] = nowNs;
                    lastNs[n] = nowNs;
                    return true;
                }
                if (addresses[r] == addressKey && portsProtocol[r] == portsKey && interfaces[r] == interfaceIndex)
                {
                    packets[r]++;
                    bytes[r] += length & 0xFFFF_FFFFL;
                    lastNs[r] = nowNs;
                    return true;
                }
                slot = (slot + 1) & mask;
            }
        }

        void addSkip(final int interfaceIndex, final long packetCount, final long recordCount, final long fromNs, final long toNs)
        {
            if (!hasSkip(interfaceIndex))
            {
                skipInterfaces++;
                skipFirstNs[interfaceIndex] = fromNs;
                skipLastNs[interfaceIndex] = toNs;
            }
            else
            {
                if (fromNs - skipFirstNs[interfaceIndex] < 0)
                {
                    skipFirstNs[interfaceIndex] = fromNs;
                }
                if (toNs - skipLastNs[interfaceIndex] > 0)
                {
                    skipLastNs[interfaceIndex] = toNs;
                }
            }
            skippedPackets[interfaceIndex] += packetCount;
            skippedRecords[interfaceIndex] += recordCount;
        }

        boolean hasSkip(final int interfaceIndex)
        {
            return skippedPackets[interfaceIndex] != 0 || skippedRecords[interfaceIndex] != 0;
        }

        void clearSkip(final int interfaceIndex)
        {
            skippedPackets[interfaceIndex] = 0;
            skippedRecords[interfaceIndex] = 0;
            skipInterfaces--;
        }

        void clear()
        {
            for (int r = 0; r < size; r++)
            {
                index[slotOfRecord[r]] = 0;
            }
            size = 0;
            recordCursor = 0;
            interfaceCursor = 0;
            if (skipInterfaces > 0)
            {
                Arrays.fill(skippedPackets, 0);
                Arrays.fill(skippedRecords, 0);
                skipInterfaces = 0;
            }
        }

        /** MurmurHash3's 64-bit finaliser over the mixed key: flows differ mostly in low port bits. */
        private static int hash(final int interfaceIndex, final long addressKey, final long portsKey)
        {
            long h = addressKey * 0x9E37_79B9_7F4A_7C15L ^ Long.rotateLeft(portsKey, 29) ^ ((long)interfaceIndex << 7);
            h ^= h >>> 33;
            h *= 0xFF51_AFD7_ED55_8CCDL;
            h ^= h >>> 33;
            h *= 0xC4CE_B9FE_1A85_EC53L;
            h ^= h >>> 33;
            return (int)h;
        }
    }
}
