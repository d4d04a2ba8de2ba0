package vpce.mgmt.ec2.actions;

import vpce.mgmt.controlplane.ControlPlane;
import vpce.mgmt.controlplane.ControlPlaneState;
import vpce.mgmt.controlplane.CreateServiceConfigurationRequest;
import vpce.mgmt.controlplane.EndpointService;
import vpce.mgmt.controlplane.ModifyServiceConfigurationRequest;
import vpce.mgmt.controlplane.Page;
import vpce.mgmt.controlplane.ServicesPage;
import vpce.mgmt.controlplane.VpcEndpointConnection;
import vpce.mgmt.ec2.Ec2Action;
import vpce.mgmt.ec2.ParameterSchema;

import java.util.List;

/**
 * Endpoint services: the consumer's DescribeVpcEndpointServices, and the provider's
 * Create/Describe/Modify/DeleteVpcEndpointServiceConfiguration(s), DescribeVpcEndpointConnections and
 * Accept/RejectVpcEndpointConnections. A provider's service is served by the targets of the appliance's configured
 * services, named by their load-balancer ARNs. Services are regional: a region other than the appliance's is refused.
 */
final class ServiceActions
{
    private final ControlPlane controlPlane;

    ServiceActions(final ControlPlane controlPlane)
    {
        this.controlPlane = controlPlane;
    }

    List<Ec2Action> actions()
    {
        return List.of(describeVpcEndpointServices(), createServiceConfiguration(), describeServiceConfigurations(),
            modifyServiceConfiguration(), deleteServiceConfigurations(), describeVpcEndpointConnections(),
            acceptOrReject(true), acceptOrReject(false));
    }

    /** {@code ServiceRegion.N} without the appliance's region describes no service (there are none elsewhere). */
    private Ec2Action describeVpcEndpointServices()
    {
        return Ec2Action.of("DescribeVpcEndpointServices",
            ParameterSchema.builder().accept("ServiceName.N", "MaxResults", "NextToken", "ServiceRegion.N").filters().build(),
            (params, call) ->
            {
                final ControlPlaneState state = controlPlane.state();
                final List<String> regions = params.stringList("ServiceRegion");
                final ServicesPage page = state.describeVpcEndpointServices(params.stringList("ServiceName"),
                    Requests.filters(params), Requests.maxResults(params), Requests.nextToken(params), null);
                final boolean elsewhere = !regions.isEmpty() && !regions.contains(state.settings().region());
                final List<String> names = elsewhere ? List.of() : page.serviceNames();
                final List<EndpointService> details = elsewhere ? List.of() : page.serviceDetails();
                return out -> out.stringList("serviceNameSet", names)
                    .list("serviceDetailSet", details, Ec2Shapes::serviceDetail)
                    .text("nextToken", elsewhere ? null : page.nextToken());
            });
    }

    private Ec2Action createServiceConfiguration()
    {
        return Ec2Action.of("CreateVpcEndpointServiceConfiguration",
            ParameterSchema.builder()
                .accept("AcceptanceRequired", "PrivateDnsName", "NetworkLoadBalancerArn.N", "GatewayLoadBalancerArn.N",
                    "SupportedIpAddressType.N", "SupportedRegion.N", "ClientToken")
                .tagSpecifications()
                .build(),
            (params, call) ->
            {
                Requests.ownRegionOnly(params, "SupportedRegion", controlPlane.state().settings().region());
                final CreateServiceConfigurationRequest request = new CreateServiceConfigurationRequest(
                    params.optionalBoolean("AcceptanceRequired"),
                    params.optionalString("PrivateDnsName"),
                    params.stringList("NetworkLoadBalancerArn"),
                    params.stringList("GatewayLoadBalancerArn"),
                    params.stringList("SupportedIpAddressType"),
                    params.optionalString("ClientToken"),
                    Requests.tags(params, "vpc-endpoint-service"));
                return Requests.change(call, dryRun -> controlPlane.createVpcEndpointServiceConfiguration(request, dryRun),
                    (out, service) -> out
                        .struct("serviceConfiguration", body -> Ec2Shapes.serviceConfiguration(body, service))
                        .text("clientToken", request.clientToken()));
            });
    }

