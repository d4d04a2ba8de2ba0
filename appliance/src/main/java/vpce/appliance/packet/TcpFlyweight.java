package vpce.appliance.packet;

import java.lang.foreign.MemorySegment;

import static vpce.appliance.packet.Layouts.BE16;
import static vpce.appliance.packet.Layouts.BE32;
import static vpce.appliance.packet.Layouts.U8;

/**
 * Flyweight over a TCP header (RFC 9293), wrapped at the IPv4 payload.
 *
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-------------------------------+-------------------------------+
 * |          Source Port          |       Destination Port        |
 * +-------------------------------+-------------------------------+
 * |                        Sequence Number                        |
 * +---------------------------------------------------------------+
 * |                    Acknowledgment Number                      |
 * +-------+-------+-+-+-+-+-+-+-+-+-------------------------------+
 * | Data  | Rsrvd |C|E|U|A|P|R|S|F|                               |
 * |Offset |       |W|C|R|C|S|S|Y|I|            Window             |
 * |       |       |R|E|G|K|H|T|N|N|                               |
 * +-------+-------+-+-+-+-+-+-+-+-+-------------------------------+
 * |           Checksum            |         Urgent Pointer        |
 * +-------------------------------+-------------------------------+
 * |                    Options (data offset > 5)                  |
 * +---------------------------------------------------------------+
 * </pre>
 *
 * Setters are raw: they do not touch the checksum. {@link NatRewriter} keeps it right.
 */
public final class TcpFlyweight
{
    public static final int MIN_HEADER_LENGTH = 20;

    public static final int SOURCE_PORT_OFFSET = 0;
    public static final int DESTINATION_PORT_OFFSET = 2;
    public static final int SEQUENCE_OFFSET = 4;
    public static final int ACKNOWLEDGMENT_OFFSET = 8;
    public static final int DATA_OFFSET_OFFSET = 12;
    public static final int FLAGS_OFFSET = 13;
    public static final int WINDOW_OFFSET = 14;
    /** Also the virtio csum_offset of a partial TCP checksum. */
    public static final int CHECKSUM_OFFSET = 16;
    public static final int URGENT_POINTER_OFFSET = 18;

    public static final int FIN = 0x01;
    public static final int SYN = 0x02;
    public static final int RST = 0x04;
    public static final int PSH = 0x08;
    public static final int ACK = 0x10;
    public static final int URG = 0x20;
    public static final int ECE = 0x40;
    public static final int CWR = 0x80;

    /** {@link #windowScale()} of a header without a Window Scale option. */
    public static final int NO_WINDOW_SCALE = -1;
    /** Option kinds (RFC 9293 3.2, RFC 7323 2.2). */
    public static final int OPTION_END = 0;
    public static final int OPTION_NOP = 1;
    public static final int OPTION_WINDOW_SCALE = 3;
    public static final int OPTION_WINDOW_SCALE_LENGTH = 3;

    private MemorySegment segment;
    private long offset;
    private int length;

    /**
     * @param length TCP header plus payload, from the IP total length.
     */
    public TcpFlyweight wrap(final MemorySegment segment, final long offset, final int length)
    {
        this.segment = segment;
        this.offset = offset;
        this.length = length;
        return this;
    }

    public MemorySegment segment()
    {
        return segment;
    }

    public long offset()
    {
        return offset;
    }

    /** TCP header plus payload as wrapped. */
    public int length()
    {
        return length;
    }

    public int sourcePort()
    {
        return segment.get(BE16, offset + SOURCE_PORT_OFFSET) & 0xFFFF;
    }

    public TcpFlyweight sourcePort(final int port)
    {
        segment.set(BE16, offset + SOURCE_PORT_OFFSET, (short)port);
        return this;
    }

    public int destinationPort()
    {
        return segment.get(BE16, offset + DESTINATION_PORT_OFFSET) & 0xFFFF;
    }

    public TcpFlyweight destinationPort(final int port)
    {
        segment.set(BE16, offset + DESTINATION_PORT_OFFSET, (short)port);
        return this;
    }

    /** Sequence number; compare with wrap-around arithmetic, not as signed ints. */
    public int sequence()
    {
        return segment.get(BE32, offset + SEQUENCE_OFFSET);
    }

