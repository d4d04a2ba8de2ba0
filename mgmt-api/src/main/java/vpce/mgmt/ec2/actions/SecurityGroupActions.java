package vpce.mgmt.ec2.actions;

import vpce.mgmt.ApiException;
import vpce.mgmt.controlplane.ControlPlane;
import vpce.mgmt.controlplane.ControlPlaneState;
import vpce.mgmt.controlplane.DescribeRequest;
import vpce.mgmt.controlplane.IpPermission;
import vpce.mgmt.controlplane.Page;
import vpce.mgmt.controlplane.SecurityGroup;
import vpce.mgmt.controlplane.SecurityGroupRule;
import vpce.mgmt.ec2.Ec2Action;
import vpce.mgmt.ec2.Ec2Errors;
import vpce.mgmt.ec2.Ec2Params;
import vpce.mgmt.ec2.ParameterSchema;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * CreateSecurityGroup, DescribeSecurityGroups, DeleteSecurityGroup, Authorize/RevokeSecurityGroupIngress/Egress,
 * DescribeSecurityGroupRules.
 *
 * <p>Rules come as {@code IpPermissions.N} or in the older flat form ({@code IpProtocol}, {@code FromPort},
 * {@code ToPort}, {@code CidrIp} or {@code SourceSecurityGroupName}), never both. Group references are this account's
 * (a {@code UserId} of another account is refused: no cross-account groups here) and no VPC peering.
 */
final class SecurityGroupActions
{
    /** The members of {@code IpPermission} and the flat form, as every Authorize/Revoke action takes them. */
    private static final String[] PERMISSIONS = {
        "IpPermissions.N.IpProtocol", "IpPermissions.N.FromPort", "IpPermissions.N.ToPort",
        "IpPermissions.N.IpRanges.M.CidrIp", "IpPermissions.N.IpRanges.M.Description",
        "IpPermissions.N.Ipv6Ranges.M.CidrIpv6", "IpPermissions.N.Ipv6Ranges.M.Description",
        "IpPermissions.N.PrefixListIds.M.PrefixListId", "IpPermissions.N.PrefixListIds.M.Description",
        "IpPermissions.N.Groups.M.GroupId", "IpPermissions.N.Groups.M.GroupName", "IpPermissions.N.Groups.M.Description",
        "IpPermissions.N.Groups.M.UserId", "IpPermissions.N.Groups.M.VpcId", "IpPermissions.N.Groups.M.VpcPeeringConnectionId",
        "IpPermissions.N.Groups.M.PeeringStatus",
        "IpProtocol", "FromPort", "ToPort", "CidrIp", "SourceSecurityGroupName", "SourceSecurityGroupOwnerId"};
    private static final String[] FLAT = {"IpProtocol", "FromPort", "ToPort", "CidrIp", "SourceSecurityGroupName",
        "SourceSecurityGroupOwnerId"};

    private final ControlPlane controlPlane;

    SecurityGroupActions(final ControlPlane controlPlane)
    {
        this.controlPlane = controlPlane;
    }

    List<Ec2Action> actions()
    {
        return List.of(createSecurityGroup(), describeSecurityGroups(), deleteSecurityGroup(), authorize(false), authorize(true),
            revoke(false), revoke(true), describeSecurityGroupRules());
    }

    private Ec2Action createSecurityGroup()
    {
        return Ec2Action.of("CreateSecurityGroup",
            ParameterSchema.builder().accept("GroupName", "GroupDescription", "VpcId").tagSpecifications().build(),
            (params, call) ->
            {
                final String groupName = params.requiredString("GroupName");
                final String description = params.requiredString("GroupDescription");
                final String vpcId = params.optionalString("VpcId");
                final Map<String, String> tags = Requests.tags(params, "security-group");
                return Requests.change(call,
                    dryRun -> controlPlane.createSecurityGroup(vpcId, groupName, description, tags, dryRun),
                    (out, group) ->
                    {
                        out.text("groupId", group.groupId());
                        Ec2Shapes.tags(out, group.tags());
                        out.text("securityGroupArn", Ec2Shapes.securityGroupArn(controlPlane.state(), group));
                    });
            });
    }

    private Ec2Action describeSecurityGroups()
    {
        return Ec2Action.of("DescribeSecurityGroups",
            ParameterSchema.builder().accept("GroupId.N", "GroupName.N", "MaxResults", "NextToken").filters().build(),
            (params, call) ->
            {
                final ControlPlaneState state = controlPlane.state();
                final Page<SecurityGroup> page = state.describeSecurityGroups(Requests.describe(params, "GroupId"),
                    params.stringList("GroupName"));
                return out -> out.list("securityGroupInfo", page.items(), (item, group) -> Ec2Shapes.securityGroup(item, state, group))
                    .text("nextToken", page.nextToken());
            });
    }

