package vpce.acl;

import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * A security group: allow-only inbound and outbound rules.
 *
 * @param id    e.g. {@code sg-0a11ce0000000001}.
 * @param rules both directions; rule ids are unique within the group.
 */
public record SecurityGroup(String id, List<SgRule> rules)
{
    public SecurityGroup
    {
        if (null == id || id.isEmpty())
        {
            throw new IllegalArgumentException("security group: id '" + id + "' is empty");
        }
        Objects.requireNonNull(rules, "rules");
        rules = List.copyOf(rules);
        final Set<String> ruleIds = new HashSet<>();
        for (final SgRule rule : rules)
        {
            if (!ruleIds.add(rule.ruleId()))
            {
                throw new IllegalArgumentException("security group " + id + ": ruleId " + rule.ruleId() +
                    " appears twice");
            }
        }
    }

    /**
     * A VPC's default security group: inbound all traffic from members of itself, outbound all traffic to
     * 0.0.0.0/0.
     */
    public static SecurityGroup vpcDefault(final String id)
    {
        return new SecurityGroup(id, List.of(
            SgRule.group(id + "-ingress-self", false, IpProtocol.ALL, 0, 0, id),
            SgRule.cidr(id + "-egress-all", true, IpProtocol.ALL, 0, 0, 0, 0)));
    }
}
