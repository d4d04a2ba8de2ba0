package vpce.appliance.datapath;

/**
 * Why the datapath dropped a frame after it parsed cleanly (parse failures have their own codes,
 * from the frame validator). Each reason is one counter, "drop.&lt;name&gt;".
 */
public final class DropReason
{
    /** Unicast frame for another MAC address (veth delivers those to a raw socket). */
    public static final int NOT_OUR_MAC = 0;
    /** Consumer side: IPv4 to an address that is not an ENI on this port. */
    public static final int NOT_ENI_ADDRESS = 1;
    /** Consumer side: UDP, ICMP or other non-TCP to an ENI; interface endpoints carry TCP only. */
    public static final int NON_TCP_TO_ENI = 2;
    /** A frame whose source MAC is a group (multicast/broadcast) address. */
    public static final int BAD_SOURCE_MAC = 3;
    /** Consumer side: a SYN to a port the endpoint service does not offer. */
    public static final int PORT_NOT_OFFERED = 4;
    /** Consumer side: a non-SYN segment of a flow the table does not know. */
    public static final int UNKNOWN_FLOW = 5;
    /** Provider side: anything that is not a reply to a tracked flow; a service cannot open a connection into the VPC. */
    public static final int PROVIDER_UNSOLICITED = 6;
    public static final int NAT_PORTS_EXHAUSTED = 7;
    public static final int FLOW_TABLE_FULL = 8;
    /** The provider-side next hop did not answer ARP, or the pending queue was full. */
    public static final int ARP_UNRESOLVED = 9;
    /** More frames for one port in a duty cycle than its transmit queue holds. */
    public static final int TX_QUEUE_FULL = 10;
    /** A non-GSO packet bigger than the egress port's MTU. */
    public static final int MTU_EXCEEDED = 11;
    /** An ARP packet that is not a request for, or a reply to, an address the appliance owns. */
    public static final int ARP_NOT_FOR_US = 12;
    /** A SYN whose flow key the table refuses (e.g. port 0). */
    public static final int BAD_FLOW_KEY = 13;
    /** Denied by a subnet's network ACL, inbound entries (the ENI's for requests, the client's for replies). */
    public static final int NACL_INGRESS = 14;
    /** Denied by a subnet's network ACL, outbound entries (the ENI's for replies, the client's for requests); stateless, so replies need an entry. */
    public static final int NACL_EGRESS = 15;
    /** A new connection no inbound rule of the ENI's security groups allows. */
    public static final int SG_INGRESS = 16;
    /** A reply of a flow whose ENI a reload removed. */
    public static final int ENI_GONE = 17;
    /**
     * An RST outside the receiver's window (see FlowTable): the endpoint would ignore it, so it changes no flow and
     * is not forwarded, as a stateful firewall drops what Linux conntrack marks INVALID.
     */
    public static final int TCP_RST_OUT_OF_WINDOW = 18;

    /** A SYN for a new flow while the appliance drains before it stops (SIGTERM): established flows carry on. */
    public static final int DRAINING = 19;

    public static final int COUNT = 20;

    private static final String[] NAMES = {
        "not_our_mac",
        "not_eni_address",
        "non_tcp_to_eni",
        "bad_source_mac",
        "port_not_offered",
        "consumer_unknown_flow",
        "provider_unsolicited",
        "nat_ports_exhausted",
        "flow_table_full",
        "arp_unresolved",
        "tx_queue_full",
        "mtu_exceeded",
        "arp_not_for_us",
        "bad_flow_key",
        "nacl_ingress",
        "nacl_egress",
        "sg_ingress",
        "eni_gone",
        "tcp_rst_out_of_window",
        "draining",
    };

    private DropReason()
    {
    }

    public static String name(final int reason)
    {
        return NAMES[reason];
    }
}
