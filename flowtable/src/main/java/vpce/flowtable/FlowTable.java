package vpce.flowtable;

import org.agrona.BitUtil;
import org.agrona.BufferUtil;
import org.agrona.UnsafeApi;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.security.SecureRandom;
import java.util.Objects;

/**
 * Connection tracking and NAT bookkeeping for one datapath worker, over primitives and off-heap memory.
 * <p>
 * A flow is a consumer connection to an endpoint ENI ({@code clientIp:clientPort -> eniIp:eniPort}) translated to a
 * provider target ({@code natIp:natPort -> targetIp:targetPort}). Each flow has an int id, the index of its record,
 * and is found by either of two keys:
 * <ul>
 *     <li>forward key, a packet from the consumer: (src=clientIp:clientPort, dst=eniIp:eniPort, protocol);</li>
 *     <li>reverse key, a reply from the provider: (src=targetIp:targetPort, dst=natIp:natPort, protocol).</li>
 * </ul>
 * Addresses are IPv4 as ints (10.0.1.2 is 0x0A000102), ports are 0..65535, protocol 0..255.
 *
 * <h2>Memory</h2>
 * Everything is allocated in the constructor; no operation allocates, boxes or captures. Records and buckets are
 * two anonymous mappings of the table's own, 2 MiB-aligned and advised {@code MADV_HUGEPAGE} when at least 2 MiB
 * (from about 22,000 flows), and touched in the constructor so no packet waits for a page fault. A random lookup in
 * a table of hundreds of MB misses the TLB on nearly every access with 4 KiB pages, while the 640 huge pages of a
 * 10M-flow table fit the second-level TLB (in a VM the host's page size still counts).
 * {@link #hugePagesAdvised()} says whether the advice was taken, {@code AnonHugePages} in
 * {@code /proc/<pid>/smaps} what the kernel granted. {@link #close()} unmaps both; a table that is never closed is
 * unmapped by a cleaner once unreachable.
 * <p>
 * A lookup is two dependent cache misses, the bucket and then the record, which no single lookup can overlap.
 * {@link #lookupForwardBatch} and {@link #lookupReverseBatch} look up a receive batch of keys in passes that load
 * all home buckets, then all candidate records, so the misses of the batch are in flight together. A create
 * likewise loads its two keys' home buckets before probing either, and inserts each key where its duplicate probe
 * stopped.
 * <ul>
 *     <li>Records: {@link #RECORD_LENGTH} (96) bytes each, {@code capacity} of them. Layout below.</li>
 *     <li>Buckets: an open-addressing table of {@link #BUCKET_LENGTH} (8) byte entries, exactly
 *     {@link #BUCKETS_PER_FLOW} (4) per flow, so the two keys per flow never fill more than half of it. An entry
 *     packs a 32-bit hash tag (high half) and {@code (flowId << 1 | direction) + 1} (low half); 0 is empty. The
 *     home bucket is {@code (tag * bucketCount) >>> 32} (Lemire's multiply-shift range reduction) rather than a
 *     mask, so the count need not be a power of two and memory does not jump by up to 2x at capacities just
 *     above one. Collisions are resolved by linear probing, deletion by backward shift (no tombstones, so probe
 *     lengths do not degrade with churn). A tag match is confirmed by comparing the full key in the record.</li>
 * </ul>
 * That is 96 + 4 * 8 = <b>128 bytes per flow at any capacity</b> (both directions' keys included): 1,000,000 flows
 * take 96 MB of records and 32 MB of buckets. The 13 bytes of sequence tracking (below) were found without growing
 * the record: packet counters are 32 bits (they wrap modulo 2^32; a reader takes deltas, and nothing in the
 * appliance reads them, flow logs count on their own), the consumer's MAC keeps its 48 bits and shares a long with
 * the consumer port index and the timeout profile (a byte each), and the spare byte holds the window scales.
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |                       clientIp              (forward src)    |  0
 *  |                       eniIp                 (forward dst)    |  4
 *  |                       targetIp              (reverse src)    |  8
 *  |                       natIp                 (reverse dst)    | 12
 *  |          clientPort           |            eniPort           | 16
 *  |          targetPort           |            natPort           | 20
 *  |   protocol    |   tcpState    |     flags     | windowScales  | 24
 *  |                       endpointId                             | 28
 *  |                       lastSeenNs  (8 bytes)                  | 32
 *  |          consumerMac (6 bytes)                | portIdx|profile| 40
 *  |                       forwardBytes   (8 bytes)               | 48
 *  |                       reverseBytes   (8 bytes)               | 56
 *  |                       forwardPackets (mod 2^32)              | 64
 *  |                       reversePackets (mod 2^32)              | 68
 *  |                       forwardNextSeq                         | 72
 *  |                       reverseNextSeq                         | 76
 *  |       forwardMaxWindow        |       reverseMaxWindow       | 80
 *  |                       nextFree (free-list link)              | 84
 *  |                       embryonicPrev (embryonic list link)    | 88
 *  |                       embryonicNext (embryonic list link)    | 92
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * </pre>
 * Both keys and the protocol sit in the first 28 bytes so a lookup reads one contiguous span. The forward key
 * fields are at {@code base + 0} and the reverse key fields at {@code base + 8} (addresses) and {@code base + 4}
 * (ports), which is how one probe loop serves both directions.
 *
 * <h2>Sequence tracking: which RSTs are believed</h2>
 * An off-path attacker who guesses a flow's 4-tuple could otherwise close it with one RST, although both endpoints
 * would ignore that RST (RFC 5961 3.2, RFC 9293 3.10.7.4). So the table tracks, per direction (per sender), the
 * next sequence number the sender will use ({@code seq + payload + SYN + FIN}, highest seen, wrap-around
 * arithmetic) and the largest window the sender advertised, in units of its window scale (RFC 7323: both SYNs
 * must carry the option; the SYN's own window is in bytes and is rounded up into units), and judges an RST from
 * sender S to receiver R:
 * <ul>
 *     <li>seq exactly S's next sequence number: believed, the flow becomes CLOSED;</li>
 *     <li>within R's largest window either side of it ({@code |seq - next| <= maxWindow(R)}): believed, CLOSED,
 *     except in ESTABLISHED, where it is forwarded but the flow stays (RFC 5961: the endpoint answers such an RST
 *     with a challenge ACK, not a reset; Linux conntrack keeps ESTABLISHED the same way), counted in
 *     {@link #rstNotExactCount()};</li>
 *     <li>anything else: the packet method returns false (the caller drops it, as a stateful firewall drops what
 *     conntrack marks INVALID), the flow is untouched (not even its last-seen time), counted in
 *     {@link #rstOutOfWindowCount()}.</li>
 * </ul>
 * The window is a superset of what the receiver accepts: its RCV.NXT is at most S's next sequence number and at
 * least that minus R's window (S never has more than that in flight), and it accepts up to RCV.NXT + its window.
 * So nothing an endpoint would act on is dropped. Segments teach the table only when they fall in that window, so
 * a blind attacker cannot move it without first landing inside it, which would let it inject data into the endpoint
 * anyway. Before R has sent its SYN (SYN_SENT), an RST
 * from R must acknowledge S's SYN exactly (RFC 9293: what the client itself checks) and an RST from S (aborting its
 * own attempt) is believed; a retransmitted SYN reopens the flow anyway. A flow put back by
 * {@link #restoreEstablished} has no sequence knowledge: each direction learns from its next segment, RSTs are
 * believed until both have (fail open: wrongly dropping a real RST would leave the other endpoint hanging), and
 * window scales are assumed to be 14, the largest, so the window is only ever over-estimated.
 *
 * <h2>Timeout profiles</h2>
 * Each record carries a timeout profile index, a byte: a flow's idle timeouts are
 * {@code timeouts(timeoutProfile(flowId))}. Profile 0 is the constructor's timeouts, and every other starts equal to
 * it. The owner sets profiles with {@link #timeouts(int, FlowTimeouts)} (the next expiry uses the new
 * values for every flow of the profile) and retags flows with {@link #timeoutProfile(int, int)} or, after a
 * configuration change, {@link #reassignTimeoutProfiles(int[], byte[])}.
 *
 * <h2>SYN floods</h2>
 * A flow is <em>embryonic</em> while it is a TCP flow in {@link TcpState#SYN_SENT} or
 * {@link TcpState#SYN_RECEIVED}: one SYN from anyone creates one, so a flood of spoofed SYNs could otherwise fill
 * the table and lock out new connections for {@code embryonicNs}. Embryonic flows are kept in an intrusive doubly
 * linked list in the order they became embryonic (oldest at the head), through the two link fields of the record,
 * so each insertion, transition out and eviction is O(1). {@link #create(int, int, int, int, int, int, int, int,
 * int, long, FlowExpiryHandler)} needs room when the table is full, or when the new flow is TCP and
 * {@link #embryonicLimit()} flows are already embryonic (default a quarter of the capacity,
 * {@link #defaultEmbryonicLimit(int)}); it then evicts the oldest embryonic flow, telling the handler first so the
 * caller can release its NAT port. A create never evicts a flow that has completed its handshake, is closing, or
 * is not TCP: established connections survive any flood, and a legitimate handshake survives while it is younger
 * than the newest {@code embryonicLimit} flood SYNs (at 1M SYN/s and a limit of 250,000, 250 ms). A forward SYN
 * that reopens a TIME_WAIT or CLOSED flow makes it embryonic again without a create, so the count can exceed the
 * limit by such reopens; creates never let it grow further and evict those flows first once they are the oldest.
 *
 * <h2>Threads and memory ordering</h2>
 * One writer thread (the datapath worker that owns the table) calls every method except those listed next
 * ({@link #close()} included, once it has made its last other call), and
 * reads records with plain loads because nobody else writes them. Other threads may call only {@link #size()},
 * {@link #capacity()} and the counter getters. Each counter is written by the writer with
 * {@link UnsafeBuffer#putLongRelease(int, long)} and read with {@link UnsafeBuffer#getLongVolatile(int)}:
 * <ul>
 *     <li>{@code create}/{@code remove}/{@code expire}/{@code removeByEndpoint} release-store {@code size} &harr;
 *     {@link #size()} reads it with acquire (volatile) semantics;</li>
 *     <li>the same pairing for {@link #createdCount()}, {@link #removedCount()}, {@link #expiredCount()},
 *     {@link #tableFullCount()}, {@link #duplicateCount()}, {@link #invalidArgumentCount()},
 *     {@link #embryonicCount()}, {@link #embryonicEvictedCount()}, {@link #rstOutOfWindowCount()} and
 *     {@link #rstNotExactCount()}.</li>
 * </ul>
 * A reader sees each counter move forward in the writer's order; it must not read records, whose plain stores
 * are not published.
 *
 * <h2>Errors</h2>
 * Methods on the packet path never throw: {@link #create} returns a negative code and counts it. Methods that
 * take a {@code flowId} expect a live id returned by a lookup or {@code create} since the last removal, except
 * {@link #remove(int)} and {@link #isLive(int)}, which check.
 */
public final class FlowTable implements AutoCloseable
{
    /**
     * Lookup result when no flow matches.
     */
    public static final int NOT_FOUND = -1;

    /**
     * {@link #create} result when there is no room and nothing may be evicted: every record is in use, or the new
     * flow is TCP and {@link #embryonicLimit()} flows are embryonic, and either no flow is embryonic or the caller
     * gave no eviction handler.
     */
    public static final int TABLE_FULL = -2;

    /**
     * {@link #create} result when the forward or reverse key already belongs to a live flow.
     */
    public static final int DUPLICATE = -3;

    /**
     * {@link #create} result when a port is outside 0..65535 or the protocol outside 0..255.
     */
    public static final int INVALID_ARGUMENT = -4;

    /**
     * Largest capacity; keeps records (96 * 2^24 bytes) and buckets (2^26 * 8 bytes) within one int-indexed buffer.
     */
    public static final int MAX_CAPACITY = 1 << 24;

    public static final int RECORD_LENGTH = 96;
    public static final int BUCKET_LENGTH = 8;

