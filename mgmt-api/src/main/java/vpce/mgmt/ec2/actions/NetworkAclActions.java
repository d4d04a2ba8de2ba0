package vpce.mgmt.ec2.actions;

import vpce.mgmt.controlplane.ControlPlane;
import vpce.mgmt.controlplane.NetworkAcl;
import vpce.mgmt.controlplane.NetworkAclEntry;
import vpce.mgmt.controlplane.Page;
import vpce.mgmt.ec2.Ec2Action;
import vpce.mgmt.ec2.Ec2Params;
import vpce.mgmt.ec2.ParameterSchema;

import java.util.List;
import java.util.Map;

/**
 * CreateNetworkAcl, DescribeNetworkAcls, DeleteNetworkAcl, Create/Replace/DeleteNetworkAclEntry,
 * ReplaceNetworkAclAssociation.
 */
final class NetworkAclActions
{
    private static final String[] ENTRY = {"NetworkAclId", "RuleNumber", "Protocol", "RuleAction", "Egress", "CidrBlock",
        "Ipv6CidrBlock", "Icmp.Code", "Icmp.Type", "PortRange.From", "PortRange.To"};

    private final ControlPlane controlPlane;

    NetworkAclActions(final ControlPlane controlPlane)
    {
        this.controlPlane = controlPlane;
    }

    List<Ec2Action> actions()
    {
        return List.of(createNetworkAcl(), describeNetworkAcls(), deleteNetworkAcl(), putEntry(false), putEntry(true),
            deleteNetworkAclEntry(), replaceNetworkAclAssociation());
    }

    /** {@code ClientToken} is echoed, not remembered: a retried create makes a second (empty, unassociated) ACL. */
    private Ec2Action createNetworkAcl()
    {
        return Ec2Action.of("CreateNetworkAcl",
            ParameterSchema.builder().accept("VpcId", "ClientToken").tagSpecifications().build(),
            (params, call) ->
            {
                final String vpcId = params.requiredString("VpcId");
                final String clientToken = params.optionalString("ClientToken");
                final Map<String, String> tags = Requests.tags(params, "network-acl");
                return Requests.change(call, dryRun -> controlPlane.createNetworkAcl(vpcId, tags, dryRun),
                    (out, acl) -> out.struct("networkAcl", body -> Ec2Shapes.networkAcl(body, acl)).text("clientToken", clientToken));
            });
    }

    private Ec2Action describeNetworkAcls()
    {
        return Ec2Action.of("DescribeNetworkAcls",
            ParameterSchema.builder().accept("NetworkAclId.N", "MaxResults", "NextToken").filters().build(),
            (params, call) ->
            {
                final Page<NetworkAcl> page = controlPlane.state().describeNetworkAcls(Requests.describe(params, "NetworkAclId"));
                return out -> out.list("networkAclSet", page.items(), Ec2Shapes::networkAcl).text("nextToken", page.nextToken());
            });
    }

    private Ec2Action deleteNetworkAcl()
    {
        return Ec2Action.of("DeleteNetworkAcl", ParameterSchema.of("NetworkAclId"), (params, call) ->
        {
            final String aclId = params.requiredString("NetworkAclId");
            return Requests.returnTrue(call, dryRun -> controlPlane.deleteNetworkAcl(aclId, dryRun));
        });
    }

    /** CreateNetworkAclEntry and ReplaceNetworkAclEntry take the same entry; the control plane normalizes it. */
    private Ec2Action putEntry(final boolean replace)
    {
        return Ec2Action.of(replace ? "ReplaceNetworkAclEntry" : "CreateNetworkAclEntry", ParameterSchema.of(ENTRY),
            (params, call) ->
            {
                final String aclId = params.requiredString("NetworkAclId");
                final NetworkAclEntry entry = entry(params);
                return Requests.returnTrue(call, dryRun ->
                {
                    if (replace)
                    {
                        controlPlane.replaceNetworkAclEntry(aclId, entry, dryRun);
                    }
                    else
                    {
                        controlPlane.createNetworkAclEntry(aclId, entry, dryRun);
                    }
                });
            });
    }

    private Ec2Action deleteNetworkAclEntry()
    {
        return Ec2Action.of("DeleteNetworkAclEntry", ParameterSchema.of("NetworkAclId", "RuleNumber", "Egress"),
            (params, call) ->
            {
                final String aclId = params.requiredString("NetworkAclId");
                final int ruleNumber = params.requiredInt("RuleNumber", Integer.MIN_VALUE, Integer.MAX_VALUE);
                final boolean egress = params.requiredBoolean("Egress");
                return Requests.returnTrue(call, dryRun -> controlPlane.deleteNetworkAclEntry(aclId, ruleNumber, egress, dryRun));
            });
    }

    private Ec2Action replaceNetworkAclAssociation()
    {
        return Ec2Action.of("ReplaceNetworkAclAssociation", ParameterSchema.of("AssociationId", "NetworkAclId"),
            (params, call) ->
            {
                final String associationId = params.requiredString("AssociationId");
                final String aclId = params.requiredString("NetworkAclId");
                return Requests.change(call,
                    dryRun -> controlPlane.replaceNetworkAclAssociation(associationId, aclId, dryRun),
                    (out, newAssociationId) -> out.text("newAssociationId", newAssociationId));
            });
    }

    /** The entry as requested; rule-number range, protocol, ports and ICMP are the control plane's to judge. */
    private static NetworkAclEntry entry(final Ec2Params params)
    {
        final int ruleNumber = params.requiredInt("RuleNumber", Integer.MIN_VALUE, Integer.MAX_VALUE);
        final String protocol = params.requiredString("Protocol");
        final String ruleAction = params.requiredOneOf("RuleAction", "allow", "deny");
        final boolean egress = params.requiredBoolean("Egress");
        Requests.unsupported(params, "Ipv6CidrBlock");
        final String cidrBlock = params.requiredString("CidrBlock");
        return new NetworkAclEntry(ruleNumber, egress, protocol, ruleAction, cidrBlock,
            params.optionalInt("Icmp.Type", Integer.MIN_VALUE, Integer.MAX_VALUE),
            params.optionalInt("Icmp.Code", Integer.MIN_VALUE, Integer.MAX_VALUE),
            params.optionalInt("PortRange.From", Integer.MIN_VALUE, Integer.MAX_VALUE),
            params.optionalInt("PortRange.To", Integer.MIN_VALUE, Integer.MAX_VALUE));
    }
}
