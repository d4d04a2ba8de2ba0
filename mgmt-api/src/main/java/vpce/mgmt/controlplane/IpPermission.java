package vpce.mgmt.controlplane;

import java.util.List;

/**
 * EC2's {@code IpPermission}: one protocol and port range with the sources (or destinations) it applies to. It is the
 * input of Authorize/Revoke (one rule per range and per group), and {@link SecurityGroup#ipPermissions} groups the
 * stored rules back into it for DescribeSecurityGroups.
 *
 * @param ipProtocol    {@code tcp|udp|icmp|-1|all} or a protocol number.
 * @param fromPort      null when the protocol has no ports.
 * @param ipv6Ranges    IPv6 CIDRs: refused (the appliance is IPv4 only), kept so that the refusal is the same on both
 *                      APIs.
 * @param prefixListIds prefix lists: refused likewise.
 */
public record IpPermission(
    String ipProtocol,
    Integer fromPort,
    Integer toPort,
    List<IpRange> ipRanges,
    List<GroupPair> groups,
    List<String> ipv6Ranges,
    List<String> prefixListIds)
{
    public IpPermission
    {
        ipRanges = ipRanges == null ? List.of() : List.copyOf(ipRanges);
        groups = groups == null ? List.of() : List.copyOf(groups);
        ipv6Ranges = ipv6Ranges == null ? List.of() : List.copyOf(ipv6Ranges);
        prefixListIds = prefixListIds == null ? List.of() : List.copyOf(prefixListIds);
    }

    public static IpPermission ofCidr(final String ipProtocol, final Integer fromPort, final Integer toPort, final String cidr)
    {
        return new IpPermission(ipProtocol, fromPort, toPort, List.of(new IpRange(cidr, null)), List.of(), List.of(), List.of());
    }

    public static IpPermission ofGroup(final String ipProtocol, final Integer fromPort, final Integer toPort, final String groupId)
    {
        return new IpPermission(ipProtocol, fromPort, toPort, List.of(), List.of(new GroupPair(groupId, null, null)), List.of(),
            List.of());
    }

    /** EC2's {@code IpRange}. */
    public record IpRange(String cidrIp, String description)
    {
    }

    /**
     * EC2's {@code UserIdGroupPair}: a group by id, or by name within the rule's VPC.
     */
    public record GroupPair(String groupId, String groupName, String description)
    {
    }
}
