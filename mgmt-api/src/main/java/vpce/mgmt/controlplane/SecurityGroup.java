package vpce.mgmt.controlplane;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A security group of a VPC, its inbound and outbound rules in one list ({@link SecurityGroupRule#egress()}). A new
 * group has one outbound rule, all traffic to 0.0.0.0/0; the VPC's default group also allows all inbound traffic from
 * its own members, as in EC2.
 */
public record SecurityGroup(
    String groupId,
    String groupName,
    String description,
    String vpcId,
    String ownerId,
    List<SecurityGroupRule> rules,
    Map<String, String> tags,
    long creationTimeMs) implements Resource
{
    public SecurityGroup
    {
        rules = List.copyOf(rules);
        tags = Tags.copyOf(tags);
    }

    @Override
    public String id()
    {
        return groupId;
    }

    @Override
    public ResourceKind kind()
    {
        return ResourceKind.SECURITY_GROUP;
    }

    public List<SecurityGroupRule> rules(final boolean egress)
    {
        return rules.stream().filter(rule -> rule.egress() == egress).toList();
    }

    public SecurityGroup withRules(final List<SecurityGroupRule> newRules)
    {
        return new SecurityGroup(groupId, groupName, description, vpcId, ownerId, newRules, tags, creationTimeMs);
    }

    /**
     * @return the rules of one direction grouped as EC2's DescribeSecurityGroups shows them: one {@link IpPermission}
     * per protocol and port range, in the order the ranges were first authorized. Protocols without ports get null
     * ports.
     */
    public List<IpPermission> ipPermissions(final boolean egress)
    {
        final Map<String, List<SecurityGroupRule>> byRange = new LinkedHashMap<>();
        for (final SecurityGroupRule rule : rules)
        {
            if (rule.egress() == egress)
            {
                byRange.computeIfAbsent(rule.ipProtocol() + "|" + rule.fromPort() + "|" + rule.toPort(), key -> new ArrayList<>())
                    .add(rule);
            }
        }
        final List<IpPermission> permissions = new ArrayList<>(byRange.size());
        for (final List<SecurityGroupRule> group : byRange.values())
        {
            final SecurityGroupRule first = group.getFirst();
            final boolean ports = SecurityGroupRules.hasPorts(first.ipProtocol());
            final List<IpPermission.IpRange> ranges = new ArrayList<>();
            final List<IpPermission.GroupPair> pairs = new ArrayList<>();
            for (final SecurityGroupRule rule : group)
            {
                if (rule.cidrIpv4() != null)
                {
                    ranges.add(new IpPermission.IpRange(rule.cidrIpv4(), rule.description()));
                }
                else
                {
                    pairs.add(new IpPermission.GroupPair(rule.referencedGroupId(), null, rule.description()));
                }
            }
            permissions.add(new IpPermission(first.ipProtocol(), ports ? first.fromPort() : null, ports ? first.toPort() : null,
                ranges, pairs, List.of(), List.of()));
        }
        return permissions;
    }
}
