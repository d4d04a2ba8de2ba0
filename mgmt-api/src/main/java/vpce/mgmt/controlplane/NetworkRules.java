package vpce.mgmt.controlplane;

import vpce.mgmt.ApiException;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The network model's actions (VPCs, subnets, security groups, network ACLs) as transaction bodies: validate first,
 * then write. Every refusal is thrown before the transaction holds a write that matters (the transaction is dropped
 * anyway when anything throws).
 */
final class NetworkRules
{
    static final int RULES_PER_GROUP_DIRECTION = 60;
    static final int ACL_ENTRIES_PER_DIRECTION = 20;
    private static final String GROUP_TEXT = "[A-Za-z0-9 ._\\-:/()#,@\\[\\]+=&;{}!$*]*";

    private NetworkRules()
    {
    }

    // ---------------------------------------------------------------- VPCs

    static Vpc createVpc(final Transaction tx, final String cidrBlock, final Map<String, String> tags)
    {
        final Ipv4Cidr cidr = Refusals.cidr(cidrBlock, "CidrBlock");
        if (cidr.prefixLength() < 16 || cidr.prefixLength() > 28)
        {
            throw new ApiException("InvalidVpc.Range", "The CIDR '" + cidrBlock + "' is invalid: VPC blocks are /16 to /28.");
        }
        final int first = cidr.network() >>> 24;
        if (first == 0 || first == 127 || first >= 224 || (cidr.network() & 0xFFFF0000) == 0xA9FE0000)
        {
            throw new ApiException("InvalidVpc.Range", "The CIDR '" + cidrBlock + "' is reserved and cannot be a VPC block.");
        }
        final Map<String, String> validTags = Tags.validate(tags);
        final String owner = tx.caller();
        final String vpcId = tx.newId(ResourceKind.VPC);
        final String groupId = tx.newId(ResourceKind.SECURITY_GROUP);
        final String aclId = tx.newId(ResourceKind.NETWORK_ACL);
        final Vpc vpc = new Vpc(vpcId, owner, cidrBlock, tx.newSubId("vpc-cidr-assoc-"), true, false, groupId, aclId,
            validTags, tx.nowMs());
        tx.put(vpc);
        tx.put(new SecurityGroup(groupId, "default", "default VPC security group", vpcId, owner, List.of(
            new SecurityGroupRule(tx.newSubId("sgr-"), groupId, false, "-1", -1, -1, null, groupId, null),
            new SecurityGroupRule(tx.newSubId("sgr-"), groupId, true, "-1", -1, -1, "0.0.0.0/0", null, null)),
            Map.of(), tx.nowMs()));
        tx.put(new NetworkAcl(aclId, vpcId, owner, true, List.of(
            NetworkAclEntry.allowAll(100, false), NetworkAclEntry.allowAll(100, true),
            NetworkAclEntry.defaultDeny(false), NetworkAclEntry.defaultDeny(true)), List.of(), Map.of(), tx.nowMs()));
        return vpc;
    }

    static void deleteVpc(final Transaction tx, final String vpcId)
    {
        final Vpc vpc = Refusals.vpc(tx, vpcId);
        final String dependencies = "The vpc '" + vpcId + "' has dependencies and cannot be deleted.";
        if (tx.<Subnet>all(ResourceKind.SUBNET).stream().anyMatch(subnet -> subnet.vpcId().equals(vpcId)))
        {
            throw Refusals.dependencyViolation(dependencies + " (subnets)");
        }
        if (tx.<SecurityGroup>all(ResourceKind.SECURITY_GROUP).stream()
            .anyMatch(group -> group.vpcId().equals(vpcId) && !group.groupId().equals(vpc.defaultSecurityGroupId())))
        {
            throw Refusals.dependencyViolation(dependencies + " (security groups)");
        }
        if (tx.<NetworkAcl>all(ResourceKind.NETWORK_ACL).stream()
            .anyMatch(acl -> acl.vpcId().equals(vpcId) && !acl.isDefault()))
        {
            throw Refusals.dependencyViolation(dependencies + " (network ACLs)");
        }
        final List<VpcEndpoint> endpoints = tx.<VpcEndpoint>all(ResourceKind.VPC_ENDPOINT).stream()
            .filter(endpoint -> endpoint.vpcId().equals(vpcId)).toList();
        if (endpoints.stream().anyMatch(endpoint -> endpoint.state() != EndpointState.DELETED))
        {
            throw Refusals.dependencyViolation(dependencies + " (VPC endpoints)");
        }
        for (final VpcEndpoint endpoint : endpoints)
        {
            EndpointRules.forget(tx, endpoint);
        }
        tx.remove(ResourceKind.SECURITY_GROUP, vpc.defaultSecurityGroupId());
        tx.remove(ResourceKind.NETWORK_ACL, vpc.defaultNetworkAclId());
        tx.remove(ResourceKind.VPC, vpcId);
    }

