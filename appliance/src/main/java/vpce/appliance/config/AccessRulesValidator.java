package vpce.appliance.config;

import vpce.appliance.config.ApplianceConfig.NetworkAcl;
import vpce.appliance.config.ApplianceConfig.NetworkAclEntry;
import vpce.appliance.config.ApplianceConfig.SecurityGroup;
import vpce.appliance.config.ApplianceConfig.SecurityGroupRule;
import vpce.appliance.config.ApplianceModel.EndpointSpec;
import vpce.appliance.config.ApplianceModel.EniSpec;
import vpce.appliance.config.ApplianceModel.NaclEntrySpec;
import vpce.appliance.config.ApplianceModel.NetworkAclSpec;
import vpce.appliance.config.ApplianceModel.SecurityGroupRuleSpec;
import vpce.appliance.config.ApplianceModel.SecurityGroupSpec;
import vpce.appliance.config.ApplianceModel.VpcSpec;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

import static vpce.appliance.config.ConfigValidator.address;
import static vpce.appliance.config.ConfigValidator.bad;
import static vpce.appliance.config.ConfigValidator.cidr;
import static vpce.appliance.config.ConfigValidator.element;
import static vpce.appliance.config.ConfigValidator.id;
import static vpce.appliance.config.ConfigValidator.required;

/**
 * Network ACLs and security groups of the configuration, checked as EC2 checks them and
 * resolved into the typed model, together with the defaults every VPC has: a default network ACL
 * that allows everything (entry 100 both ways) and a default security group (all inbound from its
 * own members, all outbound). A configured ACL or group with a default's id replaces it, as
 * editing the default does in EC2.
 */
final class AccessRulesValidator
{
    static final int PROTOCOL_ALL = -1;
    static final int PROTOCOL_ICMP = 1;
    static final int PROTOCOL_TCP = 6;
    static final int PROTOCOL_UDP = 17;
    static final int MIN_RULE_NUMBER = 1;
    static final int MAX_RULE_NUMBER = 32766;
    /** EC2's quota for entries per network ACL and direction can be raised to 40. */
    static final int MAX_ENTRIES_PER_DIRECTION = 40;
    static final int DEFAULT_GROUPS_PER_ENI = 5;
    static final int MAX_GROUPS_PER_ENI = 16;
    /** EC2: rules per security group x security groups per network interface may not exceed 1000. */
    static final int MAX_RULES_PER_ENI = 1000;
    private static final Pattern ACL_ID = Pattern.compile("acl-[0-9a-f]{8,17}");
    private static final Pattern GROUP_ID = Pattern.compile("sg-[0-9a-f]{8,17}");

    private AccessRulesValidator()
    {
    }

    static String defaultNetworkAclId(final String vpcId)
    {
        return "acl-" + vpcId.substring("vpc-".length());
    }

    static String defaultSecurityGroupId(final String vpcId)
    {
        return "sg-" + vpcId.substring("vpc-".length());
    }

    static int securityGroupsPerEni(final ApplianceConfig.Limits limits) throws ConfigException
    {
        if (limits == null || limits.securityGroupsPerEni() == null)
        {
            return DEFAULT_GROUPS_PER_ENI;
        }
        final int value = limits.securityGroupsPerEni();
        if (value < 1 || value > MAX_GROUPS_PER_ENI)
        {
            throw bad("limits.securityGroupsPerEni", value, "must be 1.." + MAX_GROUPS_PER_ENI + " (the range AWS allows)");
        }
        return value;
    }

