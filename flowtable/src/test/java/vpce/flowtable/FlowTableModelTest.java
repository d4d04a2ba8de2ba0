package vpce.flowtable;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Random operations checked against a {@link HashMap} reference model. Keys come from a small space so duplicates,
 * table-full, embryonic eviction, collisions and id reuse all happen often. TCP flows receive a handful of segment
 * kinds whose transitions the model mirrors (handshake, RST, reopening SYN, flag-less), so the model knows each
 * flow's state, hence its timeout and whether it is embryonic; the embryonic list is modelled by a
 * {@link LinkedHashSet} in the order flows became embryonic, and every eviction must take its first member.
 */
class FlowTableModelTest
{
    private static final int CAPACITY = 600;
    private static final int EMBRYONIC_LIMIT = 100;
    private static final int OPERATIONS = 300_000;
    private static final int[] PROTOCOLS = { IpProtocol.TCP, IpProtocol.UDP, IpProtocol.ICMP };

    record Key(int srcIp, int srcPort, int dstIp, int dstPort, int protocol)
    {
    }

    static final class ModelFlow
    {
        final Key forward;
        final Key reverse;
        final int endpointId;
        int state;
        long lastSeenNs;
        long forwardPackets;
        long reverseBytes;

        ModelFlow(final Key forward, final Key reverse, final int endpointId, final long lastSeenNs)
        {
            this.forward = forward;
            this.reverse = reverse;
            this.endpointId = endpointId;
            this.lastSeenNs = lastSeenNs;
            this.state = IpProtocol.TCP == forward.protocol() ? TcpState.SYN_SENT : TcpState.NONE;
        }
    }

    private final Map<Key, Integer> forwardModel = new HashMap<>();
    private final Map<Key, Integer> reverseModel = new HashMap<>();
    private final Map<Integer, ModelFlow> flows = new HashMap<>();
    private final List<Integer> removedByTable = new ArrayList<>();
    private final List<Integer> evictedByTable = new ArrayList<>();
    private final LinkedHashSet<Integer> embryonic = new LinkedHashSet<>();
    private final FlowTimeouts timeouts = FlowTimeouts.DEFAULT;
    private Random random;

