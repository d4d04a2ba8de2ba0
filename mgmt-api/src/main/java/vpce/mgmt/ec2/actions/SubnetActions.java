package vpce.mgmt.ec2.actions;

import vpce.mgmt.controlplane.AvailabilityZone;
import vpce.mgmt.controlplane.ControlPlane;
import vpce.mgmt.controlplane.ControlPlaneState;
import vpce.mgmt.controlplane.Page;
import vpce.mgmt.controlplane.Subnet;
import vpce.mgmt.ec2.Ec2Action;
import vpce.mgmt.ec2.ParameterSchema;

import java.util.List;
import java.util.Map;

/** CreateSubnet, DescribeSubnets, DeleteSubnet, DescribeAvailabilityZones. */
final class SubnetActions
{
    private final ControlPlane controlPlane;

    SubnetActions(final ControlPlane controlPlane)
    {
        this.controlPlane = controlPlane;
    }

    List<Ec2Action> actions()
    {
        return List.of(createSubnet(), describeSubnets(), deleteSubnet(), describeAvailabilityZones());
    }

    private Ec2Action createSubnet()
    {
        return Ec2Action.of("CreateSubnet",
            ParameterSchema.builder()
                .accept("VpcId", "CidrBlock", "AvailabilityZone", "AvailabilityZoneId", "Ipv6CidrBlock", "Ipv6Native",
                    "OutpostArn", "Ipv4IpamPoolId", "Ipv4NetmaskLength", "Ipv6IpamPoolId", "Ipv6NetmaskLength")
                .tagSpecifications()
                .build(),
            (params, call) ->
            {
                final String vpcId = params.requiredString("VpcId");
                final String cidrBlock = params.requiredString("CidrBlock");
                final String zoneName = params.optionalString("AvailabilityZone");
                final String zoneId = params.optionalString("AvailabilityZoneId");
                Requests.unsupportedIfTrue(params, "Ipv6Native");
                Requests.unsupported(params, "Ipv6CidrBlock", "OutpostArn", "Ipv4IpamPoolId", "Ipv4NetmaskLength",
                    "Ipv6IpamPoolId", "Ipv6NetmaskLength");
                final Map<String, String> tags = Requests.tags(params, "subnet");
                return Requests.change(call,
                    dryRun -> controlPlane.createSubnet(vpcId, cidrBlock, zoneName, zoneId, tags, dryRun),
                    (out, subnet) -> out.struct("subnet", body -> Ec2Shapes.subnet(body, controlPlane.state(), subnet)));
            });
    }

    private Ec2Action describeSubnets()
    {
        return Ec2Action.of("DescribeSubnets",
            ParameterSchema.builder().accept("SubnetId.N", "MaxResults", "NextToken").filters().build(),
            (params, call) ->
            {
                final ControlPlaneState state = controlPlane.state();
                final Page<Subnet> page = state.describeSubnets(Requests.describe(params, "SubnetId"));
                return out -> out.list("subnetSet", page.items(), (item, subnet) -> Ec2Shapes.subnet(item, state, subnet))
                    .text("nextToken", page.nextToken());
            });
    }

    private Ec2Action deleteSubnet()
    {
        return Ec2Action.of("DeleteSubnet", ParameterSchema.of("SubnetId"), (params, call) ->
        {
            final String subnetId = params.requiredString("SubnetId");
            return Requests.returnTrue(call, dryRun -> controlPlane.deleteSubnet(subnetId, dryRun));
        });
    }

    /** The appliance's zones; {@code AllAvailabilityZones} changes nothing (none needs opting in). */
    private Ec2Action describeAvailabilityZones()
    {
        return Ec2Action.of("DescribeAvailabilityZones",
            ParameterSchema.builder().accept("ZoneName.N", "ZoneId.N", "AllAvailabilityZones").filters().build(),
            (params, call) ->
            {
                params.optionalBoolean("AllAvailabilityZones", false);
                final ControlPlaneState state = controlPlane.state();
                final List<AvailabilityZone> zones = state.describeAvailabilityZones(params.stringList("ZoneName"),
                    params.stringList("ZoneId"), Requests.filters(params));
                final String region = state.settings().region();
                return out -> out.list("availabilityZoneInfo", zones, (item, zone) -> Ec2Shapes.availabilityZone(item, region, zone));
            });
    }
}
