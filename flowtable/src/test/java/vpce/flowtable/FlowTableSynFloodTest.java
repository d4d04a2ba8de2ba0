package vpce.flowtable;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 4: "A SYN flood that fills the table must not evict established flows: embryonic entries are limited and
 * evicted first; counters for table-full and embryonic-evicted."
 */
class FlowTableSynFloodTest
{
    private static final int TCP = IpProtocol.TCP;
    private static final int UDP = IpProtocol.UDP;
    private static final int CLIENT_IP = 0x0A000102;
    private static final int ATTACKER_IP = 0x0B000001;
    private static final int ENI_IP = 0x0A000164;
    private static final int TARGET_IP = 0xAC100005;
    private static final int NAT_IP = 0xAC100064;

    private final SingleTargetNatPorts ports = new SingleTargetNatPorts(1);
    private final List<Integer> evictedClientPorts = new ArrayList<>();
    private final FlowExpiryHandler releasePort = (table, flowId) ->
    {
        assertTrue(table.isLive(flowId), "the record is still live when the handler runs");
        evictedClientPorts.add(table.clientPort(flowId));
        assertTrue(ports.release(0, table.natPort(flowId)));
    };

    @Test
    void floodNeverEvictsEstablishedFlowsAndEvictsOldestFirst()
    {
        final FlowTable table = new FlowTable(64, FlowTimeouts.DEFAULT, 1);
        assertEquals(16, table.embryonicLimit());

        final int[] established = new int[40];
        for (int i = 0; i < established.length; i++)
        {
            established[i] = establish(table, create(table, CLIENT_IP, 1000 + i, i));
        }
        assertEquals(0, table.embryonicCount());

        final int floodSyns = 5_000;
        for (int i = 0; i < floodSyns; i++)
        {
            assertTrue(create(table, ATTACKER_IP, 1 + i, 1_000 + i) >= 0, "flood SYN " + i + " gets a record");
            assertTrue(table.embryonicCount() <= table.embryonicLimit());
        }

        for (int i = 0; i < established.length; i++)
        {
            assertEquals(established[i], table.lookupForward(CLIENT_IP, 1000 + i, ENI_IP, 443, TCP));
            assertEquals(TcpState.ESTABLISHED, table.tcpState(established[i]));
        }
        final int evicted = floodSyns - table.embryonicLimit();
        assertEquals(evicted, evictedClientPorts.size());
        for (int i = 0; i < evicted; i++)
        {
            assertEquals(1 + i, evictedClientPorts.get(i), "oldest first");
        }
        for (int i = evicted; i < floodSyns; i++)
        {
            assertTrue(table.lookupForward(ATTACKER_IP, 1 + i, ENI_IP, 443, TCP) >= 0, "newest SYNs are kept");
        }

        assertEquals(evicted, table.embryonicEvictedCount());
        assertEquals(0, table.tableFullCount());
        assertEquals(16, table.embryonicCount());
        assertEquals(40 + 16, table.size());
        assertEquals(table.size(), ports.allocatedCount(), "every evicted flow's NAT port was released");
        table.verifyIntegrity();
    }

    @Test
    void fullTableEvictsOldestEmbryonicEvenForUdp()
    {
        final FlowTable table = new FlowTable(8, FlowTimeouts.DEFAULT, 2, 4);
        for (int i = 0; i < 5; i++)
        {
            establish(table, create(table, CLIENT_IP, 1000 + i, i));
        }
        final int oldest = create(table, ATTACKER_IP, 1, 100);
        final int middle = create(table, ATTACKER_IP, 2, 101);
        final int newest = create(table, ATTACKER_IP, 3, 102);
        assertEquals(8, table.size());
        assertEquals(3, table.embryonicCount());

        // Not at the embryonic limit, but full: a UDP flow takes the oldest half-open connection's record.
        final int udp = table.create(CLIENT_IP, 53, ENI_IP, 53, TARGET_IP, 53, NAT_IP, ports.allocate(0), UDP, 200,
            releasePort);
        assertEquals(oldest, udp, "the evicted record is reused at once");
        assertEquals(List.of(1), evictedClientPorts);
        assertEquals(1, table.embryonicEvictedCount());
        assertArrayEquals(new int[] { middle, newest }, table.embryonicIds());
        table.verifyIntegrity();
    }

    @Test
    void fullOfEstablishedFlowsRejectsAndCounts()
    {
        final FlowTable table = new FlowTable(8, FlowTimeouts.DEFAULT, 3);
        for (int i = 0; i < 8; i++)
        {
            establish(table, create(table, CLIENT_IP, 1000 + i, i));
        }

        for (int i = 0; i < 3; i++)
        {
            final int natPort = ports.allocate(0);
            assertEquals(FlowTable.TABLE_FULL, table.create(ATTACKER_IP, 1 + i, ENI_IP, 443, TARGET_IP, 443, NAT_IP,
                natPort, TCP, 100, releasePort));
            ports.release(0, natPort);
        }
        assertEquals(3, table.tableFullCount());
        assertEquals(0, table.embryonicEvictedCount());
        assertTrue(evictedClientPorts.isEmpty());
        assertEquals(8, table.size());
        table.verifyIntegrity();
    }