    static void modifyVpcAttribute(final Transaction tx, final String vpcId, final VpcAttribute attribute, final boolean value)
    {
        final Vpc vpc = Refusals.vpc(tx, vpcId);
        if (attribute == null)
        {
            throw Refusals.missing("EnableDnsSupport or EnableDnsHostnames");
        }
        final boolean current = attribute == VpcAttribute.ENABLE_DNS_SUPPORT ? vpc.enableDnsSupport() : vpc.enableDnsHostnames();
        if (current == value)
        {
            return;
        }
        if (!value && tx.<VpcEndpoint>all(ResourceKind.VPC_ENDPOINT).stream()
            .anyMatch(endpoint -> endpoint.vpcId().equals(vpcId) && endpoint.privateDnsEnabled() &&
                endpoint.state() != EndpointState.DELETED))
        {
            // Private DNS needs both attributes; keeping that true at all times lets the DNS responder trust it.
            throw Refusals.invalidParameter("Cannot disable " + attribute.wireName() + " on " + vpcId +
                ": it has VPC endpoints with private DNS enabled.");
        }
        tx.put(attribute == VpcAttribute.ENABLE_DNS_SUPPORT ? vpc.withDnsSupport(value) : vpc.withDnsHostnames(value));
    }

    // ---------------------------------------------------------------- subnets

    static Subnet createSubnet(final Transaction tx, final String vpcId, final String cidrBlock, final String zoneName,
        final String zoneId, final Map<String, String> tags)
    {
        final Vpc vpc = Refusals.vpc(tx, vpcId);
        final Ipv4Cidr cidr = Refusals.cidr(cidrBlock, "CidrBlock");
        if (cidr.prefixLength() < 16 || cidr.prefixLength() > 28 || !Ipv4Cidr.parseOrNull(vpc.cidrBlock()).contains(cidr))
        {
            throw new ApiException("InvalidSubnet.Range", "The CIDR '" + cidrBlock + "' is invalid for " + vpcId +
                " (" + vpc.cidrBlock() + "): a subnet is a /16 to /28 inside its VPC.");
        }
        for (final Subnet other : tx.<Subnet>all(ResourceKind.SUBNET))
        {
            if (other.vpcId().equals(vpcId) && other.cidr().overlaps(cidr))
            {
                throw new ApiException("InvalidSubnet.Conflict", "The CIDR '" + cidrBlock + "' conflicts with another subnet");
            }
        }
        final AvailabilityZone zone = zone(tx.settings(), zoneName, zoneId);
        final Map<String, String> validTags = Tags.validate(tags);
        final Subnet subnet = new Subnet(tx.newId(ResourceKind.SUBNET), vpcId, tx.caller(), cidrBlock,
            zone.zoneName(), zone.zoneId(), validTags, tx.nowMs());
        tx.put(subnet);
        final NetworkAcl defaultAcl = tx.networkAcl(vpc.defaultNetworkAclId());
        final List<NetworkAclAssociation> associations = new ArrayList<>(defaultAcl.associations());
        associations.add(new NetworkAclAssociation(tx.newSubId(NetworkAclAssociation.ID_PREFIX), defaultAcl.networkAclId(),
            subnet.subnetId()));
        tx.put(defaultAcl.withAssociations(associations));
        return subnet;
    }