    private Ec2Action describeServiceConfigurations()
    {
        return Ec2Action.of("DescribeVpcEndpointServiceConfigurations",
            ParameterSchema.builder().accept("ServiceId.N", "MaxResults", "NextToken").filters().build(),
            (params, call) ->
            {
                final Page<EndpointService> page =
                    controlPlane.state().describeVpcEndpointServiceConfigurations(Requests.describe(params, "ServiceId"));
                return out -> out.list("serviceConfigurationSet", page.items(), Ec2Shapes::serviceConfiguration)
                    .text("nextToken", page.nextToken());
            });
    }

    /** {@code RemoveSupportedRegion.N} is refused: the only supported region is the service's own. */
    private Ec2Action modifyServiceConfiguration()
    {
        return Ec2Action.of("ModifyVpcEndpointServiceConfiguration",
            ParameterSchema.of("ServiceId", "PrivateDnsName", "RemovePrivateDnsName", "AcceptanceRequired",
                "AddNetworkLoadBalancerArn.N", "RemoveNetworkLoadBalancerArn.N", "AddGatewayLoadBalancerArn.N",
                "RemoveGatewayLoadBalancerArn.N", "AddSupportedIpAddressType.N", "RemoveSupportedIpAddressType.N",
                "AddSupportedRegion.N", "RemoveSupportedRegion.N"),
            (params, call) ->
            {
                final String serviceId = params.requiredString("ServiceId");
                Requests.ownRegionOnly(params, "AddSupportedRegion", controlPlane.state().settings().region());
                Requests.unsupported(params, "RemoveSupportedRegion");
                final ModifyServiceConfigurationRequest request = new ModifyServiceConfigurationRequest(
                    serviceId,
                    params.optionalString("PrivateDnsName"),
                    params.optionalBoolean("RemovePrivateDnsName"),
                    params.optionalBoolean("AcceptanceRequired"),
                    params.stringList("AddNetworkLoadBalancerArn"),
                    params.stringList("RemoveNetworkLoadBalancerArn"),
                    params.stringList("AddGatewayLoadBalancerArn"),
                    params.stringList("RemoveGatewayLoadBalancerArn"),
                    params.stringList("AddSupportedIpAddressType"),
                    params.stringList("RemoveSupportedIpAddressType"));
                return Requests.returnTrue(call, dryRun -> controlPlane.modifyVpcEndpointServiceConfiguration(request, dryRun));
            });
    }

    private Ec2Action deleteServiceConfigurations()
    {
        return Ec2Action.of("DeleteVpcEndpointServiceConfigurations", ParameterSchema.of("ServiceId.N"), (params, call) ->
        {
            final List<String> serviceIds = params.requiredStringList("ServiceId");
            return Requests.batch(call, dryRun -> controlPlane.deleteVpcEndpointServiceConfigurations(serviceIds, dryRun));
        });
    }

    private Ec2Action describeVpcEndpointConnections()
    {
        return Ec2Action.of("DescribeVpcEndpointConnections",
            ParameterSchema.builder().accept("MaxResults", "NextToken").filters().build(),
            (params, call) ->
            {
                final Page<VpcEndpointConnection> page = controlPlane.state().describeVpcEndpointConnections(
                    Requests.filters(params), Requests.maxResults(params), Requests.nextToken(params));
                return out -> out.list("vpcEndpointConnectionSet", page.items(), Ec2Shapes::vpcEndpointConnection)
                    .text("nextToken", page.nextToken());
            });
    }

    private Ec2Action acceptOrReject(final boolean accept)
    {
        return Ec2Action.of(accept ? "AcceptVpcEndpointConnections" : "RejectVpcEndpointConnections",
            ParameterSchema.of("ServiceId", "VpcEndpointId.N"),
            (params, call) ->
            {
                final String serviceId = params.requiredString("ServiceId");
                final List<String> endpointIds = params.requiredStringList("VpcEndpointId");
                return Requests.batch(call, dryRun -> accept ?
                    controlPlane.acceptVpcEndpointConnections(serviceId, endpointIds, dryRun) :
                    controlPlane.rejectVpcEndpointConnections(serviceId, endpointIds, dryRun));
            });
    }
}
