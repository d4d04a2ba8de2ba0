package vpce.flowtable;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.Arrays;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static vpce.flowtable.TcpFlags.ACK;
import static vpce.flowtable.TcpFlags.FIN;
import static vpce.flowtable.TcpFlags.PSH;
import static vpce.flowtable.TcpFlags.RST;
import static vpce.flowtable.TcpFlags.SYN;
import static vpce.flowtable.TcpState.CLOSED;
import static vpce.flowtable.TcpState.CLOSING;
import static vpce.flowtable.TcpState.ESTABLISHED;
import static vpce.flowtable.TcpState.FIN_WAIT;
import static vpce.flowtable.TcpState.NONE;
import static vpce.flowtable.TcpState.SYN_RECEIVED;
import static vpce.flowtable.TcpState.SYN_SENT;
import static vpce.flowtable.TcpState.TIME_WAIT;

class FlowTableTcpStateTest
{
    private static final long SECOND_NS = TimeUnit.SECONDS.toNanos(1);
    private static final long START_NS = 1_000 * SECOND_NS;
    private static final int CLIENT_IP = 0x0A000102;
    private static final int ENI_IP = 0x0A000164;
    private static final int TARGET_IP = 0xAC100005;
    private static final int NAT_IP = 0xAC100064;

    private final FlowTimeouts timeouts = FlowTimeouts.DEFAULT;
    private final FlowExpiryHandler noOpHandler = (table, flowId) -> {};
    private FlowTable table;
    private long nowNs;

    @BeforeEach
    void setUp()
    {
        table = new FlowTable(16, timeouts, 7);
        nowNs = START_NS;
    }

    @Test
    void createdTcpFlowIsSynSent()
    {
        final int flowId = newTcpFlow();
        assertState(flowId, SYN_SENT);
        assertEquals(timeouts.embryonicNs(), table.idleTimeoutNs(flowId));
    }

    @Test
    void threeWayHandshake()
    {
        final int flowId = newTcpFlow();
        forward(flowId, SYN);
        assertState(flowId, SYN_SENT);
        reverse(flowId, SYN);
        assertState(flowId, SYN_SENT);
        reverse(flowId, ACK);
        assertState(flowId, SYN_SENT);
        forward(flowId, ACK);
        assertState(flowId, SYN_SENT);

        reverse(flowId, SYN | ACK);
        assertState(flowId, SYN_RECEIVED);
        assertEquals(timeouts.embryonicNs(), table.idleTimeoutNs(flowId));
        reverse(flowId, SYN | ACK);
        assertState(flowId, SYN_RECEIVED);
        forward(flowId, SYN);
        assertState(flowId, SYN_RECEIVED);
        reverse(flowId, ACK);
        assertState(flowId, SYN_RECEIVED);

        forward(flowId, ACK);
        assertState(flowId, ESTABLISHED);
        assertEquals(timeouts.establishedNs(), table.idleTimeoutNs(flowId));
    }

    @Test
    void dataWithAckFromConsumerEstablishes()
    {
        final int flowId = handshakeToSynReceived();
        forward(flowId, PSH | ACK);
        assertState(flowId, ESTABLISHED);
    }

    @Test
    void segmentsWithoutTransitionKeepEstablished()
    {
        final int flowId = established();
        forward(flowId, PSH | ACK);
        reverse(flowId, PSH | ACK);
        reverse(flowId, SYN | ACK);
        forward(flowId, SYN);
        assertState(flowId, ESTABLISHED);
    }

    @Test
    void consumerClosesFirst()
    {
        final int flowId = established();
        forward(flowId, FIN | ACK);
        assertState(flowId, FIN_WAIT);
        assertEquals(timeouts.closingNs(), table.idleTimeoutNs(flowId));
        forward(flowId, FIN | ACK);
        assertState(flowId, FIN_WAIT);
        reverse(flowId, ACK);
        reverse(flowId, PSH | ACK);
        forward(flowId, ACK);
        assertState(flowId, FIN_WAIT);

        reverse(flowId, FIN | ACK);
        assertState(flowId, CLOSING);
        assertEquals(timeouts.closingNs(), table.idleTimeoutNs(flowId));
        reverse(flowId, FIN | ACK);
        reverse(flowId, ACK);
        assertState(flowId, CLOSING);

        forward(flowId, ACK);
        assertState(flowId, TIME_WAIT);
        assertEquals(timeouts.timeWaitNs(), table.idleTimeoutNs(flowId));
        forward(flowId, ACK);
        reverse(flowId, FIN | ACK);
        assertState(flowId, TIME_WAIT);
    }

