package vpce.acl;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The EC2 documentation turned into code as directly as possible: slow (a scan of every rule per query) and
 * obvious. It is the oracle the compiled classifier is tested against, and what {@code explain} walks to say why.
 * Same queries and return conventions as {@link CompiledAcls}.
 */
public final class ReferenceEvaluator
{
    private final AclModel model;
    private final Map<String, SecurityGroup> groupById = new HashMap<>();
    private final Map<String, List<NaclEntry>> ingressEntriesByNacl = new HashMap<>();
    private final Map<String, List<NaclEntry>> egressEntriesByNacl = new HashMap<>();

    public ReferenceEvaluator(final AclModel model)
    {
        AclCompiler.validate(model);
        this.model = model;
        // Indexing by id and sorting once keeps a million-query differential test quick; the matching stays a scan.
        for (final SecurityGroup group : model.groups())
        {
            groupById.put(group.id(), group);
        }
        for (final NetworkAcl nacl : model.nacls())
        {
            ingressEntriesByNacl.put(nacl.id(), nacl.entries(false));
            egressEntriesByNacl.put(nacl.id(), nacl.entries(true));
        }
    }

    /**
     * "Rules are evaluated starting with the lowest numbered rule. As soon as a rule matches traffic, it's applied
     * regardless of any higher-numbered rule that might contradict it." Then the {@code *} entry denies.
     */
    public int naclIngress(
        final int subnetIndex,
        final int sourceIp,
        final int protocol,
        final int destinationPortOrIcmpType,
        final int icmpCode)
    {
        return nacl(subnetIndex, false, sourceIp, protocol, destinationPortOrIcmpType, icmpCode);
    }

    public int naclEgress(
        final int subnetIndex,
        final int destinationIp,
        final int protocol,
        final int destinationPortOrIcmpType,
        final int icmpCode)
    {
        return nacl(subnetIndex, true, destinationIp, protocol, destinationPortOrIcmpType, icmpCode);
    }

    /**
     * Security groups are allow-only and an ENI's groups are "aggregated to create one set of rules": the flow is
     * allowed when any inbound rule of any group matches. The first such rule, groups then rules in order, is
     * reported.
     */
    public int sgInbound(
        final int eniIndex,
        final int sourceIp,
        final int protocol,
        final int destinationPortOrIcmpType,
        final int icmpCode)
    {
        return sg(eniIndex, false, sourceIp, protocol, destinationPortOrIcmpType, icmpCode);
    }

    public int sgOutbound(
        final int eniIndex,
        final int destinationIp,
        final int protocol,
        final int destinationPortOrIcmpType,
        final int icmpCode)
    {
        return sg(eniIndex, true, destinationIp, protocol, destinationPortOrIcmpType, icmpCode);
    }

    /**
     * The documented condition for untracked flows: some group of the ENI allows all protocols from 0.0.0.0/0
     * inbound, and some group allows all protocols to 0.0.0.0/0 outbound.
     */
    public boolean isUntracked(final int eniIndex)
    {
        boolean inbound = false;
        boolean outbound = false;
        for (final String groupId : model.groupsOfEni().get(eniIndex))
        {
            for (final SgRule rule : group(groupId).rules())
            {
                if (rule.isAllTrafficAnywhere())
                {
                    inbound |= !rule.egress();
                    outbound |= rule.egress();
                }
            }
        }
        return inbound && outbound;
    }

    public String sgRuleId(final int eniIndex, final int ruleIndex)
    {
        return rule(eniIndex, ruleIndex).ruleId();
    }

    public String sgGroupId(final int eniIndex, final int ruleIndex)
    {
        int index = 0;
        for (final String groupId : model.groupsOfEni().get(eniIndex))
        {
            final int size = group(groupId).rules().size();
            if (ruleIndex < index + size)
            {
                return groupId;
            }
            index += size;
        }
        throw new IndexOutOfBoundsException("eni " + eniIndex + " has no rule " + ruleIndex);
    }

    public String naclId(final int subnetIndex)
    {
        return model.naclOfSubnet().get(subnetIndex);
    }

    /**
     * @return the rule at an index of the ENI's rule list (its groups' rules in order, both directions).
     */
    public SgRule rule(final int eniIndex, final int ruleIndex)
    {
        int index = 0;
        for (final String groupId : model.groupsOfEni().get(eniIndex))
        {
            for (final SgRule rule : group(groupId).rules())
            {
                if (index++ == ruleIndex)
                {
                    return rule;
                }
            }
        }
        throw new IndexOutOfBoundsException("eni " + eniIndex + " has no rule " + ruleIndex);
    }

    private int nacl(
        final int subnetIndex,
        final boolean egress,
        final int remoteAddress,
        final int protocol,
        final int destinationPortOrIcmpType,
        final int icmpCode)
    {
        final String naclId = model.naclOfSubnet().get(subnetIndex);
        for (final NaclEntry entry : (egress ? egressEntriesByNacl : ingressEntriesByNacl).get(naclId))
        {
            if (entry.matches(remoteAddress, protocol, destinationPortOrIcmpType, icmpCode))
            {
                return Verdict.nacl(entry.allow(), entry.ruleNumber());
            }
        }
        return Verdict.IMPLICIT_DENY;
    }

    private int sg(
        final int eniIndex,
        final boolean egress,
        final int remoteAddress,
        final int protocol,
        final int destinationPortOrIcmpType,
        final int icmpCode)
    {
        int index = 0;
        for (final String groupId : model.groupsOfEni().get(eniIndex))
        {
            for (final SgRule rule : group(groupId).rules())
            {
                if (rule.egress() == egress &&
                    RuleFields.matchesProtocolAndPorts(rule.protocol(), rule.fromPort(), rule.toPort(),
                        rule.icmpType(), rule.icmpCode(), protocol, destinationPortOrIcmpType, icmpCode) &&
                    remoteMatches(rule, remoteAddress))
                {
                    return index;
                }
                index++;
            }
        }
        return Verdict.DENY;
    }

    private boolean remoteMatches(final SgRule rule, final int remoteAddress)
    {
        if (null == rule.referencedGroupId())
        {
            return Ipv4.contains(rule.cidrAddress(), rule.cidrPrefixLength(), remoteAddress);
        }
        final int[] members = model.members().get(rule.referencedGroupId());
        if (null != members)
        {
            for (final int member : members)
            {
                if (member == remoteAddress)
                {
                    return true;
                }
            }
        }
        return false;
    }

    private SecurityGroup group(final String groupId)
    {
        return groupById.get(groupId);
    }
}