    /**
     * Buckets per flow: two keys per flow at a load factor of at most 0.5, where linear probing averages 1.5
     * probes for a hit and 2.5 for a miss (Knuth vol. 3, 6.4).
     */
    public static final int BUCKETS_PER_FLOW = 4;

    static final int FORWARD = 0;
    static final int REVERSE = 1;

    static final int CLIENT_IP_OFFSET = 0;
    static final int ENI_IP_OFFSET = 4;
    static final int TARGET_IP_OFFSET = 8;
    static final int NAT_IP_OFFSET = 12;
    static final int CLIENT_PORT_OFFSET = 16;
    static final int ENI_PORT_OFFSET = 18;
    static final int TARGET_PORT_OFFSET = 20;
    static final int NAT_PORT_OFFSET = 22;
    static final int PROTOCOL_OFFSET = 24;
    static final int TCP_STATE_OFFSET = 25;
    static final int FLAGS_OFFSET = 26;
    /** Forward sender's scale in the low nibble, reverse sender's in the high one; {@link #NO_SCALE}: no option. */
    static final int WINDOW_SCALES_OFFSET = 27;
    static final int ENDPOINT_ID_OFFSET = 28;
    static final int LAST_SEEN_NS_OFFSET = 32;
    /** 48 bits: an int at +40 (low half) and a short at +44 (high 16 bits), so the layout is byte-order free. */
    static final int CONSUMER_MAC_OFFSET = 40;
    static final int CONSUMER_PORT_INDEX_OFFSET = 46;
    static final int TIMEOUT_PROFILE_OFFSET = 47;
    static final int FORWARD_BYTES_OFFSET = 48;
    static final int REVERSE_BYTES_OFFSET = 56;
    static final int FORWARD_PACKETS_OFFSET = 64;
    static final int REVERSE_PACKETS_OFFSET = 68;
    /** Per sender, + 4 * direction. */
    static final int NEXT_SEQ_OFFSET = 72;
    /** Per sender, + 2 * direction; unsigned 16 bits, in units of 2^(effective window scale). */
    static final int MAX_WINDOW_OFFSET = 80;
    static final int NEXT_FREE_OFFSET = 84;
    static final int EMBRYONIC_PREV_OFFSET = 88;
    static final int EMBRYONIC_NEXT_OFFSET = 92;

    private static final int FLAG_IN_USE = 0x01;
    private static final int FLAG_FIN_FORWARD = 0x02;
    private static final int FLAG_FIN_REVERSE = 0x04;
    private static final int FLAG_LAST_FIN_REVERSE = 0x08;
    /** Two bits per direction (forward at bit 4, reverse at bit 6): what the table knows of that sender's sequence. */
    private static final int SEQ_SHIFT = 4;
    private static final int SEQ_MASK = 0x3;
    /** The sender has not sent its SYN yet (a new flow), so it has no sequence numbers to check against. */
    private static final int SEQ_NONE = 0;
    private static final int SEQ_KNOWN = 1;
    /** A restored flow: the sender's next segment, whatever it is, teaches the table. */
    private static final int SEQ_UNKNOWN = 2;

    /** Window scale nibble meaning the sender's SYN carried no Window Scale option (or was not seen). */
    private static final int NO_SCALE = 0xF;
    /** RFC 7323 2.3: a larger shift count is used as 14. */
    private static final int MAX_WINDOW_SCALE = 14;

    private static final int RST_EXACT = 0;
    private static final int RST_IN_WINDOW = 1;
    private static final int RST_OUT_OF_WINDOW = 2;

    private static final int NO_RECORD = -1;
    private static final boolean NATIVE_LITTLE_ENDIAN = ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN;
    /**
     * Not a {@code ~index} from {@link #probe}: bucket indexes are below {@link #MAX_CAPACITY} * 4.
     */
    private static final int NO_SLOT = Integer.MIN_VALUE;
    /**
     * Keys a batch lookup works on at a time: a receive batch, and enough misses per pass to keep the core's ~16
     * L1 miss buffers busy and to amortise the wait for a pass's last miss (64 measured a few % better than 32).
     */
    private static final int BATCH_CHUNK = 64;
    /** Flows {@link #createBatch} prepares at a time: two keys each, so its home-bucket pass is a chunk too. */
    private static final int CREATE_CHUNK = BATCH_CHUNK / 2;
    private static final byte[] NO_MEMORY = new byte[0];
    /**
     * What a closed table probes: one empty bucket, and a record 0 for the batch lookup's unconditional load.
     */
    private static final ByteBuffer CLOSED_MEMORY =
        BufferUtil.allocateDirectAligned(RECORD_LENGTH, BitUtil.CACHE_LINE_LENGTH);
    private static final long CLOSED_MEMORY_ADDRESS = BufferUtil.address(CLOSED_MEMORY);

    // Counter slots; one writer, so they may share cache lines with each other but live in their own allocation.
    private static final int SIZE_COUNTER_OFFSET = 0;
    private static final int CREATED_COUNTER_OFFSET = 8;
    private static final int REMOVED_COUNTER_OFFSET = 16;
    private static final int EXPIRED_COUNTER_OFFSET = 24;
    private static final int TABLE_FULL_COUNTER_OFFSET = 32;
    private static final int DUPLICATE_COUNTER_OFFSET = 40;
    private static final int INVALID_ARGUMENT_COUNTER_OFFSET = 48;
    private static final int EMBRYONIC_COUNTER_OFFSET = 56;
    private static final int EMBRYONIC_EVICTED_COUNTER_OFFSET = 64;
    private static final int RST_OUT_OF_WINDOW_COUNTER_OFFSET = 72;
    private static final int RST_NOT_EXACT_COUNTER_OFFSET = 80;
    private static final int COUNTERS_LENGTH = 128;

    /**
     * Timeout profiles a record can name (its profile index is a byte).
     */
    public static final int MAX_TIMEOUT_PROFILES = 256;

    /**
     * Largest consumer port index a record holds (a byte).
     */
    public static final int MAX_CONSUMER_PORT_INDEX = 255;

    private static final long TCP_TIMEOUT_UNUSED = Long.MAX_VALUE;
    /** Timeouts per profile: 16 slots each, TCP states 0..7, then UDP and other protocols. */
    private static final int TIMEOUT_SLOTS_SHIFT = 4;
    private static final int UDP_TIMEOUT_SLOT = TcpState.STATE_COUNT;
    private static final int OTHER_TIMEOUT_SLOT = TcpState.STATE_COUNT + 1;

    private final int capacity;
    private final int embryonicLimit;
    /**
     * Buckets probed: {@link #BUCKETS_PER_FLOW} * capacity; 1 after {@link #close()}, with {@link #bucketsAddress}
     * and {@link #recordsAddress} at {@link #CLOSED_MEMORY}, so a lookup after close finds nothing instead of
     * reading unmapped memory.
     */
    private int bucketCount;
    /**
     * Base addresses for the probe and key-compare loops, which read through {@link UnsafeApi} without bounds
     * checks (a fifth of a cache-resident create's time): their indexes come from {@link #home} and bucket entries,
     * in range by construction. Accessors that take a caller's flow id keep the checked {@link #records} buffer.
     */
    private long bucketsAddress;
    private long recordsAddress;
    private final long hashSeed;
    private final FlowTimeouts[] timeoutProfiles = new FlowTimeouts[MAX_TIMEOUT_PROFILES];
    private final long[] timeoutNsByProfileAndSlot = new long[MAX_TIMEOUT_PROFILES << TIMEOUT_SLOTS_SHIFT];
    private final HugePageMemory recordMemory;
    private final HugePageMemory bucketMemory;
    private final UnsafeBuffer records;
    private final UnsafeBuffer counters;

    private final int[] batchTags = new int[BATCH_CHUNK];
    private final int[] batchIndexes = new int[BATCH_CHUNK];
    private final long[] batchWords = new long[BATCH_CHUNK];

    private int freeHead = NO_RECORD;
    /** Keys added or removed: {@link #modificationCount()}. Writer only, plain. */
    private int modifications;
    private int highWaterMark;
    private int expiryCursor;
    private int embryonicHead = NO_RECORD;
    private int embryonicTail = NO_RECORD;

    /**
     * Table with a hash seed drawn from {@link SecureRandom}, so remote peers cannot choose 5-tuples that collide,
     * and the {@link #defaultEmbryonicLimit(int) default embryonic limit}.
     *
     * @param capacity maximum number of live flows, 1..{@link #MAX_CAPACITY}.
     * @param timeouts idle timeouts per state.
     */
    public FlowTable(final int capacity, final FlowTimeouts timeouts)
    {
        this(capacity, timeouts, new SecureRandom().nextLong());
    }

    /**
     * Table with a given hash seed, for reproducible tests and benchmarks, and the
     * {@link #defaultEmbryonicLimit(int) default embryonic limit}.
     *
     * @param capacity maximum number of live flows, 1..{@link #MAX_CAPACITY}.
     * @param timeouts idle timeouts per state.
     * @param hashSeed mixed into every key hash.
     */
    public FlowTable(final int capacity, final FlowTimeouts timeouts, final long hashSeed)
    {
        this(capacity, timeouts, hashSeed, defaultEmbryonicLimit(capacity));
    }

    /**
     * Table with a given hash seed and embryonic limit.
     *
     * @param capacity       maximum number of live flows, 1..{@link #MAX_CAPACITY}.
     * @param timeouts       idle timeouts per state.
     * @param hashSeed       mixed into every key hash.
     * @param embryonicLimit most flows a create lets be embryonic (SYN_SENT or SYN_RECEIVED), 1..capacity.
     */
    public FlowTable(final int capacity, final FlowTimeouts timeouts, final long hashSeed, final int embryonicLimit)
    {
        if (capacity < 1 || capacity > MAX_CAPACITY)
        {
            throw new IllegalArgumentException("capacity=" + capacity + " must be in 1.." + MAX_CAPACITY);
        }
        if (embryonicLimit < 1 || embryonicLimit > capacity)
        {
            throw new IllegalArgumentException("embryonicLimit=" + embryonicLimit + " must be in 1.." + capacity);
        }
        Objects.requireNonNull(timeouts, "timeouts");

        this.capacity = capacity;
        this.embryonicLimit = embryonicLimit;
        this.hashSeed = hashSeed;
        bucketCount = capacity * BUCKETS_PER_FLOW;

        for (int profile = 0; profile < MAX_TIMEOUT_PROFILES; profile++)
        {
            timeouts(profile, timeouts);
        }

        // Fresh anonymous memory is zeroed: every bucket starts empty and every record starts not in use.
        recordMemory = new HugePageMemory((long)capacity * RECORD_LENGTH);
        try
        {
            bucketMemory = new HugePageMemory((long)bucketCount * BUCKET_LENGTH);
        }
        catch (final RuntimeException ex)
        {
            recordMemory.close();
            throw ex;
        }
        records = new UnsafeBuffer(recordMemory.address(), capacity * RECORD_LENGTH);
        bucketsAddress = bucketMemory.address();
        recordsAddress = recordMemory.address();
        // Read by other threads, also after close: a GC-managed direct buffer, not the mapping.
        counters = new UnsafeBuffer(BufferUtil.allocateDirectAligned(COUNTERS_LENGTH, BitUtil.CACHE_LINE_LENGTH));
    }

    /**
     * Find the flow a consumer packet belongs to.
     *
     * @param srcIp    source address (the client).
     * @param srcPort  source port.
     * @param dstIp    destination address (the endpoint ENI).
     * @param dstPort  destination port.
     * @param protocol IP protocol.
     * @return the flow id or {@link #NOT_FOUND}.
     */
    public int lookupForward(
        final int srcIp, final int srcPort, final int dstIp, final int dstPort, final int protocol)
    {
        return find(tag(srcIp, srcPort, dstIp, dstPort, protocol, FORWARD),
            FORWARD, srcIp, srcPort, dstIp, dstPort, protocol);
    }

