package vpce.perf.stress;

import vpce.flowtable.FlowExpiryHandler;
import vpce.flowtable.FlowTable;
import vpce.flowtable.FlowTimeouts;
import vpce.flowtable.NatPortAllocator;
import vpce.flowtable.TcpFlags;
import vpce.flowtable.TcpState;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * {@link FlowTable} and {@link NatPortAllocator} counters: one worker thread churns a small table
 * as the datapath does (NAT port then create, SYN-flood evictions, explicit removes that release
 * the port first, expiry sweeps over a jumping clock, purges by endpoint, duplicates, invalid
 * arguments, pool exhaustion, bad releases) while reader threads read the counters, as stats and
 * the API do, in orders chosen so that each bound holds only if every counter store is a release
 * and every read an acquire.
 *
 * <p>Invariants, per reader: every count is monotonic except size, embryonic and allocated, which
 * stay in range; read removed then size then created: {@code removed <= created} and
 * {@code size <= created - removed + 1}; read created then size then removed:
 * {@code size >= created - removed - 1} (the ±1 is one create or remove between its two counter
 * stores); expired and evicted (read first) never exceed removed; a count the worker marked as
 * reached (its own tally, release-stored after the operation) is never read lower. After the join:
 * every counter equals the worker's tally, size equals the live flows and the ports they hold.
 */
final class FlowCountersScenario
{
    private static final VarHandle MARKS = MethodHandles.arrayElementVarHandle(long[].class);
    private static final int MARK_CREATED = 0;
    private static final int MARK_REMOVED = 1;
    private static final int MARK_EXHAUSTED = 2;
    private static final int MARK_EXPIRED = 3;

    private static final int CAPACITY = 4096;
    private static final int EMBRYONIC_LIMIT = 512;
    private static final int NAT_ADDRESSES = 2;
    private static final int MIN_PORT = 1024;
    /** Fewer ports than flows, so the pools run dry before the table fills. */
    private static final int PORTS_PER_ADDRESS = 1500;
    private static final int NAT_BASE = 0x0A64_0001; // 10.100.0.1
    private static final int ENI = 0x0A00_0114; // 10.0.1.20
    private static final int TARGET = 0x0A64_000A; // 10.100.0.10
    private static final int CLIENT_ISN = 1_000;
    private static final int SERVER_ISN = 9_000;

    private final Violations violations = new Violations();
    private final RunFlag flag = new RunFlag();
    private final long[] marks = new long[4];
    private final FlowTable flows = new FlowTable(CAPACITY, FlowTimeouts.DEFAULT, 0x5EED, EMBRYONIC_LIMIT);
    private final NatPortAllocator natPorts = new NatPortAllocator(NAT_ADDRESSES, MIN_PORT, MIN_PORT + PORTS_PER_ADDRESS - 1);

    // The worker's own view; read by the main thread only after the join.
    private final int[] live = new int[CAPACITY];
    private final int[] positionOf = new int[CAPACITY];
    private int liveCount;
    private int mostLive;
    private long created;
    private long removed;
    private long expired;
    private long evicted;
    private long duplicates;
    private long invalidArguments;
    private long tableFull;
    private long exhausted;
    private long invalidReleases;
    private long purged;
    private long operations;
    /** Which operation the handler is called from: create (an eviction), expire or purge. */
    private int context;
    private static final int IN_CREATE = 0;
    private static final int IN_EXPIRE = 1;
    private static final int IN_PURGE = 2;
    private final long[] handlerCalls = new long[3];
    private final FlowExpiryHandler onRemoved = this::onRemoved;

    static StressReport run(final long durationNs, final int readers, final long seed) throws InterruptedException
    {
        return new FlowCountersScenario().execute(durationNs, readers, seed);
    }

