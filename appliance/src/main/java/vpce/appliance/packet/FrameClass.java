package vpce.appliance.packet;

/**
 * Result codes of {@link FrameValidator#classify}: a class for a frame to process, or the
 * reason it must be dropped. Codes are dense from 0 to {@link #COUNT} - 1 so a caller can keep
 * one counter per code in an array; every drop reason is distinct.
 */
public final class FrameClass
{
    // Frames to process.
    public static final int ARP = 0;
    public static final int IPV4_TCP = 1;
    public static final int IPV4_UDP = 2;
    public static final int IPV4_ICMP = 3;
    public static final int IPV4_OTHER = 4;

    // Drops. Everything from TRUNCATED up is a drop.
    /** Frame shorter than the headers it claims, or not inside the segment given. */
    public static final int TRUNCATED = 5;
    public static final int VLAN_TAGGED = 6;
    /** Neither IPv4 nor ARP (IPv6 included). */
    public static final int UNSUPPORTED_ETHERTYPE = 7;
    /** ARP not for Ethernet/IPv4, or an operation other than request/reply. */
    public static final int BAD_ARP = 8;
    public static final int BAD_IPV4_VERSION = 9;
    /** IHL below 5 or reaching beyond the frame. */
    public static final int BAD_IPV4_HEADER_LENGTH = 10;
    /** Total length below the header length or beyond the frame (padding after it is fine). */
    public static final int BAD_IPV4_TOTAL_LENGTH = 11;
    public static final int BAD_IPV4_CHECKSUM = 12;
    public static final int IPV4_FRAGMENT = 13;
    /** TTL 0 or 1: a forwarded packet would leave with TTL 0. */
    public static final int TTL_EXPIRED = 14;
    /** Data offset below 5 or beyond the IP payload. */
    public static final int BAD_TCP_HEADER = 15;
    public static final int BAD_TCP_CHECKSUM = 16;
    /** IP payload shorter than 8, or a UDP length below 8 or beyond the IP payload. */
    public static final int BAD_UDP_HEADER = 17;
    /** IP payload shorter than 8. */
    public static final int BAD_ICMP_HEADER = 18;
    /** Non-GSO frame longer than the configured maximum (MTU + link header). */
    public static final int OVERSIZED = 19;
    /**
     * virtio_net_hdr inconsistent with the frame: a GSO type other than TCPV4, GSO on a non-TCP
     * packet or without NEEDS_CSUM or with gso_size 0, or NEEDS_CSUM whose csum_start/csum_offset
     * do not point at the transport checksum field. NAT relies on these being right.
     */
    public static final int BAD_VNET_HEADER = 20;

    /** Number of codes. */
    public static final int COUNT = 21;

    private static final String[] NAMES =
    {
        "arp",
        "ipv4_tcp",
        "ipv4_udp",
        "ipv4_icmp",
        "ipv4_other",
        "truncated",
        "vlan_tagged",
        "unsupported_ethertype",
        "bad_arp",
        "bad_ipv4_version",
        "bad_ipv4_header_length",
        "bad_ipv4_total_length",
        "bad_ipv4_checksum",
        "ipv4_fragment",
        "ttl_expired",
        "bad_tcp_header",
        "bad_tcp_checksum",
        "bad_udp_header",
        "bad_icmp_header",
        "oversized",
        "bad_vnet_header",
    };

    private FrameClass()
    {
    }

    /** True for drop reasons. */
    public static boolean isDrop(final int code)
    {
        return code >= TRUNCATED;
    }

    /** snake_case name for counters, e.g. "bad_ipv4_checksum"; "unknown" for a code out of range. */
    public static String name(final int code)
    {
        return code >= 0 && code < COUNT ? NAMES[code] : "unknown";
    }
}