    public TcpFlyweight sequence(final int sequence)
    {
        segment.set(BE32, offset + SEQUENCE_OFFSET, sequence);
        return this;
    }

    public int acknowledgment()
    {
        return segment.get(BE32, offset + ACKNOWLEDGMENT_OFFSET);
    }

    public TcpFlyweight acknowledgment(final int acknowledgment)
    {
        segment.set(BE32, offset + ACKNOWLEDGMENT_OFFSET, acknowledgment);
        return this;
    }

    /** Header length in 32-bit words. */
    public int dataOffset()
    {
        return (segment.get(U8, offset + DATA_OFFSET_OFFSET) & 0xFF) >>> 4;
    }

    /** Set the data offset in 32-bit words, keeping the reserved/AE bits of that byte. */
    public TcpFlyweight dataOffset(final int words)
    {
        final long at = offset + DATA_OFFSET_OFFSET;
        segment.set(U8, at, (byte)((words << 4) | (segment.get(U8, at) & 0x0F)));
        return this;
    }

    /** Header length in bytes, data offset * 4. */
    public int headerLength()
    {
        return ((segment.get(U8, offset + DATA_OFFSET_OFFSET) & 0xFF) >>> 4) << 2;
    }

    /** The 8 classic flag bits (CWR..FIN). */
    public int flags()
    {
        return segment.get(U8, offset + FLAGS_OFFSET) & 0xFF;
    }

    public TcpFlyweight flags(final int flags)
    {
        segment.set(U8, offset + FLAGS_OFFSET, (byte)flags);
        return this;
    }

    /** True when every bit in mask is set. */
    public boolean hasFlags(final int mask)
    {
        return (flags() & mask) == mask;
    }

    public int window()
    {
        return segment.get(BE16, offset + WINDOW_OFFSET) & 0xFFFF;
    }

    public TcpFlyweight window(final int window)
    {
        segment.set(BE16, offset + WINDOW_OFFSET, (short)window);
        return this;
    }

    /**
     * The shift count of the Window Scale option (RFC 7323 2.2), as sent (0..255; RFC 7323 2.3 says to use 14 for
     * anything larger, which is the caller's business), or {@link #NO_WINDOW_SCALE}. Meaningful on a SYN only.
     * <p>
     * Walks the option list of a possibly hostile header without reading past the header (nor past the wrapped
     * length): it stops at End of Option List, at an option whose length byte is missing, below 2 or runs past the
     * header. Options before such a malformed one still count, as in Linux's tcp_parse_options, so the appliance
     * sees the scale the endpoint will use; a repeated option counts by its last copy, for the same reason. At most
     * 40 option bytes, so at most 40 steps.
     */
    public int windowScale()
    {
        final long end = offset + Math.min(headerLength(), length);
        int scale = NO_WINDOW_SCALE;
        long at = offset + MIN_HEADER_LENGTH;
        while (at < end)
        {
            final int kind = segment.get(U8, at) & 0xFF;
            if (OPTION_END == kind)
            {
                break;
            }
            if (OPTION_NOP == kind)
            {
                at++;
                continue;
            }
            if (at + 1 >= end)
            {
                break;
            }
            final int optionLength = segment.get(U8, at + 1) & 0xFF;
            if (optionLength < 2 || at + optionLength > end)
            {
                break;
            }
            if (OPTION_WINDOW_SCALE == kind && OPTION_WINDOW_SCALE_LENGTH == optionLength)
            {
                scale = segment.get(U8, at + 2) & 0xFF;
            }
            at += optionLength;
        }

        return scale;
    }

    public int checksum()
    {
        return segment.get(BE16, offset + CHECKSUM_OFFSET) & 0xFFFF;
    }

    public TcpFlyweight checksum(final int checksum)
    {
        segment.set(BE16, offset + CHECKSUM_OFFSET, (short)checksum);
        return this;
    }

    public int urgentPointer()
    {
        return segment.get(BE16, offset + URGENT_POINTER_OFFSET) & 0xFFFF;
    }

    public TcpFlyweight urgentPointer(final int urgentPointer)
    {
        segment.set(BE16, offset + URGENT_POINTER_OFFSET, (short)urgentPointer);
        return this;
    }
}
