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
        long expectedCreated = 0;
        long expectedFull = 0;
        long expectedDuplicate = 0;
        long expectedEvicted = 0;
        int creates = 0;

        for (int op = 0; op < OPERATIONS; op++)
        {
            nowNs += random.nextInt(20_000_000);
            final int dice = random.nextInt(1000);
            if (dice < 300)
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

                final boolean needsRoom = flows.size() == CAPACITY ||
                    (IpProtocol.TCP == forward.protocol() && embryonic.size() >= EMBRYONIC_LIMIT);
                if (forwardModel.containsKey(forward) || reverseModel.containsKey(reverse))
                {
                    assertEquals(FlowTable.DUPLICATE, flowId);
                    assertTrue(evictedByTable.isEmpty(), "a duplicate must not evict");
                    expectedDuplicate++;
                }
                else if (needsRoom && (!evicting || embryonic.isEmpty()))
                {
                    assertEquals(FlowTable.TABLE_FULL, flowId);
                    assertTrue(evictedByTable.isEmpty());
                    expectedFull++;
                }
                else
                {
                    if (needsRoom)
                    {
                        final int oldest = embryonic.iterator().next();
                        assertEquals(List.of(oldest), evictedByTable, "evicts the oldest embryonic flow");
                        forgetFlow(oldest);
                        expectedEvicted++;
                    }
                    else
                    {
                        assertTrue(evictedByTable.isEmpty(), "evicted with room to spare");
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
                    creates++;
                }
            }
            else if (dice < 500)
            {
                final Key key = random.nextBoolean() || flows.isEmpty() ? randomForwardKey() : anyLiveFlow().forward;
                assertEquals(forwardModel.getOrDefault(key, FlowTable.NOT_FOUND),
                    table.lookupForward(key.srcIp(), key.srcPort(), key.dstIp(), key.dstPort(), key.protocol()));
            }
            else if (dice < 650)
            {
                final Key key = random.nextBoolean() || flows.isEmpty() ?
                    randomReverseKey(PROTOCOLS[random.nextInt(3)]) : anyLiveFlow().reverse;
                assertEquals(reverseModel.getOrDefault(key, FlowTable.NOT_FOUND),
                    table.lookupReverse(key.srcIp(), key.srcPort(), key.dstIp(), key.dstPort(), key.protocol()));
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
        assertTrue(creates > CAPACITY * 5, "ids are reused many times: " + creates);
        assertFalse(flows.isEmpty());
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