    @ParameterizedTest
    @ValueSource(longs = { 1L, 20240601L, -7L })
    void randomOperationsMatchReferenceModel(final long seed)
    {
        random = new Random(seed);
        final FlowTable table = new FlowTable(CAPACITY, timeouts, seed * 31, EMBRYONIC_LIMIT);
        final FlowExpiryHandler handler = (t, flowId) ->
        {
            assertTrue(t.isLive(flowId));
            removedByTable.add(flowId);
        };
        final FlowExpiryHandler evictionHandler = (t, flowId) ->
        {
            assertTrue(t.isLive(flowId));
            assertTrue(isEmbryonic(t.tcpState(flowId)), "evicted a flow that is not embryonic");
            evictedByTable.add(flowId);
        };
        long nowNs = 0;
        int creates = 0;
        int batchEvictions = 0;
        int batchDuplicates = 0;

        for (int op = 0; op < OPERATIONS; op++)
        {
            nowNs += random.nextInt(20_000_000);
            final int dice = random.nextInt(1000);
            if (dice < 270)
            {
                final Key forward = randomForwardKey();
                final Key reverse = randomReverseKey(forward.protocol());
                final int endpointId = random.nextInt(4);
                final boolean evicting = random.nextInt(4) != 0;
                evictedByTable.clear();
                final int flowId = evicting ?
                    table.create(
                        forward.srcIp(), forward.srcPort(), forward.dstIp(), forward.dstPort(),
                        reverse.srcIp(), reverse.srcPort(), reverse.dstIp(), reverse.dstPort(),
                        forward.protocol(), nowNs, evictionHandler) :
                    table.create(
                        forward.srcIp(), forward.srcPort(), forward.dstIp(), forward.dstPort(),
                        reverse.srcIp(), reverse.srcPort(), reverse.dstIp(), reverse.dstPort(),
                        forward.protocol(), nowNs);
                final int outcome = checkCreate(table, forward, reverse, endpointId, evicting, flowId, nowNs, 0);
                assertEquals(evictedByTable.size(), outcome == CREATED_EVICTING ? 1 : 0);
                creates += outcome == CREATED || outcome == CREATED_EVICTING ? 1 : 0;
            }
            else if (dice < 300)
            {
                // createBatch must do exactly what the same creates one by one do, across chunk boundaries and
                // with duplicates inside the batch.
                final int count = 1 + random.nextInt(80);
                final Key[] forwards = new Key[count];
                final Key[] reverses = new Key[count];
                final int[][] args = new int[9][count];
                for (int i = 0; i < count; i++)
                {
                    forwards[i] = i > 0 && random.nextInt(8) == 0 ? forwards[random.nextInt(i)] : randomForwardKey();
                    reverses[i] = randomReverseKey(forwards[i].protocol());
                    args[0][i] = forwards[i].srcIp();
                    args[1][i] = forwards[i].srcPort();
                    args[2][i] = forwards[i].dstIp();
                    args[3][i] = forwards[i].dstPort();
                    args[4][i] = reverses[i].srcIp();
                    args[5][i] = reverses[i].srcPort();
                    args[6][i] = reverses[i].dstIp();
                    args[7][i] = reverses[i].dstPort();
                    args[8][i] = forwards[i].protocol();
                }
                final boolean evicting = random.nextInt(4) != 0;
                final int[] flowIds = new int[count];
                evictedByTable.clear();
                table.createBatch(count, args[0], args[1], args[2], args[3], args[4], args[5], args[6], args[7],
                    args[8], nowNs, evicting ? evictionHandler : null, flowIds);
                int evictions = 0;
                for (int i = 0; i < count; i++)
                {
                    final int endpointId = random.nextInt(4);
                    final int outcome = checkCreate(
                        table, forwards[i], reverses[i], endpointId, evicting, flowIds[i], nowNs, evictions);
                    evictions += outcome == CREATED_EVICTING ? 1 : 0;
                    creates += outcome == CREATED || outcome == CREATED_EVICTING ? 1 : 0;
                    batchDuplicates += outcome == REFUSED_DUPLICATE ? 1 : 0;
                }
                assertEquals(evictions, evictedByTable.size());
                batchEvictions += evictions;
            }
            else if (dice < 500)
            {
                final Key key = random.nextBoolean() || flows.isEmpty() ? randomForwardKey() : anyLiveFlow().forward;
                assertEquals(forwardModel.getOrDefault(key, FlowTable.NOT_FOUND),
                    table.lookupForward(key.srcIp(), key.srcPort(), key.dstIp(), key.dstPort(), key.protocol()));
                // Whatever id it is given (stale, reused, another flow's, not found), recheck answers as a lookup.
                final int earlier = random.nextInt(CAPACITY + 2) - 1;
                assertEquals(forwardModel.getOrDefault(key, FlowTable.NOT_FOUND), table.recheckForward(
                    earlier, key.srcIp(), key.srcPort(), key.dstIp(), key.dstPort(), key.protocol()));
                if (random.nextInt(8) == 0)
                {
                    checkBatchLookup(table, true);
                }
            }
            else if (dice < 650)
            {
                final Key key = random.nextBoolean() || flows.isEmpty() ?
                    randomReverseKey(PROTOCOLS[random.nextInt(3)]) : anyLiveFlow().reverse;
                assertEquals(reverseModel.getOrDefault(key, FlowTable.NOT_FOUND),
                    table.lookupReverse(key.srcIp(), key.srcPort(), key.dstIp(), key.dstPort(), key.protocol()));
                final int earlier = flows.isEmpty() || random.nextBoolean() ?
                    random.nextInt(CAPACITY + 2) - 1 : anyLiveFlowId();
                assertEquals(reverseModel.getOrDefault(key, FlowTable.NOT_FOUND), table.recheckReverse(
                    earlier, key.srcIp(), key.srcPort(), key.dstIp(), key.dstPort(), key.protocol()));
                if (random.nextInt(8) == 0)
                {
                    checkBatchLookup(table, false);
                }
            }
            else if (dice < 800)
            {
                if (!flows.isEmpty())
                {
                    final int flowId = anyLiveFlowId();
                    final ModelFlow flow = flows.get(flowId);
                    final int bytes = 40 + random.nextInt(1460);
                    final int kind = random.nextInt(6);
                    final boolean forward = kind == 0 || kind == 2 || kind == 4 || (kind == 5 && random.nextBoolean());
                    final int tcpFlags = switch (kind)
                    {
                        case 1 -> TcpFlags.SYN | TcpFlags.ACK;
                        case 2 -> TcpFlags.ACK;
                        case 4 -> TcpFlags.SYN;
                        case 5 -> TcpFlags.RST | TcpFlags.ACK;
                        default -> 0;
                    };
                    if (forward)
                    {
                        Segments.forward(table, flowId, tcpFlags, bytes, nowNs);
                        flow.forwardPackets++;
                    }
                    else
                    {
                        Segments.reverse(table, flowId, tcpFlags, bytes, nowNs);
                        flow.reverseBytes += bytes;
                    }
                    flow.lastSeenNs = nowNs;
                    if (IpProtocol.TCP == flow.forward.protocol())
                    {
                        onModelSegment(flowId, flow, forward, tcpFlags);
                    }
                    assertEquals(flow.state, table.tcpState(flowId));
                    assertEquals(flow.forwardPackets, table.forwardPackets(flowId));
                    assertEquals(flow.reverseBytes, table.reverseBytes(flowId));
                }
            }
            else if (dice < 900)
            {
                final int flowId = random.nextInt(4) == 0 ? random.nextInt(CAPACITY + 10) - 5 :
                    (flows.isEmpty() ? -1 : anyLiveFlowId());
                final boolean live = flows.containsKey(flowId);
                assertEquals(live, table.remove(flowId));
                if (live)
                {
                    forgetFlow(flowId);
                }
            }
            else if (dice < 990)
            {
                removedByTable.clear();
                final int removed = table.expire(nowNs, 1 + random.nextInt(200), handler);
                assertEquals(removedByTable.size(), removed);
                for (final int flowId : removedByTable)
                {
                    final ModelFlow flow = flows.get(flowId);
                    assertTrue(nowNs - flow.lastSeenNs >= timeoutNs(flow), "expired a flow that was not idle");
                    forgetFlow(flowId);
                }
            }
            else if (dice < 998)
            {
                // A full sweep: exactly the idle flows go.
                final Set<Integer> idle = new HashSet<>();
                for (final Map.Entry<Integer, ModelFlow> entry : flows.entrySet())
                {
                    if (nowNs - entry.getValue().lastSeenNs >= timeoutNs(entry.getValue()))
                    {
                        idle.add(entry.getKey());
                    }
                }
                removedByTable.clear();
                assertEquals(idle.size(), table.expire(nowNs, CAPACITY, handler));
                assertEquals(idle, new HashSet<>(removedByTable));
                idle.forEach(this::forgetFlow);
            }
            else
            {
                final int endpointId = random.nextInt(4);
                final Set<Integer> owned = new HashSet<>();
                flows.forEach((flowId, flow) ->
                {
                    if (flow.endpointId == endpointId)
                    {
                        owned.add(flowId);
                    }
                });
                removedByTable.clear();
                assertEquals(owned.size(), table.removeByEndpoint(endpointId, handler));
                assertEquals(owned, new HashSet<>(removedByTable));
                owned.forEach(this::forgetFlow);
            }

            assertEquals(flows.size(), table.size());
            assertEquals(embryonic.size(), table.embryonicCount());
            assertEquals((int)(table.createdCount() + table.removedCount()), table.modificationCount(),
                "the modification count moves with every create and removal");
            if (op % 100 == 0)
            {
                assertEquals(List.copyOf(embryonic), listOf(table.embryonicIds()), "embryonic list order");
            }
            if (op % 20_000 == 0)
            {
                table.verifyIntegrity();
            }
        }

        table.verifyIntegrity();
        for (final Map.Entry<Integer, ModelFlow> entry : flows.entrySet())
        {
            final Key forward = entry.getValue().forward;
            final Key reverse = entry.getValue().reverse;
            assertEquals(entry.getKey(), table.lookupForward(
                forward.srcIp(), forward.srcPort(), forward.dstIp(), forward.dstPort(), forward.protocol()));
            assertEquals(entry.getKey(), table.lookupReverse(
                reverse.srcIp(), reverse.srcPort(), reverse.dstIp(), reverse.dstPort(), reverse.protocol()));
            assertEquals(entry.getValue().lastSeenNs, table.lastSeenNs(entry.getKey()));
        }
        assertEquals(expectedCreated, table.createdCount());
        assertEquals(expectedFull, table.tableFullCount());
        assertEquals(expectedDuplicate, table.duplicateCount());
        assertEquals(expectedEvicted, table.embryonicEvictedCount());
        assertTrue(expectedFull > 0, "the run should fill the table at least once");
        assertTrue(expectedEvicted > 0, "the run should evict embryonic flows");
        assertTrue(expectedDuplicate > 0, "the run should hit duplicates");
        assertTrue(batchEvictions > 0 && batchDuplicates > 0, "createBatch evicts and refuses duplicates too");
        assertTrue(creates > CAPACITY * 5, "ids are reused many times: " + creates);
        assertFalse(flows.isEmpty());
    }

