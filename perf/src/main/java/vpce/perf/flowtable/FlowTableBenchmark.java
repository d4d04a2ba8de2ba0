package vpce.perf.flowtable;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;
import vpce.flowtable.FlowExpiryHandler;
import vpce.flowtable.FlowTable;
import vpce.flowtable.FlowTimeouts;
import vpce.flowtable.IpProtocol;
import vpce.flowtable.TcpFlags;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * The flow table at 1M and 10M live flows: a hit ({@code lookupForward} of a live flow's key), a miss (a key no
 * flow has), both also 64 at a time through {@code lookupForwardBatch} as a datapath receive batch would ({@code
 * hitBatched}, {@code missBatched}, reported per lookup), an insert ({@code create} alone, 256 per invocation; {@code
 * insertBatched}: the same through {@code createBatch}, 64 at a time) and an
 * insert+delete ({@code create} with an eviction handler, then {@code remove}, so the size stays put). Keys come
 * from primitive arrays filled in {@link #setup()} and are visited in random order, so every operation pays the
 * cache and TLB misses of a table far larger than the caches; nothing is allocated in the measured methods
 * ({@code -prof gc} shows ~0 B/op).
 * <p>
 * The table is filled with TCP flows taken through the handshake to ESTABLISHED, so the embryonic list is empty
 * and each benchmark create is the one embryonic flow: it joins and leaves the list, as a real SYN does.
 * <p>
 * Bytes per flow is {@link FlowTable#allocatedBytes()} / capacity, printed after each trial with the process's
 * {@code AnonHugePages} (the table's memory on huge pages); {@link #main(String[])} prints both, and the resident
 * growth per flow, without JMH.
 *
 * <pre>
 *   java -cp "perf.jar:lib/*" org.openjdk.jmh.Main FlowTableBenchmark -f 1 -wi 2 -i 3 -w 1s -r 1s -prof gc
 *   java -cp "perf.jar:lib/*" vpce.perf.flowtable.FlowTableBenchmark     # bytes per flow only
 * </pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(
    value = 1,
    // Heap in jvmArgs so a command-line -jvmArgsAppend (which replaces jvmArgsAppend) cannot drop it. 10M flows are
    // 1.28 GB off-heap (the table's own mappings, not direct buffers), plus ~150 MB of key arrays on heap.
    jvmArgs = { "-Xms3g", "-Xmx3g", "-XX:+UseParallelGC" },
    jvmArgsAppend = { "--enable-native-access=ALL-UNNAMED", "--add-exports=java.base/jdk.internal.misc=ALL-UNNAMED" })
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
public class FlowTableBenchmark
{
    private static final int KEYS = 1 << 22;
    private static final int KEY_MASK = KEYS - 1;
    /**
     * Frames a datapath receive batch holds (recvmmsg; {@code datapath.batchSize}, 64 by default); KEYS and
     * INSERTS are multiples.
     */
    private static final int BATCH = 64;
    /** Creates per invocation of {@link #insert(Inserted)}; also the records left free for it. */
    private static final int INSERTS = 256;
    private static final int ENI_IP = 0x0A00FF64;
    private static final int ENI_PORT = 443;
    private static final int TARGET_IP = 0xC0A80A05;
    private static final int TARGET_PORT = 8443;
    private static final int NAT_IP_BASE = 0xC0A86400;
    private static final int NAT_PORTS = 64_000;
    private static final int TCP = IpProtocol.TCP;

    @Param({ "1000000", "10000000" })
    public int flows;

    private FlowTable table;
    private final FlowExpiryHandler onEvicted = FlowTableBenchmark::onEvicted;

    private final int[] hitClientIp = new int[KEYS];
    private final int[] hitClientPort = new int[KEYS];
    private final int[] missClientIp = new int[KEYS];
    private final int[] missClientPort = new int[KEYS];
    private final int[] newClientIp = new int[KEYS];
    private final int[] newClientPort = new int[KEYS];
    private final int[] newNatPort = new int[KEYS];
    private final int[] batchSrcIp = new int[BATCH];
    private final int[] batchSrcPort = new int[BATCH];
    private final int[] batchDstIp = new int[BATCH];
    private final int[] batchDstPort = new int[BATCH];
    private final int[] batchProtocol = new int[BATCH];
    private final int[] batchFlowIds = new int[BATCH];
    private final int[] batchTargetIp = new int[BATCH];
    private final int[] batchTargetPort = new int[BATCH];
    private final int[] batchNatIp = new int[BATCH];
    private final int[] batchNatPort = new int[BATCH];
    private int next;
    private long nowNs;

    @Setup(Level.Trial)
    public void setup()
    {
        table = new FlowTable(flows, FlowTimeouts.DEFAULT, 0x5EED_F10EL);

        // Live flow i: client 10.(i >> 6):(1024 + i % 64) -> ENI; NAT side 192.168.(100 + i / 64000).x:(1024 + i % 64000).
        for (int i = 0; i < flows; i++)
        {
            final int flowId = table.create(
                clientIp(i), clientPort(i), ENI_IP, ENI_PORT, TARGET_IP, TARGET_PORT, natIp(i), natPort(i), TCP, 0);
            if (flowId < 0)
            {
                throw new IllegalStateException("create " + i + " returned " + flowId);
            }
            table.onForwardPacket(flowId, TcpFlags.SYN, 1_000, 0, 65_535, -1, 0, 60, 0);
            table.onReversePacket(flowId, TcpFlags.SYN | TcpFlags.ACK, 9_000, 1_001, 65_535, -1, 0, 60, 0);
            table.onForwardPacket(flowId, TcpFlags.ACK, 1_001, 9_001, 65_535, -1, 0, 52, 0);
        }
        if (table.embryonicCount() != 0 || table.size() != flows)
        {
            throw new IllegalStateException("size " + table.size() + " embryonic " + table.embryonicCount());
        }
        // Leave records free for the insert benchmarks, so their creates never need to evict.
        for (int i = flows - INSERTS; i < flows; i++)
        {
            table.remove(i);
        }

        Arrays.fill(batchDstIp, ENI_IP);
        Arrays.fill(batchDstPort, ENI_PORT);
        Arrays.fill(batchProtocol, TCP);
        Arrays.fill(batchTargetIp, TARGET_IP);
        Arrays.fill(batchTargetPort, TARGET_PORT);

        final SplittableRandom random = new SplittableRandom(42);
        for (int k = 0; k < KEYS; k++)
        {
            final int live = random.nextInt(flows - INSERTS);
            hitClientIp[k] = clientIp(live);
            hitClientPort[k] = clientPort(live);

            // 11.x.y.z never appears as a live client.
            missClientIp[k] = 0x0B000000 | random.nextInt(1 << 24);
            missClientPort[k] = 1024 + random.nextInt(64_000);

            // 12.x.y.z clients and NAT addresses 192.169.x.x: disjoint from every live key.
            newClientIp[k] = 0x0C000000 | random.nextInt(1 << 24);
            newClientPort[k] = 1024 + random.nextInt(64_000);
            newNatPort[k] = 1024 + random.nextInt(64_000);
        }

        final int probe = table.lookupForward(hitClientIp[0], hitClientPort[0], ENI_IP, ENI_PORT, TCP);
        if (probe < 0 || FlowTable.NOT_FOUND != table.lookupForward(
            missClientIp[0], missClientPort[0], ENI_IP, ENI_PORT, TCP))
        {
            throw new IllegalStateException("key arrays do not match the table");
        }
    }

    @TearDown(Level.Trial)
    public void tearDown()
    {
        System.out.printf("%nflows=%d capacity=%d allocatedBytes=%d bytesPerFlow=%.2f hugePagesAdvised=%b " +
            "anonHugePagesBytes=%d createdCount=%d embryonicEvictedCount=%d tableFullCount=%d%n",
            table.size(), table.capacity(), table.allocatedBytes(),
            (double)table.allocatedBytes() / table.capacity(), table.hugePagesAdvised(), anonHugePagesBytes(),
            table.createdCount(), table.embryonicEvictedCount(), table.tableFullCount());
        table.close();
    }

    @Benchmark
    public void hit(final Blackhole blackhole)
    {
        final int k = next++ & KEY_MASK;
        blackhole.consume(table.lookupForward(hitClientIp[k], hitClientPort[k], ENI_IP, ENI_PORT, TCP));
    }

    /**
     * {@link #BATCH} hits through {@code lookupForwardBatch}, reported per lookup; the copy of the keys into the
     * batch arrays (what a datapath does as it parses a receive batch) is part of the cost.
     */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    public void hitBatched(final Blackhole blackhole)
    {
        final int k = next & KEY_MASK;
        next += BATCH;
        System.arraycopy(hitClientIp, k, batchSrcIp, 0, BATCH);
        System.arraycopy(hitClientPort, k, batchSrcPort, 0, BATCH);
        table.lookupForwardBatch(BATCH, batchSrcIp, batchSrcPort, batchDstIp, batchDstPort, batchProtocol, batchFlowIds);
        blackhole.consume(batchFlowIds);
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public void missBatched(final Blackhole blackhole)
    {
        final int k = next & KEY_MASK;
        next += BATCH;
        System.arraycopy(missClientIp, k, batchSrcIp, 0, BATCH);
        System.arraycopy(missClientPort, k, batchSrcPort, 0, BATCH);
        table.lookupForwardBatch(BATCH, batchSrcIp, batchSrcPort, batchDstIp, batchDstPort, batchProtocol, batchFlowIds);
        blackhole.consume(batchFlowIds);
    }

    @Benchmark
    public void miss(final Blackhole blackhole)
    {
        final int k = next++ & KEY_MASK;
        blackhole.consume(table.lookupForward(missClientIp[k], missClientPort[k], ENI_IP, ENI_PORT, TCP));
    }

    /**
     * The flows one invocation of {@link #insert(Inserted)} created, removed again before the next invocation,
     * outside the measured time. A state of its own: a {@code Level.Invocation} fixture on the benchmark's main
     * state would run around, and time, every invocation of every benchmark.
     */
    @State(Scope.Thread)
    public static class Inserted
    {
        final int[] flowIds = new int[INSERTS];
        FlowTable table;

        public Inserted()
        {
            Arrays.fill(flowIds, FlowTable.NOT_FOUND);
        }

        @Setup(Level.Invocation)
        public void removeInserted()
        {
            for (int i = 0; i < INSERTS; i++)
            {
                if (flowIds[i] >= 0)
                {
                    table.remove(flowIds[i]);
                    flowIds[i] = FlowTable.NOT_FOUND;
                }
            }
        }
    }

    /**
     * {@link #INSERTS} creates of new flows per invocation, reported per create. The removal before the next
     * invocation leaves the freed records in cache, as the expiry scan that frees records in a datapath does; the
     * new keys' buckets are cold.
     */
    @Benchmark
    @OperationsPerInvocation(INSERTS)
    public void insert(final Inserted inserted)
    {
        final int[] flowIds = inserted.flowIds;
        inserted.table = table;
        for (int i = 0; i < INSERTS; i++)
        {
            final int k = next++ & KEY_MASK;
            flowIds[i] = table.create(newClientIp[k], newClientPort[k], ENI_IP, ENI_PORT,
                TARGET_IP, TARGET_PORT, 0xC0A90000 | (k & 0xFFFF), newNatPort[k], TCP, ++nowNs, onEvicted);
        }
    }

    /**
     * {@link #INSERTS} creates per invocation through {@code createBatch}, {@link #BATCH} at a time as a datapath
     * would for the new flows of a receive batch, reported per create; the same keys and cache state as
     * {@link #insert(Inserted)}, and the copy of the keys into the batch arrays is part of the cost.
     */
    @Benchmark
    @OperationsPerInvocation(INSERTS)
    public void insertBatched(final Inserted inserted)
    {
        final int[] flowIds = inserted.flowIds;
        inserted.table = table;
        for (int b = 0; b < INSERTS; b += BATCH)
        {
            final int k = next & KEY_MASK;
            next += BATCH;
            System.arraycopy(newClientIp, k, batchSrcIp, 0, BATCH);
            System.arraycopy(newClientPort, k, batchSrcPort, 0, BATCH);
            System.arraycopy(newNatPort, k, batchNatPort, 0, BATCH);
            for (int i = 0; i < BATCH; i++)
            {
                batchNatIp[i] = 0xC0A90000 | ((k + i) & 0xFFFF);
            }
            table.createBatch(BATCH, batchSrcIp, batchSrcPort, batchDstIp, batchDstPort, batchTargetIp,
                batchTargetPort, batchNatIp, batchNatPort, batchProtocol, ++nowNs, onEvicted, batchFlowIds);
            System.arraycopy(batchFlowIds, 0, flowIds, b, BATCH);
        }
    }

    @Benchmark
    public void insertDelete(final Blackhole blackhole)
    {
        final int k = next++ & KEY_MASK;
        final int flowId = table.create(newClientIp[k], newClientPort[k], ENI_IP, ENI_PORT,
            TARGET_IP, TARGET_PORT, 0xC0A90000 | (k & 0xFFFF), newNatPort[k], TCP, ++nowNs, onEvicted);
        blackhole.consume(table.remove(flowId));
    }

    /**
     * Bytes per flow without JMH: builds an empty table of each size and prints the table's own figure and the
     * JVM's direct-memory delta, which should agree.
     *
     * @param args ignored.
     */
    public static void main(final String[] args)
    {
        for (final int capacity : new int[] { 1_000_000, 10_000_000 })
        {
            final long rssBefore = smapsRollupBytes("Rss:");
            final long hugeBefore = anonHugePagesBytes();
            try (FlowTable table = new FlowTable(capacity, FlowTimeouts.DEFAULT, 1))
            {
                final long rssBytes = smapsRollupBytes("Rss:") - rssBefore;
                System.out.printf("capacity=%d allocatedBytes=%d (%.2f B/flow) residentDelta=%d (%.2f B/flow) " +
                    "hugePagesAdvised=%b anonHugePagesDelta=%d%n",
                    capacity, table.allocatedBytes(), (double)table.allocatedBytes() / capacity,
                    rssBytes, (double)rssBytes / capacity, table.hugePagesAdvised(), anonHugePagesBytes() - hugeBefore);
            }
        }
    }

    /**
     * This process's anonymous memory on transparent huge pages, {@code AnonHugePages} in
     * {@code /proc/self/smaps_rollup}; -1 where there is no such file.
     */
    private static long anonHugePagesBytes()
    {
        return smapsRollupBytes("AnonHugePages:");
    }

    private static long smapsRollupBytes(final String field)
    {
        try
        {
            for (final String line : Files.readAllLines(Path.of("/proc/self/smaps_rollup")))
            {
                if (line.startsWith(field))
                {
                    return 1024 * Long.parseLong(line.substring(field.length()).replace("kB", "").trim());
                }
            }
        }
        catch (final IOException | RuntimeException ex)
        {
            return -1;
        }

        return -1;
    }

    private static void onEvicted(final FlowTable table, final int flowId)
    {
        // The benchmark leaves a record free, so no create evicts; a datapath would release the NAT port here.
    }

    private static int clientIp(final int i)
    {
        return 0x0A000000 | (i >>> 6);
    }

    private static int clientPort(final int i)
    {
        return 1024 + (i & 63);
    }

    private static int natIp(final int i)
    {
        return NAT_IP_BASE + i / NAT_PORTS;
    }

    private static int natPort(final int i)
    {
        return 1024 + i % NAT_PORTS;
    }
}
