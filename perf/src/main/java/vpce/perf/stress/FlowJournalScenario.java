package vpce.perf.stress;

import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.BusySpinIdleStrategy;
import vpce.appliance.journal.FlowJournal;
import vpce.flowtable.FlowTable;
import vpce.flowtable.FlowTimeouts;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Stream;

/**
 * The flow journal's hand-off: a datapath thread establishes and removes flows in a real
 * {@link FlowTable} and hands ESTABLISHED/REMOVED events to {@link FlowJournal} (a one-to-one ring)
 * while the journal agent, on its own {@link AgentRunner}, writes them into the Chronicle Map.
 * Every field of an event is a function of its NAT binding and an incarnation number, so a torn or
 * misordered event leaves a map entry that matches no incarnation.
 *
 * <p>Invariants, after the producer stops and the agent's close has drained the ring: the map
 * holds exactly the bindings whose last accepted event was ESTABLISHED, each with every field of
 * its last incarnation (a dropped REMOVED leaves the previous incarnation in place, as it would in
 * production), and the journal's dropped count equals the events the ring refused. The ring has
 * one consumer by contract, so this scenario has no extra readers.
 */
final class FlowJournalScenario
{
    private static final int NAT_ADDRESSES = 4;
    private static final int PORTS_PER_ADDRESS = 8192;
    private static final int KEYS = NAT_ADDRESSES * PORTS_PER_ADDRESS;
    private static final int NAT_BASE = 0x0A64_0001; // 10.100.0.1
    private static final int MIN_PORT = 1024;
    private static final int ENI = 0x0A00_0114;

    private final Violations violations = new Violations();
    private final RunFlag flag = new RunFlag();
    private final FlowTable flows = new FlowTable(KEYS, FlowTimeouts.DEFAULT);

    // Producer-owned; read by the main thread after the join.
    private final int[] incarnation = new int[KEYS];
    private final int[] flowOf = new int[KEYS];
    private final boolean[] journaled = new boolean[KEYS];
    /** The incarnation the map should hold per key, or absent: the consumer's state if it applies every accepted event. */
    private final Map<Integer, Integer> expected = new HashMap<>();
    private long accepted;
    private long refused;
    private long established;
    private long removed;

    static StressReport run(final long durationNs, final int readers, final long seed) throws Exception
    {
        final Path directory = Files.createTempDirectory("vpce-stress-journal");
        try (FlowJournal journal = FlowJournal.open(directory, KEYS))
        {
            return new FlowJournalScenario().execute(journal, durationNs, seed);
        }
        finally
        {
            try (Stream<Path> files = Files.walk(directory))
            {
                files.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
            }
        }
    }

    private StressReport execute(final FlowJournal journal, final long durationNs, final long seed)
        throws InterruptedException, IOException
    {
        java.util.Arrays.fill(flowOf, -1);
        // The agent spins, so it reads events the moment they are committed.
        final AgentRunner runner = new AgentRunner(new BusySpinIdleStrategy(), ex -> violations.report("journal agent: " + ex),
            null, journal.agent());
        final StressThreads threads = new StressThreads(violations);
        final long startNs = System.nanoTime();
        AgentRunner.startOnThread(runner);
        final Thread producer = threads.start("journal-datapath", () -> producer(journal, seed));
        while (System.nanoTime() - (startNs + durationNs) < 0)
        {
            Thread.sleep(10);
        }
        flag.stop();
        StressThreads.join(producer, 10_000, violations);
        // The agent's onClose drains what the datapath handed over, as at shutdown.
        runner.close();
        final double seconds = (System.nanoTime() - startNs) / 1e9;

        final long[] entries = new long[2];
        journal.forEach(flow ->
        {
            entries[0]++;
            final int key = (flow.natIp() - NAT_BASE) * PORTS_PER_ADDRESS + flow.natPort() - MIN_PORT;
            final Integer inc = key >= 0 && key < KEYS ? expected.get(key) : null;
            if (inc == null)
            {
                violations.report("journal holds a binding nobody left there: " + flow);
            }
            else if (!flow.equals(journaledFlow(key, inc)))
            {
                violations.report("journal entry is not incarnation " + inc + " of its binding: " + flow);
            }
            else
            {
                entries[1]++;
            }
        });
        violations.check(entries[0] == expected.size(), "journal entries != expected", entries[0], expected.size());
        violations.check(journal.eventsDropped() == refused, "journal's dropped count != refused events", journal.eventsDropped(), refused);

        final Map<String, Long> ops = new LinkedHashMap<>();
        ops.put("eventsAccepted", accepted);
        ops.put("eventsRefused", refused);
        ops.put("flowsEstablished", established);
        ops.put("flowsRemoved", removed);
        ops.put("entriesVerified", entries[1]);
        return new StressReport("flow-journal", seconds, ops, violations.count(), violations.messages());
    }

