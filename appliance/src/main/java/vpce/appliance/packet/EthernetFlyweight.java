package vpce.appliance.packet;

import java.lang.foreign.MemorySegment;

import static vpce.appliance.packet.Layouts.BE16;
import static vpce.appliance.packet.Layouts.BE32;

/**
 * Flyweight over an Ethernet II header (IEEE 802.3), with awareness of one 802.1Q tag.
 *
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +---------------------------------------------------------------+
 * |                    Destination MAC (6 octets)                 |
 * +                               +-------------------------------+
 * |                               |                               |
 * +-------------------------------+                               +
 * |                      Source MAC (6 octets)                    |
 * +-------------------------------+-------------------------------+
 * |          EtherType            |  (802.1Q: TCI | inner type)   |
 * +-------------------------------+-------------------------------+
 * </pre>
 *
 * MAC addresses are the low 48 bits of a long, first octet most significant, so
 * 02:00:00:00:00:01 is 0x0200_0000_0001L. Accessors do not check the wrapped length; the
 * {@link FrameValidator} does that before anything is read.
 */
public final class EthernetFlyweight
{
    public static final int HEADER_LENGTH = 14;
    public static final int VLAN_TAG_LENGTH = 4;

    public static final int DESTINATION_OFFSET = 0;
    public static final int SOURCE_OFFSET = 6;
    public static final int ETHER_TYPE_OFFSET = 12;
    /** With an 802.1Q tag: the tag control information (PCP:3, DEI:1, VID:12). */
    public static final int VLAN_TCI_OFFSET = 14;
    /** With an 802.1Q tag: the EtherType of the payload. */
    public static final int VLAN_ETHER_TYPE_OFFSET = 16;

    public static final int ETHERTYPE_IPV4 = 0x0800;
    public static final int ETHERTYPE_ARP = 0x0806;
    public static final int ETHERTYPE_VLAN = 0x8100;
    /** 802.1ad service tag (QinQ outer tag), treated as tagged like 802.1Q. */
    public static final int ETHERTYPE_QINQ = 0x88A8;
    public static final int ETHERTYPE_IPV6 = 0x86DD;

    public static final long BROADCAST_MAC = 0xFFFF_FFFF_FFFFL;
    public static final long MAC_MASK = 0xFFFF_FFFF_FFFFL;

    private MemorySegment segment;
    private long offset;
    private int length;

    public EthernetFlyweight wrap(final MemorySegment segment, final long offset, final int length)
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

    /** Length of the whole frame as wrapped. */
    public int length()
    {
        return length;
    }

    public long destination()
    {
        return getMac(segment, offset + DESTINATION_OFFSET);
    }

    public EthernetFlyweight destination(final long mac)
    {
        putMac(segment, offset + DESTINATION_OFFSET, mac);
        return this;
    }

    public long source()
    {
        return getMac(segment, offset + SOURCE_OFFSET);
    }

    public EthernetFlyweight source(final long mac)
    {
        putMac(segment, offset + SOURCE_OFFSET, mac);
        return this;
    }

    /** The outer EtherType: the TPID (0x8100) when the frame is tagged. */
    public int etherType()
    {
        return segment.get(BE16, offset + ETHER_TYPE_OFFSET) & 0xFFFF;
    }

    public EthernetFlyweight etherType(final int etherType)
    {
        segment.set(BE16, offset + ETHER_TYPE_OFFSET, (short)etherType);
        return this;
    }

    public boolean isVlanTagged()
    {
        final int type = etherType();
        return type == ETHERTYPE_VLAN || type == ETHERTYPE_QINQ;
    }

    /** VLAN id of the outer tag; only meaningful when {@link #isVlanTagged()} and length >= 18. */
    public int vlanId()
    {
        return segment.get(BE16, offset + VLAN_TCI_OFFSET) & 0x0FFF;
    }

    /** EtherType of the payload, looking past one tag. */
    public int payloadEtherType()
    {
        return isVlanTagged() ? segment.get(BE16, offset + VLAN_ETHER_TYPE_OFFSET) & 0xFFFF : etherType();
    }

    /** Offset of the payload from the frame start: 14, or 18 past one tag. */
    public int payloadOffset()
    {
        return isVlanTagged() ? HEADER_LENGTH + VLAN_TAG_LENGTH : HEADER_LENGTH;
    }

    /** Swap source and destination MACs, for replies sent out of the port they came in on. */
    public EthernetFlyweight swapAddresses()
    {
        final long dst = destination();
        destination(source());
        source(dst);
        return this;
    }

    static long getMac(final MemorySegment segment, final long offset)
    {
        return ((segment.get(BE16, offset) & 0xFFFFL) << 32) | (segment.get(BE32, offset + 2) & 0xFFFF_FFFFL);
    }

    static void putMac(final MemorySegment segment, final long offset, final long mac)
    {
        segment.set(BE16, offset, (short)(mac >>> 32));
        segment.set(BE32, offset + 2, (int)mac);
    }
}
