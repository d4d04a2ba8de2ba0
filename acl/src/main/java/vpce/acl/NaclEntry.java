package vpce.acl;

/**
 * One numbered entry of a network ACL, as EC2's {@code CreateNetworkAclEntry} takes it.
 *
 * @param ruleNumber       1..32766; entries are evaluated lowest number first and the first match decides.
 * @param egress           true for the outbound list, false for the inbound list.
 * @param protocol         {@link IpProtocol#ALL} (-1) or 0..255.
 * @param allow            allow or deny.
 * @param cidrAddress      the block's network address; ingress entries match the packet's source address,
 *                         egress entries its destination address.
 * @param cidrPrefixLength 0..32.
 * @param fromPort         TCP/UDP only: first destination port of the range (ignored otherwise).
 * @param toPort           TCP/UDP only: last destination port of the range, inclusive.
 * @param icmpType         ICMP only: the type, or -1 for all types (and then codes).
 * @param icmpCode         ICMP only: the code, or -1 for all codes.
 */
public record NaclEntry(
    int ruleNumber,
    boolean egress,
    int protocol,
    boolean allow,
    int cidrAddress,
    int cidrPrefixLength,
    int fromPort,
    int toPort,
    int icmpType,
    int icmpCode)
{
    public static final int MIN_RULE_NUMBER = 1;
    public static final int MAX_RULE_NUMBER = 32766;

    public NaclEntry
    {
        final String what = "nacl entry " + ruleNumber + (egress ? " (egress)" : " (ingress)");
        if (ruleNumber < MIN_RULE_NUMBER || ruleNumber > MAX_RULE_NUMBER)
        {
            throw new IllegalArgumentException(
                what + ": ruleNumber " + ruleNumber + " is not in " + MIN_RULE_NUMBER + ".." + MAX_RULE_NUMBER);
        }
        RuleFields.validate(what, protocol, fromPort, toPort, icmpType, icmpCode);
        Ipv4.validateCidr(what + ": cidr", cidrAddress, cidrPrefixLength);
    }

    /**
     * An entry for all protocols, ports and types: what the default NACL's rule 100 is.
     */
    public static NaclEntry allTraffic(
        final int ruleNumber, final boolean egress, final boolean allow, final int cidrAddress, final int prefixLength)
    {
        return new NaclEntry(ruleNumber, egress, IpProtocol.ALL, allow, cidrAddress, prefixLength, 0, 0, -1, -1);
    }

    public static NaclEntry ports(
        final int ruleNumber,
        final boolean egress,
        final int protocol,
        final boolean allow,
        final int cidrAddress,
        final int prefixLength,
        final int fromPort,
        final int toPort)
    {
        return new NaclEntry(ruleNumber, egress, protocol, allow, cidrAddress, prefixLength, fromPort, toPort, -1, -1);
    }

    public static NaclEntry icmp(
        final int ruleNumber,
        final boolean egress,
        final boolean allow,
        final int cidrAddress,
        final int prefixLength,
        final int icmpType,
        final int icmpCode)
    {
        return new NaclEntry(
            ruleNumber, egress, IpProtocol.ICMP, allow, cidrAddress, prefixLength, 0, 0, icmpType, icmpCode);
    }

    /**
     * The documented match: protocol, then destination port range or ICMP type/code, then the CIDR against the
     * source address (ingress) or destination address (egress), which the caller passes as {@code remoteAddress}.
     */
    public boolean matches(
        final int remoteAddress, final int protocol, final int destinationPortOrIcmpType, final int icmpCode)
    {
        return RuleFields.matchesProtocolAndPorts(
            this.protocol, fromPort, toPort, icmpType, this.icmpCode, protocol, destinationPortOrIcmpType, icmpCode) &&
            Ipv4.contains(cidrAddress, cidrPrefixLength, remoteAddress);
    }

    @Override
    public String toString()
    {
        return ruleNumber + (egress ? " egress " : " ingress ") + (allow ? "allow " : "deny ") +
            RuleText.protocolAndPorts(protocol, fromPort, toPort, icmpType, icmpCode) + " " +
            Ipv4.format(cidrAddress) + "/" + cidrPrefixLength;
    }
}