    private static int natIp(final int key)
    {
        return NAT_BASE + key / PORTS_PER_ADDRESS;
    }

    private static int natPort(final int key)
    {
        return MIN_PORT + key % PORTS_PER_ADDRESS;
    }

    private static long mix(final int key, final int inc)
    {
        long h = ((long)key << 32 | inc) * 0x9E37_79B9_7F4A_7C15L;
        h ^= h >>> 31;
        h *= 0xBF58_476D_1CE4_E5B9L;
        return h ^ (h >>> 29);
    }

    /**
     * Every field of incarnation {@code inc} of a binding; the forward key stays unique per binding. The target is
     * the binding's own (the journal keys by NAT address, NAT port, target, target port), the rest varies by
     * incarnation so a stale entry shows.
     */
    private static FlowJournal.JournaledFlow journaledFlow(final int key, final int inc)
    {
        final long target = mix(key, 0);
        final long h = mix(key, inc);
        return new FlowJournal.JournaledFlow(0x0A00_0000 | key, 1 + inc % 65_000, ENI, 443,
            0x0A64_0000 | (int)(target & 0xFFFF), (int)((target >>> 16) & 0xFFFF), natIp(key), natPort(key),
            inc % 3, (h >>> 8) & 0xFFFF_FFFF_FFFFL);
    }

    private void producer(final FlowJournal journal, final long seed)
    {
        final Chaos chaos = new Chaos(seed);
        final SplittableRandom random = chaos.random();
        while (flag.running())
        {
            for (int burst = 1 + random.nextInt(128); burst > 0; burst--)
            {
                final int key = random.nextInt(KEYS);
                if (flowOf[key] < 0)
                {
                    establish(journal, key);
                }
                else
                {
                    remove(journal, key);
                }
            }
            chaos.perturb();
            // Let the agent keep up most of the time: the ring refusing is a case, not the rule.
            if (random.nextInt(4) == 0)
            {
                Thread.yield();
            }
            for (int i = random.nextInt(10_000); i > 0; i--)
            {
                Thread.onSpinWait();
            }
        }
    }

    private void establish(final FlowJournal journal, final int key)
    {
        final int inc = ++incarnation[key];
        final FlowJournal.JournaledFlow f = journaledFlow(key, inc);
        final int flow = flows.restoreEstablished(f.clientIp(), f.clientPort(), f.eniIp(), f.eniPort(), f.targetIp(),
            f.targetPort(), f.natIp(), f.natPort(), 0);
        if (flow < 0)
        {
            violations.report("flow table refused binding " + key + ": " + flow);
            return;
        }
        flows.consumerMac(flow, f.consumerMac());
        flows.consumerPortIndex(flow, f.consumerPortIndex());
        flowOf[key] = flow;
        established++;
        if (journal.onEstablished(flows, flow))
        {
            journaled[key] = true;
            expected.put(key, inc);
            accepted++;
        }
        else
        {
            refused++;
        }
    }

    private void remove(final FlowJournal journal, final int key)
    {
        final int flow = flowOf[key];
        if (journaled[key])
        {
            journaled[key] = false;
            if (journal.onRemoved(flows.natIp(flow), flows.natPort(flow), flows.targetIp(flow), flows.targetPort(flow)))
            {
                expected.remove(key);
                accepted++;
            }
            else
            {
                refused++;
            }
        }
        violations.check(flows.remove(flow), "remove of a live flow failed", flow);
        flowOf[key] = -1;
        removed++;
    }
}
