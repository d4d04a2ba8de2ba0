package vpce.appliance.flowlog;

/**
 * Layout of the two binary messages the {@link FlowLogAggregator} publishes into the flow log
 * ring buffer and the {@link FlowLogWriterAgent} turns into text. Both are written and read with
 * absolute accessors on the ring's buffer in native byte order: they never leave the process.
 * Times are already converted to Unix seconds by the aggregator, so the writer needs no clock.
 *
 * <p>{@link #FLOW_MSG_TYPE_ID}: one aggregated record, an {@code ACCEPT}/{@code REJECT ... OK} line.
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+
 *  |                        Interface Index                        |  0
 *  +---------------------------------------------------------------+
 *  |                      Source Address (IPv4)                    |  4
 *  +---------------------------------------------------------------+
 *  |                   Destination Address (IPv4)                  |  8
 *  +-------------------------------+-------------------------------+
 *  |          Source Port          |        Destination Port       | 12
 *  +-------------------------------+-------------------------------+
 *  |                      Packets (64 bits)                        | 16
 *  +---------------------------------------------------------------+
 *  |                       Bytes (64 bits)                         | 24
 *  +---------------------------------------------------------------+
 *  |                 Start, Unix seconds (64 bits)                 | 32
 *  +---------------------------------------------------------------+
 *  |                  End, Unix seconds (64 bits)                  | 40
 *  +---------------+---------------+-------------------------------+
 *  |   Protocol    |    Action     |                                 48
 *  +---------------+---------------+
 * </pre>
 *
 * <p>{@link #SKIP_MSG_TYPE_ID}: a {@code SKIPDATA} line for one interface.
 * <pre>
 *  +---------------------------------------------------------------+
 *  |                        Interface Index                        |  0
 *  +---------------------------------------------------------------+
 *  |                            (unused)                           |  4
 *  +---------------------------------------------------------------+
 *  |                 Start, Unix seconds (64 bits)                 |  8
 *  +---------------------------------------------------------------+
 *  |                  End, Unix seconds (64 bits)                  | 16
 *  +---------------------------------------------------------------+
 *  |       Packets not captured in any record (64 bits)            | 24
 *  +---------------------------------------------------------------+
 *  |       Records lost because the ring was full (64 bits)        | 32
 *  +---------------------------------------------------------------+
 * </pre>
 */
public final class FlowLogRecordDescriptor
{
    public static final int FLOW_MSG_TYPE_ID = 1;
    public static final int SKIP_MSG_TYPE_ID = 2;

    public static final int INTERFACE_INDEX_OFFSET = 0;

    public static final int SRC_ADDR_OFFSET = 4;
    public static final int DST_ADDR_OFFSET = 8;
    public static final int SRC_PORT_OFFSET = 12;
    public static final int DST_PORT_OFFSET = 14;
    public static final int PACKETS_OFFSET = 16;
    public static final int BYTES_OFFSET = 24;
    public static final int FLOW_START_OFFSET = 32;
    public static final int FLOW_END_OFFSET = 40;
    public static final int PROTOCOL_OFFSET = 48;
    public static final int ACTION_OFFSET = 49;
    public static final int FLOW_LENGTH = 50;

    public static final int SKIP_START_OFFSET = 8;
    public static final int SKIP_END_OFFSET = 16;
    public static final int SKIP_PACKETS_OFFSET = 24;
    public static final int SKIP_RECORDS_OFFSET = 32;
    public static final int SKIP_LENGTH = 40;

    public static final byte ACTION_REJECT = 0;
    public static final byte ACTION_ACCEPT = 1;

    private FlowLogRecordDescriptor()
    {
    }
}
