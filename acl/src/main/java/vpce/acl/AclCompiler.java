package vpce.acl;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Compiles an {@link AclModel} into {@link CompiledAcls}, after checking its references and EC2's quotas.
 *
 * <p>Sharing: a network ACL is compiled once however many subnets use it, and ENIs with the same ordered list of
 * security groups share one pair of classifiers (the common case: every ENI of an endpoint has the same groups).
 *
 * <p>A rule that references a security group is expanded here into one /32 per member address, so a change of
 * membership means a recompile, as a change of rules does. Members listed twice count once.
 */
public final class AclCompiler
{
    private AclCompiler()
    {
    }

    /**
     * @throws IllegalArgumentException naming the offending field and value when a reference is unknown or a
     *                                  quota is exceeded.
     */
    public static CompiledAcls compile(final AclModel model)
    {
        validate(model);

        final Map<String, NetworkAcl> naclById = new HashMap<>();
        for (final NetworkAcl nacl : model.nacls())
        {
            naclById.put(nacl.id(), nacl);
        }
        final Map<String, SecurityGroup> groupById = new HashMap<>();
        for (final SecurityGroup group : model.groups())
        {
            groupById.put(group.id(), group);
        }

        final int subnets = model.naclOfSubnet().size();
        final String[] naclIdOfSubnet = model.naclOfSubnet().toArray(new String[0]);
        final Classifier[] naclIngress = new Classifier[subnets];
        final Classifier[] naclEgress = new Classifier[subnets];
        final Map<String, Classifier[]> compiledNacls = new HashMap<>();
        for (int subnet = 0; subnet < subnets; subnet++)
        {
            final Classifier[] pair = compiledNacls.computeIfAbsent(
                naclIdOfSubnet[subnet], id -> compileNacl(naclById.get(id)));
            naclIngress[subnet] = pair[0];
            naclEgress[subnet] = pair[1];
        }

        final int enis = model.groupsOfEni().size();
        final Classifier[] sgInbound = new Classifier[enis];
        final Classifier[] sgOutbound = new Classifier[enis];
        final boolean[] untracked = new boolean[enis];
        final String[][] ruleIds = new String[enis][];
        final String[][] groupIds = new String[enis][];
        final Map<List<String>, Integer> firstEniWithGroups = new HashMap<>();
        for (int eni = 0; eni < enis; eni++)
        {
            final List<String> groupList = model.groupsOfEni().get(eni);
            final Integer same = firstEniWithGroups.putIfAbsent(groupList, eni);
            if (null != same)
            {
                sgInbound[eni] = sgInbound[same];
                sgOutbound[eni] = sgOutbound[same];
                untracked[eni] = untracked[same];
                ruleIds[eni] = ruleIds[same];
                groupIds[eni] = groupIds[same];
                continue;
            }

            final List<SecurityGroup> eniGroups = new ArrayList<>();
            for (final String groupId : groupList)
            {
                eniGroups.add(groupById.get(groupId));
            }
            final List<String> ruleIdList = new ArrayList<>();
            final List<String> groupIdList = new ArrayList<>();
            boolean inboundAllAnywhere = false;
            boolean outboundAllAnywhere = false;
            for (final SecurityGroup group : eniGroups)
            {
                for (final SgRule rule : group.rules())
                {
                    ruleIdList.add(rule.ruleId());
                    groupIdList.add(group.id());
                    if (rule.isAllTrafficAnywhere())
                    {
                        inboundAllAnywhere |= !rule.egress();
                        outboundAllAnywhere |= rule.egress();
                    }
                }
            }
            sgInbound[eni] = compileGroups(eniGroups, false, model);
            sgOutbound[eni] = compileGroups(eniGroups, true, model);
            untracked[eni] = inboundAllAnywhere && outboundAllAnywhere;
            ruleIds[eni] = ruleIdList.toArray(new String[0]);
            groupIds[eni] = groupIdList.toArray(new String[0]);
        }

        return new CompiledAcls(
            naclIdOfSubnet, naclIngress, naclEgress, sgInbound, sgOutbound, untracked, ruleIds, groupIds);
    }