    /**
     * Find the flow a provider reply belongs to.
     *
     * @param srcIp    source address (the target).
     * @param srcPort  source port (the target port).
     * @param dstIp    destination address (the appliance's NAT address).
     * @param dstPort  destination port (the allocated NAT port).
     * @param protocol IP protocol.
     * @return the flow id or {@link #NOT_FOUND}.
     */
    public int lookupReverse(
        final int srcIp, final int srcPort, final int dstIp, final int dstPort, final int protocol)
    {
        return find(tag(srcIp, srcPort, dstIp, dstPort, protocol, REVERSE),
            REVERSE, srcIp, srcPort, dstIp, dstPort, protocol);
    }

    /**
     * {@link #lookupForward} for {@code count} keys at once, the i-th key made of the i-th element of each array:
     * {@code flowIdsOut[i]} becomes exactly what {@code lookupForward(srcIp[i], ...)} returns. A single lookup is
     * two dependent cache misses (bucket, then record) with nothing to overlap them with; here the home buckets of
     * all keys are loaded before any is examined, then the candidate records of all keys, so the misses of a batch
     * are in flight together and each lookup costs a fraction of the memory latency. Allocation-free.
     *
     * @param count      number of keys, 0..length of every array.
     * @param flowIdsOut receives a flow id or {@link #NOT_FOUND} per key.
     */
    public void lookupForwardBatch(
        final int count,
        final int[] srcIp,
        final int[] srcPort,
        final int[] dstIp,
        final int[] dstPort,
        final int[] protocol,
        final int[] flowIdsOut)
    {
        for (int start = 0; start < count; start += BATCH_CHUNK)
        {
            findChunk(FORWARD, start, Math.min(BATCH_CHUNK, count - start),
                srcIp, srcPort, dstIp, dstPort, protocol, flowIdsOut);
        }
    }

    /**
     * {@link #lookupReverse} for {@code count} keys at once; see {@link #lookupForwardBatch}.
     *
     * @param count      number of keys, 0..length of every array.
     * @param flowIdsOut receives a flow id or {@link #NOT_FOUND} per key.
     */
    public void lookupReverseBatch(
        final int count,
        final int[] srcIp,
        final int[] srcPort,
        final int[] dstIp,
        final int[] dstPort,
        final int[] protocol,
        final int[] flowIdsOut)
    {
        for (int start = 0; start < count; start += BATCH_CHUNK)
        {
            findChunk(REVERSE, start, Math.min(BATCH_CHUNK, count - start),
                srcIp, srcPort, dstIp, dstPort, protocol, flowIdsOut);
        }
    }

    /**
     * Changes whenever a flow is created or removed (by any means: remove, expire, eviction, removeByEndpoint), the
     * only operations that change what a key finds. While it is unchanged, every lookup answers as it did, so the
     * result of a batch lookup made at the start of a receive batch still holds; once it has changed, {@link
     * #recheckForward}/{@link #recheckReverse} confirm an earlier result. Writer thread only; wraps (compare with
     * {@code ==}).
     */
    public int modificationCount()
    {
        return modifications;
    }

    /**
     * {@link #lookupForward}, given what a lookup of the same key returned before some creates or removes: if that
     * flow is still live with this forward key it is the answer (keys are unique among live flows) and no bucket
     * is read; else (removed, its id reused by another flow, or the earlier result {@link #NOT_FOUND}) a full
     * lookup. So the answer is always exactly {@code lookupForward(srcIp, ...)}.
     *
     * @param earlierFlowId a flow id or {@link #NOT_FOUND}, any int.
     * @return the flow id or {@link #NOT_FOUND}.
     */
    public int recheckForward(
        final int earlierFlowId, final int srcIp, final int srcPort, final int dstIp, final int dstPort,
        final int protocol)
    {
        return isLive(earlierFlowId) && keyMatches(earlierFlowId, FORWARD, srcIp, srcPort, dstIp, dstPort, protocol) ?
            earlierFlowId : lookupForward(srcIp, srcPort, dstIp, dstPort, protocol);
    }

    /**
     * {@link #lookupReverse} given an earlier result for the same key; see {@link #recheckForward}.
     *
     * @param earlierFlowId a flow id or {@link #NOT_FOUND}, any int.
     * @return the flow id or {@link #NOT_FOUND}.
     */
    public int recheckReverse(
        final int earlierFlowId, final int srcIp, final int srcPort, final int dstIp, final int dstPort,
        final int protocol)
    {
        return isLive(earlierFlowId) && keyMatches(earlierFlowId, REVERSE, srcIp, srcPort, dstIp, dstPort, protocol) ?
            earlierFlowId : lookupReverse(srcIp, srcPort, dstIp, dstPort, protocol);
    }

    /**
     * Create a flow without evicting: as {@link #create(int, int, int, int, int, int, int, int, int, long,
     * FlowExpiryHandler)} with no handler, so when there is no room (table full, or a TCP flow at the embryonic
     * limit) it returns {@link #TABLE_FULL}. Nobody could release an evicted flow's NAT port, so this form never
     * evicts; a datapath that allocates NAT ports should use the form with a handler.
     *
     * @return the new flow id (&ge; 0), or {@link #DUPLICATE} if either key is in use, {@link #TABLE_FULL}, or
     * {@link #INVALID_ARGUMENT}; the table is unchanged on any negative result.
     */
    public int create(
        final int clientIp,
        final int clientPort,
        final int eniIp,
        final int eniPort,
        final int targetIp,
        final int targetPort,
        final int natIp,
        final int natPort,
        final int protocol,
        final long nowNs)
    {
        return create(clientIp, clientPort, eniIp, eniPort, targetIp, targetPort, natIp, natPort, protocol, nowNs,
            null);
    }

    /**
     * Create a flow. A TCP flow starts in {@link TcpState#SYN_SENT} (the datapath creates TCP flows only on a
     * consumer SYN) and joins the embryonic list as its newest member; any other protocol has state
     * {@link TcpState#NONE}. Counters start at zero, so the caller then reports the first packet with
     * {@link #onForwardPacket}. The opaque fields start at zero.
     * <p>
     * The new flow needs room when every record is in use, or when it is TCP and {@link #embryonicLimit()} flows
     * are already embryonic. Then the oldest embryonic flow is evicted: {@code evictionHandler} is told (the record
     * still live, so it can release the NAT port; the same contract as for {@link #expire}), the flow is removed
     * and counted in {@link #embryonicEvictedCount()}. At most one flow is evicted per call, and only an embryonic
     * one. Pass the same handler field every time so the call stays allocation-free.
     *
     * @param evictionHandler told about an evicted flow before it is removed; {@code null} never evicts.
     * @return the new flow id (&ge; 0), or {@link #DUPLICATE} if either key is in use, {@link #TABLE_FULL} if
     * there is no room and no embryonic flow (or no handler), or {@link #INVALID_ARGUMENT}; the table is unchanged
     * on any negative result (nothing is evicted for a duplicate or invalid create).
     */
    public int create(
        final int clientIp,
        final int clientPort,
        final int eniIp,
        final int eniPort,
        final int targetIp,
        final int targetPort,
        final int natIp,
        final int natPort,
        final int protocol,
        final long nowNs,
        final FlowExpiryHandler evictionHandler)
    {
        if (((clientPort | eniPort | targetPort | natPort) & ~0xFFFF) != 0 || (protocol & ~0xFF) != 0)
        {
            increment(INVALID_ARGUMENT_COUNTER_OFFSET);
            return INVALID_ARGUMENT;
        }

        return createTagged(tag(clientIp, clientPort, eniIp, eniPort, protocol, FORWARD),
            tag(targetIp, targetPort, natIp, natPort, protocol, REVERSE),
            clientIp, clientPort, eniIp, eniPort, targetIp, targetPort, natIp, natPort, protocol, nowNs,
            evictionHandler);
    }

    /**
     * {@link #create(int, int, int, int, int, int, int, int, int, long, FlowExpiryHandler)} for {@code count} new
     * flows, the i-th made of the i-th element of each array: exactly the same as calling {@code create} for i = 0,
     * 1, ... in order (results, evictions, handler calls, counters), so a later flow of the batch sees the earlier
     * ones and a duplicate key within the batch gets {@link #DUPLICATE}. A single create waits for its two home
     * buckets, a memory latency; here the home buckets of every flow of a chunk are loaded before the first create
     * runs, so their misses overlap and each create then probes buckets already in cache. Allocation-free.
     *
     * @param count           number of flows, 0..length of every array.
     * @param nowNs           the creation time of every flow of the batch.
     * @param evictionHandler as for {@code create}; {@code null} never evicts.
     * @param flowIdsOut      receives what {@code create} would have returned, per flow.
     */
    public void createBatch(
        final int count,
        final int[] clientIp,
        final int[] clientPort,
        final int[] eniIp,
        final int[] eniPort,
        final int[] targetIp,
        final int[] targetPort,
        final int[] natIp,
        final int[] natPort,
        final int[] protocol,
        final long nowNs,
        final FlowExpiryHandler evictionHandler,
        final int[] flowIdsOut)
    {
        final int[] tags = batchTags;
        final int[] indexes = batchIndexes;
        final long[] words = batchWords;
        for (int start = 0; start < count; start += CREATE_CHUNK)
        {
            final int n = Math.min(CREATE_CHUNK, count - start);
            // Pass 1, compute only: both tags and home buckets of every flow (invalid arguments hash harmlessly;
            // they are refused in pass 3, in order).
            for (int i = 0, k = start; i < n; i++, k++)
            {
                final int forwardTag = tag(clientIp[k], clientPort[k], eniIp[k], eniPort[k], protocol[k], FORWARD);
                final int reverseTag = tag(targetIp[k], targetPort[k], natIp[k], natPort[k], protocol[k], REVERSE);
                tags[i << 1] = forwardTag;
                tags[(i << 1) + 1] = reverseTag;
                indexes[i << 1] = home(forwardTag);
                indexes[(i << 1) + 1] = home(reverseTag);
            }
            // Pass 2: load every home bucket, no branch on the values, into a field so the JIT keeps the loads.
            for (int j = 0, end = n << 1; j < end; j++)
            {
                words[j] = bucket(indexes[j]);
            }
            // Pass 3: the creates in order; each reads its buckets afresh (an earlier create of the batch may have
            // filled or shifted them), now from cache.
            for (int i = 0, k = start; i < n; i++, k++)
            {
                if (((clientPort[k] | eniPort[k] | targetPort[k] | natPort[k]) & ~0xFFFF) != 0 ||
                    (protocol[k] & ~0xFF) != 0)
                {
                    increment(INVALID_ARGUMENT_COUNTER_OFFSET);
                    flowIdsOut[k] = INVALID_ARGUMENT;
                }
                else
                {
                    flowIdsOut[k] = createTagged(tags[i << 1], tags[(i << 1) + 1], clientIp[k], clientPort[k],
                        eniIp[k], eniPort[k], targetIp[k], targetPort[k], natIp[k], natPort[k], protocol[k], nowNs,
                        evictionHandler);
                }
            }
        }
    }