    private static final int REFUSED = 0;
    private static final int CREATED = 1;
    private static final int CREATED_EVICTING = 2;
    private static final int REFUSED_DUPLICATE = 3;

    private long expectedCreated;
    private long expectedFull;
    private long expectedDuplicate;
    private long expectedEvicted;

    /**
     * Check a create's result against the model and apply it; {@code evictedByTable.get(evictionIndex)} is the
     * flow it must have evicted if it needed room.
     */
    private int checkCreate(
        final FlowTable table,
        final Key forward,
        final Key reverse,
        final int endpointId,
        final boolean evicting,
        final int flowId,
        final long nowNs,
        final int evictionIndex)
    {
        final boolean needsRoom = flows.size() == CAPACITY ||
            (IpProtocol.TCP == forward.protocol() && embryonic.size() >= EMBRYONIC_LIMIT);
        if (forwardModel.containsKey(forward) || reverseModel.containsKey(reverse))
        {
            assertEquals(FlowTable.DUPLICATE, flowId);
            expectedDuplicate++;
            return REFUSED_DUPLICATE;
        }
        if (needsRoom && (!evicting || embryonic.isEmpty()))
        {
            assertEquals(FlowTable.TABLE_FULL, flowId);
            expectedFull++;
            return REFUSED;
        }

        if (needsRoom)
        {
            final int oldest = embryonic.iterator().next();
            assertTrue(evictionIndex < evictedByTable.size(), "no eviction");
            assertEquals(oldest, evictedByTable.get(evictionIndex), "evicts the oldest embryonic flow");
            forgetFlow(oldest);
            expectedEvicted++;
        }
        assertTrue(flowId >= 0 && flowId < CAPACITY, "id " + flowId);
        assertNull(flows.get(flowId), "id handed out twice");
        table.endpointId(flowId, endpointId);
        final ModelFlow flow = new ModelFlow(forward, reverse, endpointId, nowNs);
        flows.put(flowId, flow);
        forwardModel.put(forward, flowId);
        reverseModel.put(reverse, flowId);
        if (isEmbryonic(flow.state))
        {
            embryonic.add(flowId);
        }
        expectedCreated++;
        return needsRoom ? CREATED_EVICTING : CREATED;
    }

