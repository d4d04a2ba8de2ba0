package vpce.perf.stress;

import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.BusySpinIdleStrategy;
import vpce.appliance.config.ApplianceModel;
import vpce.appliance.config.Ipv4;
import vpce.appliance.datapath.DatapathSnapshot;
import vpce.appliance.datapath.DatapathSnapshotHolder;
import vpce.appliance.flowlog.FlowLogAggregator;
import vpce.appliance.flowlog.FlowLogs;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

/**
 * The reload path and the flow-log hand-off together, as {@code Appliance.reload} and the
 * datapath agent run them: a control thread builds each reload's snapshot, gives the flow-log
 * writer the new interface-id table, then publishes the snapshot; the datapath thread acquires the
 * snapshot every cycle, records packets of its ENIs into the real {@link FlowLogAggregator} and
 * flushes closed windows into the ring; the real {@code FlowLogWriterAgent} on its own
 * {@link AgentRunner} formats them into the file; monitor threads read both sides' counters.
 *
 * <p>Reload {@code i} builds a fresh snapshot from one of {@value #MODELS} models loaded at the
 * start (parsing costs ten times the build) and hands the writer the ids {@code eni-<hex(4i + e)>}
 * (strings of the same form as the snapshot's own; unique per reload, so a line's id tells which
 * reload's table labelled it). The datapath learns {@code i} of each snapshot it takes from a map
 * the control thread fills before publishing, and writes it as the record's source address. ENI
 * numbering is the same in every model (four endpoints, fixed addresses).
 *
 * <p>A packet's bytes are a function of its record's key (reload, ENI, client port, action), so
 * every line must carry {@code bytes = packets * f(key)}: a record torn in the ring, or aggregated
 * into the wrong key, breaks it. A line's interface id must name the ENI index of its destination
 * address.
 *
 * <p>Invariants: counters monotonic on both sides; every line whole and correctly keyed, labelled
 * with an id of the right ENI index; after the join, lines written = records published, no line
 * lost, and the lines' packets add up to the packets recorded minus those the table could not
 * take; no line labelled by a table older than its record's snapshot (the writer loads the table
 * after acquiring each record). Counted, not failed: lines labelled by a newer table (a window
 * outlives a reload).
 */
final class FlowLogReloadScenario
{
    private static final List<String> PORTS = List.of("az1", "az2", "prov");
    private static final String ACCOUNT = "123456789012";
    /** In the datapath thread's own clock, which moves 100 ns per cycle and jumps to close a window. */
    private static final long WINDOW_NS = 1_000_000L;
    private static final long EPOCH_MS = 1_700_000_000_000L;
    private static final int CLIENT_PORTS = 8;
    private static final int MODELS = 32;

    private final Violations violations = new Violations();
    private final RunFlag flag = new RunFlag();
    private final ApplianceModel[] models = new ApplianceModel[MODELS];
    /** Each published snapshot's reload number; put before the snapshot is published. */
    private final Map<DatapathSnapshot, Long> reloadOf = new ConcurrentHashMap<>();
    private DatapathSnapshotHolder holder;
    private FlowLogs flowLogs;

    // Datapath-owned; read after the join.
    private long packetsRecorded;
    private long cycles;
    private long windows;
    private long snapshotsTaken;
    // Control-owned.
    private long reloads;

    static StressReport run(final long durationNs, final int readers, final long seed) throws Exception
    {
        final Path directory = Files.createTempDirectory("vpce-stress-flowlog");
        try
        {
            return new FlowLogReloadScenario().execute(directory.resolve("flow-logs.log"), durationNs, readers, seed);
        }
        finally
        {
            try (Stream<Path> files = Files.walk(directory))
            {
                files.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
            }
        }
    }

    /** A fresh snapshot for reload {@code i}, registered before anyone can see it. */
    private DatapathSnapshot snapshot(final long i)
    {
        final DatapathSnapshot snapshot = new DatapathSnapshot(models[(int)(i % MODELS)], PORTS);
        reloadOf.put(snapshot, i);
        return snapshot;
    }