    private static AvailabilityZone zone(final ControlPlaneSettings settings, final String zoneName, final String zoneId)
    {
        final String names = settings.availabilityZones().stream().map(AvailabilityZone::zoneName).toList().toString();
        final AvailabilityZone byName = zoneName == null ? null : settings.zoneByName(zoneName);
        if (zoneName != null && byName == null)
        {
            throw Refusals.invalidValue("availabilityZone", zoneName,
                "Subnets can currently only be created in the following availability zones: " + names + ".");
        }
        final AvailabilityZone byId = zoneId == null ? null : settings.zoneById(zoneId);
        if (zoneId != null && byId == null)
        {
            throw Refusals.invalidValue("availabilityZoneId", zoneId, "No such availability zone id in " + settings.region() + ".");
        }
        if (byName != null && byId != null && !byName.equals(byId))
        {
            throw new ApiException("InvalidParameterCombination",
                "The availability zone " + zoneName + " is not the zone with id " + zoneId + ".");
        }
        return byName != null ? byName : byId != null ? byId : settings.availabilityZones().getFirst();
    }

    static void deleteSubnet(final Transaction tx, final String subnetId)
    {
        Refusals.subnet(tx, subnetId);
        if (tx.<NetworkInterface>all(ResourceKind.NETWORK_INTERFACE).stream().anyMatch(eni -> eni.subnetId().equals(subnetId)))
        {
            throw Refusals.dependencyViolation("The subnet '" + subnetId + "' has dependencies and cannot be deleted.");
        }
        for (final NetworkAcl acl : List.copyOf(tx.<NetworkAcl>all(ResourceKind.NETWORK_ACL)))
        {
            if (acl.associations().stream().anyMatch(association -> association.subnetId().equals(subnetId)))
            {
                tx.put(acl.withAssociations(acl.associations().stream()
                    .filter(association -> !association.subnetId().equals(subnetId)).toList()));
            }
        }
        tx.remove(ResourceKind.SUBNET, subnetId);
    }

    // ---------------------------------------------------------------- security groups

    static SecurityGroup createSecurityGroup(final Transaction tx, final String vpcId, final String groupName,
        final String description, final Map<String, String> tags)
    {
        if (vpcId == null || vpcId.isEmpty())
        {
            throw new ApiException("VPCIdNotSpecified", "No default VPC for this user: give a VpcId");
        }
        Refusals.vpc(tx, vpcId);
        Refusals.required(groupName, "GroupName");
        Refusals.required(description, "GroupDescription");
        if (groupName.length() > 255 || !groupName.matches(GROUP_TEXT) || groupName.startsWith("sg-"))
        {
            throw Refusals.invalidValue("GroupName", groupName,
                "Names are up to 255 characters of a-z A-Z 0-9 spaces ._-:/()#,@[]+=&;{}!$* and cannot start with sg-.");
        }
        if (description.length() > 255 || !description.matches(GROUP_TEXT))
        {
            throw Refusals.invalidValue("GroupDescription", description,
                "Descriptions are up to 255 characters of a-z A-Z 0-9 spaces ._-:/()#,@[]+=&;{}!$*.");
        }
        if (groupName.equalsIgnoreCase("default"))
        {
            throw new ApiException("InvalidGroup.Reserved", "The security group 'default' is reserved");
        }
        if (tx.<SecurityGroup>all(ResourceKind.SECURITY_GROUP).stream()
            .anyMatch(group -> group.vpcId().equals(vpcId) && group.groupName().equals(groupName)))
        {
            throw new ApiException("InvalidGroup.Duplicate",
                "The security group '" + groupName + "' already exists for VPC '" + vpcId + "'");
        }
        final Map<String, String> validTags = Tags.validate(tags);
        final String groupId = tx.newId(ResourceKind.SECURITY_GROUP);
        final SecurityGroup group = new SecurityGroup(groupId, groupName, description, vpcId, tx.caller(),
            List.of(new SecurityGroupRule(tx.newSubId("sgr-"), groupId, true, "-1", -1, -1, "0.0.0.0/0", null, null)),
            validTags, tx.nowMs());
        tx.put(group);
        return group;
    }

