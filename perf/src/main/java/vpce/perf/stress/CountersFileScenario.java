package vpce.perf.stress;

import org.agrona.concurrent.AtomicBuffer;
import org.agrona.concurrent.status.AtomicCounter;
import org.agrona.concurrent.status.CountersReader;
import vpce.appliance.datapath.DatapathCounters;
import vpce.appliance.datapath.DropReason;
import vpce.appliance.stats.CountersFile;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Stream;

/**
 * The counters file: the datapath's counters ({@link DatapathCounters}, allocated by the real class
 * in a real {@link CountersFile}) updated with the agent's own calls ({@code getAndAddRelease},
 * {@code incrementRelease}, {@code setRelease}), a control thread counting reloads and allocating
 * new counters while the file is being read, and readers that each map the file separately, as
 * {@code vpce stats} in another process does.
 *
 * <p>Invariants: every counter is monotonic (flows.active stays in range); read tx and drops of
 * every port, then ARP requests, then rx: {@code tx + drops <= rx + arp + ports * batch} (a frame
 * is sent after its batch's rx is counted, but dropped before; the appliance's own ARP requests
 * are sent without being received); read bytes then packets: {@code rx_bytes <= 100 * rx_packets}
 * (every frame is 100 bytes, packets are counted first); read expired, active, then created:
 * {@code expired <= created}, {@code active <= created}; a counter being allocated is either not
 * listed or listed with its whole label ({@code stress.<k>.<check digits>}), allocations are seen
 * in order, and its value is 0 or the one the control thread set. After the join a fresh mapping
 * reads exactly the writers' tallies.
 */
final class CountersFileScenario
{
    private static final List<String> PORTS = List.of("az1", "az2", "prov");
    private static final int FRAME_BYTES = 100;
    private static final int MAX_BATCH = 64;
    /** The file holds 4096 counters; the datapath's take about 70 (and 16 per ENI). */
    private static final int MAX_ALLOCATED = 600;

    private final Violations violations = new Violations();
    private final RunFlag flag = new RunFlag();
    private final Path directory;
    private final CountersFile owner;

    private final long[] rx = new long[PORTS.size()];
    private final long[] rxBytes = new long[PORTS.size()];
    private final long[] tx = new long[PORTS.size()];
    private final long[] drops = new long[DropReason.COUNT];
    private long arpRequestsSent;
    private long flowsCreated;
    private long flowsExpired;
    private long reloads;
    private int allocated;
    private long writerCycles;

    private CountersFileScenario() throws IOException
    {
        directory = Files.createTempDirectory("vpce-stress-counters");
        owner = CountersFile.create(directory);
    }

    static StressReport run(final long durationNs, final int readers, final long seed) throws Exception
    {
        final CountersFileScenario scenario = new CountersFileScenario();
        try
        {
            return scenario.execute(durationNs, readers, seed);
        }
        finally
        {
            scenario.owner.close();
            try (Stream<Path> files = Files.walk(scenario.directory))
            {
                files.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
            }
        }
    }

    private StressReport execute(final long durationNs, final int readers, final long seed)
        throws InterruptedException, IOException
    {
        new DatapathCounters(owner.manager(), PORTS);
        final AtomicCounter reloadCounter = owner.manager().newCounter("config.reloads");
        final Map<String, Integer> ids = ids(owner.reader());
        final AtomicBuffer values = owner.reader().valuesBuffer();

        final StressThreads threads = new StressThreads(violations);
        final long[][] readerOps = new long[readers][];
        final long startNs = System.nanoTime();
        threads.start("counters-datapath", () -> datapath(seed, ids, values));
        threads.start("counters-control", () -> control(seed + 1, reloadCounter));
        for (int r = 0; r < readers; r++)
        {
            final int reader = r;
            threads.start("counters-reader-" + r, () -> readerOps[reader] = reader(seed + 2 + reader));
        }
        while (System.nanoTime() - (startNs + durationNs) < 0)
        {
            Thread.sleep(10);
        }
        flag.stop();
        threads.joinAll(10_000);
        final double seconds = (System.nanoTime() - startNs) / 1e9;
        finalCheck();

        final Map<String, Long> ops = new LinkedHashMap<>();
        ops.put("datapathCycles", writerCycles);
        ops.put("rxPackets", sum(rx));
        ops.put("reloads", reloads);
        ops.put("countersAllocated", (long)allocated);
        long reads = 0;
        long labelScans = 0;
        for (final long[] r : readerOps)
        {
            if (r != null)
            {
                reads += r[0];
                labelScans += r[1];
            }
        }
        ops.put("readerPasses", reads);
        ops.put("labelScans", labelScans);
        return new StressReport("counters-file", seconds, ops, violations.count(), violations.messages());
    }

