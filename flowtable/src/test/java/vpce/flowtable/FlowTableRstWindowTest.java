package vpce.flowtable;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

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
import static vpce.flowtable.TcpState.ESTABLISHED;
import static vpce.flowtable.TcpState.FIN_WAIT;
import static vpce.flowtable.TcpState.SYN_RECEIVED;
import static vpce.flowtable.TcpState.SYN_SENT;
import static vpce.flowtable.TcpState.TIME_WAIT;

/**
 * Which RSTs a flow believes (RFC 5961 3.2 as a middlebox can apply it): sequence numbers and windows of both
 * directions, window scaling, wrap-around, and flows restored without sequence knowledge. Time is a plain
 * {@code nowNs} the test advances.
 */
class FlowTableRstWindowTest
{
    private static final long SECOND_NS = TimeUnit.SECONDS.toNanos(1);
    private static final int CLIENT_IP = 0x0A000102;
    private static final int ENI_IP = 0x0A000164;
    private static final int TARGET_IP = 0xAC100005;
    private static final int NAT_IP = 0xAC100064;
    private static final int NO_SCALE = -1;

    private FlowTable table;
    private long nowNs;
    private int flowId;
    /** What each endpoint sends next, as a real stack would. */
    private int clientNext;
    private int serverNext;

    @BeforeEach
    void setUp()
    {
        table = new FlowTable(16, FlowTimeouts.DEFAULT, 11);
        nowNs = 1_000 * SECOND_NS;
    }

    @ParameterizedTest
    @ValueSource(booleans = { true, false })
    void anRstAtTheSendersNextSequenceNumberClosesTheFlow(final boolean fromClient)
    {
        establish(1_000, 8_000, 65_535, NO_SCALE, 65_535, NO_SCALE);
        data(true, 1_200);
        data(false, 3_000);

        assertTrue(fromClient ? forward(RST, clientNext, 0) : reverse(RST | ACK, serverNext, clientNext));
        assertState(CLOSED);
        assertEquals(0, table.rstOutOfWindowCount());
        assertEquals(0, table.rstNotExactCount());
    }

    @ParameterizedTest
    @ValueSource(booleans = { true, false })
    void anRstFarOutsideTheWindowIsIgnoredAndTouchesNothing(final boolean fromClient)
    {
        establish(1_000, 8_000, 65_535, NO_SCALE, 65_535, NO_SCALE);
        data(true, 500);
        final long lastSeenNs = table.lastSeenNs(flowId);
        final long forwardPackets = table.forwardPackets(flowId);
        final long reverseBytes = table.reverseBytes(flowId);

        nowNs += 10 * SECOND_NS;
        final int far = (fromClient ? clientNext : serverNext) + 0x4000_0000;
        assertFalse(fromClient ? forward(RST, far, 0) : reverse(RST | ACK, far, clientNext), "the caller drops it");
        assertFalse(fromClient ? forward(RST | ACK, far - 0x8000_0000, serverNext) : reverse(RST, far + 0x3000_0000, 0));

        assertState(ESTABLISHED);
        assertEquals(2, table.rstOutOfWindowCount());
        assertEquals(lastSeenNs, table.lastSeenNs(flowId), "an ignored RST does not keep the flow alive");
        assertEquals(forwardPackets, table.forwardPackets(flowId));
        assertEquals(reverseBytes, table.reverseBytes(flowId));
        assertEquals(0, table.expire(lastSeenNs + FlowTimeouts.DEFAULT.establishedNs() - 1, 16, (t, id) -> {}));
        assertEquals(1, table.expire(lastSeenNs + FlowTimeouts.DEFAULT.establishedNs(), 16, (t, id) -> {}));
    }

    @Test
    void inEstablishedAnInWindowRstThatIsNotExactIsForwardedButTheFlowStays()
    {
        establish(1_000, 8_000, 65_535, NO_SCALE, 20_000, NO_SCALE);

        // The server's largest window is 20,000 bytes: the client's RSTs are judged against it, both ways.
        assertTrue(forward(RST, clientNext + 1, 0), "the endpoint decides: RFC 5961 answers a challenge ACK");
        assertTrue(forward(RST, clientNext + 20_000, 0));
        assertTrue(forward(RST, clientNext - 20_000, 0));
        assertState(ESTABLISHED);
        assertEquals(3, table.rstNotExactCount());
        assertEquals(0, table.rstOutOfWindowCount());

        assertFalse(forward(RST, clientNext + 20_001, 0));
        assertFalse(forward(RST, clientNext - 20_001, 0));
        assertEquals(2, table.rstOutOfWindowCount());
        assertState(ESTABLISHED);

        assertTrue(forward(RST | ACK, clientNext, serverNext));
        assertState(CLOSED);
    }