    /** Finds a group by id, or by name when no id is given (the name must name one group only). */
    static SecurityGroup groupByIdOrName(final Transaction tx, final String groupId, final String groupName)
    {
        if (groupId != null && !groupId.isEmpty())
        {
            return Refusals.securityGroup(tx, groupId);
        }
        if (groupName == null || groupName.isEmpty())
        {
            throw Refusals.missing("GroupId");
        }
        final List<SecurityGroup> named = tx.<SecurityGroup>all(ResourceKind.SECURITY_GROUP).stream()
            .filter(group -> group.groupName().equals(groupName)).toList();
        if (named.isEmpty())
        {
            throw new ApiException("InvalidGroup.NotFound", "The security group '" + groupName + "' does not exist");
        }
        if (named.size() > 1)
        {
            throw new ApiException("InvalidParameterCombination",
                "Several VPCs have a security group named '" + groupName + "': give its GroupId");
        }
        return named.getFirst();
    }

    static void deleteSecurityGroup(final Transaction tx, final String groupId, final String groupName)
    {
        final SecurityGroup group = groupByIdOrName(tx, groupId, groupName);
        final String id = group.groupId();
        if (tx.vpc(group.vpcId()).defaultSecurityGroupId().equals(id))
        {
            throw new ApiException("CannotDelete",
                "the specified group: \"" + id + "\" name: \"default\" cannot be deleted by a user");
        }
        if (tx.<VpcEndpoint>all(ResourceKind.VPC_ENDPOINT).stream()
            .anyMatch(endpoint -> endpoint.state() != EndpointState.DELETED && endpoint.securityGroupIds().contains(id)))
        {
            throw Refusals.dependencyViolation("resource " + id + " has a dependent object (a VPC endpoint uses it)");
        }
        for (final SecurityGroup other : tx.<SecurityGroup>all(ResourceKind.SECURITY_GROUP))
        {
            if (!other.groupId().equals(id) && other.rules().stream().anyMatch(rule -> id.equals(rule.referencedGroupId())))
            {
                throw Refusals.dependencyViolation("resource " + id + " has a dependent object (a rule of " +
                    other.groupId() + " refers to it)");
            }
        }
        tx.remove(ResourceKind.SECURITY_GROUP, id);
    }

    static List<SecurityGroupRule> authorize(final Transaction tx, final String groupId, final boolean egress,
        final List<IpPermission> permissions)
    {
        final SecurityGroup group = Refusals.securityGroup(tx, groupId);
        if (permissions == null || permissions.isEmpty())
        {
            throw Refusals.missing("IpPermissions");
        }
        final List<SecurityGroupRule> added = new ArrayList<>();
        for (final SecurityGroupRule rule : rulesOf(tx, group, egress, permissions))
        {
            final SecurityGroupRule withId = new SecurityGroupRule(tx.newSubId("sgr-"), rule.groupId(), rule.egress(),
                rule.ipProtocol(), rule.fromPort(), rule.toPort(), rule.cidrIpv4(), rule.referencedGroupId(), rule.description());
            if (group.rules().stream().anyMatch(withId::sameAs) || added.stream().anyMatch(withId::sameAs))
            {
                throw new ApiException("InvalidPermission.Duplicate", "the specified rule \"peer: " +
                    (rule.cidrIpv4() != null ? rule.cidrIpv4() : rule.referencedGroupId()) + ", " + rule.ipProtocol() +
                    ", from port: " + rule.fromPort() + ", to port: " + rule.toPort() + ", ALLOW\" already exists");
            }
            added.add(withId);
        }
        if (group.rules(egress).size() + added.size() > RULES_PER_GROUP_DIRECTION)
        {
            throw new ApiException("RulesPerSecurityGroupLimitExceeded", "The maximum number of rules per security group " +
                "(" + RULES_PER_GROUP_DIRECTION + " per direction) has been reached.");
        }
        final List<SecurityGroupRule> rules = new ArrayList<>(group.rules());
        rules.addAll(added);
        tx.put(group.withRules(rules));
        return added;
    }

