package vpce.mgmt.ec2.actions;

import vpce.mgmt.controlplane.ControlPlane;
import vpce.mgmt.controlplane.ControlPlaneState;
import vpce.mgmt.controlplane.CreateVpcEndpointRequest;
import vpce.mgmt.controlplane.ModifyVpcEndpointRequest;
import vpce.mgmt.controlplane.NetworkInterface;
import vpce.mgmt.controlplane.Page;
import vpce.mgmt.controlplane.VpcEndpoint;
import vpce.mgmt.ec2.Ec2Action;
import vpce.mgmt.ec2.Ec2Params;
import vpce.mgmt.ec2.ParameterSchema;

import java.util.List;

/**
 * The consumer's endpoints: CreateVpcEndpoint, DescribeVpcEndpoints, ModifyVpcEndpoint, DeleteVpcEndpoints, and
 * DescribeNetworkInterfaces (their requester-managed ENIs).
 *
 * <p>Endpoints are Interface endpoints over IPv4 in the appliance's region; the control plane refuses the rest (other
 * types, policies, route tables, IPv6, other regions) with EC2's codes. The newer DNS options and per-subnet address
 * choices ({@code SubnetConfiguration.N}) are refused here, as are service networks and resource configurations.
 */
final class EndpointActions
{
    /** DnsOptions members newer clients (botocore 1.43) can send, which the appliance's DNS responder does not do. */
    private static final String[] NEWER_DNS_OPTIONS = {"DnsOptions.PrivateDnsOnlyForInboundResolverEndpoint",
        "DnsOptions.PrivateDnsPreference", "DnsOptions.PrivateDnsSpecifiedDomain.N"};
    private static final String[] SUBNET_CONFIGURATIONS = {"SubnetConfiguration.N.SubnetId", "SubnetConfiguration.N.Ipv4",
        "SubnetConfiguration.N.Ipv6"};

    private final ControlPlane controlPlane;

    EndpointActions(final ControlPlane controlPlane)
    {
        this.controlPlane = controlPlane;
    }

    List<Ec2Action> actions()
    {
        return List.of(createVpcEndpoint(), describeVpcEndpoints(), modifyVpcEndpoint(), deleteVpcEndpoints(),
            describeNetworkInterfaces());
    }

    private Ec2Action createVpcEndpoint()
    {
        return Ec2Action.of("CreateVpcEndpoint",
            ParameterSchema.builder()
                .accept("VpcEndpointType", "VpcId", "ServiceName", "PolicyDocument", "RouteTableId.N", "SubnetId.N",
                    "SecurityGroupId.N", "IpAddressType", "DnsOptions.DnsRecordIpType", "ClientToken", "PrivateDnsEnabled",
                    "ServiceRegion", "ServiceNetworkArn", "ResourceConfigurationArn")
                .accept(NEWER_DNS_OPTIONS)
                .accept(SUBNET_CONFIGURATIONS)
                .tagSpecifications()
                .build(),
            (params, call) ->
            {
                newerOptions(params);
                Requests.unsupported(params, "ServiceNetworkArn", "ResourceConfigurationArn");
                final CreateVpcEndpointRequest request = new CreateVpcEndpointRequest(
                    params.requiredString("VpcId"),
                    params.requiredString("ServiceName"),
                    params.optionalString("VpcEndpointType"),
                    params.stringList("SubnetId"),
                    params.stringList("SecurityGroupId"),
                    params.optionalBoolean("PrivateDnsEnabled"),
                    params.optionalString("PolicyDocument"),
                    params.stringList("RouteTableId"),
                    params.optionalString("IpAddressType"),
                    params.optionalString("DnsOptions.DnsRecordIpType"),
                    params.optionalString("ServiceRegion"),
                    params.optionalString("ClientToken"),
                    Requests.tags(params, "vpc-endpoint"),
                    null);
                return Requests.change(call, dryRun -> controlPlane.createVpcEndpoint(request, dryRun), (out, endpoint) -> out
                    .struct("vpcEndpoint", body -> Ec2Shapes.vpcEndpoint(body, controlPlane.state(), endpoint))
                    .text("clientToken", request.clientToken()));
            });
    }