    static List<NetworkAclSpec> networkAcls(final List<NetworkAcl> configured, final List<VpcSpec> vpcs)
        throws ConfigException
    {
        final Map<String, NetworkAclSpec> acls = new LinkedHashMap<>();
        for (final VpcSpec vpc : vpcs)
        {
            acls.put(vpc.defaultNetworkAclId(), new NetworkAclSpec(vpc.defaultNetworkAclId(), vpc.id(), List.of(
                new NaclEntrySpec(100, false, PROTOCOL_ALL, true, Ipv4.Cidr.parse("0.0.0.0/0"), 0, 65535, -1, -1),
                new NaclEntrySpec(100, true, PROTOCOL_ALL, true, Ipv4.Cidr.parse("0.0.0.0/0"), 0, 65535, -1, -1))));
        }
        final Set<String> seen = new HashSet<>();
        for (int i = 0; i < configured.size(); i++)
        {
            final String at = "networkAcls[" + i + "]";
            final NetworkAcl acl = element(configured.get(i), at);
            final String id = id(acl.id(), ACL_ID, at + ".id", "acl-0123456789abcdef0");
            if (!seen.add(id))
            {
                throw bad(at + ".id", id, "is used by another network ACL");
            }
            final String vpcId = vpc(acl.vpc(), vpcs, at + ".vpc");
            final NetworkAclSpec existing = acls.get(id);
            if (existing != null && !existing.vpcId().equals(vpcId))
            {
                throw bad(at + ".vpc", vpcId, "differs from the VPC of " + id);
            }
            final List<NaclEntrySpec> entries = new ArrayList<>();
            final Set<String> numbers = new HashSet<>();
            final List<NetworkAclEntry> entryConfigs = acl.entries() == null ? List.of() : acl.entries();
            for (int e = 0; e < entryConfigs.size(); e++)
            {
                final NaclEntrySpec entry = entry(element(entryConfigs.get(e), at + ".entries[" + e + "]"), at + ".entries[" + e + "]");
                if (!numbers.add(entry.egress() + "/" + entry.ruleNumber()))
                {
                    throw bad(at + ".entries[" + e + "].ruleNumber", entry.ruleNumber(),
                        "is used twice in the " + (entry.egress() ? "egress" : "ingress") + " entries");
                }
                entries.add(entry);
            }
            for (final boolean egress : new boolean[] {false, true})
            {
                if (entries.stream().filter(n -> n.egress() == egress).count() > MAX_ENTRIES_PER_DIRECTION)
                {
                    throw new ConfigException(at + ".entries: more than " + MAX_ENTRIES_PER_DIRECTION + " " +
                        (egress ? "egress" : "ingress") + " entries");
                }
            }
            // A new custom network ACL denies everything until entries are added: no implicit allow.
            acls.put(id, new NetworkAclSpec(id, vpcId, List.copyOf(entries)));
        }
        return List.copyOf(acls.values());
    }

    private static NaclEntrySpec entry(final NetworkAclEntry entry, final String at) throws ConfigException
    {
        if (entry.ruleNumber() == null)
        {
            throw new ConfigException(at + ".ruleNumber: is required");
        }
        final int number = entry.ruleNumber();
        if (number < MIN_RULE_NUMBER || number > MAX_RULE_NUMBER)
        {
            throw bad(at + ".ruleNumber", number, "must be " + MIN_RULE_NUMBER + ".." + MAX_RULE_NUMBER);
        }
        final int protocol = protocol(entry.protocol(), at + ".protocol");
        final String action = required(entry.ruleAction(), at + ".ruleAction").toLowerCase(Locale.ROOT);
        if (!action.equals("allow") && !action.equals("deny"))
        {
            throw bad(at + ".ruleAction", entry.ruleAction(), "is not one of allow, deny");
        }
        final Ipv4.Cidr cidr = cidr(entry.cidrBlock(), at + ".cidrBlock");
        int fromPort = 0;
        int toPort = 65535;
        int icmpType = -1;
        int icmpCode = -1;
        if (protocol == PROTOCOL_TCP || protocol == PROTOCOL_UDP)
        {
            if (entry.portRange() == null || entry.portRange().from() == null || entry.portRange().to() == null)
            {
                throw new ConfigException(at + ".portRange: from and to are required for protocol " + entry.protocol());
            }
            fromPort = port(entry.portRange().from(), at + ".portRange.from");
            toPort = port(entry.portRange().to(), at + ".portRange.to");
            if (fromPort > toPort)
            {
                throw bad(at + ".portRange", fromPort + "-" + toPort, "has from > to");
            }
        }
        else if (protocol == PROTOCOL_ICMP)
        {
            if (entry.icmpTypeCode() == null || entry.icmpTypeCode().type() == null)
            {
                throw new ConfigException(at + ".icmpTypeCode: type is required for protocol icmp (-1: any)");
            }
            icmpType = icmp(entry.icmpTypeCode().type(), at + ".icmpTypeCode.type");
            icmpCode = entry.icmpTypeCode().code() == null ? -1 : icmp(entry.icmpTypeCode().code(), at + ".icmpTypeCode.code");
        }
        return new NaclEntrySpec(number, Boolean.TRUE.equals(entry.egress()), protocol, action.equals("allow"), cidr,
            fromPort, toPort, icmpType, icmpCode);
    }