    static void revoke(final Transaction tx, final String groupId, final boolean egress, final List<IpPermission> permissions,
        final List<String> ruleIds)
    {
        final SecurityGroup group = Refusals.securityGroup(tx, groupId);
        final boolean byPermission = permissions != null && !permissions.isEmpty();
        final boolean byId = ruleIds != null && !ruleIds.isEmpty();
        if (!byPermission && !byId)
        {
            throw Refusals.missing("IpPermissions or SecurityGroupRuleId");
        }
        final List<SecurityGroupRule> remaining = new ArrayList<>(group.rules());
        if (byPermission)
        {
            for (final SecurityGroupRule rule : rulesOf(tx, group, egress, permissions))
            {
                if (!remaining.removeIf(rule::sameAs))
                {
                    throw new ApiException("InvalidPermission.NotFound",
                        "The specified rule does not exist in this security group.");
                }
            }
        }
        if (byId)
        {
            for (final String ruleId : ruleIds)
            {
                if (ruleId == null || !ruleId.matches("sgr-[0-9a-f]{8,17}"))
                {
                    throw new ApiException("InvalidSecurityGroupRuleId.Malformed",
                        "Invalid id: '" + ruleId + "' (expecting 'sgr-...')");
                }
                if (!remaining.removeIf(rule -> rule.securityGroupRuleId().equals(ruleId) && rule.egress() == egress))
                {
                    throw new ApiException("InvalidSecurityGroupRuleId.NotFound", "The security group rule ID '" + ruleId +
                        "' does not exist in the " + (egress ? "outbound" : "inbound") + " rules of " + groupId);
                }
            }
        }
        tx.put(group.withRules(remaining));
    }

    /** @return one rule (without id) per range and per group of each permission, validated. */
    private static List<SecurityGroupRule> rulesOf(final Transaction tx, final SecurityGroup group, final boolean egress,
        final List<IpPermission> permissions)
    {
        final List<SecurityGroupRule> rules = new ArrayList<>();
        for (final IpPermission permission : permissions)
        {
            if (!permission.ipv6Ranges().isEmpty() || !permission.prefixListIds().isEmpty())
            {
                throw new ApiException("InvalidParameterValue",
                    "IPv6 ranges and prefix lists are not supported: this appliance carries IPv4 only.");
            }
            final String protocol = SecurityGroupRules.securityGroupProtocol(permission.ipProtocol());
            final int[] ports = SecurityGroupRules.ports(protocol, permission.fromPort(), permission.toPort());
            if (permission.ipRanges().isEmpty() && permission.groups().isEmpty())
            {
                throw Refusals.missing("IpRanges or Groups");
            }
            for (final IpPermission.IpRange range : permission.ipRanges())
            {
                final Ipv4Cidr cidr = Ipv4Cidr.parseOrNull(range.cidrIp());
                if (cidr == null)
                {
                    throw new ApiException("InvalidParameterValue", "CIDR block " + range.cidrIp() + " is malformed");
                }
                description(range.description());
                rules.add(new SecurityGroupRule(null, group.groupId(), egress, protocol, ports[0], ports[1], range.cidrIp(),
                    null, range.description()));
            }
            for (final IpPermission.GroupPair pair : permission.groups())
            {
                final SecurityGroup referenced = referencedGroup(tx, group, pair);
                description(pair.description());
                rules.add(new SecurityGroupRule(null, group.groupId(), egress, protocol, ports[0], ports[1], null,
                    referenced.groupId(), pair.description()));
            }
        }
        return rules;
    }

    private static SecurityGroup referencedGroup(final Transaction tx, final SecurityGroup group, final IpPermission.GroupPair pair)
    {
        if (pair.groupId() != null && !pair.groupId().isEmpty())
        {
            final SecurityGroup referenced = Refusals.securityGroup(tx, pair.groupId());
            if (!referenced.vpcId().equals(group.vpcId()))
            {
                throw new ApiException("InvalidGroup.NotFound", "You have specified two resources that belong to different " +
                    "networks: " + referenced.groupId() + " is in " + referenced.vpcId() + ", " + group.groupId() + " in " +
                    group.vpcId());
            }
            return referenced;
        }
        if (pair.groupName() == null || pair.groupName().isEmpty())
        {
            throw Refusals.missing("Groups.GroupId");
        }
        return tx.<SecurityGroup>all(ResourceKind.SECURITY_GROUP).stream()
            .filter(other -> other.vpcId().equals(group.vpcId()) && other.groupName().equals(pair.groupName()))
            .findFirst()
            .orElseThrow(() -> new ApiException("InvalidGroup.NotFound",
                "The security group '" + pair.groupName() + "' does not exist in " + group.vpcId()));
    }