    /**
     * A batch lookup of live and random keys, across the chunk boundary, answers as single lookups would.
     */
    private void checkBatchLookup(final FlowTable table, final boolean forward)
    {
        final int count = random.nextInt(150);
        final int[][] keys = new int[5][count];
        final int[] expected = new int[count];
        for (int i = 0; i < count; i++)
        {
            final Key key;
            if (!flows.isEmpty() && random.nextBoolean())
            {
                key = forward ? anyLiveFlow().forward : anyLiveFlow().reverse;
            }
            else
            {
                key = forward ? randomForwardKey() : randomReverseKey(PROTOCOLS[random.nextInt(3)]);
            }
            keys[0][i] = key.srcIp();
            keys[1][i] = key.srcPort();
            keys[2][i] = key.dstIp();
            keys[3][i] = key.dstPort();
            keys[4][i] = key.protocol();
            expected[i] = (forward ? forwardModel : reverseModel).getOrDefault(key, FlowTable.NOT_FOUND);
        }
        final int[] flowIds = new int[count + 3];
        java.util.Arrays.fill(flowIds, 12345);
        if (forward)
        {
            table.lookupForwardBatch(count, keys[0], keys[1], keys[2], keys[3], keys[4], flowIds);
        }
        else
        {
            table.lookupReverseBatch(count, keys[0], keys[1], keys[2], keys[3], keys[4], flowIds);
        }
        assertEquals(listOf(expected), listOf(java.util.Arrays.copyOf(flowIds, count)));
        assertEquals(12345, flowIds[count], "nothing written past count");
    }

