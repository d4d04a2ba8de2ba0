package vpce.flowtable;

/**
 * Segments of one well-behaved connection, for tests about states rather than sequence numbers: fixed initial
 * sequence numbers, no payload, no window scaling, so every segment is in the window and every RST is at the
 * sender's next sequence number (and acknowledges the other side when it carries ACK).
 */
final class Segments
{
    static final int CLIENT_ISN = 1_000;
    static final int SERVER_ISN = 500_000;
    static final int WINDOW = 65_535;

    private Segments()
    {
    }

    static boolean forward(final FlowTable table, final int flowId, final int tcpFlags, final int bytes, final long nowNs)
    {
        return table.onForwardPacket(flowId, tcpFlags, seq(CLIENT_ISN, tcpFlags), ack(SERVER_ISN, tcpFlags), WINDOW,
            -1, 0, bytes, nowNs);
    }

    static boolean reverse(final FlowTable table, final int flowId, final int tcpFlags, final int bytes, final long nowNs)
    {
        return table.onReversePacket(flowId, tcpFlags, seq(SERVER_ISN, tcpFlags), ack(CLIENT_ISN, tcpFlags), WINDOW,
            -1, 0, bytes, nowNs);
    }

    private static int seq(final int isn, final int tcpFlags)
    {
        return (tcpFlags & TcpFlags.SYN) != 0 ? isn : isn + 1;
    }

    private static int ack(final int otherIsn, final int tcpFlags)
    {
        return (tcpFlags & TcpFlags.ACK) != 0 ? otherIsn + 1 : 0;
    }
}