    private Ec2Action describeVpcEndpoints()
    {
        return Ec2Action.of("DescribeVpcEndpoints",
            ParameterSchema.builder().accept("VpcEndpointId.N", "MaxResults", "NextToken").filters().build(),
            (params, call) ->
            {
                final ControlPlaneState state = controlPlane.state();
                final Page<VpcEndpoint> page = state.describeVpcEndpoints(Requests.describe(params, "VpcEndpointId"));
                return out -> out.list("vpcEndpointSet", page.items(), (item, endpoint) -> Ec2Shapes.vpcEndpoint(item, state, endpoint))
                    .text("nextToken", page.nextToken());
            });
    }

    private Ec2Action modifyVpcEndpoint()
    {
        return Ec2Action.of("ModifyVpcEndpoint",
            ParameterSchema.builder()
                .accept("VpcEndpointId", "ResetPolicy", "PolicyDocument", "AddRouteTableId.N", "RemoveRouteTableId.N",
                    "AddSubnetId.N", "RemoveSubnetId.N", "AddSecurityGroupId.N", "RemoveSecurityGroupId.N", "IpAddressType",
                    "DnsOptions.DnsRecordIpType", "PrivateDnsEnabled")
                .accept(NEWER_DNS_OPTIONS)
                .accept(SUBNET_CONFIGURATIONS)
                .build(),
            (params, call) ->
            {
                newerOptions(params);
                final ModifyVpcEndpointRequest request = new ModifyVpcEndpointRequest(
                    params.requiredString("VpcEndpointId"),
                    params.stringList("AddSubnetId"),
                    params.stringList("RemoveSubnetId"),
                    params.stringList("AddSecurityGroupId"),
                    params.stringList("RemoveSecurityGroupId"),
                    params.optionalBoolean("PrivateDnsEnabled"),
                    params.optionalBoolean("ResetPolicy"),
                    params.optionalString("PolicyDocument"),
                    params.stringList("AddRouteTableId"),
                    params.stringList("RemoveRouteTableId"),
                    params.optionalString("IpAddressType"),
                    params.optionalString("DnsOptions.DnsRecordIpType"));
                return Requests.returnTrue(call, dryRun -> controlPlane.modifyVpcEndpoint(request, dryRun));
            });
    }

    private Ec2Action deleteVpcEndpoints()
    {
        return Ec2Action.of("DeleteVpcEndpoints", ParameterSchema.of("VpcEndpointId.N"), (params, call) ->
        {
            final List<String> ids = params.requiredStringList("VpcEndpointId");
            return Requests.batch(call, dryRun -> controlPlane.deleteVpcEndpoints(ids, dryRun));
        });
    }

    /** Every ENI here is an endpoint's; {@code IncludeManagedResources} hides nothing (none is operator-hidden). */
    private Ec2Action describeNetworkInterfaces()
    {
        return Ec2Action.of("DescribeNetworkInterfaces",
            ParameterSchema.builder().accept("NetworkInterfaceId.N", "MaxResults", "NextToken", "IncludeManagedResources")
                .filters().build(),
            (params, call) ->
            {
                params.optionalBoolean("IncludeManagedResources", true);
                final ControlPlaneState state = controlPlane.state();
                final Page<NetworkInterface> page = state.describeNetworkInterfaces(Requests.describe(params, "NetworkInterfaceId"));
                return out -> out.list("networkInterfaceSet", page.items(), (item, eni) -> Ec2Shapes.networkInterface(item, state, eni))
                    .text("nextToken", page.nextToken());
            });
    }

    private static void newerOptions(final Ec2Params params)
    {
        Requests.unsupportedIfTrue(params, "DnsOptions.PrivateDnsOnlyForInboundResolverEndpoint");
        Requests.unsupported(params, "DnsOptions.PrivateDnsPreference", "DnsOptions.PrivateDnsSpecifiedDomain",
            "SubnetConfiguration");
    }
}
