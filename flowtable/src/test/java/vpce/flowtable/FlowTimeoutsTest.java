package vpce.flowtable;

import org.junit.jupiter.api.Test;

import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FlowTimeoutsTest
{
    private static final long SECOND_NS = TimeUnit.SECONDS.toNanos(1);

    @Test
    void defaultsMatchAwsAndConntrackValues()
    {
        final FlowTimeouts timeouts = FlowTimeouts.DEFAULT;
        assertEquals(10 * SECOND_NS, timeouts.embryonicNs());
        assertEquals(350 * SECOND_NS, timeouts.establishedNs());
        assertEquals(30 * SECOND_NS, timeouts.closingNs());
        assertEquals(30 * SECOND_NS, timeouts.timeWaitNs());
        assertEquals(5 * SECOND_NS, timeouts.closedNs());
        assertEquals(60 * SECOND_NS, timeouts.udpNs());
        assertEquals(60 * SECOND_NS, timeouts.otherNs());
    }

    @Test
    void timeoutPerProtocolAndState()
    {
        final FlowTimeouts t = new FlowTimeouts(1, 60 * SECOND_NS, 3, 4, 5, 6, 7);
        assertEquals(1, t.timeoutNs(IpProtocol.TCP, TcpState.SYN_SENT));
        assertEquals(1, t.timeoutNs(IpProtocol.TCP, TcpState.SYN_RECEIVED));
        assertEquals(60 * SECOND_NS, t.timeoutNs(IpProtocol.TCP, TcpState.ESTABLISHED));
        assertEquals(3, t.timeoutNs(IpProtocol.TCP, TcpState.FIN_WAIT));
        assertEquals(3, t.timeoutNs(IpProtocol.TCP, TcpState.CLOSING));
        assertEquals(4, t.timeoutNs(IpProtocol.TCP, TcpState.TIME_WAIT));
        assertEquals(5, t.timeoutNs(IpProtocol.TCP, TcpState.CLOSED));
        assertEquals(6, t.timeoutNs(IpProtocol.UDP, TcpState.NONE));
        assertEquals(7, t.timeoutNs(IpProtocol.ICMP, TcpState.NONE));
        assertEquals(7, t.timeoutNs(47, TcpState.ESTABLISHED));
    }

    @Test
    void establishedRangeIsEnforcedAtBothEnds()
    {
        new FlowTimeouts(1, 60 * SECOND_NS, 1, 1, 1, 1, 1);
        new FlowTimeouts(1, 432_000 * SECOND_NS, 1, 1, 1, 1, 1);

        final IllegalArgumentException low = assertThrows(IllegalArgumentException.class,
            () -> new FlowTimeouts(1, 60 * SECOND_NS - 1, 1, 1, 1, 1, 1));
        assertTrue(low.getMessage().startsWith("establishedNs=59999999999 "), low.getMessage());
        assertThrows(IllegalArgumentException.class,
            () -> new FlowTimeouts(1, 432_000 * SECOND_NS + 1, 1, 1, 1, 1, 1));
    }

    @Test
    void nonPositiveTimeoutsAreRejectedNamingTheField()
    {
        final long est = 350 * SECOND_NS;
        assertMessageStarts("embryonicNs=0 ", () -> new FlowTimeouts(0, est, 1, 1, 1, 1, 1));
        assertMessageStarts("closingNs=-1 ", () -> new FlowTimeouts(1, est, -1, 1, 1, 1, 1));
        assertMessageStarts("timeWaitNs=0 ", () -> new FlowTimeouts(1, est, 1, 0, 1, 1, 1));
        assertMessageStarts("closedNs=0 ", () -> new FlowTimeouts(1, est, 1, 1, 0, 1, 1));
        assertMessageStarts("udpNs=0 ", () -> new FlowTimeouts(1, est, 1, 1, 1, 0, 1));
        assertMessageStarts("otherNs=" + Long.MAX_VALUE + " ",
            () -> new FlowTimeouts(1, est, 1, 1, 1, 1, Long.MAX_VALUE));
    }

    private static void assertMessageStarts(final String prefix, final Runnable constructor)
    {
        final IllegalArgumentException ex = assertThrows(IllegalArgumentException.class, constructor::run);
        assertTrue(ex.getMessage().startsWith(prefix), ex.getMessage());
    }
}
