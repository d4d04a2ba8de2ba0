package vpce.mgmt.ec2.actions;

import vpce.mgmt.controlplane.ControlPlane;
import vpce.mgmt.controlplane.ControlPlaneState;
import vpce.mgmt.controlplane.Page;
import vpce.mgmt.controlplane.Vpc;
import vpce.mgmt.controlplane.VpcAttribute;
import vpce.mgmt.ec2.Ec2Action;
import vpce.mgmt.ec2.Ec2Errors;
import vpce.mgmt.ec2.ParameterSchema;

import java.util.List;
import java.util.Map;

/** CreateVpc, DescribeVpcs, DeleteVpc, ModifyVpcAttribute, DescribeVpcAttribute. */
final class VpcActions
{
    private static final String NETWORK_ADDRESS_USAGE_METRICS = "enableNetworkAddressUsageMetrics";

    private final ControlPlane controlPlane;

    VpcActions(final ControlPlane controlPlane)
    {
        this.controlPlane = controlPlane;
    }

    List<Ec2Action> actions()
    {
        return List.of(createVpc(), describeVpcs(), deleteVpc(), modifyVpcAttribute(), describeVpcAttribute());
    }

    private Ec2Action createVpc()
    {
        return Ec2Action.of("CreateVpc",
            ParameterSchema.builder()
                .accept("CidrBlock", "InstanceTenancy", "AmazonProvidedIpv6CidrBlock", "Ipv6Pool", "Ipv6CidrBlock",
                    "Ipv6CidrBlockNetworkBorderGroup", "Ipv4IpamPoolId", "Ipv4NetmaskLength", "Ipv6IpamPoolId",
                    "Ipv6NetmaskLength", "VpcEncryptionControl.Mode", "VpcEncryptionControl.InternetGatewayExclusion",
                    "VpcEncryptionControl.EgressOnlyInternetGatewayExclusion", "VpcEncryptionControl.NatGatewayExclusion",
                    "VpcEncryptionControl.VirtualPrivateGatewayExclusion", "VpcEncryptionControl.VpcPeeringExclusion",
                    "VpcEncryptionControl.LambdaExclusion", "VpcEncryptionControl.VpcLatticeExclusion",
                    "VpcEncryptionControl.ElasticFileSystemExclusion")
                .tagSpecifications()
                .build(),
            (params, call) ->
            {
                final String cidrBlock = params.requiredString("CidrBlock");
                final String tenancy = params.optionalOneOf("InstanceTenancy", "default", "dedicated", "host");
                if (tenancy != null && !tenancy.equals("default"))
                {
                    throw Ec2Errors.invalidParameterValue("InstanceTenancy", tenancy, "only default tenancy is supported");
                }
                Requests.unsupportedIfTrue(params, "AmazonProvidedIpv6CidrBlock");
                Requests.unsupported(params, "Ipv6Pool", "Ipv6CidrBlock", "Ipv6CidrBlockNetworkBorderGroup", "Ipv4IpamPoolId",
                    "Ipv4NetmaskLength", "Ipv6IpamPoolId", "Ipv6NetmaskLength", "VpcEncryptionControl");
                final Map<String, String> tags = Requests.tags(params, "vpc");
                return Requests.change(call, dryRun -> controlPlane.createVpc(cidrBlock, tags, dryRun),
                    (out, vpc) -> out.struct("vpc", body -> Ec2Shapes.vpc(body, vpc)));
            });
    }

    private Ec2Action describeVpcs()
    {
        return Ec2Action.of("DescribeVpcs",
            ParameterSchema.builder().accept("VpcId.N", "MaxResults", "NextToken").filters().build(),
            (params, call) ->
            {
                final Page<Vpc> page = controlPlane.state().describeVpcs(Requests.describe(params, "VpcId"));
                return out -> out.list("vpcSet", page.items(), Ec2Shapes::vpc).text("nextToken", page.nextToken());
            });
    }