    /**
     * The checks {@link #compile} makes, also used by {@link ReferenceEvaluator} so both accept the same models.
     */
    public static void validate(final AclModel model)
    {
        final Set<String> naclIds = new HashSet<>();
        for (final NetworkAcl nacl : model.nacls())
        {
            if (!naclIds.add(nacl.id()))
            {
                throw new IllegalArgumentException("nacls: id '" + nacl.id() + "' appears twice");
            }
            for (final boolean egress : new boolean[]{ false, true })
            {
                final int count = nacl.entries(egress).size();
                if (count > AclModel.MAX_NACL_ENTRIES_PER_DIRECTION)
                {
                    throw new IllegalArgumentException("network acl " + nacl.id() + ": " + count + " " +
                        (egress ? "egress" : "ingress") + " entries exceed the limit of " +
                        AclModel.MAX_NACL_ENTRIES_PER_DIRECTION + " per direction");
                }
            }
        }
        for (int subnet = 0; subnet < model.naclOfSubnet().size(); subnet++)
        {
            final String naclId = model.naclOfSubnet().get(subnet);
            if (!naclIds.contains(naclId))
            {
                throw new IllegalArgumentException(
                    "naclOfSubnet[" + subnet + "]: unknown network acl '" + naclId + "'");
            }
        }

        final Map<String, SecurityGroup> groupById = new HashMap<>();
        for (final SecurityGroup group : model.groups())
        {
            if (null != groupById.putIfAbsent(group.id(), group))
            {
                throw new IllegalArgumentException("groups: id '" + group.id() + "' appears twice");
            }
        }
        for (final SecurityGroup group : model.groups())
        {
            for (final SgRule rule : group.rules())
            {
                if (null != rule.referencedGroupId() && !groupById.containsKey(rule.referencedGroupId()))
                {
                    throw new IllegalArgumentException("security group " + group.id() + " rule " + rule.ruleId() +
                        ": referencedGroupId '" + rule.referencedGroupId() + "' is not a known security group");
                }
            }
        }
        for (final String groupId : model.members().keySet())
        {
            if (!groupById.containsKey(groupId))
            {
                throw new IllegalArgumentException("members: '" + groupId + "' is not a known security group");
            }
        }

        for (int eni = 0; eni < model.groupsOfEni().size(); eni++)
        {
            final List<String> groupList = model.groupsOfEni().get(eni);
            final String where = "groupsOfEni[" + eni + "]";
            if (groupList.isEmpty())
            {
                throw new IllegalArgumentException(where + ": an ENI has at least one security group");
            }
            if (groupList.size() > model.maxGroupsPerEni())
            {
                throw new IllegalArgumentException(where + ": " + groupList.size() +
                    " security groups exceed maxGroupsPerEni " + model.maxGroupsPerEni());
            }
            int inbound = 0;
            int outbound = 0;
            final Set<String> seen = new HashSet<>();
            for (final String groupId : groupList)
            {
                final SecurityGroup group = groupById.get(groupId);
                if (null == group)
                {
                    throw new IllegalArgumentException(where + ": unknown security group '" + groupId + "'");
                }
                if (!seen.add(groupId))
                {
                    throw new IllegalArgumentException(where + ": security group '" + groupId + "' appears twice");
                }
                for (final SgRule rule : group.rules())
                {
                    if (rule.egress())
                    {
                        outbound++;
                    }
                    else
                    {
                        inbound++;
                    }
                }
            }
            if (inbound > AclModel.MAX_RULES_PER_ENI || outbound > AclModel.MAX_RULES_PER_ENI)
            {
                final boolean isInbound = inbound > AclModel.MAX_RULES_PER_ENI;
                throw new IllegalArgumentException(where + ": " + (isInbound ? inbound : outbound) + " " +
                    (isInbound ? "inbound" : "outbound") + " rules across " + groupList + " exceed the limit of " +
                    AclModel.MAX_RULES_PER_ENI + " per network interface");
            }
        }
    }

    private static Classifier[] compileNacl(final NetworkAcl nacl)
    {
        final Classifier[] pair = new Classifier[2];
        for (int direction = 0; direction < 2; direction++)
        {
            final List<NaclEntry> entries = nacl.entries(1 == direction);
            final ClassifierBuilder builder = new ClassifierBuilder(entries.size());
            for (final NaclEntry entry : entries)
            {
                final int rule = builder.addRule(entry.protocol(), entry.fromPort(), entry.toPort(),
                    entry.icmpType(), entry.icmpCode(), Verdict.nacl(entry.allow(), entry.ruleNumber()));
                builder.addCidr(rule, entry.cidrAddress(), entry.cidrPrefixLength());
            }
            pair[direction] = builder.build(Verdict.IMPLICIT_DENY);
        }

        return pair;
    }

    private static Classifier compileGroups(
        final List<SecurityGroup> groups, final boolean egress, final AclModel model)
    {
        int count = 0;
        for (final SecurityGroup group : groups)
        {
            for (final SgRule rule : group.rules())
            {
                count += rule.egress() == egress ? 1 : 0;
            }
        }

        final ClassifierBuilder builder = new ClassifierBuilder(count);
        int ruleIndex = 0;
        for (final SecurityGroup group : groups)
        {
            for (final SgRule rule : group.rules())
            {
                if (rule.egress() == egress)
                {
                    final int bit = builder.addRule(rule.protocol(), rule.fromPort(), rule.toPort(),
                        rule.icmpType(), rule.icmpCode(), ruleIndex);
                    if (null == rule.referencedGroupId())
                    {
                        builder.addCidr(bit, rule.cidrAddress(), rule.cidrPrefixLength());
                    }
                    else
                    {
                        final int[] members = model.membersOf(rule.referencedGroupId());
                        Arrays.sort(members);
                        for (int i = 0; i < members.length; i++)
                        {
                            if (0 == i || members[i] != members[i - 1])
                            {
                                builder.addCidr(bit, members[i], 32);
                            }
                        }
                    }
                }
                ruleIndex++;
            }
        }

        return builder.build(Verdict.DENY);
    }
}