    @Test
    void theWindowThatBoundsAnRstIsTheLargestTheReceiverAdvertised()
    {
        establish(1_000, 8_000, 4_000, NO_SCALE, 1_000, NO_SCALE);
        assertFalse(reverse(RST, serverNext + 4_001, 0), "the client's window is 4,000 bytes");
        assertTrue(forward(ACK, clientNext, serverNext, 30_000, 0), "the client's window grows to 30,000");
        assertTrue(forward(ACK, clientNext, serverNext, 10, 0), "and shrinks: the largest still bounds");
        assertTrue(reverse(RST, serverNext + 30_000, 0));
        assertState(ESTABLISHED);
        assertFalse(reverse(RST, serverNext + 30_001, 0));
    }

    @Test
    void outsideEstablishedAnInWindowRstCloses()
    {
        establish(1_000, 8_000, 65_535, NO_SCALE, 65_535, NO_SCALE);
        assertTrue(forward(FIN | ACK, clientNext, serverNext));
        clientNext++;
        assertState(FIN_WAIT);

        assertTrue(reverse(RST, serverNext + 1_000, 0));
        assertState(CLOSED);
        assertEquals(0, table.rstNotExactCount());
    }

    @Test
    void sequenceNumbersWrapAround()
    {
        final int clientIsn = 0xFFFF_F000;
        final int serverIsn = 0x7FFF_FF00;
        establish(clientIsn, serverIsn, 65_535, NO_SCALE, 65_535, NO_SCALE);
        // 3 x 2,000 bytes carry the client across 2^32 and the server across 2^31 (the sign bit).
        for (int i = 0; i < 3; i++)
        {
            data(true, 2_000);
            data(false, 2_000);
        }
        assertTrue(Integer.compareUnsigned(clientNext, clientIsn) < 0, "test setup: the client's sequence wrapped");
        assertTrue(serverNext < 0 && serverIsn > 0, "test setup: the server's sequence crossed the sign bit");

        assertFalse(forward(RST, clientNext + 0x7FFF_FFFF, 0));
        assertFalse(forward(RST, clientNext ^ 0x8000_0000, 0), "half the sequence space away");
        assertFalse(reverse(RST, serverNext - 65_536, 0));
        assertTrue(reverse(RST, serverNext - 65_535, 0), "the window reaches back across the sign bit");
        assertTrue(forward(RST, clientNext - 6_000, 0), "the window reaches back across 2^32");
        assertState(ESTABLISHED);
        assertEquals(3, table.rstOutOfWindowCount());

        assertTrue(forward(RST, clientNext, 0));
        assertState(CLOSED);
    }

    @Test
    void windowScaleCountsWhenBothSynsCarryIt()
    {
        // 1,024-byte SYN windows; afterwards the raw window 1,000 means 1,000 << 7 = 128,000 bytes.
        establish(1_000, 8_000, 1_024, 7, 1_024, 7);
        assertTrue(reverse(ACK, serverNext, clientNext, 1_000, 0));
        assertTrue(forward(RST, clientNext + 128_000, 0));
        assertFalse(forward(RST, clientNext + 128_001, 0));
        assertState(ESTABLISHED);
    }

    @Test
    void windowScaleIsOffWhenOnlyOneSynCarriesIt()
    {
        establish(1_000, 8_000, 1_024, 7, 1_024, NO_SCALE);
        assertTrue(reverse(ACK, serverNext, clientNext, 1_000, 0));
        assertTrue(forward(RST, clientNext + 1_024, 0), "the SYN's 1,024 bytes are still the largest");
        assertFalse(forward(RST, clientNext + 1_025, 0), "1,000 is bytes, not units of 128");
    }

    @Test
    void aSynWindowIsInBytesAndIsRoundedUpIntoScaledUnits()
    {
        // The client's SYN offers 1,000 bytes with scale 9: 2 units of 512 = 1,024 bytes as the bound.
        establish(1_000, 8_000, 1_000, 9, 65_535, 2);
        assertTrue(reverse(RST, serverNext + 1_024, 0));
        assertFalse(reverse(RST, serverNext + 1_025, 0));
    }

    @Test
    void aShiftCountAbove14IsUsedAs14()
    {
        establish(1_000, 8_000, 1_024, 200, 1_024, 14);
        assertTrue(reverse(ACK, serverNext, clientNext, 3, 0));
        assertTrue(forward(RST, clientNext + (3 << 14), 0));
        assertFalse(forward(RST, clientNext + (3 << 14) + 1, 0));
    }