    /** The groups without members yet; {@link #withMembers} adds the endpoint ENIs. */
    static List<SecurityGroupSpec> securityGroups(final List<SecurityGroup> configured, final List<VpcSpec> vpcs)
        throws ConfigException
    {
        final Map<String, SecurityGroupSpec> groups = new LinkedHashMap<>();
        for (final VpcSpec vpc : vpcs)
        {
            final String id = vpc.defaultSecurityGroupId();
            groups.put(id, new SecurityGroupSpec(id, vpc.id(), List.of(
                new SecurityGroupRuleSpec(ruleId(id, false, 0), false, PROTOCOL_ALL, 0, 65535, -1, -1, null, id),
                new SecurityGroupRuleSpec(ruleId(id, true, 0), true, PROTOCOL_ALL, 0, 65535, -1, -1,
                    Ipv4.Cidr.parse("0.0.0.0/0"), null)), List.of()));
        }
        final Set<String> seen = new HashSet<>();
        final List<String[]> references = new ArrayList<>();
        for (int i = 0; i < configured.size(); i++)
        {
            final String at = "securityGroups[" + i + "]";
            final SecurityGroup group = element(configured.get(i), at);
            final String id = id(group.id(), GROUP_ID, at + ".id", "sg-0123456789abcdef0");
            if (!seen.add(id))
            {
                throw bad(at + ".id", id, "is used by another security group");
            }
            final String vpcId = vpc(group.vpc(), vpcs, at + ".vpc");
            final SecurityGroupSpec existing = groups.get(id);
            if (existing != null && !existing.vpcId().equals(vpcId))
            {
                throw bad(at + ".vpc", vpcId, "differs from the VPC of " + id);
            }
            final List<SecurityGroupRuleSpec> rules = new ArrayList<>();
            for (final boolean egress : new boolean[] {false, true})
            {
                final List<SecurityGroupRule> ruleConfigs = egress ? group.egress() : group.ingress();
                final String direction = egress ? ".egress" : ".ingress";
                for (int r = 0; ruleConfigs != null && r < ruleConfigs.size(); r++)
                {
                    final String rat = at + direction + "[" + r + "]";
                    final SecurityGroupRuleSpec rule = rule(element(ruleConfigs.get(r), rat), rat, ruleId(id, egress, r), egress);
                    if (rule.referencedGroupId() != null)
                    {
                        references.add(new String[] {rat + ".groupId", rule.referencedGroupId(), vpcId});
                    }
                    rules.add(rule);
                }
            }
            final List<Integer> members = new ArrayList<>();
            for (int m = 0; group.members() != null && m < group.members().size(); m++)
            {
                members.add(address(group.members().get(m), at + ".members[" + m + "]"));
            }
            groups.put(id, new SecurityGroupSpec(id, vpcId, List.copyOf(rules), List.copyOf(members)));
        }
        for (final String[] reference : references)
        {
            final SecurityGroupSpec target = groups.get(reference[1]);
            if (target == null)
            {
                throw bad(reference[0], reference[1], "names no security group");
            }
            if (!target.vpcId().equals(reference[2]))
            {
                throw bad(reference[0], reference[1], "is in " + target.vpcId() + ", another VPC");
            }
        }
        return List.copyOf(groups.values());
    }

    private static SecurityGroupRuleSpec rule(
        final SecurityGroupRule rule, final String at, final String ruleId, final boolean egress) throws ConfigException
    {
        final int protocol = protocol(rule.protocol(), at + ".protocol");
        int fromPort = 0;
        int toPort = 65535;
        int icmpType = -1;
        int icmpCode = -1;
        if (protocol == PROTOCOL_TCP || protocol == PROTOCOL_UDP)
        {
            if (rule.fromPort() == null || rule.toPort() == null)
            {
                throw new ConfigException(at + ": fromPort and toPort are required for protocol " + rule.protocol());
            }
            fromPort = port(rule.fromPort(), at + ".fromPort");
            toPort = port(rule.toPort(), at + ".toPort");
            if (fromPort > toPort)
            {
                throw bad(at + ".fromPort", fromPort, "is above toPort " + toPort);
            }
        }
        else if (protocol == PROTOCOL_ICMP)
        {
            // EC2 IpPermission: FromPort is the ICMP type, ToPort the code, -1 for any.
            icmpType = rule.fromPort() == null ? -1 : icmp(rule.fromPort(), at + ".fromPort");
            icmpCode = rule.toPort() == null ? -1 : icmp(rule.toPort(), at + ".toPort");
        }
        if ((rule.cidrIp() == null) == (rule.groupId() == null))
        {
            throw new ConfigException(at + ": give exactly one of cidrIp and groupId");
        }
        final Ipv4.Cidr cidr = rule.cidrIp() == null ? null : cidr(rule.cidrIp(), at + ".cidrIp");
        final String groupId = rule.groupId() == null ? null : id(rule.groupId(), GROUP_ID, at + ".groupId", "sg-0123456789abcdef0");
        return new SecurityGroupRuleSpec(ruleId, egress, protocol, fromPort, toPort, icmpType, icmpCode, cidr, groupId);
    }