    private Ec2Action deleteVpc()
    {
        return Ec2Action.of("DeleteVpc", ParameterSchema.of("VpcId"), (params, call) ->
        {
            final String vpcId = params.requiredString("VpcId");
            return Requests.returnTrue(call, dryRun -> controlPlane.deleteVpc(vpcId, dryRun));
        });
    }

    /** One attribute per call, as EC2 requires. */
    private Ec2Action modifyVpcAttribute()
    {
        return Ec2Action.of("ModifyVpcAttribute",
            ParameterSchema.of("VpcId", "EnableDnsSupport.Value", "EnableDnsHostnames.Value",
                "EnableNetworkAddressUsageMetrics.Value"),
            (params, call) ->
            {
                final String vpcId = params.requiredString("VpcId");
                final Boolean dnsSupport = params.optionalBoolean("EnableDnsSupport.Value");
                final Boolean dnsHostnames = params.optionalBoolean("EnableDnsHostnames.Value");
                final Boolean usageMetrics = params.optionalBoolean("EnableNetworkAddressUsageMetrics.Value");
                final int given = (dnsSupport != null ? 1 : 0) + (dnsHostnames != null ? 1 : 0) + (usageMetrics != null ? 1 : 0);
                if (given == 0)
                {
                    throw Ec2Errors.missingParameter("EnableDnsSupport.Value or EnableDnsHostnames.Value");
                }
                if (given > 1)
                {
                    throw Ec2Errors.invalidParameterCombination("Only one attribute can be modified at a time");
                }
                if (usageMetrics != null)
                {
                    // Not a feature of the appliance: off is what it is, on cannot be honoured.
                    Requests.unsupportedIfTrue(params, "EnableNetworkAddressUsageMetrics.Value");
                    return Requests.returnTrue(call, dryRun -> requireVpc(vpcId, dryRun));
                }
                final VpcAttribute attribute = dnsSupport != null ? VpcAttribute.ENABLE_DNS_SUPPORT : VpcAttribute.ENABLE_DNS_HOSTNAMES;
                final boolean value = dnsSupport != null ? dnsSupport : dnsHostnames;
                return Requests.returnTrue(call, dryRun -> controlPlane.modifyVpcAttribute(vpcId, attribute, value, dryRun));
            });
    }

    private Ec2Action describeVpcAttribute()
    {
        return Ec2Action.of("DescribeVpcAttribute", ParameterSchema.of("VpcId", "Attribute"), (params, call) ->
        {
            final String attribute = params.requiredOneOf("Attribute", VpcAttribute.ENABLE_DNS_SUPPORT.wireName(),
                VpcAttribute.ENABLE_DNS_HOSTNAMES.wireName(), NETWORK_ADDRESS_USAGE_METRICS);
            final String vpcId = params.requiredString("VpcId");
            final ControlPlaneState state = controlPlane.state();
            final boolean dnsSupport = state.describeVpcAttribute(vpcId, VpcAttribute.ENABLE_DNS_SUPPORT); // refuses unknown ids
            final boolean value = attribute.equals(NETWORK_ADDRESS_USAGE_METRICS) ? false :
                attribute.equals(VpcAttribute.ENABLE_DNS_SUPPORT.wireName()) ? dnsSupport :
                state.describeVpcAttribute(vpcId, VpcAttribute.ENABLE_DNS_HOSTNAMES);
            return out -> out.text("vpcId", vpcId).struct(attribute, element -> element.bool("value", value));
        });
    }

    /** The refusals of a VPC id (malformed, unknown) as a mutation would give them, without a mutation to make. */
    private void requireVpc(final String vpcId, final boolean dryRun)
    {
        controlPlane.state().describeVpcAttribute(vpcId, VpcAttribute.ENABLE_DNS_SUPPORT);
        if (dryRun)
        {
            throw ControlPlane.dryRunOperation();
        }
    }
}
