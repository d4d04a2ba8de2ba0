package vpce.flowtable;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Idle timeouts per profile (a byte in each record): expiry by the flow's own profile, profile changes applying to
 * existing flows, reassignment by endpoint, and the small fields that share a long with the profile.
 */
class FlowTableTimeoutProfileTest
{
    private static final long SECOND_NS = TimeUnit.SECONDS.toNanos(1);
    private static final long START_NS = 1_000 * SECOND_NS;
    private static final FlowTimeouts DEFAULTS = FlowTimeouts.DEFAULT;
    /** Established 60 s, embryonic 3 s, closing 7 s, time-wait 2 s. */
    private static final FlowTimeouts SHORT = new FlowTimeouts(3 * SECOND_NS, 60 * SECOND_NS, 7 * SECOND_NS,
        2 * SECOND_NS, DEFAULTS.closedNs(), DEFAULTS.udpNs(), DEFAULTS.otherNs());

    private final List<Integer> expired = new ArrayList<>();
    private final FlowExpiryHandler handler = (table, flowId) -> expired.add(flowId);
    private FlowTable table;
    private int nextClientPort = 40000;

    @BeforeEach
    void setUp()
    {
        table = new FlowTable(64, DEFAULTS, 21);
    }

    @Test
    void everyProfileStartsAsTheTablesTimeoutsAndANewFlowHasProfileZero()
    {
        assertSame(DEFAULTS, table.timeouts());
        assertSame(DEFAULTS, table.timeouts(0));
        assertSame(DEFAULTS, table.timeouts(FlowTable.MAX_TIMEOUT_PROFILES - 1));
        final int flowId = established(START_NS);
        assertEquals(0, table.timeoutProfile(flowId));
        assertEquals(DEFAULTS.establishedNs(), table.idleTimeoutNs(flowId));
    }

    @Test
    void eachFlowExpiresByItsOwnProfile()
    {
        table.timeouts(1, SHORT);
        final int byDefault = established(START_NS);
        final int shortLived = established(START_NS);
        table.timeoutProfile(shortLived, 1);
        assertEquals(SHORT.establishedNs(), table.idleTimeoutNs(shortLived));

        assertEquals(0, table.expire(START_NS + SHORT.establishedNs() - 1, 64, handler));
        assertEquals(1, table.expire(START_NS + SHORT.establishedNs(), 64, handler));
        assertEquals(List.of(shortLived), expired);
        assertEquals(0, table.expire(START_NS + DEFAULTS.establishedNs() - 1, 64, handler));
        assertEquals(1, table.expire(START_NS + DEFAULTS.establishedNs(), 64, handler));
        assertEquals(List.of(shortLived, byDefault), expired);
    }

    @Test
    void everyStateOfAProfileHasItsTimeout()
    {
        table.timeouts(1, SHORT);
        final int embryonic = create(START_NS);
        final int closing = established(START_NS);
        Segments.forward(table, closing, TcpFlags.FIN | TcpFlags.ACK, 60, START_NS);
        for (final int flowId : new int[] {embryonic, closing})
        {
            table.timeoutProfile(flowId, 1);
        }
        assertEquals(SHORT.embryonicNs(), table.idleTimeoutNs(embryonic));
        assertEquals(SHORT.closingNs(), table.idleTimeoutNs(closing));
        assertEquals(1, table.expire(START_NS + SHORT.embryonicNs(), 64, handler));
        assertEquals(List.of(embryonic), expired);
        assertEquals(1, table.expire(START_NS + SHORT.closingNs(), 64, handler));
        assertEquals(List.of(embryonic, closing), expired);
    }

    @Test
    void changingAProfileAppliesToTheFlowsThatHaveIt()
    {
        final int flowId = established(START_NS);
        table.timeoutProfile(flowId, 7);
        assertEquals(0, table.expire(START_NS + SHORT.establishedNs(), 64, handler));

        table.timeouts(7, SHORT);
        assertEquals(1, table.expire(START_NS + SHORT.establishedNs(), 64, handler));
        assertEquals(List.of(flowId), expired);
    }