    private int createTagged(
        final int forwardTag,
        final int reverseTag,
        final int clientIp,
        final int clientPort,
        final int eniIp,
        final int eniPort,
        final int targetIp,
        final int targetPort,
        final int natIp,
        final int natPort,
        final int protocol,
        final long nowNs,
        final FlowExpiryHandler evictionHandler)
    {
        final int forwardHome = home(forwardTag);
        final int reverseHome = home(reverseTag);
        // Both home entries are loaded, into an array so the JIT keeps the loads here, before either is examined:
        // the two bucket misses overlap instead of one waiting for a branch on the other.
        final long[] words = batchWords;
        words[0] = bucket(forwardHome);
        words[1] = bucket(reverseHome);
        // Each probe ends at the key's flow (a duplicate) or at the empty bucket where the key is to go.
        int forwardSlot = probe(forwardHome, words[0], forwardTag, FORWARD, clientIp, clientPort, eniIp, eniPort,
            protocol);
        int reverseSlot = forwardSlot < 0 ?
            probe(reverseHome, words[1], reverseTag, REVERSE, targetIp, targetPort, natIp, natPort, protocol) : 0;
        if (forwardSlot >= 0 || reverseSlot >= 0)
        {
            increment(DUPLICATE_COUNTER_OFFSET);
            return DUPLICATE;
        }

        // Checked after the duplicate test so a retransmitted SYN for a live flow never costs another flow.
        final boolean embryonic = IpProtocol.TCP == protocol;
        if ((NO_RECORD == freeHead && highWaterMark == capacity) ||
            (embryonic && counters.getLong(EMBRYONIC_COUNTER_OFFSET) >= embryonicLimit))
        {
            // embryonicLimit >= 1, so at the limit the list is not empty; when full it may hold only
            // established, closing or non-TCP flows, which are never sacrificed for a new one.
            if (null == evictionHandler || NO_RECORD == embryonicHead)
            {
                increment(TABLE_FULL_COUNTER_OFFSET);
                return TABLE_FULL;
            }

            final int victim = embryonicHead;
            evictionHandler.onFlowExpired(this, victim);
            removeLive(victim);
            increment(EMBRYONIC_EVICTED_COUNTER_OFFSET);
            // Backward-shift deletion may have moved entries, so the free buckets found above may not be first.
            forwardSlot = NO_SLOT;
            reverseSlot = NO_SLOT;
        }

        // Room is guaranteed here: either a record was free, the high-water mark was below capacity, or the
        // eviction just pushed one onto the free list.
        final int flowId;
        if (NO_RECORD != freeHead)
        {
            flowId = freeHead;
            freeHead = records.getInt(flowId * RECORD_LENGTH + NEXT_FREE_OFFSET);
        }
        else
        {
            flowId = highWaterMark++;
        }

        // A reused record still holds the previous flow's values: write every field (the embryonic links are
        // written by appendEmbryonic and read only while the flow is on the list). Eleven long stores, each packing
        // the fields at its offsets in the native order the field accessors read, all but the first by address:
        // 22 bounds-checked field stores were most of a cache-resident create. The first is checked, so a create
        // after close() throws instead of writing to the stand-in memory.
        records.putLong(flowId * RECORD_LENGTH + CLIENT_IP_OFFSET, pair(clientIp, eniIp));
        final long address = recordsAddress + (long)flowId * RECORD_LENGTH;
        UnsafeApi.putLong(address + TARGET_IP_OFFSET, pair(targetIp, natIp));
        UnsafeApi.putLong(address + CLIENT_PORT_OFFSET,
            pair(shorts(clientPort, eniPort), shorts(targetPort, natPort)));
        // Protocol, state, flags, window scales (no option seen) and endpoint id 0.
        UnsafeApi.putLong(address + PROTOCOL_OFFSET, pair(bytes(protocol,
            embryonic ? TcpState.SYN_SENT : TcpState.NONE, FLAG_IN_USE, NO_SCALE | NO_SCALE << 4), 0));
        UnsafeApi.putLong(address + LAST_SEEN_NS_OFFSET, nowNs);
        // Consumer MAC, consumer port index and timeout profile (0) in one store.
        UnsafeApi.putLong(address + CONSUMER_MAC_OFFSET, 0);
        UnsafeApi.putLong(address + FORWARD_BYTES_OFFSET, 0);
        UnsafeApi.putLong(address + REVERSE_BYTES_OFFSET, 0);
        UnsafeApi.putLong(address + FORWARD_PACKETS_OFFSET, 0);
        UnsafeApi.putLong(address + NEXT_SEQ_OFFSET, 0);
        UnsafeApi.putLong(address + MAX_WINDOW_OFFSET, pair(0, NO_RECORD));

        insertAt(forwardSlot, forwardTag, reference(flowId, FORWARD));
        // Both keys may have probed to the same free bucket, which the forward key now holds.
        insertAt(reverseSlot == forwardSlot ? NO_SLOT : reverseSlot, reverseTag, reference(flowId, REVERSE));
        if (embryonic)
        {
            appendEmbryonic(flowId);
        }

        modifications++;
        increment(SIZE_COUNTER_OFFSET);
        increment(CREATED_COUNTER_OFFSET);

        return flowId;
    }

    /**
     * Remove a flow and free its id for reuse. The caller releases the NAT port.
     *
     * @param flowId the flow to remove.
     * @return true if it was live and is now removed, false if the id is out of range or not live.
     */
    public boolean remove(final int flowId)
    {
        if (!isLive(flowId))
        {
            return false;
        }

        removeLive(flowId);
        return true;
    }

    /**
     * Is this id a live flow?
     *
     * @param flowId any int.
     * @return true if the id is in range and its record is in use.
     */
    public boolean isLive(final int flowId)
    {
        return flowId >= 0 && flowId < highWaterMark &&
            (records.getByte(flowId * RECORD_LENGTH + FLAGS_OFFSET) & FLAG_IN_USE) != 0;
    }

    /**
     * Account a consumer-to-provider packet: the TCP state machine and sequence tracking (see the class comment),
     * then counters and last-seen time.
     *
     * @param flowId        live flow id.
     * @param tcpFlags      the TCP flags byte ({@link TcpFlags}); this and the other TCP fields are ignored for
     *                      non-TCP flows.
     * @param seq           the segment's sequence number.
     * @param ack           its acknowledgment number (looked at only when the ACK flag is set).
     * @param window        its window field, 0..65535, as on the wire (unscaled).
     * @param windowScale   the shift count of its Window Scale option, or -1 without one; read only on a SYN.
     * @param payloadLength TCP payload bytes (IP total length minus IP and TCP headers; a GSO super-frame's whole
     *                      payload).
     * @param bytes         length of the packet as counted for statistics (e.g. the IP total length).
     * @param nowNs         the duty cycle's clock reading.
     * @return true to forward the packet; false for an RST outside the window, which the flow ignores (nothing in
     * it changes) and the caller should drop.
     */
    public boolean onForwardPacket(
        final int flowId,
        final int tcpFlags,
        final int seq,
        final int ack,
        final int window,
        final int windowScale,
        final int payloadLength,
        final int bytes,
        final long nowNs)
    {
        return onPacket(flowId, FORWARD, tcpFlags, seq, ack, window, windowScale, payloadLength, bytes, nowNs);
    }

    /**
     * Account a provider-to-consumer packet; as {@link #onForwardPacket}.
     *
     * @return true to forward the packet; false for an RST outside the window, which the caller should drop.
     */
    public boolean onReversePacket(
        final int flowId,
        final int tcpFlags,
        final int seq,
        final int ack,
        final int window,
        final int windowScale,
        final int payloadLength,
        final int bytes,
        final long nowNs)
    {
        return onPacket(flowId, REVERSE, tcpFlags, seq, ack, window, windowScale, payloadLength, bytes, nowNs);
    }

    private boolean onPacket(
        final int flowId,
        final int direction,
        final int tcpFlags,
        final int seq,
        final int ack,
        final int window,
        final int windowScale,
        final int payloadLength,
        final int bytes,
        final long nowNs)
    {
        final UnsafeBuffer records = this.records;
        final int offset = flowId * RECORD_LENGTH;
        if (IpProtocol.TCP == records.getByte(offset + PROTOCOL_OFFSET) &&
            !onTcpSegment(flowId, offset, direction, tcpFlags, seq, ack, window, windowScale, payloadLength))
        {
            increment(RST_OUT_OF_WINDOW_COUNTER_OFFSET);
            return false;
        }

        final int packetsOffset = offset + FORWARD_PACKETS_OFFSET + (direction << 2);
        final int bytesOffset = offset + FORWARD_BYTES_OFFSET + (direction << 3);
        records.putInt(packetsOffset, records.getInt(packetsOffset) + 1);
        records.putLong(bytesOffset, records.getLong(bytesOffset) + bytes);
        records.putLong(offset + LAST_SEEN_NS_OFFSET, nowNs);
        return true;
    }

    /**
     * Incremental expiry: examine at most {@code maxScan} record slots from where the previous call stopped
     * (wrapping), and remove each live flow idle for at least its state's timeout
     * ({@code nowNs - lastSeenNs >= timeout}). Bounding the work per call lets the worker spread a sweep of a large
     * table over many duty cycles; a full sweep takes {@code ceil(highWaterMark / maxScan)} calls.
     *
     * @param nowNs   the duty cycle's clock reading.
     * @param maxScan most slots to examine; a value above the number of slots ever used examines each once.
     * @param handler told about each flow before it is removed.
     * @return number of flows removed.
     */
    public int expire(final long nowNs, final int maxScan, final FlowExpiryHandler handler)
    {
        final int slots = highWaterMark;
        final int limit = Math.min(maxScan, slots);
        int cursor = expiryCursor;
        int removed = 0;

        for (int i = 0; i < limit; i++)
        {
            if (cursor >= slots)
            {
                cursor = 0;
            }

            final int offset = cursor * RECORD_LENGTH;
            if ((records.getByte(offset + FLAGS_OFFSET) & FLAG_IN_USE) != 0 &&
                nowNs - records.getLong(offset + LAST_SEEN_NS_OFFSET) >= idleTimeoutNsAt(offset))
            {
                handler.onFlowExpired(this, cursor);
                removeLive(cursor);
                removed++;
            }
            cursor++;
        }

        expiryCursor = cursor;
        if (removed > 0)
        {
            add(EXPIRED_COUNTER_OFFSET, removed);
        }

        return removed;
    }

    /**
     * Remove every flow whose {@link #endpointId(int)} equals the given one, e.g. when an endpoint is deleted or
     * its subnet removed. This scans every slot ever used in one call (a few milliseconds at 1M flows), so the
     * worker runs it from its command queue, not per packet.
     *
     * @param endpointId the owner tag set with {@link #endpointId(int, int)}.
     * @param handler    told about each flow before it is removed.
     * @return number of flows removed.
     */
    public int removeByEndpoint(final int endpointId, final FlowExpiryHandler handler)
    {
        final int slots = highWaterMark;
        int removed = 0;
        for (int flowId = 0; flowId < slots; flowId++)
        {
            final int offset = flowId * RECORD_LENGTH;
            if ((records.getByte(offset + FLAGS_OFFSET) & FLAG_IN_USE) != 0 &&
                records.getInt(offset + ENDPOINT_ID_OFFSET) == endpointId)
            {
                handler.onFlowExpired(this, flowId);
                removeLive(flowId);
                removed++;
            }
        }

        return removed;
    }

    /**
     * Idle timeout that applies to the flow in its current state.
     *
     * @param flowId live flow id.
     * @return timeout in nanoseconds.
     */
    public long idleTimeoutNs(final int flowId)
    {
        return idleTimeoutNsAt(flowId * RECORD_LENGTH);
    }

    public int clientIp(final int flowId)
    {
        return records.getInt(flowId * RECORD_LENGTH + CLIENT_IP_OFFSET);
    }

    public int clientPort(final int flowId)
    {
        return records.getShort(flowId * RECORD_LENGTH + CLIENT_PORT_OFFSET) & 0xFFFF;
    }

    public int eniIp(final int flowId)
    {
        return records.getInt(flowId * RECORD_LENGTH + ENI_IP_OFFSET);
    }

    public int eniPort(final int flowId)
    {
        return records.getShort(flowId * RECORD_LENGTH + ENI_PORT_OFFSET) & 0xFFFF;
    }

    public int targetIp(final int flowId)
    {
        return records.getInt(flowId * RECORD_LENGTH + TARGET_IP_OFFSET);
    }

    public int targetPort(final int flowId)
    {
        return records.getShort(flowId * RECORD_LENGTH + TARGET_PORT_OFFSET) & 0xFFFF;
    }

    public int natIp(final int flowId)
    {
        return records.getInt(flowId * RECORD_LENGTH + NAT_IP_OFFSET);
    }

    public int natPort(final int flowId)
    {
        return records.getShort(flowId * RECORD_LENGTH + NAT_PORT_OFFSET) & 0xFFFF;
    }

    public int protocol(final int flowId)
    {
        return records.getByte(flowId * RECORD_LENGTH + PROTOCOL_OFFSET) & 0xFF;
    }

