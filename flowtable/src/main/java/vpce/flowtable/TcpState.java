package vpce.flowtable;

/**
 * TCP connection-tracking states kept per flow, as seen by a middlebox that observes both directions. "Forward" is
 * consumer to provider, "reverse" is provider to consumer. Timeouts are those of the flow's timeout profile.
 *
 * <pre>
 * state         entered on                                         idle timeout
 * ------------  -------------------------------------------------  -----------------------------
 * SYN_SENT      create (the datapath creates TCP flows on a SYN);  embryonicNs   (10 s)
 *               forward SYN without ACK in TIME_WAIT or CLOSED
 *               (port reuse: the flow and its NAT port reopen)
 * SYN_RECEIVED  reverse SYN+ACK in SYN_SENT that acknowledges the  embryonicNs   (10 s)
 *               consumer's SYN
 * ESTABLISHED   forward segment with ACK (handshake ACK or data)   establishedNs (350 s)
 *               in SYN_RECEIVED
 * FIN_WAIT      first FIN, from either side, in ESTABLISHED        closingNs     (30 s)
 * CLOSING       FIN from the other side in FIN_WAIT (covers        closingNs     (30 s)
 *               CLOSE_WAIT/LAST_ACK and simultaneous close)
 * TIME_WAIT     in CLOSING, a segment with ACK from the side that  timeWaitNs    (30 s)
 *               did not send the last FIN (it acknowledges it)
 * CLOSED        a believed RST from either side, in any state      closedNs      (5 s)
 *               (ESTABLISHED: only at the sender's next sequence
 *               number; see FlowTable on which RSTs are believed)
 * NONE          not TCP (UDP, ICMP, ...): no state machine         udpNs / otherNs (60 s)
 * </pre>
 * Everything else leaves the state unchanged (retransmitted SYN, SYN+ACK or FIN, data in FIN states, ACKs in
 * TIME_WAIT) but still refreshes the flow's last-seen time. A SYN segment never advances the close sequence, so a
 * SYN+FIN is treated as a SYN. An RST outside the receiver's window changes nothing (FlowTable's class comment).
 */
public final class TcpState
{
    /**
     * Not a TCP flow.
     */
    public static final int NONE = 0;
    public static final int SYN_SENT = 1;
    public static final int SYN_RECEIVED = 2;
    public static final int ESTABLISHED = 3;
    public static final int FIN_WAIT = 4;
    public static final int CLOSING = 5;
    public static final int TIME_WAIT = 6;
    public static final int CLOSED = 7;

    /**
     * Number of state values, for arrays indexed by state.
     */
    public static final int STATE_COUNT = 8;

    private TcpState()
    {
    }

    /**
     * Name of a state for logs and the API; returns a constant so it never allocates.
     *
     * @param state one of the constants in this class.
     * @return its name, or "UNKNOWN".
     */
    public static String name(final int state)
    {
        return switch (state)
        {
            case NONE -> "NONE";
            case SYN_SENT -> "SYN_SENT";
            case SYN_RECEIVED -> "SYN_RECEIVED";
            case ESTABLISHED -> "ESTABLISHED";
            case FIN_WAIT -> "FIN_WAIT";
            case CLOSING -> "CLOSING";
            case TIME_WAIT -> "TIME_WAIT";
            case CLOSED -> "CLOSED";
            default -> "UNKNOWN";
        };
    }
}