    @Test
    void theLastProfileIndexIsAnUnsignedByte()
    {
        final int last = FlowTable.MAX_TIMEOUT_PROFILES - 1;
        table.timeouts(last, SHORT);
        final int flowId = established(START_NS);
        table.timeoutProfile(flowId, last);
        assertEquals(last, table.timeoutProfile(flowId));
        assertEquals(SHORT.establishedNs(), table.idleTimeoutNs(flowId));
        assertThrows(IllegalArgumentException.class, () -> table.timeouts(FlowTable.MAX_TIMEOUT_PROFILES, SHORT));
        assertThrows(IllegalArgumentException.class, () -> table.timeouts(-1, SHORT));
    }

    @Test
    void reassignmentGivesEachFlowItsEndpointsProfileAndTheDefaultToUnlistedOnes()
    {
        table.timeouts(1, SHORT);
        final int a = established(START_NS);
        final int b = established(START_NS);
        final int c = established(START_NS);
        final int d = established(START_NS);
        table.endpointId(a, 0x0A000114);
        table.endpointId(b, 0x0A000214);
        table.endpointId(c, 0xC0A80001);
        table.endpointId(d, 0x0A000114);
        table.timeoutProfile(c, 200);

        // Signed order: 0xC0A80001 is negative.
        assertEquals(4, table.reassignTimeoutProfiles(
            new int[] {0xC0A80001, 0x0A000114, 0x0A000214}, new byte[] {0, 1, (byte)255}));
        assertEquals(1, table.timeoutProfile(a));
        assertEquals(255, table.timeoutProfile(b));
        assertEquals(0, table.timeoutProfile(c));
        assertEquals(1, table.timeoutProfile(d));

        assertEquals(0, table.reassignTimeoutProfiles(
            new int[] {0xC0A80001, 0x0A000114, 0x0A000214}, new byte[] {0, 1, (byte)255}), "nothing changes twice");
        assertEquals(3, table.reassignTimeoutProfiles(new int[0], new byte[0]));
        assertEquals(0, table.timeoutProfile(a) | table.timeoutProfile(b) | table.timeoutProfile(d));
        assertThrows(IllegalArgumentException.class, () -> table.reassignTimeoutProfiles(new int[1], new byte[2]));
    }

    @Test
    void macPortIndexAndProfileShareALongWithoutOverwritingEachOther()
    {
        final int flowId = established(START_NS);
        table.consumerMac(flowId, 0xFFFF_FFFF_FFFFL);
        table.consumerPortIndex(flowId, FlowTable.MAX_CONSUMER_PORT_INDEX);
        table.timeoutProfile(flowId, 254);
        assertEquals(0xFFFF_FFFF_FFFFL, table.consumerMac(flowId));
        assertEquals(255, table.consumerPortIndex(flowId));
        assertEquals(254, table.timeoutProfile(flowId));

        table.consumerMac(flowId, 0x7FFF_0200_0000_0A10L);
        table.consumerPortIndex(flowId, 3);
        assertEquals(0x0200_0000_0A10L, table.consumerMac(flowId), "only 48 bits are kept");
        assertEquals(3, table.consumerPortIndex(flowId));
        assertEquals(254, table.timeoutProfile(flowId));

        // A reused record starts with all three cleared.
        assertTrue(table.remove(flowId));
        final int again = established(START_NS);
        assertEquals(flowId, again);
        assertEquals(0, table.consumerMac(again));
        assertEquals(0, table.consumerPortIndex(again));
        assertEquals(0, table.timeoutProfile(again));
    }

    private int create(final long nowNs)
    {
        final int flowId = table.create(0x0A00010A, nextClientPort, 0x0A000114, 443, 0x0A64000A, 8080, 0x0A640001,
            nextClientPort, IpProtocol.TCP, nowNs);
        nextClientPort++;
        assertTrue(flowId >= 0);
        Segments.forward(table, flowId, TcpFlags.SYN, 60, nowNs);
        return flowId;
    }

    private int established(final long nowNs)
    {
        final int flowId = create(nowNs);
        Segments.reverse(table, flowId, TcpFlags.SYN | TcpFlags.ACK, 60, nowNs);
        Segments.forward(table, flowId, TcpFlags.ACK, 52, nowNs);
        assertEquals(TcpState.ESTABLISHED, table.tcpState(flowId));
        return flowId;
    }
}