    /**
     * @param flowId live flow id.
     * @return one of {@link TcpState}.
     */
    public int tcpState(final int flowId)
    {
        return records.getByte(flowId * RECORD_LENGTH + TCP_STATE_OFFSET);
    }

    public long lastSeenNs(final int flowId)
    {
        return records.getLong(flowId * RECORD_LENGTH + LAST_SEEN_NS_OFFSET);
    }

    /**
     * Packets counted modulo 2^32 (a long flow wraps); take deltas modulo 2^32.
     */
    public long forwardPackets(final int flowId)
    {
        return records.getInt(flowId * RECORD_LENGTH + FORWARD_PACKETS_OFFSET) & 0xFFFF_FFFFL;
    }

    public long forwardBytes(final int flowId)
    {
        return records.getLong(flowId * RECORD_LENGTH + FORWARD_BYTES_OFFSET);
    }

    /**
     * Packets counted modulo 2^32, as {@link #forwardPackets(int)}.
     */
    public long reversePackets(final int flowId)
    {
        return records.getInt(flowId * RECORD_LENGTH + REVERSE_PACKETS_OFFSET) & 0xFFFF_FFFFL;
    }

    public long reverseBytes(final int flowId)
    {
        return records.getLong(flowId * RECORD_LENGTH + REVERSE_BYTES_OFFSET);
    }

    /**
     * Opaque to the table: the consumer's MAC (48 bits in a long) so replies can be addressed without ARP.
     */
    public long consumerMac(final int flowId)
    {
        final int offset = flowId * RECORD_LENGTH + CONSUMER_MAC_OFFSET;
        return (records.getInt(offset) & 0xFFFF_FFFFL) | (records.getShort(offset + 4) & 0xFFFFL) << 32;
    }

    /**
     * @param consumerMac the low 48 bits are kept.
     */
    public void consumerMac(final int flowId, final long consumerMac)
    {
        final int offset = flowId * RECORD_LENGTH + CONSUMER_MAC_OFFSET;
        records.putInt(offset, (int)consumerMac);
        records.putShort(offset + 4, (short)(consumerMac >>> 32));
    }

    /**
     * Opaque owner tag (e.g. ENI index) used by {@link #removeByEndpoint(int, FlowExpiryHandler)}.
     */
    public int endpointId(final int flowId)
    {
        return records.getInt(flowId * RECORD_LENGTH + ENDPOINT_ID_OFFSET);
    }

    public void endpointId(final int flowId, final int endpointId)
    {
        records.putInt(flowId * RECORD_LENGTH + ENDPOINT_ID_OFFSET, endpointId);
    }

    /**
     * Opaque to the table: the port the consumer's packets arrived on, where replies go back out.
     */
    public int consumerPortIndex(final int flowId)
    {
        return records.getByte(flowId * RECORD_LENGTH + CONSUMER_PORT_INDEX_OFFSET) & 0xFF;
    }

    /**
     * @param consumerPortIndex 0..{@link #MAX_CONSUMER_PORT_INDEX}; a byte is stored, so the owner must have no
     *                          more ports than that (the datapath checks at start-up).
     */
    public void consumerPortIndex(final int flowId, final int consumerPortIndex)
    {
        records.putByte(flowId * RECORD_LENGTH + CONSUMER_PORT_INDEX_OFFSET, (byte)consumerPortIndex);
    }

    /**
     * The flow's timeout profile: its idle timeouts are {@link #timeouts(int) timeouts(timeoutProfile(flowId))}.
     */
    public int timeoutProfile(final int flowId)
    {
        return records.getByte(flowId * RECORD_LENGTH + TIMEOUT_PROFILE_OFFSET) & 0xFF;
    }

    /**
     * @param profile 0..{@link #MAX_TIMEOUT_PROFILES} - 1; a byte is stored. A new flow has profile 0.
     */
    public void timeoutProfile(final int flowId, final int profile)
    {
        records.putByte(flowId * RECORD_LENGTH + TIMEOUT_PROFILE_OFFSET, (byte)profile);
    }

    /**
     * Set the idle timeouts of a profile; the next {@link #expire} judges every flow of that profile by them, so a
     * longer or shorter timeout applies to existing flows too. Writer thread only; not for the packet path (it
     * reads the record's fields).
     *
     * @param profile  0..{@link #MAX_TIMEOUT_PROFILES} - 1.
     * @param timeouts the idle timeouts.
     */
    public void timeouts(final int profile, final FlowTimeouts timeouts)
    {
        if (profile < 0 || profile >= MAX_TIMEOUT_PROFILES)
        {
            throw new IllegalArgumentException("profile=" + profile + " must be in 0.." + (MAX_TIMEOUT_PROFILES - 1));
        }
        timeoutProfiles[profile] = Objects.requireNonNull(timeouts, "timeouts");
        final int base = profile << TIMEOUT_SLOTS_SHIFT;
        for (int state = 0; state < TcpState.STATE_COUNT; state++)
        {
            timeoutNsByProfileAndSlot[base + state] = TcpState.NONE == state ?
                TCP_TIMEOUT_UNUSED : timeouts.timeoutNs(IpProtocol.TCP, state);
        }
        timeoutNsByProfileAndSlot[base + UDP_TIMEOUT_SLOT] = timeouts.udpNs();
        timeoutNsByProfileAndSlot[base + OTHER_TIMEOUT_SLOT] = timeouts.otherNs();
    }

    /**
     * The idle timeouts of a profile.
     *
     * @param profile 0..{@link #MAX_TIMEOUT_PROFILES} - 1.
     */
    public FlowTimeouts timeouts(final int profile)
    {
        return timeoutProfiles[profile];
    }

    /**
     * Give every live flow the profile of its {@link #endpointId(int) endpoint}: {@code profiles[i]} for the flow
     * whose endpoint id is {@code sortedEndpointIds[i]}, profile 0 for a flow whose endpoint is not listed. One
     * scan of every slot ever used (a few milliseconds at a million flows), for a configuration change, not the
     * packet path.
     *
     * @param sortedEndpointIds endpoint ids in ascending (signed int) order, no duplicates.
     * @param profiles          the profile of each, as an unsigned byte.
     * @return number of flows whose profile changed.
     */
    public int reassignTimeoutProfiles(final int[] sortedEndpointIds, final byte[] profiles)
    {
        if (sortedEndpointIds.length != profiles.length)
        {
            throw new IllegalArgumentException(sortedEndpointIds.length + " endpoint ids, " + profiles.length + " profiles");
        }
        final int slots = highWaterMark;
        int changed = 0;
        for (int flowId = 0; flowId < slots; flowId++)
        {
            final int offset = flowId * RECORD_LENGTH;
            if ((records.getByte(offset + FLAGS_OFFSET) & FLAG_IN_USE) != 0)
            {
                final int index = java.util.Arrays.binarySearch(
                    sortedEndpointIds, records.getInt(offset + ENDPOINT_ID_OFFSET));
                final byte profile = index < 0 ? 0 : profiles[index];
                if (records.getByte(offset + TIMEOUT_PROFILE_OFFSET) != profile)
                {
                    records.putByte(offset + TIMEOUT_PROFILE_OFFSET, profile);
                    changed++;
                }
            }
        }

        return changed;
    }

    /**
     * Number of live flows. Any thread: acquire read paired with the writer's release store.
     */
    public int size()
    {
        return (int)counters.getLongVolatile(SIZE_COUNTER_OFFSET);
    }

    /**
     * Maximum number of live flows. Any thread (final).
     */
    public int capacity()
    {
        return capacity;
    }

    /**
     * Flows created since construction. Any thread: acquire read paired with a release store.
     */
    public long createdCount()
    {
        return counters.getLongVolatile(CREATED_COUNTER_OFFSET);
    }

    /**
     * Flows removed by any means (remove, expire, removeByEndpoint). Any thread: acquire/release pair.
     */
    public long removedCount()
    {
        return counters.getLongVolatile(REMOVED_COUNTER_OFFSET);
    }

    /**
     * Flows removed by {@link #expire}. Any thread: acquire/release pair.
     */
    public long expiredCount()
    {
        return counters.getLongVolatile(EXPIRED_COUNTER_OFFSET);
    }

    /**
     * {@link #create} calls that returned {@link #TABLE_FULL} (creates that made room by eviction are counted in
     * {@link #embryonicEvictedCount()} instead). Any thread: acquire/release pair.
     */
    public long tableFullCount()
    {
        return counters.getLongVolatile(TABLE_FULL_COUNTER_OFFSET);
    }

    /**
     * {@link #create} calls that returned {@link #DUPLICATE}. Any thread: acquire/release pair.
     */
    public long duplicateCount()
    {
        return counters.getLongVolatile(DUPLICATE_COUNTER_OFFSET);
    }

    /**
     * {@link #create} calls that returned {@link #INVALID_ARGUMENT}. Any thread: acquire/release pair.
     */
    public long invalidArgumentCount()
    {
        return counters.getLongVolatile(INVALID_ARGUMENT_COUNTER_OFFSET);
    }

    /**
     * Flows now embryonic (TCP in SYN_SENT or SYN_RECEIVED), the length of the eviction list. Any thread:
     * acquire/release pair.
     */
    public int embryonicCount()
    {
        return (int)counters.getLongVolatile(EMBRYONIC_COUNTER_OFFSET);
    }

    /**
     * Embryonic flows evicted by {@link #create} to make room. Any thread: acquire/release pair.
     */
    public long embryonicEvictedCount()
    {
        return counters.getLongVolatile(EMBRYONIC_EVICTED_COUNTER_OFFSET);
    }

    /**
     * RSTs outside the receiver's window, ignored by the flow (the packet methods returned false). Any thread:
     * acquire/release pair.
     */
    public long rstOutOfWindowCount()
    {
        return counters.getLongVolatile(RST_OUT_OF_WINDOW_COUNTER_OFFSET);
    }

    /**
     * RSTs in ESTABLISHED within the window but not at the sender's next sequence number: forwarded, the flow
     * kept (the endpoint answers such an RST with a challenge ACK, RFC 5961 3.2). Any thread: acquire/release pair.
     */
    public long rstNotExactCount()
    {
        return counters.getLongVolatile(RST_NOT_EXACT_COUNTER_OFFSET);
    }

    /**
     * Most flows a create lets be embryonic. Any thread (final).
     */
    public int embryonicLimit()
    {
        return embryonicLimit;
    }

    /**
     * Default {@link #embryonicLimit()}: a quarter of the capacity (at least 1). A SYN flood then holds at most a
     * quarter of the records, leaving three quarters for completed connections, while a quarter of a large table
     * is still far more half-open handshakes than legitimate clients keep in flight (each lasts one RTT).
     *
     * @param capacity the table's capacity.
     * @return {@code max(1, capacity / 4)}.
     */
    public static int defaultEmbryonicLimit(final int capacity)
    {
        return Math.max(1, capacity / 4);
    }

    /**
     * The timeouts of profile 0, the table's default (those it was built with unless changed).
     */
    public FlowTimeouts timeouts()
    {
        return timeoutProfiles[0];
    }

    /**
     * Number of buckets in the key index ({@link #BUCKETS_PER_FLOW} * capacity).
     */
    public int bucketCount()
    {
        return capacity * BUCKETS_PER_FLOW;
    }

    /**
     * Off-heap bytes held by the table: records plus buckets.
     */
    public long allocatedBytes()
    {
        return (long)capacity * (RECORD_LENGTH + BUCKETS_PER_FLOW * BUCKET_LENGTH);
    }

    /**
     * Whether the kernel accepted {@code MADV_HUGEPAGE} for both records and buckets (each at least 2 MiB, i.e. a
     * capacity of about 22,000 flows or more); {@code AnonHugePages} in {@code /proc/<pid>/smaps} shows how much it
     * actually backs with huge pages.
     */
    public boolean hugePagesAdvised()
    {
        return recordMemory.hugePagesAdvised() && bucketMemory.hugePagesAdvised();
    }