    private static Map<String, Integer> ids(final CountersReader reader)
    {
        final Map<String, Integer> ids = new HashMap<>();
        reader.forEach((id, label) -> ids.put(label, id));
        return ids;
    }

    private static int id(final Map<String, Integer> ids, final String label)
    {
        final Integer id = ids.get(label);
        if (id == null)
        {
            throw new IllegalStateException("no counter " + label + " in " + ids.keySet());
        }
        return id;
    }

    /**
     * The datapath agent's updates in {@code DatapathAgent}'s order: per port, each frame's drop as
     * it is judged, then the batch's rx packets and bytes; flow creations as they happen; then a
     * flush counts what each port sent; housekeeping sends ARP requests (counted when queued, sent
     * by the next flush) and expires flows.
     */
    private void datapath(final long seed, final Map<String, Integer> ids, final AtomicBuffer values)
    {
        final Chaos chaos = new Chaos(seed);
        final SplittableRandom random = chaos.random();
        final int ports = PORTS.size();
        final AtomicCounter[] rxCounters = new AtomicCounter[ports];
        final AtomicCounter[] rxBytesCounters = new AtomicCounter[ports];
        final AtomicCounter[] txCounters = new AtomicCounter[ports];
        for (int p = 0; p < ports; p++)
        {
            rxCounters[p] = new AtomicCounter(values, id(ids, "port." + PORTS.get(p) + ".rx_packets"));
            rxBytesCounters[p] = new AtomicCounter(values, id(ids, "port." + PORTS.get(p) + ".rx_bytes"));
            txCounters[p] = new AtomicCounter(values, id(ids, "port." + PORTS.get(p) + ".tx_packets"));
        }
        final AtomicCounter[] dropCounters = new AtomicCounter[DropReason.COUNT];
        for (int reason = 0; reason < DropReason.COUNT; reason++)
        {
            dropCounters[reason] = new AtomicCounter(values, id(ids, "drop." + DropReason.name(reason)));
        }
        final AtomicCounter created = new AtomicCounter(values, id(ids, "flows.created"));
        final AtomicCounter expired = new AtomicCounter(values, id(ids, "flows.expired"));
        final AtomicCounter active = new AtomicCounter(values, id(ids, "flows.active"));
        final AtomicCounter arpRequests = new AtomicCounter(values, id(ids, "arp.requests_sent"));
        final int[] queued = new int[ports];
        while (flag.running())
        {
            for (int burst = 1 + random.nextInt(32); burst > 0; burst--)
            {
                for (int in = 0; in < ports; in++)
                {
                    final int received = random.nextInt(MAX_BATCH + 1);
                    for (int frame = 0; frame < received; frame++)
                    {
                        if (random.nextInt(16) == 0)
                        {
                            final int reason = random.nextInt(DropReason.COUNT);
                            dropCounters[reason].incrementRelease();
                            drops[reason]++;
                        }
                        else
                        {
                            queued[(in + 1 + random.nextInt(ports - 1)) % ports]++;
                            if (random.nextInt(8) == 0)
                            {
                                created.incrementRelease();
                                flowsCreated++;
                                active.setRelease(flowsCreated - flowsExpired);
                            }
                        }
                    }
                    if (received > 0)
                    {
                        rxCounters[in].getAndAddRelease(received);
                        rxBytesCounters[in].getAndAddRelease((long)received * FRAME_BYTES);
                        rx[in] += received;
                        rxBytes[in] += (long)received * FRAME_BYTES;
                    }
                }
                flush(txCounters, queued);
                if (random.nextInt(8) == 0)
                {
                    arpRequests.incrementRelease();
                    arpRequestsSent++;
                    queued[ports - 1]++;
                    if (flowsCreated > flowsExpired)
                    {
                        final long n = 1 + random.nextLong(flowsCreated - flowsExpired);
                        expired.getAndAddRelease(n);
                        flowsExpired += n;
                        active.setRelease(flowsCreated - flowsExpired);
                    }
                    flush(txCounters, queued);
                }
                writerCycles++;
            }
            chaos.perturb();
        }
    }