    private static void description(final String description)
    {
        if (description != null && (description.length() > 255 || !description.matches(GROUP_TEXT)))
        {
            throw Refusals.invalidValue("Description", description, "Rule descriptions are up to 255 characters of " +
                "a-z A-Z 0-9 spaces ._-:/()#,@[]+=&;{}!$*.");
        }
    }

    // ---------------------------------------------------------------- network ACLs

    static NetworkAcl createNetworkAcl(final Transaction tx, final String vpcId, final Map<String, String> tags)
    {
        Refusals.vpc(tx, vpcId);
        final Map<String, String> validTags = Tags.validate(tags);
        final NetworkAcl acl = new NetworkAcl(tx.newId(ResourceKind.NETWORK_ACL), vpcId, tx.caller(), false,
            List.of(NetworkAclEntry.defaultDeny(false), NetworkAclEntry.defaultDeny(true)), List.of(), validTags, tx.nowMs());
        tx.put(acl);
        return acl;
    }

    static void deleteNetworkAcl(final Transaction tx, final String aclId)
    {
        final NetworkAcl acl = Refusals.networkAcl(tx, aclId);
        if (acl.isDefault())
        {
            throw Refusals.invalidParameter("Cannot delete default network ACL " + aclId);
        }
        if (!acl.associations().isEmpty())
        {
            throw Refusals.dependencyViolation("The networkAcl '" + aclId + "' has dependencies and cannot be deleted.");
        }
        tx.remove(ResourceKind.NETWORK_ACL, aclId);
    }

    static void putNetworkAclEntry(final Transaction tx, final String aclId, final NetworkAclEntry requested, final boolean replace)
    {
        final NetworkAcl acl = Refusals.networkAcl(tx, aclId);
        final NetworkAclEntry entry = normalize(requested);
        final NetworkAclEntry existing = acl.entry(entry.ruleNumber(), entry.egress());
        if (replace && existing == null)
        {
            throw entryNotFound(aclId, entry.ruleNumber(), entry.egress());
        }
        if (!replace && existing != null)
        {
            throw new ApiException("NetworkAclEntryAlreadyExists",
                "The network acl entry identified by " + entry.ruleNumber() + " already exists.");
        }
        final List<NetworkAclEntry> entries = new ArrayList<>(acl.entries());
        entries.remove(existing);
        entries.add(entry);
        if (entries.stream().filter(e -> e.egress() == entry.egress() && e.ruleNumber() != NetworkAclEntry.DEFAULT_DENY_RULE)
            .count() > ACL_ENTRIES_PER_DIRECTION)
        {
            throw new ApiException("NetworkAclEntryLimitExceeded", "The maximum number of network ACL entries (" +
                ACL_ENTRIES_PER_DIRECTION + " per direction) has been reached.");
        }
        tx.put(acl.withEntries(entries));
    }

    static void deleteNetworkAclEntry(final Transaction tx, final String aclId, final int ruleNumber, final boolean egress)
    {
        final NetworkAcl acl = Refusals.networkAcl(tx, aclId);
        ruleNumber(ruleNumber);
        final NetworkAclEntry existing = acl.entry(ruleNumber, egress);
        if (existing == null)
        {
            throw entryNotFound(aclId, ruleNumber, egress);
        }
        final List<NetworkAclEntry> entries = new ArrayList<>(acl.entries());
        entries.remove(existing);
        tx.put(acl.withEntries(entries));
    }

    private static ApiException entryNotFound(final String aclId, final int ruleNumber, final boolean egress)
    {
        return new ApiException("InvalidNetworkAclEntry.NotFound", "The specified " + (egress ? "egress" : "ingress") +
            " rule number " + ruleNumber + " does not exist in " + aclId + ".");
    }

