package vpce.flowtable;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FlowTableTest
{
    private static final long SECOND_NS = 1_000_000_000L;
    private static final int TCP = IpProtocol.TCP;
    private static final int UDP = IpProtocol.UDP;
    private static final int CLIENT_IP = 0x0A000102;  // 10.0.1.2
    private static final int ENI_IP = 0x0A000164;     // 10.0.1.100
    private static final int TARGET_IP = 0xC0A80A05;  // 192.168.10.5, negative as an int
    private static final int NAT_IP = 0xC0A80A64;     // 192.168.10.100

    private final List<Integer> handled = new ArrayList<>();

    @Test
    void createIsFoundByBothKeysAndStoresEveryField()
    {
        final FlowTable table = new FlowTable(1024, FlowTimeouts.DEFAULT, 1);
        final int flowId = table.create(CLIENT_IP, 65535, ENI_IP, 443, TARGET_IP, 8443, NAT_IP, 1024, TCP, 77);

        assertEquals(0, flowId);
        assertEquals(1, table.size());
        assertEquals(1, table.createdCount());
        assertEquals(flowId, table.lookupForward(CLIENT_IP, 65535, ENI_IP, 443, TCP));
        assertEquals(flowId, table.lookupReverse(TARGET_IP, 8443, NAT_IP, 1024, TCP));

        assertEquals(CLIENT_IP, table.clientIp(flowId));
        assertEquals(65535, table.clientPort(flowId));
        assertEquals(ENI_IP, table.eniIp(flowId));
        assertEquals(443, table.eniPort(flowId));
        assertEquals(TARGET_IP, table.targetIp(flowId));
        assertEquals(8443, table.targetPort(flowId));
        assertEquals(NAT_IP, table.natIp(flowId));
        assertEquals(1024, table.natPort(flowId));
        assertEquals(TCP, table.protocol(flowId));
        assertEquals(TcpState.SYN_SENT, table.tcpState(flowId));
        assertEquals(77, table.lastSeenNs(flowId));
        assertEquals(0, table.consumerMac(flowId));
        assertEquals(0, table.endpointId(flowId));
        assertEquals(0, table.consumerPortIndex(flowId));
        assertEquals(0, table.forwardPackets(flowId));
        assertEquals(0, table.reverseBytes(flowId));

        table.consumerMac(flowId, 0x0000_0A1B_2C3D_4E5FL);
        table.endpointId(flowId, 12);
        table.consumerPortIndex(flowId, 3);
        assertEquals(0x0000_0A1B_2C3D_4E5FL, table.consumerMac(flowId));
        assertEquals(12, table.endpointId(flowId));
        assertEquals(3, table.consumerPortIndex(flowId));
        assertEquals(CLIENT_IP, table.clientIp(flowId), "setters must not touch neighbouring fields");
        assertEquals(1024, table.natPort(flowId));
        table.verifyIntegrity();
    }

    @Test
    void lookupNeedsEveryKeyFieldAndTheRightDirection()
    {
        final FlowTable table = new FlowTable(64, FlowTimeouts.DEFAULT, 2);
        final int flowId = table.create(CLIENT_IP, 40000, ENI_IP, 443, TARGET_IP, 443, NAT_IP, 20000, TCP, 0);
        assertEquals(flowId, table.lookupForward(CLIENT_IP, 40000, ENI_IP, 443, TCP));

        assertEquals(FlowTable.NOT_FOUND, table.lookupForward(CLIENT_IP + 1, 40000, ENI_IP, 443, TCP));
        assertEquals(FlowTable.NOT_FOUND, table.lookupForward(CLIENT_IP, 40001, ENI_IP, 443, TCP));
        assertEquals(FlowTable.NOT_FOUND, table.lookupForward(CLIENT_IP, 40000, ENI_IP + 1, 443, TCP));
        assertEquals(FlowTable.NOT_FOUND, table.lookupForward(CLIENT_IP, 40000, ENI_IP, 444, TCP));
        assertEquals(FlowTable.NOT_FOUND, table.lookupForward(CLIENT_IP, 40000, ENI_IP, 443, UDP));
        assertEquals(FlowTable.NOT_FOUND, table.lookupForward(ENI_IP, 443, CLIENT_IP, 40000, TCP));
        assertEquals(FlowTable.NOT_FOUND, table.lookupReverse(CLIENT_IP, 40000, ENI_IP, 443, TCP));
        assertEquals(FlowTable.NOT_FOUND, table.lookupForward(TARGET_IP, 443, NAT_IP, 20000, TCP));
        assertEquals(FlowTable.NOT_FOUND, table.lookupReverse(TARGET_IP, 443, NAT_IP, 20001, TCP));
    }

    @Test
    void forwardKeyOfOneFlowMayEqualReverseKeyOfAnother()
    {
        final FlowTable table = new FlowTable(64, FlowTimeouts.DEFAULT, 3);
        final int first = table.create(1, 10, 2, 20, 3, 30, 4, 40, TCP, 0);
        final int second = table.create(3, 30, 4, 40, 5, 50, 6, 60, TCP, 0);
        assertTrue(second >= 0);
        assertNotEquals(first, second);
        assertEquals(first, table.lookupReverse(3, 30, 4, 40, TCP));
        assertEquals(second, table.lookupForward(3, 30, 4, 40, TCP));
        table.verifyIntegrity();
    }

    @Test
    void duplicateForwardOrReverseKeyIsRejectedWithoutChange()
    {
        final FlowTable table = new FlowTable(64, FlowTimeouts.DEFAULT, 4);
        final int flowId = table.create(CLIENT_IP, 40000, ENI_IP, 443, TARGET_IP, 443, NAT_IP, 20000, TCP, 0);

        assertEquals(FlowTable.DUPLICATE,
            table.create(CLIENT_IP, 40000, ENI_IP, 443, TARGET_IP, 443, NAT_IP, 20001, TCP, 0));
        assertEquals(FlowTable.DUPLICATE,
            table.create(CLIENT_IP, 40001, ENI_IP, 443, TARGET_IP, 443, NAT_IP, 20000, TCP, 0));
        assertEquals(2, table.duplicateCount());
        assertEquals(1, table.size());
        assertEquals(FlowTable.NOT_FOUND, table.lookupReverse(TARGET_IP, 443, NAT_IP, 20001, TCP));
        assertEquals(FlowTable.NOT_FOUND, table.lookupForward(CLIENT_IP, 40001, ENI_IP, 443, TCP));
        assertEquals(flowId, table.lookupForward(CLIENT_IP, 40000, ENI_IP, 443, TCP));
        table.verifyIntegrity();
    }

    @Test
    void outOfRangePortOrProtocolIsRejected()
    {
        final FlowTable table = new FlowTable(8, FlowTimeouts.DEFAULT, 5);
        assertEquals(FlowTable.INVALID_ARGUMENT, table.create(1, 65536, 2, 1, 3, 1, 4, 1, TCP, 0));
        assertEquals(FlowTable.INVALID_ARGUMENT, table.create(1, 1, 2, -1, 3, 1, 4, 1, TCP, 0));
        assertEquals(FlowTable.INVALID_ARGUMENT, table.create(1, 1, 2, 1, 3, 70000, 4, 1, TCP, 0));
        assertEquals(FlowTable.INVALID_ARGUMENT, table.create(1, 1, 2, 1, 3, 1, 4, 65536, TCP, 0));
        assertEquals(FlowTable.INVALID_ARGUMENT, table.create(1, 1, 2, 1, 3, 1, 4, 1, 256, 0));
        assertEquals(5, table.invalidArgumentCount());
        assertEquals(0, table.size());
        table.verifyIntegrity();
    }

    @Test
    void constructorRejectsBadArguments()
    {
        assertThrows(IllegalArgumentException.class, () -> new FlowTable(0, FlowTimeouts.DEFAULT));
        assertThrows(IllegalArgumentException.class, () -> new FlowTable(FlowTable.MAX_CAPACITY + 1, FlowTimeouts.DEFAULT));
        assertThrows(NullPointerException.class, () -> new FlowTable(8, null));
        assertEquals(4, new FlowTable(1, FlowTimeouts.DEFAULT).bucketCount());
        assertEquals(4000, new FlowTable(1000, FlowTimeouts.DEFAULT).bucketCount());
        assertEquals(250, new FlowTable(1000, FlowTimeouts.DEFAULT).embryonicLimit());
        assertEquals(1, new FlowTable(3, FlowTimeouts.DEFAULT).embryonicLimit());
        assertThrows(IllegalArgumentException.class, () -> new FlowTable(8, FlowTimeouts.DEFAULT, 1, 0));
        assertThrows(IllegalArgumentException.class, () -> new FlowTable(8, FlowTimeouts.DEFAULT, 1, 9));
    }

    @Test
    void packetsUpdateCountersPerDirectionAndLastSeen()
    {
        final FlowTable table = new FlowTable(8, FlowTimeouts.DEFAULT, 6);
        final int flowId = table.create(CLIENT_IP, 1000, ENI_IP, 53, TARGET_IP, 53, NAT_IP, 2000, UDP, 10);
        Segments.forward(table, flowId, 0, 100, 20);
        Segments.forward(table, flowId, 0, 50, 30);
        Segments.reverse(table, flowId, 0, 1500, 40);

        assertEquals(2, table.forwardPackets(flowId));
        assertEquals(150, table.forwardBytes(flowId));
        assertEquals(1, table.reversePackets(flowId));
        assertEquals(1500, table.reverseBytes(flowId));
        assertEquals(40, table.lastSeenNs(flowId));
    }

    @Test
    void removeThenRecreateReusesIdWithFreshRecord()
    {
        final FlowTable table = new FlowTable(8, FlowTimeouts.DEFAULT, 7);
        final int keep = table.create(9, 9, 9, 9, 9, 9, 9, 9, TCP, 0);
        final int flowId = table.create(CLIENT_IP, 40000, ENI_IP, 443, TARGET_IP, 443, NAT_IP, 20000, TCP, 0);
        table.consumerMac(flowId, 0xABCDEFL);
        table.endpointId(flowId, 5);
        table.consumerPortIndex(flowId, 2);
        Segments.forward(table, flowId, TcpFlags.SYN, 60, 1);
        Segments.reverse(table, flowId, TcpFlags.SYN | TcpFlags.ACK, 60, 2);

        assertTrue(table.remove(flowId));
        assertFalse(table.isLive(flowId));
        assertEquals(FlowTable.NOT_FOUND, table.lookupForward(CLIENT_IP, 40000, ENI_IP, 443, TCP));
        assertEquals(FlowTable.NOT_FOUND, table.lookupReverse(TARGET_IP, 443, NAT_IP, 20000, TCP));
        assertFalse(table.remove(flowId), "second remove");
        assertFalse(table.remove(-1));
        assertFalse(table.remove(7), "never used id");
        assertFalse(table.remove(Integer.MAX_VALUE));
        assertEquals(1, table.size());
        assertEquals(1, table.removedCount());
        table.verifyIntegrity();

        final int again = table.create(CLIENT_IP, 40000, ENI_IP, 443, TARGET_IP, 443, NAT_IP, 20000, UDP, 100);
        assertEquals(flowId, again, "LIFO reuse of the freed record");
        assertEquals(UDP, table.protocol(again));
        assertEquals(TcpState.NONE, table.tcpState(again));
        assertEquals(0, table.consumerMac(again));
        assertEquals(0, table.endpointId(again));
        assertEquals(0, table.consumerPortIndex(again));
        assertEquals(0, table.forwardPackets(again));
        assertEquals(0, table.forwardBytes(again));
        assertEquals(0, table.reversePackets(again));
        assertEquals(0, table.reverseBytes(again));
        assertEquals(100, table.lastSeenNs(again));
        assertEquals(FlowTable.NOT_FOUND, table.lookupForward(CLIENT_IP, 40000, ENI_IP, 443, TCP));
        assertEquals(again, table.lookupForward(CLIENT_IP, 40000, ENI_IP, 443, UDP));
        assertEquals(keep, table.lookupForward(9, 9, 9, 9, TCP));
        table.verifyIntegrity();
    }

    @Test
    void tableFullIsRejectedWithoutCorruption()
    {
        final FlowTable table = new FlowTable(8, FlowTimeouts.DEFAULT, 8, 8);
        for (int i = 0; i < 8; i++)
        {
            assertEquals(i, table.create(CLIENT_IP, 1000 + i, ENI_IP, 443, TARGET_IP, 443, NAT_IP, 2000 + i, TCP, 0));
        }

        assertEquals(FlowTable.TABLE_FULL,
            table.create(CLIENT_IP, 1008, ENI_IP, 443, TARGET_IP, 443, NAT_IP, 2008, TCP, 0));
        assertEquals(FlowTable.TABLE_FULL,
            table.create(CLIENT_IP, 1009, ENI_IP, 443, TARGET_IP, 443, NAT_IP, 2009, TCP, 0));
        assertEquals(2, table.tableFullCount());
        assertEquals(8, table.size());
        assertEquals(FlowTable.NOT_FOUND, table.lookupForward(CLIENT_IP, 1008, ENI_IP, 443, TCP));
        assertEquals(FlowTable.NOT_FOUND, table.lookupReverse(TARGET_IP, 443, NAT_IP, 2008, TCP));
        for (int i = 0; i < 8; i++)
        {
            assertEquals(i, table.lookupForward(CLIENT_IP, 1000 + i, ENI_IP, 443, TCP));
            assertEquals(i, table.lookupReverse(TARGET_IP, 443, NAT_IP, 2000 + i, TCP));
            assertEquals(TcpState.SYN_SENT, table.tcpState(i));
        }
        table.verifyIntegrity();

        assertTrue(table.remove(3));
        assertEquals(3, table.create(CLIENT_IP, 1008, ENI_IP, 443, TARGET_IP, 443, NAT_IP, 2008, TCP, 0));
        table.verifyIntegrity();
    }

    @Test
    void collidingKeysAcrossTheWrapAroundSurviveBackwardShiftDeletion()
    {
        final int capacity = 64;
        final FlowTable table = new FlowTable(capacity, FlowTimeouts.DEFAULT, 0x5EEDL, capacity);
        final int buckets = table.bucketCount();
        assertEquals(256, buckets);

        // Find forward keys whose home bucket is one of the last 3 or first 2 buckets, so the cluster wraps.
        final List<int[]> keys = new ArrayList<>();
        final Set<Integer> homes = new HashSet<>();
        for (int port = 1; keys.size() < 48 && port < 65536; port++)
        {
            final int home = table.homeBucketForward(CLIENT_IP, port, ENI_IP, 443, TCP);
            if (home >= buckets - 3 || home < 2)
            {
                keys.add(new int[]{ port, home });
                homes.add(home);
            }
        }
        assertEquals(48, keys.size());
        assertTrue(homes.size() >= 4, "keys spread over several homes in the window: " + homes);

        final int[] flowIds = new int[keys.size()];
        for (int i = 0; i < keys.size(); i++)
        {
            final int port = keys.get(i)[0];
            flowIds[i] = table.create(CLIENT_IP, port, ENI_IP, 443, TARGET_IP, 443, NAT_IP, port, TCP, 0);
            assertTrue(flowIds[i] >= 0);
        }
        table.verifyIntegrity();

        final List<Integer> order = new ArrayList<>();
        for (int i = 0; i < keys.size(); i++)
        {
            order.add(i);
        }
        Collections.shuffle(order, new Random(11));
        final Set<Integer> removed = new HashSet<>();
        for (final int victim : order)
        {
            assertTrue(table.remove(flowIds[victim]));
            removed.add(victim);
            table.verifyIntegrity();
            for (int i = 0; i < keys.size(); i++)
            {
                final int port = keys.get(i)[0];
                final int expected = removed.contains(i) ? FlowTable.NOT_FOUND : flowIds[i];
                assertEquals(expected, table.lookupForward(CLIENT_IP, port, ENI_IP, 443, TCP), "port " + port);
                assertEquals(expected, table.lookupReverse(TARGET_IP, 443, NAT_IP, port, TCP), "port " + port);
            }
        }
        assertEquals(0, table.size());
    }

    @Test
    void reverseKeysCollidingWithForwardKeysStayDistinct()
    {
        final FlowTable table = new FlowTable(32, FlowTimeouts.DEFAULT, 99, 32);
        final int window = table.homeBucketForward(CLIENT_IP, 1, ENI_IP, 443, TCP);
        final List<Integer> forwardPorts = new ArrayList<>();
        final List<Integer> reversePorts = new ArrayList<>();
        for (int port = 2; port < 65536 && (forwardPorts.size() < 12 || reversePorts.size() < 12); port++)
        {
            if (forwardPorts.size() < 12 && table.homeBucketForward(CLIENT_IP, port, ENI_IP, 443, TCP) == window)
            {
                forwardPorts.add(port);
            }
            if (reversePorts.size() < 12 && table.homeBucketReverse(TARGET_IP, 443, NAT_IP, port, TCP) == window)
            {
                reversePorts.add(port);
            }
        }
        assertEquals(12, forwardPorts.size());
        assertEquals(12, reversePorts.size());

        // 24 keys share one home bucket: a probe run of 24 that wraps past the end for some seeds.
        for (int i = 0; i < 12; i++)
        {
            assertEquals(i, table.create(
                CLIENT_IP, forwardPorts.get(i), ENI_IP, 443, TARGET_IP, 443, NAT_IP, reversePorts.get(i), TCP, 0));
        }
        table.verifyIntegrity();
        for (int i = 0; i < 12; i += 2)
        {
            assertTrue(table.remove(i));
        }
        table.verifyIntegrity();
        for (int i = 0; i < 12; i++)
        {
            final int expected = (i & 1) == 0 ? FlowTable.NOT_FOUND : i;
            assertEquals(expected, table.lookupForward(CLIENT_IP, forwardPorts.get(i), ENI_IP, 443, TCP));
            assertEquals(expected, table.lookupReverse(TARGET_IP, 443, NAT_IP, reversePorts.get(i), TCP));
        }
    }

    @Test
    void incrementalExpireScansAtMostMaxScanAndRemovesExactlyTheIdle()
    {
        final FlowTable table = new FlowTable(128, FlowTimeouts.DEFAULT, 12);
        final long udpNs = FlowTimeouts.DEFAULT.udpNs();
        for (int i = 0; i < 100; i++)
        {
            assertEquals(i, table.create(CLIENT_IP, 1000 + i, ENI_IP, 53, TARGET_IP, 53, NAT_IP, 3000 + i, UDP, 0));
        }
        // Flows with an id divisible by 3 see traffic later and must survive.
        final long refreshNs = 30 * SECOND_NS;
        final Set<Integer> expectedIdle = new HashSet<>();
        for (int i = 0; i < 100; i++)
        {
            if (i % 3 == 0)
            {
                Segments.reverse(table, i, 0, 100, refreshNs);
            }
            else
            {
                expectedIdle.add(i);
            }
        }

        final long nowNs = udpNs;
        final FlowExpiryHandler handler = (t, flowId) ->
        {
            assertTrue(t.isLive(flowId), "handler runs before removal");
            assertEquals(3000 + flowId, t.natPort(flowId));
            handled.add(flowId);
        };

        // First call examines ids 0..9 only.
        int removed = table.expire(nowNs, 10, handler);
        assertEquals(List.of(1, 2, 4, 5, 7, 8), handled);
        assertEquals(6, removed);

        // The cursor continues at 10.
        handled.clear();
        removed = table.expire(nowNs, 10, handler);
        assertEquals(List.of(10, 11, 13, 14, 16, 17, 19), handled);
        assertEquals(7, removed);

        handled.clear();
        int total = 0;
        for (int call = 0; call < 8; call++)
        {
            total += table.expire(nowNs, 10, handler);
        }
        assertEquals(expectedIdle.size() - 13, total);
        expectedIdle.removeAll(Set.of(1, 2, 4, 5, 7, 8, 10, 11, 13, 14, 16, 17, 19));
        assertEquals(expectedIdle, new HashSet<>(handled));
        assertEquals(34, table.size());
        assertEquals(66, table.expiredCount());
        assertEquals(66, table.removedCount());
        table.verifyIntegrity();

        // A further sweep at the same time finds nothing; once the survivors are idle they all go, wrapping.
        assertEquals(0, table.expire(nowNs, 1000, handler));
        assertEquals(34, table.expire(refreshNs + udpNs, 1000, handler));
        assertEquals(0, table.size());
        table.verifyIntegrity();
    }

    @Test
    void expireWithNothingOrZeroBudgetDoesNothing()
    {
        final FlowTable table = new FlowTable(4, FlowTimeouts.DEFAULT, 13);
        assertEquals(0, table.expire(Long.MAX_VALUE, 100, (t, id) -> handled.add(id)));
        table.create(1, 1, 2, 2, 3, 3, 4, 4, UDP, 0);
        assertEquals(0, table.expire(Long.MAX_VALUE / 2, 0, (t, id) -> handled.add(id)));
        assertEquals(0, table.expire(Long.MAX_VALUE / 2, -5, (t, id) -> handled.add(id)));
        assertTrue(handled.isEmpty());
        assertEquals(1, table.size());
    }

    @Test
    void removeByEndpointPurgesOnlyThatEndpoint()
    {
        final FlowTable table = new FlowTable(64, FlowTimeouts.DEFAULT, 14, 64);
        final Set<Integer> endpoint2 = new HashSet<>();
        for (int i = 0; i < 30; i++)
        {
            final int flowId = table.create(CLIENT_IP, 1000 + i, ENI_IP + i % 3, 443, TARGET_IP, 443, NAT_IP, 5000 + i,
                TCP, 0);
            table.endpointId(flowId, i % 3);
            if (i % 3 == 2)
            {
                endpoint2.add(flowId);
            }
        }

        final int removed = table.removeByEndpoint(2, (t, flowId) ->
        {
            assertEquals(2, t.endpointId(flowId));
            handled.add(flowId);
        });
        assertEquals(10, removed);
        assertEquals(endpoint2, new HashSet<>(handled));
        assertEquals(20, table.size());
        for (int i = 0; i < 30; i++)
        {
            final int found = table.lookupForward(CLIENT_IP, 1000 + i, ENI_IP + i % 3, 443, TCP);
            if (i % 3 == 2)
            {
                assertEquals(FlowTable.NOT_FOUND, found);
            }
            else
            {
                assertEquals(i % 3, table.endpointId(found));
            }
        }
        assertEquals(0, table.removeByEndpoint(2, (t, flowId) -> handled.add(-1)));
        assertEquals(0, table.removeByEndpoint(7, (t, flowId) -> handled.add(-1)));
        assertEquals(10, handled.size());
        table.verifyIntegrity();
    }

    @Test
    void millionFlowsFitAndAreFoundByBothKeys()
    {
        final int capacity = 1_000_000;
        // Every flow stays in SYN_SENT, so let all of them be embryonic; this test is about the index.
        final FlowTable table = new FlowTable(capacity, FlowTimeouts.DEFAULT, 0xF10EL, capacity);
        assertEquals(128L * capacity, table.allocatedBytes(), "128 bytes per flow, both keys included");

        // 1M distinct clients 10.x.y.z:port -> one ENI; provider side spread over 16 NAT addresses x 62500 ports.
        for (int i = 0; i < capacity; i++)
        {
            final int flowId = table.create(
                0x0A000000 + (i >>> 4), 1024 + (i & 15), ENI_IP, 443, TARGET_IP, 443, NAT_IP + (i & 15),
                1024 + (i >>> 4), TCP, i);
            if (flowId != i)
            {
                assertEquals(i, flowId, "create " + i);
            }
        }
        assertEquals(capacity, table.size());
        assertEquals(FlowTable.TABLE_FULL,
            table.create(0x0B000000, 1, ENI_IP, 443, TARGET_IP, 443, NAT_IP, 1, TCP, 0));

        for (int i = 0; i < capacity; i++)
        {
            final int forward = table.lookupForward(0x0A000000 + (i >>> 4), 1024 + (i & 15), ENI_IP, 443, TCP);
            final int reverse = table.lookupReverse(TARGET_IP, 443, NAT_IP + (i & 15), 1024 + (i >>> 4), TCP);
            if (forward != i || reverse != i)
            {
                assertEquals(i, forward, "forward " + i);
                assertEquals(i, reverse, "reverse " + i);
            }
        }
        assertEquals(FlowTable.NOT_FOUND, table.lookupForward(0x0A000000 + capacity, 1024, ENI_IP, 443, TCP));
    }

    @Test
    void aRestoredFlowIsEstablishedFindableByBothKeysAndNotEmbryonic()
    {
        final FlowTable table = new FlowTable(64, FlowTimeouts.DEFAULT);
        final int flow = table.restoreEstablished(0x0A00010A, 40000, 0x0A000114, 443, 0x0A64000A, 8080, 0x0A640001, 20001, 7);
        assertTrue(flow >= 0);
        assertEquals(TcpState.ESTABLISHED, table.tcpState(flow));
        assertEquals(0, table.embryonicCount());
        assertEquals(flow, table.lookupForward(0x0A00010A, 40000, 0x0A000114, 443, IpProtocol.TCP));
        assertEquals(flow, table.lookupReverse(0x0A64000A, 8080, 0x0A640001, 20001, IpProtocol.TCP));
        assertEquals(FlowTable.DUPLICATE,
            table.restoreEstablished(0x0A00010A, 40000, 0x0A000114, 443, 0x0A64000A, 8080, 0x0A640001, 20001, 7));
    }

    @Test
    void claimedNatPortsAreNeverHandedOutAgain()
    {
        final SingleTargetNatPorts ports = new SingleTargetNatPorts(1, 1024, 1039);
        assertEquals(2, ports.claim(0, new int[] {1030, 1024, 5000}, 3), "5000 is out of range");
        assertEquals(14, ports.available(0));
        for (int i = 0; i < 14; i++)
        {
            final int port = ports.allocate(0);
            assertTrue(port != 1030 && port != 1024, "handed out a claimed port: " + port);
        }
        assertEquals(NatPortAllocator.NO_PORT, ports.allocate(0));
        assertTrue(ports.release(0, 1030), "a claimed port is released like any other");
    }
}
