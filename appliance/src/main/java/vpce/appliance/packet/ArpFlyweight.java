package vpce.appliance.packet;

import java.lang.foreign.MemorySegment;

import static vpce.appliance.packet.Layouts.BE16;
import static vpce.appliance.packet.Layouts.BE32;
import static vpce.appliance.packet.Layouts.U8;

/**
 * Flyweight over an ARP packet for Ethernet and IPv4 (RFC 826), the only kind the appliance
 * answers. Wrapped at the Ethernet payload, not the frame start.
 *
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-------------------------------+-------------------------------+
 * |     Hardware type (1)         |     Protocol type (0x0800)    |
 * +---------------+---------------+-------------------------------+
 * |  HLEN (6)     |  PLEN (4)     |          Operation            |
 * +---------------+---------------+-------------------------------+
 * |                 Sender hardware address (6)                   |
 * +                               +-------------------------------+
 * |                               |  Sender protocol address (4)  |
 * +-------------------------------+-------------------------------+
 * |                               |                               |
 * +-------------------------------+                               +
 * |                 Target hardware address (6)                   |
 * +---------------------------------------------------------------+
 * |                 Target protocol address (4)                   |
 * +---------------------------------------------------------------+
 * </pre>
 */
public final class ArpFlyweight
{
    public static final int HEADER_LENGTH = 28;

    public static final int HARDWARE_TYPE_OFFSET = 0;
    public static final int PROTOCOL_TYPE_OFFSET = 2;
    public static final int HARDWARE_LENGTH_OFFSET = 4;
    public static final int PROTOCOL_LENGTH_OFFSET = 5;
    public static final int OPERATION_OFFSET = 6;
    public static final int SENDER_MAC_OFFSET = 8;
    public static final int SENDER_IP_OFFSET = 14;
    public static final int TARGET_MAC_OFFSET = 18;
    public static final int TARGET_IP_OFFSET = 24;

    public static final int HARDWARE_TYPE_ETHERNET = 1;
    public static final int PROTOCOL_TYPE_IPV4 = EthernetFlyweight.ETHERTYPE_IPV4;
    public static final int OPERATION_REQUEST = 1;
    public static final int OPERATION_REPLY = 2;

    private MemorySegment segment;
    private long offset;
    private int length;

    public ArpFlyweight wrap(final MemorySegment segment, final long offset, final int length)
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

    public int length()
    {
        return length;
    }

    /** Ethernet hardware, IPv4 protocol and the matching address lengths. Operation is not checked. */
    public boolean isEthernetIpv4()
    {
        // htype:ptype and hlen:plen read as two words, compared at once.
        return segment.get(BE32, offset + HARDWARE_TYPE_OFFSET) == ((HARDWARE_TYPE_ETHERNET << 16) | PROTOCOL_TYPE_IPV4) &&
            segment.get(BE16, offset + HARDWARE_LENGTH_OFFSET) == (short)((6 << 8) | 4);
    }

    public int hardwareType()
    {
        return segment.get(BE16, offset + HARDWARE_TYPE_OFFSET) & 0xFFFF;
    }

    public ArpFlyweight hardwareType(final int hardwareType)
    {
        segment.set(BE16, offset + HARDWARE_TYPE_OFFSET, (short)hardwareType);
        return this;
    }

    public int protocolType()
    {
        return segment.get(BE16, offset + PROTOCOL_TYPE_OFFSET) & 0xFFFF;
    }

    public ArpFlyweight protocolType(final int protocolType)
    {
        segment.set(BE16, offset + PROTOCOL_TYPE_OFFSET, (short)protocolType);
        return this;
    }

    public int hardwareLength()
    {
        return segment.get(U8, offset + HARDWARE_LENGTH_OFFSET) & 0xFF;
    }

    public ArpFlyweight hardwareLength(final int hardwareLength)
    {
        segment.set(U8, offset + HARDWARE_LENGTH_OFFSET, (byte)hardwareLength);
        return this;
    }

    public int protocolLength()
    {
        return segment.get(U8, offset + PROTOCOL_LENGTH_OFFSET) & 0xFF;
    }

    public ArpFlyweight protocolLength(final int protocolLength)
    {
        segment.set(U8, offset + PROTOCOL_LENGTH_OFFSET, (byte)protocolLength);
        return this;
    }

    public int operation()
    {
        return segment.get(BE16, offset + OPERATION_OFFSET) & 0xFFFF;
    }

    public ArpFlyweight operation(final int operation)
    {
        segment.set(BE16, offset + OPERATION_OFFSET, (short)operation);
        return this;
    }

    public long senderMac()
    {
        return EthernetFlyweight.getMac(segment, offset + SENDER_MAC_OFFSET);
    }

    public ArpFlyweight senderMac(final long mac)
    {
        EthernetFlyweight.putMac(segment, offset + SENDER_MAC_OFFSET, mac);
        return this;
    }

    public int senderIp()
    {
        return segment.get(BE32, offset + SENDER_IP_OFFSET);
    }

    public ArpFlyweight senderIp(final int ip)
    {
        segment.set(BE32, offset + SENDER_IP_OFFSET, ip);
        return this;
    }

    public long targetMac()
    {
        return EthernetFlyweight.getMac(segment, offset + TARGET_MAC_OFFSET);
    }

    public ArpFlyweight targetMac(final long mac)
    {
        EthernetFlyweight.putMac(segment, offset + TARGET_MAC_OFFSET, mac);
        return this;
    }

    public int targetIp()
    {
        return segment.get(BE32, offset + TARGET_IP_OFFSET);
    }

    public ArpFlyweight targetIp(final int ip)
    {
        segment.set(BE32, offset + TARGET_IP_OFFSET, ip);
        return this;
    }

    /** Gratuitous ARP (RFC 5227 announcement or RFC 5944 style): sender IP equals target IP. */
    public boolean isGratuitous()
    {
        return senderIp() == targetIp();
    }
}