    private static void ruleNumber(final int ruleNumber)
    {
        if (ruleNumber < 1 || ruleNumber > NetworkAclEntry.MAX_RULE_NUMBER)
        {
            throw Refusals.invalidValue("RuleNumber", ruleNumber, "Rule numbers are 1 to " + NetworkAclEntry.MAX_RULE_NUMBER + ".");
        }
    }

    /** @return the entry as EC2 stores it: numeric protocol, lower-case action, ports or ICMP only where they apply. */
    private static NetworkAclEntry normalize(final NetworkAclEntry entry)
    {
        ruleNumber(entry.ruleNumber());
        final String protocol = SecurityGroupRules.networkAclProtocol(entry.protocol());
        final String action = entry.ruleAction() == null ? null : entry.ruleAction().toLowerCase(java.util.Locale.ROOT);
        if (!"allow".equals(action) && !"deny".equals(action))
        {
            throw Refusals.invalidValue("RuleAction", entry.ruleAction(), "Expecting allow or deny.");
        }
        Refusals.cidr(entry.cidrBlock(), "CidrBlock");
        return switch (protocol)
        {
            case "6", "17" ->
            {
                final int[] ports = SecurityGroupRules.ports("tcp", entry.portFrom(), entry.portTo());
                yield new NetworkAclEntry(entry.ruleNumber(), entry.egress(), protocol, action, entry.cidrBlock(), null, null,
                    ports[0], ports[1]);
            }
            case "1" ->
            {
                if (entry.icmpType() == null || entry.icmpCode() == null)
                {
                    throw Refusals.missing("Icmp.Type and Icmp.Code (-1 for all)");
                }
                final int[] typeCode = SecurityGroupRules.ports("icmp", entry.icmpType(), entry.icmpCode());
                yield new NetworkAclEntry(entry.ruleNumber(), entry.egress(), protocol, action, entry.cidrBlock(),
                    typeCode[0], typeCode[1], null, null);
            }
            default -> new NetworkAclEntry(entry.ruleNumber(), entry.egress(), protocol, action, entry.cidrBlock(), null, null,
                null, null);
        };
    }

    static String replaceNetworkAclAssociation(final Transaction tx, final String associationId, final String aclId)
    {
        Refusals.required(associationId, "AssociationId");
        if (!associationId.matches("aclassoc-[0-9a-f]{8,17}"))
        {
            throw new ApiException("InvalidAssociationID.Malformed", "Invalid id: '" + associationId + "' (expecting 'aclassoc-...')");
        }
        final NetworkAcl target = Refusals.networkAcl(tx, aclId);
        NetworkAcl current = null;
        NetworkAclAssociation association = null;
        for (final NetworkAcl acl : tx.<NetworkAcl>all(ResourceKind.NETWORK_ACL))
        {
            for (final NetworkAclAssociation candidate : acl.associations())
            {
                if (candidate.networkAclAssociationId().equals(associationId))
                {
                    current = acl;
                    association = candidate;
                }
            }
        }
        if (association == null)
        {
            throw new ApiException("InvalidAssociationID.NotFound", "The association ID '" + associationId + "' does not exist");
        }
        if (!target.vpcId().equals(current.vpcId()))
        {
            throw Refusals.invalidValue("NetworkAclId", aclId, "The network ACL is in " + target.vpcId() + ", the subnet in " +
                current.vpcId() + ".");
        }
        final NetworkAclAssociation moved = new NetworkAclAssociation(tx.newSubId(NetworkAclAssociation.ID_PREFIX), aclId,
            association.subnetId());
        final NetworkAclAssociation old = association;
        tx.put(current.withAssociations(current.associations().stream().filter(a -> a != old).toList()));
        final NetworkAcl latestTarget = tx.networkAcl(aclId);
        final List<NetworkAclAssociation> associations = new ArrayList<>(latestTarget.associations());
        associations.add(moved);
        tx.put(latestTarget.withAssociations(associations));
        return moved.networkAclAssociationId();
    }
}