    @Test
    void segmentsOutsideTheWindowTeachNothing()
    {
        // Windows of 8 units of 128 bytes, 1,024 bytes, each way.
        establish(1_000, 8_000, 1_024, 7, 1_024, 7);
        // A blind attacker's data far ahead, then an RST exactly after it: both are beyond the window.
        final int forged = clientNext + 1_000_000;
        assertTrue(forward(PSH | ACK, forged, serverNext, 0, 100), "data is not dropped, only not believed");
        assertFalse(forward(RST, forged + 100, 0));
        // Nor does a forged segment's window widen the bound (65,535 << 7 if it were believed).
        assertTrue(reverse(ACK, serverNext + 5_000_000, clientNext, 65_535, 0));
        assertFalse(forward(RST, clientNext + 1_025, 0));
        assertState(ESTABLISHED);

        // In-window data moves the next sequence number; a retransmission or keep-alive behind it does not.
        data(true, 1_000);
        assertTrue(forward(ACK, clientNext - 1, serverNext, 0, 0), "keep-alive");
        assertTrue(forward(PSH | ACK, clientNext - 1_000, serverNext, 0, 1_000), "retransmission");
        assertTrue(forward(RST, clientNext, 0));
        assertState(CLOSED);
        assertEquals(2, table.rstOutOfWindowCount());
    }

    @Test
    void beforeTheServerAnswersOnlyARefusalOfTheSynClosesFromItsSide()
    {
        flowId = create();
        assertTrue(forward(SYN, 1_000, 0, 65_535, NO_SCALE, 0));
        assertFalse(reverse(RST, 0, 0), "the client ignores an RST without ACK in SYN-SENT");
        assertFalse(reverse(RST | ACK, 0, 1_000), "nor one that does not acknowledge its SYN");
        assertState(SYN_SENT);
        assertTrue(reverse(RST | ACK, 0, 1_001), "connection refused");
        assertState(CLOSED);
    }

    @Test
    void theClientMayAbortItsOwnAttemptAndItsNextSynReopens()
    {
        flowId = create();
        assertTrue(forward(SYN, 1_000, 0, 65_535, NO_SCALE, 0));
        assertTrue(forward(RST, 12_345, 0));
        assertState(CLOSED);
        assertTrue(forward(SYN, 77_000, 0, 65_535, NO_SCALE, 0));
        assertState(SYN_SENT);
    }

    @Test
    void aSynAckMustAcknowledgeTheSyn()
    {
        flowId = create();
        assertTrue(forward(SYN, 1_000, 0, 65_535, NO_SCALE, 0));
        assertTrue(reverse(SYN | ACK, 8_000, 5, 65_535, NO_SCALE, 0), "forwarded: the client answers it");
        assertState(SYN_SENT);
        assertTrue(reverse(SYN | ACK, 8_000, 1_001, 65_535, NO_SCALE, 0));
        assertState(SYN_RECEIVED);
    }

    @Test
    void aReopenStartsANewSequenceSpace()
    {
        establish(1_000, 8_000, 65_535, NO_SCALE, 65_535, NO_SCALE);
        assertTrue(forward(FIN | ACK, clientNext++, serverNext));
        assertTrue(reverse(FIN | ACK, serverNext++, clientNext));
        assertTrue(forward(ACK, clientNext, serverNext));
        assertState(TIME_WAIT);

        final int newIsn = clientNext + 0x6000_0000;
        assertTrue(forward(SYN, newIsn, 0, 65_535, NO_SCALE, 0));
        assertState(SYN_SENT);
        assertFalse(reverse(RST | ACK, serverNext, clientNext), "acknowledges the old connection, not the new SYN");
        assertTrue(reverse(SYN | ACK, 900_000, newIsn + 1, 65_535, NO_SCALE, 0));
        assertTrue(forward(ACK, newIsn + 1, 900_001, 65_535, 0));
        assertState(ESTABLISHED);
        assertFalse(forward(RST, clientNext, 0), "the old connection's sequence number");
        assertTrue(forward(RST, newIsn + 1, 0));
        assertState(CLOSED);
    }

    @ParameterizedTest
    @ValueSource(booleans = { true, false })
    void aRestoredFlowBelievesAnyRstUntilBothSidesHaveSpoken(final boolean fromClient)
    {
        flowId = restore();
        assertTrue(fromClient ? forward(RST, 0x1234_5678, 0) : reverse(RST, 0x1234_5678, 0));
        assertState(CLOSED);
        assertEquals(0, table.rstOutOfWindowCount());
    }

