package vpce.acl;

import java.util.Objects;

/**
 * One security group rule (allow only), as EC2's {@code IpPermission} describes it.
 *
 * @param ruleId            e.g. {@code sgr-0123456789abcdef0}.
 * @param egress            true for an outbound rule, false for an inbound rule.
 * @param protocol          {@link IpProtocol#ALL} (-1) or 0..255.
 * @param fromPort          TCP/UDP only: first destination port, inclusive.
 * @param toPort            TCP/UDP only: last destination port, inclusive.
 * @param icmpType          ICMP only: type or -1 for all (then the code must be -1 too).
 * @param icmpCode          ICMP only: code or -1 for all.
 * @param cidrAddress       the block's network address when the rule names a CIDR (0 when it names a group).
 * @param cidrPrefixLength  0..32 (0 when it names a group).
 * @param referencedGroupId a security group whose members' private addresses the rule admits, or null when the
 *                          rule names a CIDR. Inbound rules match the packet's source address, outbound rules its
 *                          destination.
 */
public record SgRule(
    String ruleId,
    boolean egress,
    int protocol,
    int fromPort,
    int toPort,
    int icmpType,
    int icmpCode,
    int cidrAddress,
    int cidrPrefixLength,
    String referencedGroupId)
{
    public SgRule
    {
        Objects.requireNonNull(ruleId, "ruleId");
        final String what = "security group rule " + ruleId;
        RuleFields.validate(what, protocol, fromPort, toPort, icmpType, icmpCode);
        if (null == referencedGroupId)
        {
            Ipv4.validateCidr(what + ": cidr", cidrAddress, cidrPrefixLength);
        }
        else if (referencedGroupId.isEmpty())
        {
            throw new IllegalArgumentException(what + ": referencedGroupId is empty");
        }
        else if (0 != cidrAddress || 0 != cidrPrefixLength)
        {
            // A rule names either a CIDR or a group, never both: refuse rather than silently ignore one.
            throw new IllegalArgumentException(what + ": names group " + referencedGroupId + " and cidr " +
                Ipv4.format(cidrAddress) + "/" + cidrPrefixLength + "; a rule has one or the other");
        }
    }

    public static SgRule cidr(
        final String ruleId,
        final boolean egress,
        final int protocol,
        final int fromPort,
        final int toPort,
        final int cidrAddress,
        final int prefixLength)
    {
        return new SgRule(ruleId, egress, protocol, fromPort, toPort, -1, -1, cidrAddress, prefixLength, null);
    }

    public static SgRule group(
        final String ruleId,
        final boolean egress,
        final int protocol,
        final int fromPort,
        final int toPort,
        final String referencedGroupId)
    {
        return new SgRule(ruleId, egress, protocol, fromPort, toPort, -1, -1, 0, 0, referencedGroupId);
    }

    public static SgRule icmp(
        final String ruleId,
        final boolean egress,
        final int icmpType,
        final int icmpCode,
        final int cidrAddress,
        final int prefixLength)
    {
        return new SgRule(ruleId, egress, IpProtocol.ICMP, 0, 0, icmpType, icmpCode, cidrAddress, prefixLength, null);
    }

    /**
     * @return true when this rule admits every protocol from (inbound) or to (outbound) 0.0.0.0/0: one half of the
     * documented condition for untracked flows.
     */
    public boolean isAllTrafficAnywhere()
    {
        return IpProtocol.ALL == protocol && null == referencedGroupId && 0 == cidrPrefixLength;
    }

    @Override
    public String toString()
    {
        return ruleId + (egress ? " outbound " : " inbound ") +
            RuleText.protocolAndPorts(protocol, fromPort, toPort, icmpType, icmpCode) + " " +
            (null == referencedGroupId ? Ipv4.format(cidrAddress) + "/" + cidrPrefixLength : referencedGroupId);
    }
}