    /**
     * Unmap the records and buckets. Only the writer may call this, once it will make no further call; afterwards
     * only {@link #size()}, {@link #capacity()} and the counter getters may be called. Idempotent. A stray call
     * after close does not touch unmapped memory: lookups find nothing, and whatever reads a record throws
     * {@link IndexOutOfBoundsException}.
     */
    @Override
    public void close()
    {
        records.wrap(NO_MEMORY);
        modifications++;
        bucketCount = 1;
        bucketsAddress = CLOSED_MEMORY_ADDRESS;
        recordsAddress = CLOSED_MEMORY_ADDRESS;
        recordMemory.close();
        bucketMemory.close();
    }

    // ---------------------------------------------------------------------------------------------------------------

    /**
     * The TCP state machine ({@link TcpState}) and sequence tracking (class comment).
     *
     * @return false for an RST outside the window: nothing was changed.
     */
    private boolean onTcpSegment(
        final int flowId,
        final int offset,
        final int direction,
        final int tcpFlags,
        final int seq,
        final int ack,
        final int window,
        final int windowScale,
        final int payloadLength)
    {
        final UnsafeBuffer records = this.records;
        final int oldState = records.getByte(offset + TCP_STATE_OFFSET);
        final int oldFlags = records.getByte(offset + FLAGS_OFFSET) & 0xFF;
        int state = oldState;
        int flags = oldFlags;

        if ((tcpFlags & TcpFlags.RST) != 0)
        {
            final int verdict = rstVerdict(offset, direction, flags, tcpFlags, seq, ack);
            if (RST_OUT_OF_WINDOW == verdict)
            {
                return false;
            }
            if (RST_IN_WINDOW == verdict && TcpState.ESTABLISHED == state)
            {
                increment(RST_NOT_EXACT_COUNTER_OFFSET);
            }
            else
            {
                state = TcpState.CLOSED;
            }
        }
        else
        {
            final int end = seq + payloadLength + ((tcpFlags & TcpFlags.SYN) != 0 ? 1 : 0) +
                ((tcpFlags & TcpFlags.FIN) != 0 ? 1 : 0);
            if ((tcpFlags & TcpFlags.SYN) != 0)
            {
                if (FORWARD == direction)
                {
                    if ((tcpFlags & TcpFlags.ACK) == 0 &&
                        (TcpState.TIME_WAIT == state || TcpState.CLOSED == state || TcpState.SYN_SENT == state))
                    {
                        // A new connection attempt: the consumer reused its port (TIME_WAIT/CLOSED: reopen in place,
                        // keeping the NAT mapping, as Linux conntrack does) or retransmits its SYN, maybe with a new
                        // ISN. Either way the sequence space starts again from this SYN.
                        state = TcpState.SYN_SENT;
                        flags = learnForwardSyn(offset, end, window, windowScale);
                    }
                    else
                    {
                        flags = track(offset, FORWARD, flags, true, seq, end, window);
                    }
                }
                else if ((tcpFlags & TcpFlags.ACK) != 0 && TcpState.SYN_SENT == state &&
                    (seqState(flags, FORWARD) != SEQ_KNOWN || ack == nextSeq(offset, FORWARD)))
                {
                    // Only a SYN+ACK that acknowledges the consumer's SYN answers it (RFC 9293 3.10.7.3).
                    state = TcpState.SYN_RECEIVED;
                    flags = learnReverseSyn(offset, flags, end, window, windowScale);
                }
                else
                {
                    flags = track(offset, direction, flags, true, seq, end, window);
                }
            }
            else
            {
                flags = track(offset, direction, flags, false, seq, end, window);
                if (FORWARD == direction && TcpState.SYN_RECEIVED == state && (tcpFlags & TcpFlags.ACK) != 0)
                {
                    state = TcpState.ESTABLISHED;
                }

                final int finBit = FLAG_FIN_FORWARD << direction;
                if ((tcpFlags & TcpFlags.FIN) != 0)
                {
                    if (TcpState.ESTABLISHED == state)
                    {
                        state = TcpState.FIN_WAIT;
                        flags |= finBit;
                    }
                    else if (TcpState.FIN_WAIT == state && (flags & finBit) == 0)
                    {
                        state = TcpState.CLOSING;
                        flags = ((flags | finBit) & ~FLAG_LAST_FIN_REVERSE) |
                            (REVERSE == direction ? FLAG_LAST_FIN_REVERSE : 0);
                    }
                }

                if (TcpState.CLOSING == state && oldState == TcpState.CLOSING && (tcpFlags & TcpFlags.ACK) != 0)
                {
                    final int lastFinDirection = (flags & FLAG_LAST_FIN_REVERSE) != 0 ? REVERSE : FORWARD;
                    if (direction != lastFinDirection)
                    {
                        state = TcpState.TIME_WAIT;
                    }
                }
            }
        }

        if (state != oldState)
        {
            records.putByte(offset + TCP_STATE_OFFSET, (byte)state);

            // Keep the embryonic list equal to the set of SYN_SENT/SYN_RECEIVED flows: a completed handshake or an
            // RST leaves it, a reopen (SYN in TIME_WAIT/CLOSED) rejoins it as the newest member.
            final boolean wasEmbryonic = isEmbryonicState(oldState);
            if (wasEmbryonic != isEmbryonicState(state))
            {
                if (wasEmbryonic)
                {
                    unlinkEmbryonic(flowId);
                }
                else
                {
                    appendEmbryonic(flowId);
                }
            }
        }
        if (flags != oldFlags)
        {
            records.putByte(offset + FLAGS_OFFSET, (byte)flags);
        }

        return true;
    }

    /**
     * Judge an RST from {@code sender}; see the class comment for why each case is decided so.
     */
    private int rstVerdict(
        final int offset, final int sender, final int flags, final int tcpFlags, final int seq, final int ack)
    {
        final int receiver = sender ^ 1;
        final int senderKnows = seqState(flags, sender);
        final int receiverKnows = seqState(flags, receiver);
        if (SEQ_UNKNOWN == senderKnows || SEQ_UNKNOWN == receiverKnows)
        {
            return RST_EXACT;
        }
        if (SEQ_NONE == senderKnows)
        {
            // The sender has sent no SYN: only a refusal of the receiver's SYN is believable, and the receiver (in
            // SYN-SENT) believes it only if it acknowledges that SYN exactly.
            return SEQ_NONE == receiverKnows ||
                ((tcpFlags & TcpFlags.ACK) != 0 && ack == nextSeq(offset, receiver)) ? RST_EXACT : RST_OUT_OF_WINDOW;
        }
        if (SEQ_NONE == receiverKnows)
        {
            // The sender aborts its own attempt before any answer; its next SYN would reopen the flow anyway.
            return RST_EXACT;
        }

        final int distance = seq - nextSeq(offset, sender);
        if (0 == distance)
        {
            return RST_EXACT;
        }
        final int windowBytes = maxWindowBytes(offset, receiver);
        return distance >= -windowBytes && distance <= windowBytes ? RST_IN_WINDOW : RST_OUT_OF_WINDOW;
    }

    /**
     * Learn from a segment of a sender whose sequence is known: advance its next sequence number and its largest
     * window, but only from a segment within the receiver's window (the same bound as for RSTs), so a blind
     * attacker cannot steer them. A restored flow's sender learns from any segment.
     *
     * @return the flags, changed if the sender's sequence became known.
     */
    private int track(
        final int offset,
        final int sender,
        final int flags,
        final boolean syn,
        final int seq,
        final int end,
        final int window)
    {
        final int senderKnows = seqState(flags, sender);
        final int nextSeqOffset = offset + NEXT_SEQ_OFFSET + (sender << 2);
        final int maxWindowOffset = offset + MAX_WINDOW_OFFSET + (sender << 1);
        if (SEQ_UNKNOWN == senderKnows)
        {
            records.putInt(nextSeqOffset, end);
            records.putShort(maxWindowOffset, (short)windowUnits(offset, sender, syn, window));
            return withSeqState(flags, sender, SEQ_KNOWN);
        }
        if (SEQ_KNOWN != senderKnows)
        {
            return flags;
        }

        final int receiver = sender ^ 1;
        final int receiverKnows = seqState(flags, receiver);
        final int nextSeq = records.getInt(nextSeqOffset);
        if (SEQ_UNKNOWN != receiverKnows)
        {
            // A receiver that has not sent its SYN has opened no window: nothing beyond the SYN is acceptable.
            final int windowBytes = SEQ_KNOWN == receiverKnows ? maxWindowBytes(offset, receiver) : 0;
            final int distance = seq - nextSeq;
            if (distance < -windowBytes || end - nextSeq > windowBytes)
            {
                return flags;
            }
        }
        if (end - nextSeq > 0)
        {
            records.putInt(nextSeqOffset, end);
        }
        final int units = windowUnits(offset, sender, syn, window);
        if (units > (records.getShort(maxWindowOffset) & 0xFFFF))
        {
            records.putShort(maxWindowOffset, (short)units);
        }

        return flags;
    }

    /**
     * The consumer's SYN starts the connection's sequence space: its side is known from this SYN, the provider's
     * is not yet (it answers with its own SYN).
     *
     * @return the flags: in use, no FIN seen, forward known, reverse none.
     */
    private int learnForwardSyn(final int offset, final int end, final int window, final int windowScale)
    {
        records.putInt(offset + NEXT_SEQ_OFFSET, end);
        records.putInt(offset + NEXT_SEQ_OFFSET + 4, 0);
        records.putByte(offset + WINDOW_SCALES_OFFSET, (byte)(scaleNibble(windowScale) | NO_SCALE << 4));
        // The provider has sent no Window Scale option yet, so scaling is off and the SYN's window stays in bytes
        // until learnReverseSyn converts it.
        records.putShort(offset + MAX_WINDOW_OFFSET, (short)window);
        records.putShort(offset + MAX_WINDOW_OFFSET + 2, (short)0);

        return withSeqState(FLAG_IN_USE, FORWARD, SEQ_KNOWN);
    }

    /**
     * The provider's SYN+ACK: its side becomes known, and window scaling is on if both SYNs carried the option
     * (RFC 7323 2.2), in which case the consumer's largest window so far (its SYN's, in bytes) is converted to
     * units, rounded up.
     */
    private int learnReverseSyn(final int offset, final int flags, final int end, final int window, final int windowScale)
    {
        final int scales = records.getByte(offset + WINDOW_SCALES_OFFSET) & 0xFF;
        final int forwardScale = scales & 0xF;
        final int reverseScale = scaleNibble(windowScale);
        records.putByte(offset + WINDOW_SCALES_OFFSET, (byte)(forwardScale | reverseScale << 4));
        if (NO_SCALE != forwardScale && NO_SCALE != reverseScale)
        {
            final int forwardWindow = records.getShort(offset + MAX_WINDOW_OFFSET) & 0xFFFF;
            records.putShort(offset + MAX_WINDOW_OFFSET, (short)ceilShift(forwardWindow, forwardScale));
        }
        records.putInt(offset + NEXT_SEQ_OFFSET + 4, end);
        records.putShort(offset + MAX_WINDOW_OFFSET + 2, (short)windowUnits(offset, REVERSE, true, window));

        return withSeqState(flags, REVERSE, SEQ_KNOWN);
    }

    /**
     * A segment's window in the units the record keeps for its sender: a SYN's window is never scaled (RFC 7323
     * 2.2), so it is divided by the scale in effect, rounded up so the bound only grows.
     */
    private int windowUnits(final int offset, final int sender, final boolean syn, final int window)
    {
        return syn ? ceilShift(window, effectiveScale(offset, sender)) : window;
    }

    private int maxWindowBytes(final int offset, final int sender)
    {
        return (records.getShort(offset + MAX_WINDOW_OFFSET + (sender << 1)) & 0xFFFF) << effectiveScale(offset, sender);
    }

    /**
     * The sender's shift count if both SYNs carried a Window Scale option, else 0.
     */
    private int effectiveScale(final int offset, final int sender)
    {
        final int scales = records.getByte(offset + WINDOW_SCALES_OFFSET) & 0xFF;
        final int forwardScale = scales & 0xF;
        final int reverseScale = scales >>> 4;
        if (NO_SCALE == forwardScale || NO_SCALE == reverseScale)
        {
            return 0;
        }

        return FORWARD == sender ? forwardScale : reverseScale;
    }