    @Test
    void aRestoredFlowLearnsFromTheNextSegmentOfEachSideAndAssumesTheLargestScale()
    {
        flowId = restore();
        clientNext = 0x9000_0000;
        serverNext = 0x0000_0100;
        assertTrue(forward(PSH | ACK, clientNext, serverNext, 40, 100));
        clientNext += 100;
        assertTrue(reverse(RST, serverNext + 0x4000_0000, 0), "the server has not spoken: still believed");
        assertState(CLOSED);

        flowId = restore();
        assertTrue(forward(PSH | ACK, clientNext, serverNext, 40, 100));
        clientNext += 100;
        assertTrue(reverse(ACK, serverNext, clientNext, 10, 0));
        // Scales are unknown, so taken as 14: the server's raw 10 may mean 10 << 14 bytes.
        assertTrue(forward(RST, clientNext + (10 << 14), 0));
        assertFalse(forward(RST, clientNext + (10 << 14) + 1, 0));
        assertTrue(reverse(RST, serverNext - (40 << 14), 0));
        assertFalse(reverse(RST, serverNext - (40 << 14) - 1, 0));
        assertState(ESTABLISHED);
        assertEquals(2, table.rstOutOfWindowCount());

        assertTrue(reverse(RST, serverNext, 0));
        assertState(CLOSED);
    }

    /** Handshake, with each endpoint's next sequence number tracked by the test. */
    private void establish(
        final int clientIsn,
        final int serverIsn,
        final int clientSynWindow,
        final int clientScale,
        final int serverSynWindow,
        final int serverScale)
    {
        flowId = create();
        assertTrue(forward(SYN, clientIsn, 0, clientSynWindow, clientScale, 0));
        assertTrue(reverse(SYN | ACK, serverIsn, clientIsn + 1, serverSynWindow, serverScale, 0));
        clientNext = clientIsn + 1;
        serverNext = serverIsn + 1;
        // A window of 0 on the handshake ACK leaves the SYN's window the largest.
        assertTrue(forward(ACK, clientNext, serverNext, 0, 0));
        assertState(ESTABLISHED);
    }

    private void data(final boolean fromClient, final int length)
    {
        if (fromClient)
        {
            assertTrue(forward(PSH | ACK, clientNext, serverNext, 0, length));
            clientNext += length;
        }
        else
        {
            assertTrue(reverse(PSH | ACK, serverNext, clientNext, 0, length));
            serverNext += length;
        }
    }

    private int create()
    {
        final int id = table.create(CLIENT_IP, 40000, ENI_IP, 443, TARGET_IP, 443, NAT_IP, 20000, IpProtocol.TCP, nowNs);
        assertTrue(id >= 0);
        return id;
    }

    private int restore()
    {
        if (flowId >= 0 && table.isLive(flowId))
        {
            table.remove(flowId);
        }
        final int id = table.restoreEstablished(CLIENT_IP, 40000, ENI_IP, 443, TARGET_IP, 443, NAT_IP, 20000, nowNs);
        assertTrue(id >= 0);
        return id;
    }

    private boolean forward(final int flags, final int seq, final int ack)
    {
        return forward(flags, seq, ack, 0, 0);
    }

    private boolean reverse(final int flags, final int seq, final int ack)
    {
        return reverse(flags, seq, ack, 0, 0);
    }

    private boolean forward(final int flags, final int seq, final int ack, final int window, final int payload)
    {
        return forward(flags, seq, ack, window, NO_SCALE, payload);
    }

    private boolean reverse(final int flags, final int seq, final int ack, final int window, final int payload)
    {
        return reverse(flags, seq, ack, window, NO_SCALE, payload);
    }

    private boolean forward(
        final int flags, final int seq, final int ack, final int window, final int scale, final int payload)
    {
        nowNs += 1_000;
        return table.onForwardPacket(flowId, flags, seq, ack, window, scale, payload, 40 + payload, nowNs);
    }

    private boolean reverse(
        final int flags, final int seq, final int ack, final int window, final int scale, final int payload)
    {
        nowNs += 1_000;
        return table.onReversePacket(flowId, flags, seq, ack, window, scale, payload, 40 + payload, nowNs);
    }

    private void assertState(final int expected)
    {
        assertEquals(TcpState.name(expected), TcpState.name(table.tcpState(flowId)));
        table.verifyIntegrity();
    }
}