    @Test
    void providerClosesFirst()
    {
        final int flowId = established();
        reverse(flowId, FIN | ACK);
        assertState(flowId, FIN_WAIT);
        reverse(flowId, FIN | ACK);
        forward(flowId, ACK);
        assertState(flowId, FIN_WAIT);

        forward(flowId, FIN | ACK);
        assertState(flowId, CLOSING);
        forward(flowId, ACK);
        assertState(flowId, CLOSING);

        reverse(flowId, ACK);
        assertState(flowId, TIME_WAIT);
    }

    @Test
    void simultaneousClose()
    {
        final int flowId = established();
        forward(flowId, FIN | ACK);
        reverse(flowId, FIN | ACK);
        assertState(flowId, CLOSING);
        reverse(flowId, ACK);
        assertState(flowId, CLOSING);
        forward(flowId, ACK);
        assertState(flowId, TIME_WAIT);
    }

    @Test
    void finTogetherWithHandshakeAckEstablishesThenCloses()
    {
        final int flowId = handshakeToSynReceived();
        forward(flowId, FIN | ACK);
        assertState(flowId, FIN_WAIT);
    }

    @Test
    void finBeforeHandshakeCompletesIsIgnored()
    {
        final int flowId = newTcpFlow();
        forward(flowId, FIN);
        reverse(flowId, FIN | ACK);
        assertState(flowId, SYN_SENT);
        reverse(flowId, SYN | ACK | FIN);
        assertState(flowId, SYN_RECEIVED);
        reverse(flowId, FIN | ACK);
        assertState(flowId, SYN_RECEIVED);
    }

    @ParameterizedTest
    @ValueSource(ints = { SYN_SENT, SYN_RECEIVED, ESTABLISHED, FIN_WAIT, CLOSING, TIME_WAIT, CLOSED })
    void rstFromConsumerClosesFromEveryState(final int state)
    {
        final int flowId = driveTo(state);
        forward(flowId, RST);
        assertState(flowId, CLOSED);
        assertEquals(timeouts.closedNs(), table.idleTimeoutNs(flowId));
    }

    @ParameterizedTest
    @ValueSource(ints = { SYN_SENT, SYN_RECEIVED, ESTABLISHED, FIN_WAIT, CLOSING, TIME_WAIT, CLOSED })
    void rstFromProviderClosesFromEveryState(final int state)
    {
        final int flowId = driveTo(state);
        reverse(flowId, RST | ACK);
        assertState(flowId, CLOSED);
    }

    @ParameterizedTest
    @ValueSource(ints = { TIME_WAIT, CLOSED })
    void consumerSynReopensClosedFlowWithSameNatMapping(final int state)
    {
        final int flowId = driveTo(state);
        reverse(flowId, SYN | ACK);
        forward(flowId, SYN | ACK);
        assertState(flowId, state);

        forward(flowId, SYN);
        assertState(flowId, SYN_SENT);
        assertEquals(flowId, table.lookupReverse(TARGET_IP, 443, NAT_IP, 20000, IpProtocol.TCP));

        // The FIN bits of the old connection must be gone: a full new close sequence is needed again.
        reverse(flowId, SYN | ACK);
        forward(flowId, ACK);
        assertState(flowId, ESTABLISHED);
        forward(flowId, FIN | ACK);
        assertState(flowId, FIN_WAIT);
        reverse(flowId, FIN | ACK);
        assertState(flowId, CLOSING);
        forward(flowId, ACK);
        assertState(flowId, TIME_WAIT);
    }

    @ParameterizedTest
    @ValueSource(ints = { SYN_RECEIVED, ESTABLISHED, FIN_WAIT, CLOSING })
    void consumerSynDoesNotReopenLiveConnection(final int state)
    {
        final int flowId = driveTo(state);
        forward(flowId, SYN);
        assertState(flowId, state);
    }

    @Test
    void nonTcpFlowsIgnoreFlags()
    {
        final int udp = table.create(CLIENT_IP, 5353, ENI_IP, 53, TARGET_IP, 53, NAT_IP, 30000, IpProtocol.UDP, nowNs);
        final int icmp = table.create(CLIENT_IP, 0, ENI_IP, 0, TARGET_IP, 0, NAT_IP, 0, IpProtocol.ICMP, nowNs);
        assertState(udp, NONE);
        assertState(icmp, NONE);
        Segments.forward(table, udp, SYN | RST | FIN, 10, nowNs);
        Segments.reverse(table, icmp, 0xFF, 10, nowNs);
        assertState(udp, NONE);
        assertState(icmp, NONE);
        assertEquals(timeouts.udpNs(), table.idleTimeoutNs(udp));
        assertEquals(timeouts.otherNs(), table.idleTimeoutNs(icmp));
    }