    /** Resolves an endpoint's groups (the VPC's default when none are named) and checks the quotas. */
    static List<String> endpointGroups(
        final List<String> named,
        final String vpcId,
        final List<VpcSpec> vpcs,
        final List<SecurityGroupSpec> groups,
        final int groupsPerEni,
        final String at) throws ConfigException
    {
        if (named == null || named.isEmpty())
        {
            final VpcSpec vpc = vpcs.stream().filter(v -> v.id().equals(vpcId)).findFirst().orElseThrow();
            return List.of(vpc.defaultSecurityGroupId());
        }
        final Set<String> ids = new LinkedHashSet<>();
        int rules = 0;
        for (int g = 0; g < named.size(); g++)
        {
            final String gat = at + "[" + g + "]";
            final String id = id(named.get(g), GROUP_ID, gat, "sg-0123456789abcdef0");
            final SecurityGroupSpec group = groups.stream().filter(s -> s.id().equals(id)).findFirst()
                .orElseThrow(() -> bad(gat, id, "names no security group"));
            if (!group.vpcId().equals(vpcId))
            {
                throw bad(gat, id, "is in " + group.vpcId() + ", not in the endpoint's VPC " + vpcId);
            }
            if (!ids.add(id))
            {
                throw bad(gat, id, "is named twice");
            }
            rules += group.rules().size();
        }
        if (ids.size() > groupsPerEni)
        {
            throw bad(at, named, "has " + ids.size() + " groups; limits.securityGroupsPerEni is " + groupsPerEni);
        }
        if (rules > MAX_RULES_PER_ENI)
        {
            throw bad(at, named, "brings " + rules + " rules to each ENI; EC2 allows " + MAX_RULES_PER_ENI);
        }
        return List.copyOf(ids);
    }

    /** Adds the private address of every ENI to the groups of its endpoint. */
    static List<SecurityGroupSpec> withMembers(final List<SecurityGroupSpec> groups, final List<EndpointSpec> endpoints)
    {
        final List<SecurityGroupSpec> result = new ArrayList<>();
        for (final SecurityGroupSpec group : groups)
        {
            final List<Integer> members = new ArrayList<>(group.members());
            for (final EndpointSpec endpoint : endpoints)
            {
                if (endpoint.securityGroupIds().contains(group.id()))
                {
                    for (final EniSpec eni : endpoint.enis())
                    {
                        members.add(eni.address());
                    }
                }
            }
            result.add(new SecurityGroupSpec(group.id(), group.vpcId(), group.rules(), List.copyOf(members)));
        }
        return List.copyOf(result);
    }

    /** A stable rule id in EC2's format, derived from the group, direction and position. */
    static String ruleId(final String groupId, final boolean egress, final int index)
    {
        final long hash = (groupId.hashCode() * 0x9E3779B97F4A7C15L) ^ ((egress ? 1L : 0L) << 40) ^ index;
        return String.format(Locale.ROOT, "sgr-%017x", (hash ^ (hash >>> 29)) & 0x0FFF_FFFF_FFFF_FFFFL);
    }

    static int protocol(final String text, final String at) throws ConfigException
    {
        final String value = required(text, at).toLowerCase(Locale.ROOT);
        switch (value)
        {
            case "-1", "all":
                return PROTOCOL_ALL;
            case "tcp":
                return PROTOCOL_TCP;
            case "udp":
                return PROTOCOL_UDP;
            case "icmp":
                return PROTOCOL_ICMP;
            default:
                if (value.matches("\\d{1,3}") && Integer.parseInt(value) <= 255)
                {
                    return Integer.parseInt(value);
                }
                throw bad(at, text, "is not a protocol (-1/all, tcp, udp, icmp or a number 0-255)");
        }
    }

    private static int port(final int value, final String at) throws ConfigException
    {
        if (value < 0 || value > 65535)
        {
            throw bad(at, value, "is not a port (0-65535)");
        }
        return value;
    }

    private static int icmp(final int value, final String at) throws ConfigException
    {
        if (value < -1 || value > 255)
        {
            throw bad(at, value, "is not an ICMP type or code (-1 for any, 0-255)");
        }
        return value;
    }

    private static String vpc(final String text, final List<VpcSpec> vpcs, final String at) throws ConfigException
    {
        final String vpcId = required(text, at);
        if (vpcs.stream().noneMatch(v -> v.id().equals(vpcId)))
        {
            throw bad(at, vpcId, "names no VPC in vpcs");
        }
        return vpcId;
    }
}
