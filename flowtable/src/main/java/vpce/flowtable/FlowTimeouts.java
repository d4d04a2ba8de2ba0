package vpce.flowtable;

import java.util.concurrent.TimeUnit;

/**
 * Idle timeouts per flow state, in nanoseconds. A flow expires when {@code nowNs - lastSeenNs >= timeout} for its
 * current state (see {@link TcpState} for which timeout applies to which state).
 *
 * @param embryonicNs   SYN_SENT and SYN_RECEIVED: a handshake that does not complete is dropped quickly, which
 *                      also bounds how many flow records a SYN flood can hold.
 * @param establishedNs ESTABLISHED; 350 s is the AWS PrivateLink/NLB TCP idle timeout. Must be 60..432000 s
 *                      (432000 s is Linux conntrack's established default).
 * @param closingNs     FIN_WAIT and CLOSING.
 * @param timeWaitNs    TIME_WAIT; the NAT port is not reused until this has passed.
 * @param closedNs      CLOSED (after an RST); kept briefly so late segments of the reset connection still match.
 * @param udpNs         UDP flows.
 * @param otherNs       any other protocol.
 */
public record FlowTimeouts(
    long embryonicNs,
    long establishedNs,
    long closingNs,
    long timeWaitNs,
    long closedNs,
    long udpNs,
    long otherNs)
{
    public static final long MIN_ESTABLISHED_NS = TimeUnit.SECONDS.toNanos(60);
    public static final long MAX_ESTABLISHED_NS = TimeUnit.SECONDS.toNanos(432_000);

    /**
     * No timeout may exceed this (a day beyond the longest established timeout) so that
     * {@code lastSeenNs + timeout} cannot overflow for any sane clock.
     */
    public static final long MAX_TIMEOUT_NS = TimeUnit.SECONDS.toNanos(432_000 + 86_400);

    public static final FlowTimeouts DEFAULT = new FlowTimeouts(
        TimeUnit.SECONDS.toNanos(10),
        TimeUnit.SECONDS.toNanos(350),
        TimeUnit.SECONDS.toNanos(30),
        TimeUnit.SECONDS.toNanos(30),
        TimeUnit.SECONDS.toNanos(5),
        TimeUnit.SECONDS.toNanos(60),
        TimeUnit.SECONDS.toNanos(60));

    /**
     * Validates every field once, at configuration load, with a message naming the field and the bad value.
     */
    public FlowTimeouts
    {
        requirePositive("embryonicNs", embryonicNs);
        requirePositive("closingNs", closingNs);
        requirePositive("timeWaitNs", timeWaitNs);
        requirePositive("closedNs", closedNs);
        requirePositive("udpNs", udpNs);
        requirePositive("otherNs", otherNs);
        if (establishedNs < MIN_ESTABLISHED_NS || establishedNs > MAX_ESTABLISHED_NS)
        {
            throw new IllegalArgumentException(
                "establishedNs=" + establishedNs + " must be in " + MIN_ESTABLISHED_NS + ".." + MAX_ESTABLISHED_NS +
                " (60..432000 s)");
        }
    }

    /**
     * Idle timeout for a flow of this protocol in this state.
     *
     * @param protocol IP protocol number.
     * @param tcpState one of {@link TcpState}; ignored unless protocol is TCP.
     * @return timeout in nanoseconds.
     */
    public long timeoutNs(final int protocol, final int tcpState)
    {
        if (IpProtocol.TCP == protocol)
        {
            return switch (tcpState)
            {
                case TcpState.SYN_SENT, TcpState.SYN_RECEIVED -> embryonicNs;
                case TcpState.ESTABLISHED -> establishedNs;
                case TcpState.FIN_WAIT, TcpState.CLOSING -> closingNs;
                case TcpState.TIME_WAIT -> timeWaitNs;
                case TcpState.CLOSED -> closedNs;
                default -> otherNs;
            };
        }

        return IpProtocol.UDP == protocol ? udpNs : otherNs;
    }

    private static void requirePositive(final String name, final long valueNs)
    {
        if (valueNs <= 0 || valueNs > MAX_TIMEOUT_NS)
        {
            throw new IllegalArgumentException(name + "=" + valueNs + " must be in 1.." + MAX_TIMEOUT_NS);
        }
    }
}