    private long timeoutNs(final ModelFlow flow)
    {
        return timeouts.timeoutNs(flow.forward.protocol(), flow.state);
    }

    /**
     * The transitions of the segment kinds this test sends (see {@link TcpState}); no FIN is sent, so the close
     * states other than CLOSED are never reached.
     */
    private void onModelSegment(final int flowId, final ModelFlow flow, final boolean forward, final int tcpFlags)
    {
        final int oldState = flow.state;
        if ((tcpFlags & TcpFlags.RST) != 0)
        {
            flow.state = TcpState.CLOSED;
        }
        else if (!forward && tcpFlags == (TcpFlags.SYN | TcpFlags.ACK) && TcpState.SYN_SENT == oldState)
        {
            flow.state = TcpState.SYN_RECEIVED;
        }
        else if (forward && tcpFlags == TcpFlags.ACK && TcpState.SYN_RECEIVED == oldState)
        {
            flow.state = TcpState.ESTABLISHED;
        }
        else if (forward && tcpFlags == TcpFlags.SYN && TcpState.CLOSED == oldState)
        {
            flow.state = TcpState.SYN_SENT;
        }

        if (isEmbryonic(oldState) && !isEmbryonic(flow.state))
        {
            embryonic.remove(flowId);
        }
        else if (!isEmbryonic(oldState) && isEmbryonic(flow.state))
        {
            embryonic.add(flowId);
        }
    }

    private static boolean isEmbryonic(final int state)
    {
        return TcpState.SYN_SENT == state || TcpState.SYN_RECEIVED == state;
    }

    private static List<Integer> listOf(final int[] ids)
    {
        final List<Integer> list = new ArrayList<>(ids.length);
        for (final int id : ids)
        {
            list.add(id);
        }

        return list;
    }

    private Key randomForwardKey()
    {
        return new Key(
            0x0A000100 + random.nextInt(24),
            1024 + random.nextInt(48),
            0x0A0001F0 + random.nextInt(2),
            random.nextBoolean() ? 443 : 80,
            PROTOCOLS[random.nextInt(3)]);
    }

    private Key randomReverseKey(final int protocol)
    {
        return new Key(
            0xAC100000 + random.nextInt(3),
            8443,
            0xAC1000FE,
            1024 + random.nextInt(1600),
            protocol);
    }

    private ModelFlow anyLiveFlow()
    {
        return flows.get(anyLiveFlowId());
    }

    private int anyLiveFlowId()
    {
        // HashMap iteration order is deterministic for a given sequence of operations, so the run is reproducible.
        final int skip = random.nextInt(Math.min(flows.size(), 64));
        int i = 0;
        for (final int flowId : flows.keySet())
        {
            if (i++ == skip)
            {
                return flowId;
            }
        }
        throw new IllegalStateException("no live flow");
    }

    private void forgetFlow(final int flowId)
    {
        final ModelFlow flow = flows.remove(flowId);
        forwardModel.remove(flow.forward);
        reverseModel.remove(flow.reverse);
        embryonic.remove(flowId);
    }
}