    @Test
    void withoutHandlerNothingIsEvicted()
    {
        final FlowTable table = new FlowTable(16, FlowTimeouts.DEFAULT, 4, 2);
        final int first = table.create(ATTACKER_IP, 1, ENI_IP, 443, TARGET_IP, 443, NAT_IP, 1, TCP, 0);
        final int second = table.create(ATTACKER_IP, 2, ENI_IP, 443, TARGET_IP, 443, NAT_IP, 2, TCP, 0);

        assertEquals(FlowTable.TABLE_FULL, table.create(ATTACKER_IP, 3, ENI_IP, 443, TARGET_IP, 443, NAT_IP, 3, TCP, 0));
        assertEquals(1, table.tableFullCount());
        assertEquals(0, table.embryonicEvictedCount());
        assertArrayEquals(new int[] { first, second }, table.embryonicIds());

        // The limit is on embryonic flows only: UDP still gets a record.
        assertTrue(table.create(CLIENT_IP, 53, ENI_IP, 53, TARGET_IP, 53, NAT_IP, 53, UDP, 0) >= 0);
        table.verifyIntegrity();
    }

    @Test
    void duplicateOrInvalidCreateNeverEvicts()
    {
        final FlowTable table = new FlowTable(4, FlowTimeouts.DEFAULT, 5);
        final int only = create(table, ATTACKER_IP, 1, 1);
        assertEquals(1, table.embryonicLimit());

        // A retransmitted SYN for the flow at the limit is a duplicate, not a reason to evict it.
        assertEquals(FlowTable.DUPLICATE, table.create(ATTACKER_IP, 1, ENI_IP, 443, TARGET_IP, 443, NAT_IP, 9, TCP, 5,
            releasePort));
        assertEquals(FlowTable.INVALID_ARGUMENT, table.create(ATTACKER_IP, 2, ENI_IP, 443, TARGET_IP, 443, NAT_IP,
            70_000, TCP, 5, releasePort));
        assertTrue(evictedClientPorts.isEmpty());
        assertEquals(0, table.embryonicEvictedCount());
        assertArrayEquals(new int[] { only }, table.embryonicIds());
    }

    @Test
    void transitionsRemovalsAndReopensKeepTheListInOrder()
    {
        final FlowTable table = new FlowTable(16, FlowTimeouts.DEFAULT, 6, 4);
        final int a = create(table, CLIENT_IP, 1, 1);
        final int b = create(table, CLIENT_IP, 2, 2);
        final int c = create(table, CLIENT_IP, 3, 3);
        final int d = create(table, CLIENT_IP, 4, 4);
        assertArrayEquals(new int[] { a, b, c, d }, table.embryonicIds());

        // SYN_RECEIVED is still embryonic and keeps its place.
        Segments.reverse(table, b, TcpFlags.SYN | TcpFlags.ACK, 60, 10);
        assertArrayEquals(new int[] { a, b, c, d }, table.embryonicIds());
        Segments.forward(table, b, TcpFlags.ACK, 52, 10);
        assertArrayEquals(new int[] { a, c, d }, table.embryonicIds());
        Segments.reverse(table, c, TcpFlags.RST | TcpFlags.ACK, 40, 10);
        assertArrayEquals(new int[] { a, d }, table.embryonicIds());
        table.verifyIntegrity();

        // Port reuse: a SYN in CLOSED reopens the flow, which joins as the newest.
        Segments.forward(table, c, TcpFlags.SYN, 60, 11);
        assertEquals(TcpState.SYN_SENT, table.tcpState(c));
        assertArrayEquals(new int[] { a, d, c }, table.embryonicIds());

        assertTrue(table.remove(d));
        assertArrayEquals(new int[] { a, c }, table.embryonicIds());
        assertTrue(table.remove(c));
        assertArrayEquals(new int[] { a }, table.embryonicIds());
        table.verifyIntegrity();

        // Expiry of the head empties the list; the established flow stays.
        final List<Integer> expired = new ArrayList<>();
        assertEquals(1, table.expire(FlowTimeouts.DEFAULT.embryonicNs() + 1, 16, (t, id) -> expired.add(id)));
        assertEquals(List.of(a), expired);
        assertEquals(0, table.embryonicCount());
        assertArrayEquals(new int[0], table.embryonicIds());
        assertEquals(TcpState.ESTABLISHED, table.tcpState(b));
        table.verifyIntegrity();
    }

    @Test
    void reopensMayExceedTheLimitButCreatesNeverGrowIt()
    {
        final FlowTable table = new FlowTable(16, FlowTimeouts.DEFAULT, 7, 2);
        final int reset = create(table, CLIENT_IP, 1, 1);
        Segments.forward(table, reset, TcpFlags.RST, 40, 1);
        final int b = create(table, CLIENT_IP, 2, 2);
        final int c = create(table, CLIENT_IP, 3, 3);
        Segments.forward(table, reset, TcpFlags.SYN, 60, 4);
        assertEquals(3, table.embryonicCount());
        assertArrayEquals(new int[] { b, c, reset }, table.embryonicIds());

        final int e = create(table, CLIENT_IP, 5, 5);
        assertEquals(List.of(2), evictedClientPorts);
        assertEquals(3, table.embryonicCount());
        assertArrayEquals(new int[] { c, reset, e }, table.embryonicIds());
        table.verifyIntegrity();
    }

    private int create(final FlowTable table, final int clientIp, final int clientPort, final long nowNs)
    {
        final int natPort = ports.allocate(0);
        final int flowId = table.create(clientIp, clientPort, ENI_IP, 443, TARGET_IP, 443, NAT_IP, natPort, TCP, nowNs,
            releasePort);
        if (flowId < 0)
        {
            ports.release(0, natPort);
        }
        else
        {
            Segments.forward(table, flowId, TcpFlags.SYN, 60, nowNs);
        }

        return flowId;
    }

    private static int establish(final FlowTable table, final int flowId)
    {
        Segments.reverse(table, flowId, TcpFlags.SYN | TcpFlags.ACK, 60, 0);
        Segments.forward(table, flowId, TcpFlags.ACK, 52, 0);
        assertEquals(TcpState.ESTABLISHED, table.tcpState(flowId));

        return flowId;
    }
}