    private int nextSeq(final int offset, final int sender)
    {
        return records.getInt(offset + NEXT_SEQ_OFFSET + (sender << 2));
    }

    private static int scaleNibble(final int windowScale)
    {
        return windowScale < 0 ? NO_SCALE : Math.min(windowScale, MAX_WINDOW_SCALE);
    }

    private static int ceilShift(final int value, final int shift)
    {
        return (value + (1 << shift) - 1) >>> shift;
    }

    private static int seqState(final int flags, final int direction)
    {
        return (flags >>> (SEQ_SHIFT + (direction << 1))) & SEQ_MASK;
    }

    private static int withSeqState(final int flags, final int direction, final int seqState)
    {
        final int shift = SEQ_SHIFT + (direction << 1);
        return (flags & ~(SEQ_MASK << shift)) | (seqState << shift);
    }

    private long idleTimeoutNsAt(final int offset)
    {
        final int protocol = records.getByte(offset + PROTOCOL_OFFSET) & 0xFF;
        final int slot = IpProtocol.TCP == protocol ? records.getByte(offset + TCP_STATE_OFFSET) :
            IpProtocol.UDP == protocol ? UDP_TIMEOUT_SLOT : OTHER_TIMEOUT_SLOT;

        return timeoutNsByProfileAndSlot[
            (records.getByte(offset + TIMEOUT_PROFILE_OFFSET) & 0xFF) << TIMEOUT_SLOTS_SHIFT | slot];
    }

    private void removeLive(final int flowId)
    {
        final UnsafeBuffer records = this.records;
        final int offset = flowId * RECORD_LENGTH;
        final int protocol = records.getByte(offset + PROTOCOL_OFFSET) & 0xFF;

        final int forwardTag = tag(
            records.getInt(offset + CLIENT_IP_OFFSET),
            records.getShort(offset + CLIENT_PORT_OFFSET) & 0xFFFF,
            records.getInt(offset + ENI_IP_OFFSET),
            records.getShort(offset + ENI_PORT_OFFSET) & 0xFFFF,
            protocol,
            FORWARD);
        final int reverseTag = tag(
            records.getInt(offset + TARGET_IP_OFFSET),
            records.getShort(offset + TARGET_PORT_OFFSET) & 0xFFFF,
            records.getInt(offset + NAT_IP_OFFSET),
            records.getShort(offset + NAT_PORT_OFFSET) & 0xFFFF,
            protocol,
            REVERSE);

        // Touch both home buckets before either probe branches on them, so their cache misses overlap; the
        // stores to a field keep the JIT from dropping loads whose values are not used.
        final int forwardHome = home(forwardTag);
        final int reverseHome = home(reverseTag);
        batchWords[0] = bucket(forwardHome);
        batchWords[1] = bucket(reverseHome);
        deleteBucket(bucketOf(forwardHome, forwardTag, reference(flowId, FORWARD)));
        deleteBucket(bucketOf(reverseHome, reverseTag, reference(flowId, REVERSE)));
        if (isEmbryonicState(records.getByte(offset + TCP_STATE_OFFSET)))
        {
            unlinkEmbryonic(flowId);
        }

        records.putByte(offset + FLAGS_OFFSET, (byte)0);
        records.putInt(offset + NEXT_FREE_OFFSET, freeHead);
        freeHead = flowId;
        modifications++;

        add(SIZE_COUNTER_OFFSET, -1);
        increment(REMOVED_COUNTER_OFFSET);
    }

    /**
     * Only TCP flows have these states (others are {@link TcpState#NONE}), so the state alone decides membership.
     */
    private static boolean isEmbryonicState(final int tcpState)
    {
        return TcpState.SYN_SENT == tcpState || TcpState.SYN_RECEIVED == tcpState;
    }

    private void appendEmbryonic(final int flowId)
    {
        final UnsafeBuffer records = this.records;
        final int offset = flowId * RECORD_LENGTH;
        final int tail = embryonicTail;
        records.putInt(offset + EMBRYONIC_PREV_OFFSET, tail);
        records.putInt(offset + EMBRYONIC_NEXT_OFFSET, NO_RECORD);
        if (NO_RECORD == tail)
        {
            embryonicHead = flowId;
        }
        else
        {
            records.putInt(tail * RECORD_LENGTH + EMBRYONIC_NEXT_OFFSET, flowId);
        }
        embryonicTail = flowId;
        increment(EMBRYONIC_COUNTER_OFFSET);
    }

    /**
     * Put back an established TCP flow recorded before a restart (the flow journal): both keys,
     * state ESTABLISHED, last seen now, off the embryonic list. Its sequence numbers are unknown: each direction
     * learns them from its next segment, and window scales are assumed to be the largest (14), see the class
     * comment. Start-up only, before the worker runs.
     *
     * @return the flow id, or a negative result as {@link #create} gives.
     */
    public int restoreEstablished(
        final int clientIp,
        final int clientPort,
        final int eniIp,
        final int eniPort,
        final int targetIp,
        final int targetPort,
        final int natIp,
        final int natPort,
        final long nowNs)
    {
        final int flowId = create(
            clientIp, clientPort, eniIp, eniPort, targetIp, targetPort, natIp, natPort, IpProtocol.TCP, nowNs, null);
        if (flowId >= 0)
        {
            unlinkEmbryonic(flowId);
            final int offset = flowId * RECORD_LENGTH;
            records.putByte(offset + TCP_STATE_OFFSET, (byte)TcpState.ESTABLISHED);
            records.putByte(offset + FLAGS_OFFSET,
                (byte)withSeqState(withSeqState(FLAG_IN_USE, FORWARD, SEQ_UNKNOWN), REVERSE, SEQ_UNKNOWN));
            records.putByte(offset + WINDOW_SCALES_OFFSET, (byte)(MAX_WINDOW_SCALE | MAX_WINDOW_SCALE << 4));
        }
        return flowId;
    }

    private void unlinkEmbryonic(final int flowId)
    {
        final UnsafeBuffer records = this.records;
        final int offset = flowId * RECORD_LENGTH;
        final int prev = records.getInt(offset + EMBRYONIC_PREV_OFFSET);
        final int next = records.getInt(offset + EMBRYONIC_NEXT_OFFSET);
        if (NO_RECORD == prev)
        {
            embryonicHead = next;
        }
        else
        {
            records.putInt(prev * RECORD_LENGTH + EMBRYONIC_NEXT_OFFSET, next);
        }
        if (NO_RECORD == next)
        {
            embryonicTail = prev;
        }
        else
        {
            records.putInt(next * RECORD_LENGTH + EMBRYONIC_PREV_OFFSET, prev);
        }
        add(EMBRYONIC_COUNTER_OFFSET, -1);
    }

    private int find(
        final int tag,
        final int direction,
        final int srcIp,
        final int srcPort,
        final int dstIp,
        final int dstPort,
        final int protocol)
    {
        return findFrom(home(tag), tag, direction, srcIp, srcPort, dstIp, dstPort, protocol);
    }

    /**
     * Probe from bucket {@code index}, which must be the key's home or follow only buckets already ruled out.
     */
    private int findFrom(
        final int startIndex,
        final int tag,
        final int direction,
        final int srcIp,
        final int srcPort,
        final int dstIp,
        final int dstPort,
        final int protocol)
    {
        final int bucketCount = this.bucketCount;
        int index = startIndex;

        while (true)
        {
            final long entry = bucket(index);
            if (0 == entry)
            {
                return NOT_FOUND;
            }

            final int reference = (int)entry - 1;
            if ((int)(entry >>> 32) == tag && (reference & 1) == direction)
            {
                final int flowId = reference >>> 1;
                if (keyMatches(flowId, direction, srcIp, srcPort, dstIp, dstPort, protocol))
                {
                    return flowId;
                }
            }

            if (++index == bucketCount)
            {
                index = 0;
            }
        }
    }

    /**
     * Compare a key with a record's key of that direction. Forward key fields are at offsets 0/4 (addresses) and
     * 16/18 (ports); reverse ones 8 and 4 bytes later.
     */
    private boolean keyMatches(
        final int flowId,
        final int direction,
        final int srcIp,
        final int srcPort,
        final int dstIp,
        final int dstPort,
        final int protocol)
    {
        final long address = recordsAddress + (long)flowId * RECORD_LENGTH;
        final long ipAddress = address + (direction << 3);
        final long portAddress = address + CLIENT_PORT_OFFSET + (direction << 2);

        return UnsafeApi.getInt(ipAddress) == srcIp &&
            UnsafeApi.getInt(ipAddress + 4) == dstIp &&
            (UnsafeApi.getShort(portAddress) & 0xFFFF) == srcPort &&
            (UnsafeApi.getShort(portAddress + 2) & 0xFFFF) == dstPort &&
            (UnsafeApi.getByte(address + PROTOCOL_OFFSET) & 0xFF) == protocol;
    }

    /**
     * Up to {@link #BATCH_CHUNK} lookups in passes. A core keeps independent cache misses in flight together only
     * while they fit in its out-of-order window and no branch on a missing value is mispredicted, so each pass that
     * touches cold memory is a tight loop that loads and stores and never branches on what it loaded (measured: the
     * same loads with the hashing or the key comparison in the same loop overlap half as well):
     * <ol>
     *     <li>hash every key to its tag and home bucket (compute only);</li>
     *     <li>load every home bucket entry (cold: the bucket misses overlap);</li>
     *     <li>walk each probe, now in cache, to the first entry whose tag and direction match (the candidate) or
     *     to an empty bucket (a miss);</li>
     *     <li>load the first word of every candidate's record (cold: the record misses overlap);</li>
     *     <li>compare each candidate's key, now in cache; a mismatch, a 32-bit tag collision, resumes that probe
     *     after the candidate as {@link #findFrom} does.</li>
     * </ol>
     * Every loaded value is stored to {@code flowIdsOut} or to {@link #batchWords}, a field, so the JIT cannot
     * drop a load whose value the passes after it do not use.
     */
    private void findChunk(
        final int direction,
        final int start,
        final int count,
        final int[] srcIp,
        final int[] srcPort,
        final int[] dstIp,
        final int[] dstPort,
        final int[] protocol,
        final int[] flowIdsOut)
    {
        final int bucketCount = this.bucketCount;
        final int[] tags = batchTags;
        final int[] indexes = batchIndexes;
        final long[] words = batchWords;

        for (int i = 0, k = start; i < count; i++, k++)
        {
            final int tag = tag(srcIp[k], srcPort[k], dstIp[k], dstPort[k], protocol[k], direction);
            tags[i] = tag;
            indexes[i] = home(tag);
        }

        for (int i = 0; i < count; i++)
        {
            words[i] = bucket(indexes[i]);
        }

        for (int i = 0, k = start; i < count; i++, k++)
        {
            final int tag = tags[i];
            int index = indexes[i];
            long entry = words[i];
            int candidate = NOT_FOUND;
            while (0 != entry)
            {
                final int reference = (int)entry - 1;
                if ((int)(entry >>> 32) == tag && (reference & 1) == direction)
                {
                    candidate = reference >>> 1;
                    break;
                }
                if (++index == bucketCount)
                {
                    index = 0;
                }
                entry = bucket(index);
            }
            indexes[i] = index;
            flowIdsOut[k] = candidate;
        }

        // A miss loads record 0 rather than branch: one more cache line, no misprediction.
        for (int i = 0, k = start; i < count; i++, k++)
        {
            words[i] = UnsafeApi.getLong(recordsAddress + (long)Math.max(flowIdsOut[k], 0) * RECORD_LENGTH);
        }

        for (int i = 0, k = start; i < count; i++, k++)
        {
            final int candidate = flowIdsOut[k];
            if (candidate >= 0 &&
                !keyMatches(candidate, direction, srcIp[k], srcPort[k], dstIp[k], dstPort[k], protocol[k]))
            {
                final int next = indexes[i] + 1;
                flowIdsOut[k] = findFrom(next == bucketCount ? 0 : next, tags[i], direction,
                    srcIp[k], srcPort[k], dstIp[k], dstPort[k], protocol[k]);
            }
        }
    }

