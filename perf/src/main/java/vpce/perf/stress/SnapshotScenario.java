package vpce.perf.stress;

import vpce.acl.Verdict;
import vpce.appliance.config.ApplianceModel;
import vpce.appliance.datapath.DatapathSnapshot;
import vpce.appliance.datapath.DatapathSnapshotHolder;
import vpce.appliance.explain.ReachabilityExplainer;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@link DatapathSnapshotHolder}: one control thread builds a {@link DatapathSnapshot} per
 * generation (loader, validator, ACL compiler: the reload path) and publishes it; reader threads
 * acquire it as the datapath does once per duty cycle (and one as the management API's explain
 * does) and check every field of what they got against the generation it names.
 *
 * <p>Parsing and validating a configuration costs about ten times what building the snapshot does,
 * so the writer loads {@value #MODELS} models once and then builds a fresh snapshot
 * for publication {@code i} from model {@code i % MODELS}: every published object is new, and its
 * fields say {@code i} modulo {@value #MODELS}. A reader brackets each acquire between two reads of
 * the writer's mark (the index of the last publication, release-stored after {@code publish}),
 * which pins {@code i} down exactly whenever fewer than {@value #MODELS} publications happen
 * around one acquire.
 *
 * <p>Invariants: a snapshot is whole (every field, down to the compiled ACL arrays and the maps,
 * agrees with the model its first ENI names); a reader's publications never go backwards and are
 * never older than a mark it read before the acquire; a snapshot kept after it was replaced still
 * reads the same (nobody mutates a published snapshot); after the writer stops every reader gets
 * the last one. There is no reference counting: a replaced snapshot is dropped, never recycled.
 */
final class SnapshotScenario
{
    private static final VarHandle PUBLISHED;
    private static final VarHandle FINAL_MARK;

    static
    {
        try
        {
            final MethodHandles.Lookup lookup = MethodHandles.lookup();
            PUBLISHED = lookup.findVarHandle(SnapshotScenario.class, "published", long.class);
            FINAL_MARK = lookup.findVarHandle(SnapshotScenario.class, "finalMark", long.class);
        }
        catch (final ReflectiveOperationException ex)
        {
            throw new ExceptionInInitializerError(ex);
        }
    }

    private static final List<String> PORTS = List.of("az1", "az2", "prov");
    private static final int MODELS = 32;

    @SuppressWarnings("unused") // through PUBLISHED
    private long published;
    /** The writer's last publication index plus one, stored after the join; 0 until then. */
    @SuppressWarnings("unused") // through FINAL_MARK
    private long finalMark;

    private final Violations violations = new Violations();
    private final RunFlag flag = new RunFlag();
    private final ApplianceModel[] models = new ApplianceModel[MODELS];
    private DatapathSnapshotHolder holder;

    static StressReport run(final long durationNs, final int readers, final long seed) throws InterruptedException
    {
        return new SnapshotScenario().execute(durationNs, readers, seed);
    }

    private StressReport execute(final long durationNs, final int readers, final long seed) throws InterruptedException
    {
        for (int m = 0; m < MODELS; m++)
        {
            models[m] = StressModels.model(m, false);
        }
        holder = new DatapathSnapshotHolder(snapshot(0));
        PUBLISHED.setRelease(this, 0L);
        final StressThreads threads = new StressThreads(violations);
        final long[] writerOps = new long[2];
        final long[][] readerOps = new long[readers][];
        final long startNs = System.nanoTime();
        final Thread writer = threads.start("snapshot-control", () -> writer(seed, writerOps));
        for (int r = 0; r < readers; r++)
        {
            final int reader = r;
            // The last reader plays the management API's explain, the others the datapath agent.
            final boolean api = readers > 1 && r == readers - 1;
            threads.start(api ? "snapshot-api" : "snapshot-datapath-" + r,
                () -> readerOps[reader] = reader(seed + 1 + reader, api));
        }
        final long deadlineNs = startNs + durationNs;
        while (System.nanoTime() - deadlineNs < 0)
        {
            Thread.sleep(10);
        }
        flag.stop();
        StressThreads.join(writer, 10_000, violations);
        // Plus one: zero means not yet.
        FINAL_MARK.setRelease(this, writerOps[0] + 1);
        threads.joinAll(10_000);
        final double seconds = (System.nanoTime() - startNs) / 1e9;

        final Map<String, Long> operations = new LinkedHashMap<>();
        operations.put("published", writerOps[0]);
        operations.put("bursts", writerOps[1]);
        long acquires = 0;
        long changes = 0;
        long stashChecks = 0;
        long explains = 0;
        long ambiguous = 0;
        for (final long[] ops : readerOps)
        {
            if (ops != null)
            {
                acquires += ops[0];
                changes += ops[1];
                stashChecks += ops[2];
                explains += ops[3];
                ambiguous += ops[4];
            }
        }
        operations.put("acquiresVerified", acquires);
        operations.put("changesSeen", changes);
        operations.put("replacedRechecked", stashChecks);
        operations.put("explains", explains);
        operations.put("orderUnchecked", ambiguous);
        return new StressReport("snapshot", seconds, operations, violations.count(), violations.messages());
    }

    private DatapathSnapshot snapshot(final long publication)
    {
        return new DatapathSnapshot(models[(int)(publication % MODELS)], PORTS);
    }

    /** The control thread: publications 1, 2, ... one at a time or in bursts built ahead. */
    private void writer(final long seed, final long[] ops)
    {
        final Chaos chaos = new Chaos(seed);
        long g = 0;
        final List<DatapathSnapshot> burst = new ArrayList<>();
        while (flag.running())
        {
            final boolean isBurst = chaos.random().nextInt(8) == 0;
            final int count = isBurst ? 2 + chaos.random().nextInt(7) : 1;
            burst.clear();
            for (int i = 1; i <= count; i++)
            {
                burst.add(snapshot(g + i));
            }
            for (final DatapathSnapshot snapshot : burst)
            {
                holder.publish(snapshot);
                g++;
                PUBLISHED.setRelease(this, g);
                if (!isBurst)
                {
                    chaos.perturb();
                }
            }
            ops[1] += isBurst ? 1 : 0;
        }
        ops[0] = g;
    }

    private long[] reader(final long seed, final boolean api)
    {
        final Chaos chaos = new Chaos(seed);
        final DatapathSnapshot[] stash = new DatapathSnapshot[4];
        final long[] stashModel = new long[4];
        long acquires = 0;
        long changes = 0;
        long stashChecks = 0;
        long explains = 0;
        long ambiguous = 0;
        long last = 0;
        DatapathSnapshot previous = null;
        while (flag.running())
        {
            final long before = (long)PUBLISHED.getAcquire(this);
            final DatapathSnapshot snapshot = holder.acquire();
            final long model = verify(snapshot);
            final long after = (long)PUBLISHED.getAcquire(this);
            acquires++;
            // The publication index: at least the mark read before and the last one seen, at most
            // one past the mark read after (published, mark not yet stored).
            final long low = Math.max(before, last);
            final long high = after + 1;
            final long index = low + Math.floorMod(model - low, MODELS);
            if (model < 0)
            {
                last = low;
            }
            else if (high - low >= MODELS)
            {
                ambiguous++;
                last = low;
            }
            else
            {
                violations.check(index <= high, "acquired a publication older than the mark or than one seen before: " +
                    "model, mark before, last seen, mark after", model, before, last, after);
                last = index;
            }
            if (snapshot != previous)
            {
                changes++;
                final int slot = chaos.random().nextInt(stash.length);
                stash[slot] = snapshot;
                stashModel[slot] = model;
                previous = snapshot;
            }
            if (api && model >= 0)
            {
                explain(snapshot, model);
                explains++;
            }
            if ((acquires & 63) == 0)
            {
                for (int i = 0; i < stash.length; i++)
                {
                    if (stash[i] != null)
                    {
                        violations.check(verify(stash[i]) == stashModel[i], "a replaced snapshot changed: model was", stashModel[i]);
                        stashChecks++;
                    }
                }
            }
            chaos.perturb();
        }
        // Liveness: once the writer has stopped, its last snapshot is what everyone acquires.
        final long deadlineNs = System.nanoTime() + 5_000_000_000L;
        long lastMark;
        while ((lastMark = (long)FINAL_MARK.getAcquire(this)) == 0 && System.nanoTime() - deadlineNs < 0)
        {
            Thread.onSpinWait();
        }
        if (lastMark != 0)
        {
            final long finalIndex = lastMark - 1;
            final long model = verify(holder.acquire());
            violations.check(model == finalIndex % MODELS, "after the writer stopped a reader acquired model, not the last's",
                model, finalIndex % MODELS);
        }
        return new long[]{acquires, changes, stashChecks, explains, ambiguous};
    }

    /** Checks every field against the model the first ENI names; returns its number (-1 if torn). */
    private long verify(final DatapathSnapshot s)
    {
        try
        {
            final long g = StressModels.endpointNumber(s.eniDescription(0)) >>> 2;
            final int enis = StressModels.endpoints(g, false);
            boolean ok = s.eniCount() == enis && s.acls().eniCount() == enis && s.eniIds().length == enis;
            ok &= StressModels.aclId(g).equals(s.acls().naclId(0)) && s.acls().subnetCount() == 2;
            final int verdict = s.acls().naclIngress(0, StressModels.CLIENT_B1, 6, StressModels.LISTENER_PORT, 0);
            ok &= Verdict.allowed(verdict) && Verdict.ruleNumber(verdict) == StressModels.ruleNumber(g);
            ok &= s.providerPortIndex() == StressModels.PORT_PROVIDER && s.providerAddressCount() == 1 &&
                s.providerAddress(0) == StressModels.PROVIDER_ADDRESS;
            ok &= s.providerNextHop(StressModels.target(g)) == StressModels.target(g);
            for (int e = 0; e < enis && ok; e++)
            {
                final int address = StressModels.eniAddress(g, e, false);
                ok = StressModels.endpointNumber(s.eniDescription(e)) == 4 * g + e &&
                    s.eniAddress(e) == address &&
                    s.eniPortIndex(e) == StressModels.PORT_AZ1 &&
                    s.eniOn(StressModels.PORT_AZ1, address) == e &&
                    s.eniByAddress(address) == e &&
                    s.eniSubnetIndex(e) == 0 &&
                    s.targetPort(e, StressModels.LISTENER_PORT) == StressModels.targetPort(g) &&
                    s.targetPort(e, StressModels.LISTENER_PORT + 1) == DatapathSnapshot.NOT_FOUND &&
                    s.target(e, (int)(g * 0x9E3779B9L) + e) == StressModels.target(g) &&
                    s.subnetOf(address, 0) == 0 &&
                    s.acls().sgInbound(e, StressModels.CLIENT_B1, 6, StressModels.LISTENER_PORT, 0) == Verdict.DENY;
            }
            if (!ok)
            {
                violations.report("snapshot of generation " + g + " is not whole");
                return -1;
            }
            return g;
        }
        catch (final RuntimeException ex)
        {
            violations.report("reading a snapshot threw " + ex);
            return -1;
        }
    }

    private void explain(final DatapathSnapshot snapshot, final long g)
    {
        final ReachabilityExplainer.Explanation answer = ReachabilityExplainer.explain(
            snapshot, StressModels.eniAddress(g, 0, false), StressModels.CLIENT_B1, 6, 49152, StressModels.LISTENER_PORT);
        violations.check(StressModels.aclId(g).equals(answer.networkAclId()) &&
            answer.ingressEntry() == StressModels.ruleNumber(g) && answer.ingressAllowed(),
            "explain disagrees with its snapshot's generation", g);
    }
}
