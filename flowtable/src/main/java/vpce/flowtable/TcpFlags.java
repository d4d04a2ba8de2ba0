package vpce.flowtable;

/**
 * Bits of the TCP header flags byte (RFC 9293 section 3.1), as passed to
 * {@link FlowTable#onForwardPacket} and {@link FlowTable#onReversePacket}.
 * <p>
 * The caller passes the low byte of the flags field unchanged; the flow table only looks at {@link #FIN},
 * {@link #SYN}, {@link #RST} and {@link #ACK}.
 */
public final class TcpFlags
{
    public static final int FIN = 0x01;
    public static final int SYN = 0x02;
    public static final int RST = 0x04;
    public static final int PSH = 0x08;
    public static final int ACK = 0x10;
    public static final int URG = 0x20;

    private TcpFlags()
    {
    }
}