    private Ec2Action deleteSecurityGroup()
    {
        return Ec2Action.of("DeleteSecurityGroup", ParameterSchema.of("GroupId", "GroupName"), (params, call) ->
        {
            final String groupId = emptyToNull(params.optionalString("GroupId"));
            final String groupName = emptyToNull(params.optionalString("GroupName"));
            if (groupId == null && groupName == null)
            {
                throw Ec2Errors.missingParameter("GroupId");
            }
            return Requests.change(call, dryRun ->
            {
                final String deleted = groupId != null ? groupId : resolveGroupId(controlPlane.state(), null, groupName);
                controlPlane.deleteSecurityGroup(groupId, groupName, dryRun);
                return deleted;
            }, (out, deleted) -> out.returnTrue().text("groupId", deleted));
        });
    }

    private Ec2Action authorize(final boolean egress)
    {
        final ParameterSchema.Builder schema = ParameterSchema.builder().accept("GroupId").accept(PERMISSIONS).tagSpecifications();
        if (!egress)
        {
            schema.accept("GroupName");
        }
        return Ec2Action.of(egress ? "AuthorizeSecurityGroupEgress" : "AuthorizeSecurityGroupIngress", schema.build(),
            (params, call) ->
            {
                final ControlPlaneState state = controlPlane.state();
                final String groupId = egress ? params.requiredString("GroupId") : groupIdOrName(params, state);
                final List<IpPermission> permissions = permissions(params, state.settings().ownerId());
                if (!Requests.tags(params, "security-group-rule").isEmpty())
                {
                    throw Ec2Errors.invalidParameterValue("TagSpecification.1.ResourceType", "security-group-rule",
                        "tagging security group rules is not supported by this appliance");
                }
                return Requests.change(call, dryRun -> egress ?
                        controlPlane.authorizeSecurityGroupEgress(groupId, permissions, dryRun) :
                        controlPlane.authorizeSecurityGroupIngress(groupId, permissions, dryRun),
                    (out, rules) -> out.returnTrue().list("securityGroupRuleSet", rules,
                        (item, rule) -> Ec2Shapes.securityGroupRule(item, controlPlane.state(), rule)));
            });
    }

    /** Any rule named that does not exist refuses the whole call ({@code InvalidPermission.NotFound}). */
    private Ec2Action revoke(final boolean egress)
    {
        final ParameterSchema.Builder schema = ParameterSchema.builder().accept("GroupId", "SecurityGroupRuleId.N").accept(PERMISSIONS);
        if (!egress)
        {
            schema.accept("GroupName");
        }
        return Ec2Action.of(egress ? "RevokeSecurityGroupEgress" : "RevokeSecurityGroupIngress", schema.build(),
            (params, call) ->
            {
                final ControlPlaneState state = controlPlane.state();
                final String groupId = egress ? params.requiredString("GroupId") : groupIdOrName(params, state);
                final List<IpPermission> permissions = permissions(params, state.settings().ownerId());
                final List<String> ruleIds = params.stringList("SecurityGroupRuleId");
                return Requests.change(call, dryRun ->
                {
                    final List<SecurityGroupRule> before = rulesOf(controlPlane.state(), groupId);
                    if (egress)
                    {
                        controlPlane.revokeSecurityGroupEgress(groupId, permissions, ruleIds, dryRun);
                    }
                    else
                    {
                        controlPlane.revokeSecurityGroupIngress(groupId, permissions, ruleIds, dryRun);
                    }
                    final Set<String> remaining = rulesOf(controlPlane.state(), groupId).stream()
                        .map(SecurityGroupRule::securityGroupRuleId).collect(Collectors.toSet());
                    return before.stream().filter(rule -> !remaining.contains(rule.securityGroupRuleId())).toList();
                }, (out, revoked) -> out.returnTrue().list("revokedSecurityGroupRuleSet", revoked,
                    Ec2Shapes::revokedSecurityGroupRule));
            });
    }

    private Ec2Action describeSecurityGroupRules()
    {
        return Ec2Action.of("DescribeSecurityGroupRules",
            ParameterSchema.builder().accept("SecurityGroupRuleId.N", "MaxResults", "NextToken").filters().build(),
            (params, call) ->
            {
                final ControlPlaneState state = controlPlane.state();
                final Page<SecurityGroupRule> page = state.describeSecurityGroupRules(
                    Requests.describe(params, "SecurityGroupRuleId"));
                return out -> out.list("securityGroupRuleSet", page.items(),
                        (item, rule) -> Ec2Shapes.securityGroupRule(item, state, rule))
                    .text("nextToken", page.nextToken());
            });
    }

    /** {@code GroupId}, else the group named {@code GroupName} (which must name one group in all VPCs). */
    private static String groupIdOrName(final Ec2Params params, final ControlPlaneState state)
    {
        return resolveGroupId(state, emptyToNull(params.optionalString("GroupId")), emptyToNull(params.optionalString("GroupName")));
    }