    private static String[] interfaceIds(final long i)
    {
        final String[] ids = new String[StressModels.endpoints(i, true)];
        for (int e = 0; e < ids.length; e++)
        {
            ids[e] = String.format(Locale.ROOT, "eni-%017x", 4 * i + e);
        }
        return ids;
    }

    private StressReport execute(final Path file, final long durationNs, final int readers, final long seed) throws Exception
    {
        for (int m = 0; m < MODELS; m++)
        {
            models[m] = StressModels.model(m, true);
        }
        holder = new DatapathSnapshotHolder(snapshot(0));
        // Small ring, flushes and batches: the drain resumes often and the writer reloads its table
        // often. The writer spins so that it reads records the moment they are committed.
        flowLogs = new FlowLogs(file, ACCOUNT, interfaceIds(0), 4096, WINDOW_NS, 16 * 1024, 16, 48, 16,
            ex -> violations.report("flow log: " + ex));
        final AgentRunner writerRunner = new AgentRunner(new BusySpinIdleStrategy(), ex -> violations.report("writer: " + ex),
            null, flowLogs.writerAgent());
        final StressThreads threads = new StressThreads(violations);
        final long[][] monitorReads = new long[readers][];
        final long startNs = System.nanoTime();
        AgentRunner.startOnThread(writerRunner);
        final Thread control = threads.start("flowlog-control", () -> control(seed));
        final Thread datapath = threads.start("flowlog-datapath", () -> datapath(seed + 1));
        for (int r = 0; r < readers; r++)
        {
            final int reader = r;
            threads.start("flowlog-monitor-" + r, () -> monitorReads[reader] = monitor());
        }
        while (System.nanoTime() - (startNs + durationNs) < 0)
        {
            Thread.sleep(10);
        }
        flag.stop();
        StressThreads.join(control, 10_000, violations);
        StressThreads.join(datapath, 10_000, violations);
        // As at shutdown: the datapath has handed everything over; the writer drains, forces, closes.
        writerRunner.close();
        threads.joinAll(10_000);
        final double seconds = (System.nanoTime() - startNs) / 1e9;

        final FlowLogAggregator aggregator = flowLogs.aggregator();
        final long[] lines = verifyFile(file);
        violations.check(aggregator.recordsSkipped() == 0, "records given up although every window drained", aggregator.recordsSkipped());
        violations.check(flowLogs.recordsWritten() == aggregator.recordsPublished(), "lines written != records published",
            flowLogs.recordsWritten(), aggregator.recordsPublished());
        violations.check(flowLogs.skipDataWritten() == aggregator.skipRecordsPublished(), "SKIPDATA written != published",
            flowLogs.skipDataWritten(), aggregator.skipRecordsPublished());
        violations.check(flowLogs.linesLost() == 0, "lines lost", flowLogs.linesLost());
        violations.check(lines[0] == flowLogs.recordsWritten(), "flow lines in the file != lines written", lines[0], flowLogs.recordsWritten());
        violations.check(lines[1] == flowLogs.skipDataWritten(), "SKIPDATA lines in the file != written", lines[1], flowLogs.skipDataWritten());
        violations.check(lines[2] == packetsRecorded - aggregator.packetsSkipped(), "packets in the file != recorded - skipped",
            lines[2], packetsRecorded, aggregator.packetsSkipped());

        violations.check(lines[3] == 0, "lines labelled from a table older than their snapshot", lines[3]);

        final Map<String, Long> ops = new LinkedHashMap<>();
        ops.put("reloads", reloads);
        ops.put("datapathCycles", cycles);
        ops.put("snapshotsTaken", snapshotsTaken);
        ops.put("windows", windows);
        ops.put("packets", packetsRecorded);
        ops.put("lines", lines[0]);
        ops.put("skipLines", lines[1]);
        ops.put("labelsFromOlderTable", lines[3]);
        ops.put("labelsFromNewerTable", lines[4]);
        long reads = 0;
        long writtenAhead = 0;
        for (final long[] r : monitorReads)
        {
            if (r != null)
            {
                reads += r[0];
                writtenAhead += r[1];
            }
        }
        ops.put("monitorReads", reads);
        ops.put("writtenAheadOfPublished", writtenAhead);
        return new StressReport("flow-log-reload", seconds, ops, violations.count(), violations.messages());
    }