    private StressReport execute(final long durationNs, final int readers, final long seed) throws InterruptedException
    {
        // One target over both NAT addresses, declared before the worker starts (Thread.start publishes it).
        natPorts.beginTargets();
        natPorts.target(TARGET, 443, (1L << NAT_ADDRESSES) - 1);
        natPorts.endTargets();
        final StressThreads threads = new StressThreads(violations);
        final long[] readerChecks = new long[readers];
        final long startNs = System.nanoTime();
        final Thread worker = threads.start("flow-worker", () -> worker(seed));
        for (int r = 0; r < readers; r++)
        {
            final int reader = r;
            threads.start("flow-reader-" + r, () -> readerChecks[reader] = reader(seed + 1 + reader));
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
        ops.put("workerOps", operations);
        ops.put("created", created);
        ops.put("removed", removed);
        ops.put("expired", expired);
        ops.put("evicted", evicted);
        ops.put("purged", purged);
        ops.put("tableFull", tableFull);
        ops.put("natExhausted", exhausted);
        ops.put("mostLiveFlows", (long)mostLive);
        long checks = 0;
        for (final long c : readerChecks)
        {
            checks += c;
        }
        ops.put("readerSnapshots", checks);
        return new StressReport("flow-counters", seconds, ops, violations.count(), violations.messages());
    }

    private void worker(final long seed)
    {
        final Chaos chaos = new Chaos(seed);
        final SplittableRandom random = chaos.random();
        long nowNs = 1_000_000_000L;
        int key = 0;
        while (flag.running())
        {
            // A burst of operations without pause, then the marks, then maybe a pause.
            for (int burst = 1 + random.nextInt(64); burst > 0; burst--)
            {
                nowNs += 1_000L;
                final int dice = random.nextInt(1000);
                if (dice < 550)
                {
                    create(random, key++, nowNs);
                }
                else if (dice < 700 && liveCount > 0)
                {
                    // Handshake: SYN+ACK back, ACK forward; the flow leaves the embryonic list.
                    final int flow = live[random.nextInt(liveCount)];
                    flows.onReversePacket(flow, TcpFlags.SYN | TcpFlags.ACK, SERVER_ISN, CLIENT_ISN + 1, 65_535, -1, 0, 60, nowNs);
                    flows.onForwardPacket(flow, TcpFlags.ACK, CLIENT_ISN + 1, SERVER_ISN + 1, 65_535, -1, 0, 52, nowNs);
                }
                else if (dice < 820 && liveCount > 0)
                {
                    final int flow = live[random.nextInt(liveCount)];
                    release(flow);
                    forget(flow);
                    violations.check(flows.remove(flow), "remove of a live flow failed", flow);
                    removed++;
                }
                else if (dice < 900)
                {
                    // Mostly small steps (embryonic flows time out after 10 s, so the SYN-flood limit is
                    // reached), now and then a jump past every timeout.
                    nowNs += random.nextInt(512) == 0 ? 400_000_000_000L : random.nextLong(50_000_000L);
                    context = IN_EXPIRE;
                    expired += flows.expire(nowNs, 1 + random.nextInt(1024), onRemoved);
                    context = IN_CREATE;
                }
                else if (dice < 901 && random.nextInt(16) == 0)
                {
                    // An ENI removed by a reload: rare, or the table would never fill.
                    context = IN_PURGE;
                    purged += flows.removeByEndpoint(1 + random.nextInt(4), onRemoved);
                    context = IN_CREATE;
                }
                else if (dice < 960 && liveCount > 0)
                {
                    duplicate(live[random.nextInt(liveCount)], nowNs);
                }
                else if (dice < 990)
                {
                    violations.check(flows.create(1, 70_000, ENI, 443, TARGET, 443, NAT_BASE, MIN_PORT, 6, nowNs, null) ==
                        FlowTable.INVALID_ARGUMENT, "a port above 65535 was accepted");
                    invalidArguments++;
                }
                else
                {
                    violations.check(!natPorts.release(random.nextInt(NAT_ADDRESSES), TARGET, 443, MIN_PORT + PORTS_PER_ADDRESS + 7),
                        "a port outside the pool was released");
                    invalidReleases++;
                }
                operations++;
            }
            MARKS.setRelease(marks, MARK_CREATED, created);
            MARKS.setRelease(marks, MARK_REMOVED, removed);
            MARKS.setRelease(marks, MARK_EXHAUSTED, exhausted);
            MARKS.setRelease(marks, MARK_EXPIRED, expired);
            chaos.perturb();
        }
    }

    private void create(final SplittableRandom random, final int key, final long nowNs)
    {
        final int allocation = natPorts.allocate(TARGET, 443);
        if (allocation == NatPortAllocator.NO_PORT)
        {
            exhausted++;
            return;
        }
        final int natIndex = NatPortAllocator.natAddressIndexOf(allocation);
        final int natPort = NatPortAllocator.portOf(allocation);
        final int protocol = random.nextInt(4) == 0 ? 17 : 6;
        // A null handler now and then: at the embryonic limit that create fails instead of evicting.
        final FlowExpiryHandler handler = random.nextInt(8) == 0 ? null : onRemoved;
        final int flow = flows.create(0x0A00_0000 | (key & 0xFFFFF), 1024 + ((key >>> 20) & 0x3FFF), ENI, 443,
            TARGET, 443, NAT_BASE + natIndex, natPort, protocol, nowNs, handler);
        if (flow == FlowTable.TABLE_FULL)
        {
            natPorts.release(natIndex, TARGET, 443, natPort);
            tableFull++;
            return;
        }
        if (flow < 0)
        {
            violations.report("create of a fresh key failed: " + flow);
            natPorts.release(natIndex, TARGET, 443, natPort);
            return;
        }
        if (protocol == 6)
        {
            flows.onForwardPacket(flow, TcpFlags.SYN, CLIENT_ISN, 0, 65_535, -1, 0, 60, nowNs);
        }
        flows.endpointId(flow, 1 + random.nextInt(4));
        positionOf[flow] = liveCount;
        live[liveCount++] = flow;
        mostLive = Math.max(mostLive, liveCount);
        created++;
    }

    private void duplicate(final int flow, final long nowNs)
    {
        final int allocation = natPorts.allocate(TARGET, 443);
        if (allocation == NatPortAllocator.NO_PORT)
        {
            exhausted++;
            return;
        }
        final int natIndex = NatPortAllocator.natAddressIndexOf(allocation);
        final int natPort = NatPortAllocator.portOf(allocation);
        final int result = flows.create(flows.clientIp(flow), flows.clientPort(flow), flows.eniIp(flow), flows.eniPort(flow),
            TARGET, 443, NAT_BASE + natIndex, natPort, flows.protocol(flow), nowNs, onRemoved);
        violations.check(result == FlowTable.DUPLICATE, "a second flow with a live forward key: ", result);
        natPorts.release(natIndex, TARGET, 443, natPort);
        duplicates++;
    }

    /** Expiry, eviction and purge: the port goes back first, as the datapath's handler does. */
    private void onRemoved(final FlowTable table, final int flow)
    {
        release(flow);
        forget(flow);
        removed++;
        handlerCalls[context]++;
    }

    private static boolean isEmbryonic(final int state)
    {
        return state == TcpState.SYN_SENT || state == TcpState.SYN_RECEIVED;
    }

    private void release(final int flow)
    {
        violations.check(natPorts.release(flows.natIp(flow) - NAT_BASE, TARGET, 443, flows.natPort(flow)),
            "a live flow's port was not allocated", flow);
    }

    private void forget(final int flow)
    {
        final int position = positionOf[flow];
        final int last = live[--liveCount];
        live[position] = last;
        positionOf[last] = position;
    }

    private long reader(final long seed)
    {
        final Chaos chaos = new Chaos(seed);
        final int totalPorts = NAT_ADDRESSES * PORTS_PER_ADDRESS;
        long snapshots = 0;
        long lastCreated = 0;
        long lastRemoved = 0;
        long lastExpired = 0;
        long lastEvicted = 0;
        long lastDuplicates = 0;
        long lastInvalid = 0;
        long lastFull = 0;
        long lastExhausted = 0;
        long lastBadRelease = 0;
        while (flag.running())
        {
            final long markCreated = (long)MARKS.getAcquire(marks, MARK_CREATED);
            final long markRemoved = (long)MARKS.getAcquire(marks, MARK_REMOVED);
            final long markExhausted = (long)MARKS.getAcquire(marks, MARK_EXHAUSTED);
            final long markExpired = (long)MARKS.getAcquire(marks, MARK_EXPIRED);

            final long expiredA = flows.expiredCount();
            final long evictedA = flows.embryonicEvictedCount();
            final long removedA = flows.removedCount();
            final int sizeA = flows.size();
            final long createdA = flows.createdCount();
            violations.check(removedA <= createdA, "removed > created", removedA, createdA);
            violations.check(sizeA >= 0 && sizeA <= CAPACITY, "size out of range", sizeA);
            violations.check(sizeA <= createdA - removedA + 1, "size > created - removed + 1", sizeA, createdA, removedA);
            violations.check(expiredA <= removedA, "expired > removed", expiredA, removedA);
            violations.check(evictedA <= removedA, "evicted > removed", evictedA, removedA);
            violations.check(createdA >= markCreated, "created below the worker's mark", createdA, markCreated);
            violations.check(removedA >= markRemoved, "removed below the worker's mark", removedA, markRemoved);
            violations.check(expiredA >= markExpired, "expired below the worker's mark", expiredA, markExpired);

            chaos.perturb();

            final long createdB = flows.createdCount();
            final int sizeB = flows.size();
            final long removedB = flows.removedCount();
            violations.check(sizeB >= createdB - removedB - 1, "size < created - removed - 1", sizeB, createdB, removedB);
            final int embryonic = flows.embryonicCount();
            violations.check(embryonic >= 0 && embryonic <= CAPACITY, "embryonic out of range", embryonic);

            final long duplicatesNow = flows.duplicateCount();
            final long invalidNow = flows.invalidArgumentCount();
            final long fullNow = flows.tableFullCount();
            final long exhaustedNow = natPorts.exhaustedCount();
            final long badReleaseNow = natPorts.invalidReleaseCount();
            final long allocated = natPorts.allocatedCount();
            violations.check(allocated >= 0 && allocated <= totalPorts, "NAT ports allocated out of range", allocated);
            violations.check(exhaustedNow >= markExhausted, "exhausted below the worker's mark", exhaustedNow, markExhausted);

            violations.check(createdA >= lastCreated && createdB >= createdA, "created went backwards", lastCreated, createdA, createdB);
            violations.check(removedA >= lastRemoved && removedB >= removedA, "removed went backwards", lastRemoved, removedA, removedB);
            violations.check(expiredA >= lastExpired, "expired went backwards", lastExpired, expiredA);
            violations.check(evictedA >= lastEvicted, "evicted went backwards", lastEvicted, evictedA);
            violations.check(duplicatesNow >= lastDuplicates, "duplicates went backwards", lastDuplicates, duplicatesNow);
            violations.check(invalidNow >= lastInvalid, "invalid arguments went backwards", lastInvalid, invalidNow);
            violations.check(fullNow >= lastFull, "table full went backwards", lastFull, fullNow);
            violations.check(exhaustedNow >= lastExhausted, "exhausted went backwards", lastExhausted, exhaustedNow);
            violations.check(badReleaseNow >= lastBadRelease, "invalid releases went backwards", lastBadRelease, badReleaseNow);
            lastCreated = createdB;
            lastRemoved = removedB;
            lastExpired = expiredA;
            lastEvicted = evictedA;
            lastDuplicates = duplicatesNow;
            lastInvalid = invalidNow;
            lastFull = fullNow;
            lastExhausted = exhaustedNow;
            lastBadRelease = badReleaseNow;
            snapshots++;
            chaos.perturb();
        }
        return snapshots;
    }

    /** After the join: the counters are exactly the worker's tallies. */
    private void finalCheck()
    {
        evicted = handlerCalls[IN_CREATE];
        violations.check(flows.embryonicEvictedCount() == evicted, "evicted != evictions the handler saw",
            flows.embryonicEvictedCount(), evicted);
        violations.check(handlerCalls[IN_EXPIRE] == expired, "expire's results != handler calls", expired, handlerCalls[IN_EXPIRE]);
        violations.check(handlerCalls[IN_PURGE] == purged, "purge results != handler calls", purged, handlerCalls[IN_PURGE]);
        violations.check(flows.createdCount() == created, "created != worker's tally", flows.createdCount(), created);
        violations.check(flows.removedCount() == removed, "removed != worker's tally", flows.removedCount(), removed);
        violations.check(flows.expiredCount() == expired, "expired != worker's tally", flows.expiredCount(), expired);
        violations.check(flows.duplicateCount() == duplicates, "duplicates != tally", flows.duplicateCount(), duplicates);
        violations.check(flows.invalidArgumentCount() == invalidArguments, "invalid != tally", flows.invalidArgumentCount(), invalidArguments);
        violations.check(flows.tableFullCount() == tableFull, "table full != tally", flows.tableFullCount(), tableFull);
        violations.check(flows.size() == liveCount, "size != live flows", flows.size(), liveCount);
        violations.check(created - removed == liveCount, "created - removed != live flows", created, removed, liveCount);
        violations.check(natPorts.allocatedCount() == liveCount, "ports allocated != live flows", natPorts.allocatedCount(), liveCount);
        violations.check(natPorts.exhaustedCount() == exhausted, "exhausted != tally", natPorts.exhaustedCount(), exhausted);
        violations.check(natPorts.invalidReleaseCount() == invalidReleases, "invalid releases != tally",
            natPorts.invalidReleaseCount(), invalidReleases);
        int embryonic = 0;
        for (int i = 0; i < liveCount; i++)
        {
            violations.check(flows.isLive(live[i]), "a flow the worker holds is not live", live[i]);
            embryonic += isEmbryonic(flows.tcpState(live[i])) ? 1 : 0;
        }
        violations.check(flows.embryonicCount() == embryonic, "embryonic != live flows in SYN states", flows.embryonicCount(), embryonic);
    }
}