    /** With EC2's (and the control plane's) refusals: MissingParameter, InvalidGroup.NotFound, ambiguous name. */
    private static String resolveGroupId(final ControlPlaneState state, final String groupId, final String groupName)
    {
        if (groupId != null)
        {
            return groupId;
        }
        if (groupName == null)
        {
            throw Ec2Errors.missingParameter("GroupId");
        }
        final List<SecurityGroup> named = state.describeSecurityGroups(DescribeRequest.all(), List.of(groupName)).items();
        if (named.size() > 1)
        {
            throw Ec2Errors.invalidParameterCombination("Several VPCs have a security group named '" + groupName +
                "': give its GroupId");
        }
        return named.getFirst().groupId();
    }

    private static List<SecurityGroupRule> rulesOf(final ControlPlaneState state, final String groupId)
    {
        final SecurityGroup group = state.securityGroup(groupId);
        return group == null ? List.of() : group.rules();
    }

    /** {@code IpPermissions.N}, or the one permission of the flat form. */
    static List<IpPermission> permissions(final Ec2Params params, final String ownerId)
    {
        final List<IpPermission> permissions = new ArrayList<>();
        for (final Ec2Params permission : params.structList("IpPermissions"))
        {
            final List<IpPermission.IpRange> ranges = new ArrayList<>();
            for (final Ec2Params range : permission.structList("IpRanges"))
            {
                ranges.add(new IpPermission.IpRange(range.requiredString("CidrIp"), range.optionalString("Description")));
            }
            final List<String> ipv6Ranges = new ArrayList<>();
            for (final Ec2Params range : permission.structList("Ipv6Ranges"))
            {
                range.optionalString("Description");
                ipv6Ranges.add(range.requiredString("CidrIpv6"));
            }
            final List<String> prefixLists = new ArrayList<>();
            for (final Ec2Params prefixList : permission.structList("PrefixListIds"))
            {
                prefixList.optionalString("Description");
                prefixLists.add(prefixList.requiredString("PrefixListId"));
            }
            final List<IpPermission.GroupPair> groups = new ArrayList<>();
            for (final Ec2Params group : permission.structList("Groups"))
            {
                sameAccount(group, "UserId", ownerId);
                Requests.unsupported(group, "VpcPeeringConnectionId");
                group.optionalString("VpcId"); // an output member (the referenced group's VPC); the group id decides
                group.optionalString("PeeringStatus");
                groups.add(new IpPermission.GroupPair(emptyToNull(group.optionalString("GroupId")),
                    emptyToNull(group.optionalString("GroupName")), group.optionalString("Description")));
            }
            permissions.add(new IpPermission(permission.requiredString("IpProtocol"), permission.optionalInt("FromPort", -1, 65535),
                permission.optionalInt("ToPort", -1, 65535), ranges, groups, ipv6Ranges, prefixLists));
        }
        boolean flat = false;
        for (final String name : FLAT)
        {
            flat |= params.has(name);
        }
        if (!flat)
        {
            return permissions;
        }
        if (!permissions.isEmpty())
        {
            throw Ec2Errors.invalidParameterCombination(
                "Give the rules as IpPermissions or as IpProtocol/FromPort/ToPort/CidrIp/SourceSecurityGroupName, not both");
        }
        sameAccount(params, "SourceSecurityGroupOwnerId", ownerId);
        final String cidr = emptyToNull(params.optionalString("CidrIp"));
        final String sourceGroup = emptyToNull(params.optionalString("SourceSecurityGroupName"));
        if (cidr != null && sourceGroup != null)
        {
            throw Ec2Errors.invalidParameterCombination("CidrIp and SourceSecurityGroupName exclude each other");
        }
        if (cidr == null && sourceGroup == null)
        {
            throw Ec2Errors.missingParameter("CidrIp");
        }
        // A source group without a protocol is all traffic from it, as EC2 reads the flat form.
        final String protocol = sourceGroup != null ? params.optionalString("IpProtocol", "-1") : params.requiredString("IpProtocol");
        final Integer from = params.optionalInt("FromPort", -1, 65535);
        final Integer to = params.optionalInt("ToPort", -1, 65535);
        return List.of(cidr != null ? IpPermission.ofCidr(protocol, from, to, cidr) :
            new IpPermission(protocol, from, to, List.of(), List.of(new IpPermission.GroupPair(null, sourceGroup, null)), List.of(),
                List.of()));
    }

    private static void sameAccount(final Ec2Params params, final String name, final String ownerId)
    {
        final String account = emptyToNull(params.optionalString(name));
        if (account != null && !account.equals(ownerId))
        {
            throw new ApiException("InvalidGroup.NotFound", "Security groups of account " + account +
                " cannot be referenced: this appliance has one account (" + ownerId + ")");
        }
    }

    private static String emptyToNull(final String value)
    {
        return value == null || value.isEmpty() ? null : value;
    }
}