    /** {@code Appliance.reload}'s order: build, hand the writer the ids, publish. */
    private void control(final long seed)
    {
        final Chaos chaos = new Chaos(seed);
        final DatapathSnapshot[] recent = new DatapathSnapshot[1024];
        long i = 0;
        while (flag.running())
        {
            i++;
            final DatapathSnapshot snapshot = snapshot(i);
            // Bounded memory: a snapshot 1024 reloads old is long out of the datapath's hands.
            final int slot = (int)(i % recent.length);
            if (recent[slot] != null)
            {
                reloadOf.remove(recent[slot]);
            }
            recent[slot] = snapshot;
            flowLogs.interfaceIds(interfaceIds(i));
            holder.publish(snapshot);
            reloads++;
            chaos.perturb();
            for (int spin = chaos.random().nextInt(1000); spin > 0; spin--)
            {
                Thread.onSpinWait();
            }
        }
    }

    /** Bytes of every packet of one record's key: a line must show packets times this. */
    private static int packetBytes(final long g, final int eni, final int clientPort, final boolean accept)
    {
        long h = (g * 31 + eni) * 0x9E37_79B9_7F4A_7C15L + clientPort * 0xC2B2_AE3D_27D4_EB4FL + (accept ? 1 : 0);
        h ^= h >>> 29;
        return 40 + (int)((h & 0x7FFF_FFFF) % 1400);
    }

    private void datapath(final long seed)
    {
        final Chaos chaos = new Chaos(seed);
        final SplittableRandom random = chaos.random();
        final FlowLogAggregator aggregator = flowLogs.aggregator();
        long nowNs = 0;
        DatapathSnapshot taken = null;
        long g = 0;
        while (flag.running())
        {
            // A window's worth of duty cycles, each taking the snapshot as the agent does.
            for (int cycle = 1 + random.nextInt(40); cycle > 0; cycle--)
            {
                nowNs += 100;
                final DatapathSnapshot snapshot = holder.acquire();
                if (snapshot != taken)
                {
                    final boolean[] logged = new boolean[snapshot.eniCount()];
                    Arrays.fill(logged, true);
                    aggregator.enabledInterfaces(logged);
                    final Long reload = reloadOf.get(snapshot);
                    if (reload == null)
                    {
                        violations.report("acquired a snapshot the control thread never registered");
                        return;
                    }
                    g = reload;
                    taken = snapshot;
                    snapshotsTaken++;
                }
                for (int packet = random.nextInt(24); packet > 0; packet--)
                {
                    final int eni = random.nextInt(snapshot.eniCount());
                    final int clientPort = 40_000 + random.nextInt(CLIENT_PORTS);
                    final boolean accept = random.nextInt(4) != 0;
                    aggregator.record(eni, (int)g, snapshot.eniAddress(eni), clientPort, StressModels.LISTENER_PORT, 6, accept,
                        packetBytes(g, eni, clientPort, accept), nowNs);
                    packetsRecorded++;
                }
                aggregator.flushIfDue(nowNs, EPOCH_MS + nowNs / 1_000_000L);
                cycles++;
                chaos.perturb();
            }
            // The window ends; housekeeping drains it into the ring as the writer takes it out. The
            // next window only ends after this one is out, so no record is given up.
            nowNs += WINDOW_NS;
            final long deadlineNs = System.nanoTime() + 5_000_000_000L;
            while (aggregator.hasPendingRecords())
            {
                if (aggregator.flushIfDue(nowNs, EPOCH_MS + nowNs / 1_000_000L) == 0)
                {
                    Thread.yield();
                }
                if (System.nanoTime() - deadlineNs > 0)
                {
                    violations.report("a window did not drain in 5 s");
                    return;
                }
            }
            windows++;
        }
    }