    private void flush(final AtomicCounter[] txCounters, final int[] queued)
    {
        for (int p = 0; p < queued.length; p++)
        {
            if (queued[p] > 0)
            {
                txCounters[p].getAndAddRelease(queued[p]);
                tx[p] += queued[p];
                queued[p] = 0;
            }
        }
    }

    /** The control thread: reload counts, and counters allocated while readers list them. */
    private void control(final long seed, final AtomicCounter reloadCounter)
    {
        final Chaos chaos = new Chaos(seed);
        while (flag.running())
        {
            reloadCounter.incrementRelease();
            reloads++;
            if (allocated < MAX_ALLOCATED && chaos.random().nextInt(4) == 0)
            {
                final AtomicCounter counter = owner.manager().newCounter(label(allocated));
                counter.setRelease(7L * allocated);
                allocated++;
            }
            chaos.perturb();
            for (int i = chaos.random().nextInt(2000); i > 0; i--)
            {
                Thread.onSpinWait();
            }
        }
    }

    private static String label(final int k)
    {
        return "stress." + k + "." + Integer.toHexString(Integer.reverse(k * 0x9E3779B9) ^ 0x5A5A5A5A);
    }

    private long[] reader(final long seed)
    {
        final Chaos chaos = new Chaos(seed);
        final int ports = PORTS.size();
        long passes = 0;
        long scans = 0;
        try (CountersFile file = CountersFile.open(directory))
        {
            final CountersReader reader = file.reader();
            final Map<String, Integer> ids = ids(reader);
            final int[] rxIds = new int[ports];
            final int[] rxBytesIds = new int[ports];
            final int[] txIds = new int[ports];
            for (int p = 0; p < ports; p++)
            {
                rxIds[p] = id(ids, "port." + PORTS.get(p) + ".rx_packets");
                rxBytesIds[p] = id(ids, "port." + PORTS.get(p) + ".rx_bytes");
                txIds[p] = id(ids, "port." + PORTS.get(p) + ".tx_packets");
            }
            final int[] dropIds = new int[DropReason.COUNT];
            for (int reason = 0; reason < DropReason.COUNT; reason++)
            {
                dropIds[reason] = id(ids, "drop." + DropReason.name(reason));
            }
            final int createdId = id(ids, "flows.created");
            final int expiredId = id(ids, "flows.expired");
            final int activeId = id(ids, "flows.active");
            final int reloadsId = id(ids, "config.reloads");
            final int arpId = id(ids, "arp.requests_sent");
            final long[] lastRx = new long[ports];
            long lastTxDrops = 0;
            long lastCreated = 0;
            long lastExpired = 0;
            long lastReloads = 0;
            int lastAllocated = 0;
            while (flag.running())
            {
                long txAndDrops = 0;
                for (int p = 0; p < ports; p++)
                {
                    txAndDrops += reader.getCounterValue(txIds[p]);
                }
                for (int reason = 0; reason < DropReason.COUNT; reason++)
                {
                    txAndDrops += reader.getCounterValue(dropIds[reason]);
                }
                final long arp = reader.getCounterValue(arpId);
                long received = 0;
                for (int p = 0; p < ports; p++)
                {
                    final long bytes = reader.getCounterValue(rxBytesIds[p]);
                    final long packets = reader.getCounterValue(rxIds[p]);
                    violations.check(bytes <= FRAME_BYTES * packets, "rx_bytes ahead of rx_packets", p, bytes, packets);
                    violations.check(packets >= lastRx[p], "rx_packets went backwards", p, lastRx[p], packets);
                    lastRx[p] = packets;
                    received += packets;
                }
                // A batch's drops are counted before its rx, at most a batch per port ahead.
                violations.check(txAndDrops <= received + arp + (long)ports * MAX_BATCH,
                    "tx + drops > rx + ARP requests + a batch per port", txAndDrops, received, arp);
                violations.check(txAndDrops >= lastTxDrops, "tx + drops went backwards", lastTxDrops, txAndDrops);
                lastTxDrops = txAndDrops;

                final long expired = reader.getCounterValue(expiredId);
                final long active = reader.getCounterValue(activeId);
                final long created = reader.getCounterValue(createdId);
                violations.check(expired <= created && active >= 0 && active <= created,
                    "flows: expired, active, created out of order", expired, active, created);
                violations.check(created >= lastCreated && expired >= lastExpired, "flow counts went backwards",
                    lastCreated, created, lastExpired, expired);
                lastCreated = created;
                lastExpired = expired;
                final long reloadCount = reader.getCounterValue(reloadsId);
                violations.check(reloadCount >= lastReloads, "config.reloads went backwards", lastReloads, reloadCount);
                lastReloads = reloadCount;

                if ((passes & 31) == 0)
                {
                    lastAllocated = scanLabels(file, lastAllocated);
                    scans++;
                }
                passes++;
                chaos.perturb();
            }
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
        return new long[]{passes, scans};
    }

    /** `vpce stats`' own path: labels and values of everything allocated so far. */
    private int scanLabels(final CountersFile file, final int lastAllocated)
    {
        int seen = 0;
        for (final Map.Entry<String, Long> entry : file.snapshot().entrySet())
        {
            final String label = entry.getKey();
            if (!label.startsWith("stress."))
            {
                continue;
            }
            final String expected = label(seen);
            if (!expected.equals(label))
            {
                violations.report("counter label '" + label + "' where '" + expected + "' was allocated");
                return lastAllocated;
            }
            final long value = entry.getValue();
            violations.check(value == 0 || value == 7L * seen, "allocated counter has a value nobody wrote", seen, value);
            seen++;
        }
        violations.check(seen >= lastAllocated, "allocated counters disappeared", lastAllocated, seen);
        return seen;
    }

    private void finalCheck() throws IOException
    {
        try (CountersFile file = CountersFile.open(directory))
        {
            final Map<String, Long> values = file.snapshot();
            for (int p = 0; p < PORTS.size(); p++)
            {
                final String prefix = "port." + PORTS.get(p) + ".";
                violations.check(values.get(prefix + "rx_packets") == rx[p], prefix + "rx_packets != tally", values.get(prefix + "rx_packets"), rx[p]);
                violations.check(values.get(prefix + "rx_bytes") == rxBytes[p], prefix + "rx_bytes != tally", values.get(prefix + "rx_bytes"), rxBytes[p]);
                violations.check(values.get(prefix + "tx_packets") == tx[p], prefix + "tx_packets != tally", values.get(prefix + "tx_packets"), tx[p]);
            }
            for (int reason = 0; reason < DropReason.COUNT; reason++)
            {
                final String label = "drop." + DropReason.name(reason);
                violations.check(values.get(label) == drops[reason], label + " != tally", values.get(label), drops[reason]);
            }
            violations.check(sum(rx) + arpRequestsSent == sum(tx) + sum(drops), "rx + ARP requests != tx + drops",
                sum(rx), arpRequestsSent, sum(tx), sum(drops));
            violations.check(values.get("arp.requests_sent") == arpRequestsSent, "arp.requests_sent != tally",
                values.get("arp.requests_sent"), arpRequestsSent);
            violations.check(values.get("flows.created") == flowsCreated, "flows.created != tally", values.get("flows.created"), flowsCreated);
            violations.check(values.get("flows.expired") == flowsExpired, "flows.expired != tally", values.get("flows.expired"), flowsExpired);
            violations.check(values.get("flows.active") == flowsCreated - flowsExpired, "flows.active != created - expired",
                values.get("flows.active"), flowsCreated - flowsExpired);
            violations.check(values.get("config.reloads") == reloads, "config.reloads != tally", values.get("config.reloads"), reloads);
            for (int k = 0; k < allocated; k++)
            {
                final Long value = values.get(label(k));
                violations.check(value != null && value == 7L * k, "allocated counter missing or wrong", k);
            }
        }
    }

    private static long sum(final long[] values)
    {
        long total = 0;
        for (final long value : values)
        {
            total += value;
        }
        return total;
    }
}