    /**
     * Probe for a key from its home bucket, whose entry the caller has loaded.
     *
     * @return the flow id (&ge; 0) if the key is present, else {@code ~index} (&lt; 0) of the empty bucket that
     * ends the probe, where linear probing puts the key.
     */
    private int probe(
        final int home,
        final long homeEntry,
        final int tag,
        final int direction,
        final int srcIp,
        final int srcPort,
        final int dstIp,
        final int dstPort,
        final int protocol)
    {
        final int bucketCount = this.bucketCount;
        int index = home;
        long entry = homeEntry;

        while (0 != entry)
        {
            final int reference = (int)entry - 1;
            if ((int)(entry >>> 32) == tag && (reference & 1) == direction)
            {
                final int flowId = reference >>> 1;
                if (keyMatches(flowId, direction, srcIp, srcPort, dstIp, dstPort, protocol))
                {
                    return flowId;
                }
            }

            if (++index == bucketCount)
            {
                index = 0;
            }
            entry = bucket(index);
        }

        return ~index;
    }

    /**
     * Put an entry in the free bucket {@code ~slot} that {@link #probe} found, or probe again if {@code slot} is
     * {@link #NO_SLOT}.
     */
    private void insertAt(final int slot, final int tag, final int reference)
    {
        if (NO_SLOT == slot)
        {
            insert(tag, reference);
        }
        else
        {
            bucket(~slot, entry(tag, reference));
        }
    }

    private void insert(final int tag, final int reference)
    {
        final int bucketCount = this.bucketCount;
        int index = home(tag);
        while (0 != bucket(index))
        {
            if (++index == bucketCount)
            {
                index = 0;
            }
        }
        bucket(index, entry(tag, reference));
    }

    private int bucketOf(final int home, final int tag, final int reference)
    {
        final int bucketCount = this.bucketCount;
        final long wanted = entry(tag, reference);
        int index = home;
        while (bucket(index) != wanted)
        {
            if (++index == bucketCount)
            {
                index = 0;
            }
        }

        return index;
    }

    private long bucket(final int index)
    {
        return UnsafeApi.getLong(bucketsAddress + ((long)index << 3));
    }

    private void bucket(final int index, final long entry)
    {
        UnsafeApi.putLong(bucketsAddress + ((long)index << 3), entry);
    }

    /**
     * Home bucket of a tag: {@code tag * bucketCount / 2^32} (Lemire, "A fast alternative to the modulo
     * reduction"), uniform over any bucket count and computable from the tag stored in the entry, which is all
     * backward-shift deletion needs.
     */
    private int home(final int tag)
    {
        return (int)(((tag & 0xFFFF_FFFFL) * bucketCount) >>> 32);
    }

    /**
     * Forward distance from bucket {@code from} to bucket {@code to} round the ring.
     */
    private int distance(final int from, final int to)
    {
        final int difference = to - from;
        return difference < 0 ? difference + bucketCount : difference;
    }

    /**
     * Backward-shift deletion (Knuth vol. 3, 6.4, Algorithm R): walk the cluster after the hole and move back
     * every entry whose home bucket is not cyclically between the hole and its current slot, so every remaining
     * key stays reachable from its home without tombstones.
     */
    private void deleteBucket(final int index)
    {
        final int bucketCount = this.bucketCount;
        int hole = index;
        int next = index + 1 == bucketCount ? 0 : index + 1;

        while (true)
        {
            final long entry = bucket(next);
            if (0 == entry)
            {
                break;
            }

            if (distance(home((int)(entry >>> 32)), next) >= distance(hole, next))
            {
                bucket(hole, entry);
                hole = next;
            }
            if (++next == bucketCount)
            {
                next = 0;
            }
        }

        bucket(hole, 0L);
    }

    /**
     * 32-bit tag of a key: it picks the home bucket ({@link #home(int)}), and all 32 bits filter probes before the
     * record is read. The
     * direction is hashed in so a forward key never matches a reverse entry even if the 5-tuples coincide.
     */
    private int tag(
        final int srcIp,
        final int srcPort,
        final int dstIp,
        final int dstPort,
        final int protocol,
        final int direction)
    {
        final long addresses = ((long)srcIp << 32) | (dstIp & 0xFFFF_FFFFL);
        final long rest = ((long)srcPort << 48) | ((long)dstPort << 32) | ((long)protocol << 8) | direction;

        return (int)(mix64(mix64(addresses ^ hashSeed) ^ rest) >>> 32);
    }

    /**
     * MurmurHash3 fmix64 finaliser: a bijection with full avalanche.
     */
    private static long mix64(final long value)
    {
        long h = value;
        h ^= h >>> 33;
        h *= 0xFF51AFD7ED558CCDL;
        h ^= h >>> 33;
        h *= 0xC4CEB9FE1A85EC53L;
        h ^= h >>> 33;

        return h;
    }

    /**
     * The long whose lower-addressed int is {@code lower}, in the native order {@link UnsafeBuffer}'s accessors use.
     */
    private static long pair(final int lower, final int higher)
    {
        return NATIVE_LITTLE_ENDIAN ? (lower & 0xFFFF_FFFFL) | (long)higher << 32 :
            (long)lower << 32 | (higher & 0xFFFF_FFFFL);
    }

    /**
     * The int whose lower-addressed short is {@code lower} (the low 16 bits of each), in native order.
     */
    private static int shorts(final int lower, final int higher)
    {
        return NATIVE_LITTLE_ENDIAN ? (lower & 0xFFFF) | higher << 16 : lower << 16 | (higher & 0xFFFF);
    }

    /**
     * The int whose bytes, at increasing addresses, are the low bytes of {@code b0}..{@code b3}.
     */
    private static int bytes(final int b0, final int b1, final int b2, final int b3)
    {
        return shorts(NATIVE_LITTLE_ENDIAN ? (b0 & 0xFF) | (b1 & 0xFF) << 8 : (b0 & 0xFF) << 8 | (b1 & 0xFF),
            NATIVE_LITTLE_ENDIAN ? (b2 & 0xFF) | (b3 & 0xFF) << 8 : (b2 & 0xFF) << 8 | (b3 & 0xFF));
    }

    private static int reference(final int flowId, final int direction)
    {
        return ((flowId << 1) | direction) + 1;
    }

    private static long entry(final int tag, final int reference)
    {
        return ((long)tag << 32) | (reference & 0xFFFF_FFFFL);
    }

    private void increment(final int counterOffset)
    {
        counters.putLongRelease(counterOffset, counters.getLong(counterOffset) + 1);
    }

    private void add(final int counterOffset, final long delta)
    {
        counters.putLongRelease(counterOffset, counters.getLong(counterOffset) + delta);
    }

    // ---- test support (package-private) ---------------------------------------------------------------------------

    int homeBucketForward(final int srcIp, final int srcPort, final int dstIp, final int dstPort, final int protocol)
    {
        return home(tag(srcIp, srcPort, dstIp, dstPort, protocol, FORWARD));
    }

    int homeBucketReverse(final int srcIp, final int srcPort, final int dstIp, final int dstPort, final int protocol)
    {
        return home(tag(srcIp, srcPort, dstIp, dstPort, protocol, REVERSE));
    }

    int forwardTag(final int srcIp, final int srcPort, final int dstIp, final int dstPort, final int protocol)
    {
        return tag(srcIp, srcPort, dstIp, dstPort, protocol, FORWARD);
    }

    /**
     * Ids on the embryonic list, oldest first; allocates, for tests only.
     */
    int[] embryonicIds()
    {
        final int[] ids = new int[embryonicCount()];
        int i = 0;
        for (int flowId = embryonicHead; NO_RECORD != flowId && i < ids.length;
            flowId = records.getInt(flowId * RECORD_LENGTH + EMBRYONIC_NEXT_OFFSET))
        {
            ids[i++] = flowId;
        }

        return ids;
    }

    /**
     * Check every structural invariant; O(capacity + buckets), for tests only.
     *
     * @throws IllegalStateException naming the first broken invariant.
     */
    void verifyIntegrity()
    {
        int occupied = 0;
        for (int index = 0; index < bucketCount; index++)
        {
            final long entry = bucket(index);
            if (0 == entry)
            {
                continue;
            }
            occupied++;

            final int tag = (int)(entry >>> 32);
            final int reference = (int)entry - 1;
            final int flowId = reference >>> 1;
            final int direction = reference & 1;
            if (!isLive(flowId))
            {
                throw new IllegalStateException("bucket " + index + " refers to dead flow " + flowId);
            }

            final int expectedTag = FORWARD == direction ?
                tag(clientIp(flowId), clientPort(flowId), eniIp(flowId), eniPort(flowId), protocol(flowId), FORWARD) :
                tag(targetIp(flowId), targetPort(flowId), natIp(flowId), natPort(flowId), protocol(flowId), REVERSE);
            if (expectedTag != tag)
            {
                throw new IllegalStateException("bucket " + index + " tag mismatch for flow " + flowId);
            }

            for (int probe = home(tag); probe != index; probe = probe + 1 == bucketCount ? 0 : probe + 1)
            {
                if (0 == bucket(probe))
                {
                    throw new IllegalStateException("bucket " + index + " unreachable: gap at " + probe);
                }
            }
        }

        int live = 0;
        int liveEmbryonic = 0;
        for (int flowId = 0; flowId < highWaterMark; flowId++)
        {
            if (isLive(flowId))
            {
                live++;
                if (isEmbryonicState(tcpState(flowId)))
                {
                    if (IpProtocol.TCP != protocol(flowId))
                    {
                        throw new IllegalStateException("flow " + flowId + " embryonic but not TCP");
                    }
                    liveEmbryonic++;
                }
                if (lookupForward(clientIp(flowId), clientPort(flowId), eniIp(flowId), eniPort(flowId),
                    protocol(flowId)) != flowId ||
                    lookupReverse(targetIp(flowId), targetPort(flowId), natIp(flowId), natPort(flowId),
                    protocol(flowId)) != flowId)
                {
                    throw new IllegalStateException("flow " + flowId + " not found by its keys");
                }
            }
        }

        int free = 0;
        for (int flowId = freeHead; NO_RECORD != flowId; flowId = records.getInt(flowId * RECORD_LENGTH + NEXT_FREE_OFFSET))
        {
            if (isLive(flowId) || ++free > highWaterMark)
            {
                throw new IllegalStateException("free list corrupt at " + flowId);
            }
        }

        // The embryonic list: every member live and embryonic, links symmetric, no cycle, head/tail/count agree,
        // and every live embryonic flow on it (each member is distinct, so length == liveEmbryonic covers that).
        int listed = 0;
        int previous = NO_RECORD;
        for (int flowId = embryonicHead; NO_RECORD != flowId;
            flowId = records.getInt(flowId * RECORD_LENGTH + EMBRYONIC_NEXT_OFFSET))
        {
            if (!isLive(flowId) || !isEmbryonicState(tcpState(flowId)) || ++listed > highWaterMark ||
                records.getInt(flowId * RECORD_LENGTH + EMBRYONIC_PREV_OFFSET) != previous)
            {
                throw new IllegalStateException("embryonic list corrupt at " + flowId + " after " + previous);
            }
            previous = flowId;
        }
        if (previous != embryonicTail || listed != liveEmbryonic || listed != embryonicCount())
        {
            throw new IllegalStateException("embryonic list: listed=" + listed + " live=" + liveEmbryonic +
                " count=" + embryonicCount() + " tail=" + embryonicTail + " last=" + previous);
        }

        if (live != size() || occupied != 2 * live || live + free != highWaterMark)
        {
            throw new IllegalStateException("counts: live=" + live + " size=" + size() + " buckets=" + occupied +
                " free=" + free + " highWaterMark=" + highWaterMark);
        }
    }
}