    /** @return reads, and reads that found more lines written than records published. */
    private long[] monitor()
    {
        final FlowLogAggregator aggregator = flowLogs.aggregator();
        final long[] last = new long[7];
        final long[] now = new long[7];
        long reads = 0;
        long writtenAhead = 0;
        while (flag.running())
        {
            final long written = flowLogs.recordsWritten();
            now[0] = aggregator.recordsPublished();
            // Not a violation: the aggregator stores its count after a whole drain call's commits,
            // and the writer may have written some of them by then.
            writtenAhead += written > now[0] ? 1 : 0;
            now[1] = aggregator.skipRecordsPublished();
            now[2] = aggregator.recordsSkipped();
            now[3] = aggregator.packetsSkipped();
            now[4] = flowLogs.recordsWritten();
            now[5] = flowLogs.skipDataWritten();
            now[6] = flowLogs.linesLost();
            for (int i = 0; i < now.length; i++)
            {
                violations.check(now[i] >= last[i], "flow-log counter went backwards: index, before, now", i, last[i], now[i]);
                last[i] = now[i];
            }
            reads++;
            // Monitors are not the subject here: leave the cores to the three threads that are.
            Thread.yield();
        }
        return new long[]{reads, writtenAhead};
    }

    /** @return flow lines, SKIPDATA lines, packets in flow lines, lines labelled by an older table, by a newer one. */
    private long[] verifyFile(final Path file) throws IOException
    {
        final long[] totals = new long[5];
        final int eni0 = StressModels.eniAddress(0, 0, true);
        try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.US_ASCII))
        {
            String line;
            while ((line = in.readLine()) != null)
            {
                final String[] f = line.split(" ");
                if (f.length != 14 || !"2".equals(f[0]) || !ACCOUNT.equals(f[1]))
                {
                    violations.report("not a v2 flow log line: " + line);
                    continue;
                }
                if ("SKIPDATA".equals(f[13]))
                {
                    totals[1]++;
                    continue;
                }
                try
                {
                    final long g = Ipv4.parseAddress(f[3]) & 0xFFFF_FFFFL;
                    final int eni = Ipv4.parseAddress(f[4]) - eni0;
                    final int clientPort = Integer.parseInt(f[5]);
                    final long packets = Long.parseLong(f[8]);
                    final long bytes = Long.parseLong(f[9]);
                    final boolean accept = "ACCEPT".equals(f[12]);
                    final boolean keyed = eni >= 0 && eni < 4 && "80".equals(f[6]) && "6".equals(f[7]) && "OK".equals(f[13]) &&
                        clientPort >= 40_000 && clientPort < 40_000 + CLIENT_PORTS && (accept || "REJECT".equals(f[12]));
                    if (!keyed || packets < 1 || bytes != packets * packetBytes(g, eni, clientPort, accept) ||
                        Long.parseLong(f[10]) > Long.parseLong(f[11]))
                    {
                        violations.report("torn or misaggregated record: " + line);
                        continue;
                    }
                    totals[0]++;
                    totals[2] += packets;
                    final Long labelled = f[2].startsWith("eni-") && f[2].length() == 21 ?
                        Long.parseUnsignedLong(f[2].substring(4), 16) : null;
                    if (labelled == null)
                    {
                        violations.report("interface id of no reload: " + line);
                    }
                    else if ((labelled & 3) != eni)
                    {
                        violations.report("interface id of ENI " + (labelled & 3) + " on a record of ENI " + eni + ": " + line);
                    }
                    else if (labelled >>> 2 < g)
                    {
                        totals[3]++;
                    }
                    else if (labelled >>> 2 > g)
                    {
                        totals[4]++;
                    }
                }
                catch (final IllegalArgumentException ex)
                {
                    violations.report("unparsable line (" + ex.getMessage() + "): " + line);
                }
            }
        }
        return totals;
    }
}