    @ParameterizedTest
    @ValueSource(ints = { SYN_SENT, SYN_RECEIVED, ESTABLISHED, FIN_WAIT, CLOSING, TIME_WAIT, CLOSED })
    void eachTcpStateExpiresExactlyAtItsTimeout(final int state)
    {
        final int flowId = driveTo(state);
        final long lastSeenNs = table.lastSeenNs(flowId);
        final long timeoutNs = timeouts.timeoutNs(IpProtocol.TCP, state);
        assertEquals(nowNs, lastSeenNs);

        assertEquals(0, table.expire(lastSeenNs + timeoutNs - 1, 16, noOpHandler));
        assertTrue(table.isLive(flowId));
        assertEquals(1, table.expire(lastSeenNs + timeoutNs, 16, noOpHandler));
        assertFalse(table.isLive(flowId));
        assertEquals(0, table.size());
    }

    @ParameterizedTest
    @ValueSource(ints = { IpProtocol.UDP, IpProtocol.ICMP, 132 })
    void nonTcpExpiresAtItsTimeout(final int protocol)
    {
        final int flowId = table.create(CLIENT_IP, 1, ENI_IP, 2, TARGET_IP, 3, NAT_IP, 4, protocol, nowNs);
        final long timeoutNs = IpProtocol.UDP == protocol ? timeouts.udpNs() : timeouts.otherNs();
        nowNs += SECOND_NS;
        Segments.reverse(table, flowId, 0, 100, nowNs);

        assertEquals(0, table.expire(nowNs + timeoutNs - 1, 16, noOpHandler));
        assertEquals(1, table.expire(nowNs + timeoutNs, 16, noOpHandler));
        assertFalse(table.isLive(flowId));
    }

    @Test
    void packetRefreshesIdleTimerAndStateChangeSwitchesTimeout()
    {
        final int flowId = established();
        final long establishedAtNs = nowNs;
        assertEquals(0, table.expire(establishedAtNs + timeouts.establishedNs() - 1, 16, noOpHandler));

        // A FIN shortens the timeout from 350 s to 30 s, counted from the FIN.
        nowNs = establishedAtNs + 100 * SECOND_NS;
        forward(flowId, FIN | ACK);
        assertEquals(0, table.expire(nowNs + timeouts.closingNs() - 1, 16, noOpHandler));
        assertEquals(1, table.expire(nowNs + timeouts.closingNs(), 16, noOpHandler));
    }

    private int newTcpFlow()
    {
        final int flowId = table.create(
            CLIENT_IP, 40000, ENI_IP, 443, TARGET_IP, 443, NAT_IP, 20000, IpProtocol.TCP, nowNs);
        assertTrue(flowId >= 0);
        return flowId;
    }

    private int handshakeToSynReceived()
    {
        final int flowId = newTcpFlow();
        forward(flowId, SYN);
        reverse(flowId, SYN | ACK);
        assertState(flowId, SYN_RECEIVED);
        return flowId;
    }

    private int established()
    {
        final int flowId = handshakeToSynReceived();
        forward(flowId, ACK);
        assertState(flowId, ESTABLISHED);
        return flowId;
    }

    private int driveTo(final int state)
    {
        final int flowId;
        switch (state)
        {
            case SYN_SENT -> flowId = newTcpFlow();
            case SYN_RECEIVED -> flowId = handshakeToSynReceived();
            case ESTABLISHED -> flowId = established();
            case FIN_WAIT ->
            {
                flowId = established();
                forward(flowId, FIN | ACK);
            }
            case CLOSING ->
            {
                flowId = established();
                forward(flowId, FIN | ACK);
                reverse(flowId, FIN | ACK);
            }
            case TIME_WAIT ->
            {
                flowId = established();
                forward(flowId, FIN | ACK);
                reverse(flowId, FIN | ACK);
                forward(flowId, ACK);
            }
            case CLOSED ->
            {
                flowId = established();
                reverse(flowId, RST);
            }
            default -> throw new IllegalArgumentException("state " + state);
        }
        assertState(flowId, state);
        return flowId;
    }

    private void forward(final int flowId, final int flags)
    {
        nowNs += 1_000;
        Segments.forward(table, flowId, flags, 60, nowNs);
    }

    private void reverse(final int flowId, final int flags)
    {
        nowNs += 1_000;
        Segments.reverse(table, flowId, flags, 60, nowNs);
    }

    private void assertState(final int flowId, final int expected)
    {
        assertEquals(TcpState.name(expected), TcpState.name(table.tcpState(flowId)));
        // Every transition must keep the embryonic list equal to the set of SYN_SENT/SYN_RECEIVED flows.
        table.verifyIntegrity();
        final boolean embryonic = SYN_SENT == expected || SYN_RECEIVED == expected;
        assertEquals(embryonic, Arrays.stream(table.embryonicIds()).anyMatch(id -> id == flowId));
    }
}
