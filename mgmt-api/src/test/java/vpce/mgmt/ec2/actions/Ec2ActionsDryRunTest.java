package vpce.mgmt.ec2.actions;

import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ec2.model.AuthorizeSecurityGroupEgressResponse;
import software.amazon.awssdk.services.ec2.model.CreateNetworkAclResponse;
import software.amazon.awssdk.services.ec2.model.CreateSecurityGroupResponse;
import software.amazon.awssdk.services.ec2.model.CreateSubnetResponse;
import software.amazon.awssdk.services.ec2.model.CreateVpcEndpointConnectionNotificationResponse;
import software.amazon.awssdk.services.ec2.model.CreateVpcEndpointResponse;
import software.amazon.awssdk.services.ec2.model.CreateVpcEndpointServiceConfigurationResponse;
import software.amazon.awssdk.services.ec2.model.CreateVpcResponse;
import software.amazon.awssdk.services.ec2.model.DeleteVpcEndpointConnectionNotificationsResponse;
import software.amazon.awssdk.services.ec2.model.DeleteVpcEndpointServiceConfigurationsResponse;
import software.amazon.awssdk.services.ec2.model.DeleteVpcEndpointsResponse;
import software.amazon.awssdk.services.ec2.model.Filter;
import software.amazon.awssdk.services.ec2.model.IpPermission;
import software.amazon.awssdk.services.ec2.model.IpRange;
import software.amazon.awssdk.services.ec2.model.NetworkAclAssociation;
import software.amazon.awssdk.services.ec2.model.PortRange;
import software.amazon.awssdk.services.ec2.model.RejectVpcEndpointConnectionsResponse;
import software.amazon.awssdk.services.ec2.model.AcceptVpcEndpointConnectionsResponse;
import software.amazon.awssdk.services.ec2.model.ReplaceNetworkAclAssociationResponse;
import software.amazon.awssdk.services.ec2.model.RuleAction;
import software.amazon.awssdk.services.ec2.model.VpcAttributeName;
import vpce.mgmt.controlplane.ControlPlaneState;
import vpce.mgmt.controlplane.Fixture;
import vpce.mgmt.controlplane.StateStore;

import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * DryRun on every action: for each mutating action the dry run answers DryRunOperation (412) and changes nothing, and
 * then the same request without DryRun succeeds; every Describe answers DryRunOperation for a request it would serve.
 * (That a dry run of a request that would fail answers the failure is {@link Ec2ActionsErrorTest}'s.)
 */
class Ec2ActionsDryRunTest
{
    @Test
    void everyActionsDryRunPredictsTheRealCall() throws Exception
    {
        final Set<String> covered = new HashSet<>();
        try (Ec2ActionsHarness harness = new Ec2ActionsHarness(StateStore.inMemory());
             Ec2Client ec2 = harness.client())
        {
            final String vpcId = harness.<CreateVpcResponse>dryThenReal(dry -> ec2.createVpc(r -> r.cidrBlock("10.0.0.0/16").dryRun(dry)))
                .vpc().vpcId();
            covered.add("CreateVpc");
            // the model gives ModifyVpcAttribute no DryRun member, so the SDK cannot send it: the dry run goes raw
            final ControlPlaneState beforeModify = harness.state();
            final HttpResponse<String> dryModify = harness.post("Action=ModifyVpcAttribute&Version=2016-11-15&VpcId=" + vpcId +
                "&EnableDnsHostnames.Value=true&DryRun=true");
            assertEquals(412, dryModify.statusCode(), dryModify.body());
            assertTrue(dryModify.body().contains("<Code>DryRunOperation</Code>"), dryModify.body());
            assertSame(beforeModify, harness.state());
            ec2.modifyVpcAttribute(r -> r.vpcId(vpcId).enableDnsHostnames(v -> v.value(true)));
            assertTrue(harness.state().vpc(vpcId).enableDnsHostnames());
            covered.add("ModifyVpcAttribute");
            final String a = harness.<CreateSubnetResponse>dryThenReal(dry -> ec2.createSubnet(r -> r.vpcId(vpcId)
                .cidrBlock("10.0.1.0/24").availabilityZone("us-east-1a").dryRun(dry))).subnet().subnetId();
            covered.add("CreateSubnet");
            final String b = ec2.createSubnet(r -> r.vpcId(vpcId).cidrBlock("10.0.2.0/24").availabilityZone("us-east-1b")).subnet()
                .subnetId();
            final String group = harness.<CreateSecurityGroupResponse>dryThenReal(dry -> ec2.createSecurityGroup(r -> r
                .groupName("web").description("web").vpcId(vpcId).dryRun(dry))).groupId();
            covered.add("CreateSecurityGroup");
            final IpPermission https = IpPermission.builder().ipProtocol("tcp").fromPort(443).toPort(443)
                .ipRanges(IpRange.builder().cidrIp("203.0.113.0/24").build()).build();
            harness.dryThenReal(dry -> ec2.authorizeSecurityGroupIngress(r -> r.groupId(group).ipPermissions(https).dryRun(dry)));
            covered.add("AuthorizeSecurityGroupIngress");
            harness.dryThenReal(dry -> ec2.revokeSecurityGroupIngress(r -> r.groupId(group).ipPermissions(https).dryRun(dry)));
            covered.add("RevokeSecurityGroupIngress");
            final String egressRule = harness.<AuthorizeSecurityGroupEgressResponse>dryThenReal(dry -> ec2.authorizeSecurityGroupEgress(
                r -> r.groupId(group).ipPermissions(https).dryRun(dry))).securityGroupRules().get(0).securityGroupRuleId();
            covered.add("AuthorizeSecurityGroupEgress");
            harness.dryThenReal(dry -> ec2.revokeSecurityGroupEgress(r -> r.groupId(group).securityGroupRuleIds(egressRule).dryRun(dry)));
            covered.add("RevokeSecurityGroupEgress");

            final String aclId = harness.<CreateNetworkAclResponse>dryThenReal(dry -> ec2.createNetworkAcl(r -> r.vpcId(vpcId)
                .dryRun(dry))).networkAcl().networkAclId();
            covered.add("CreateNetworkAcl");
            harness.dryThenReal(dry -> ec2.createNetworkAclEntry(r -> r.networkAclId(aclId).ruleNumber(100).protocol("6")
                .ruleAction(RuleAction.ALLOW).egress(false).cidrBlock("0.0.0.0/0").portRange(PortRange.builder().from(443).to(443).build())
                .dryRun(dry)));
            covered.add("CreateNetworkAclEntry");
            harness.dryThenReal(dry -> ec2.replaceNetworkAclEntry(r -> r.networkAclId(aclId).ruleNumber(100).protocol("-1")
                .ruleAction(RuleAction.DENY).egress(false).cidrBlock("0.0.0.0/0").dryRun(dry)));
            covered.add("ReplaceNetworkAclEntry");
            harness.dryThenReal(dry -> ec2.deleteNetworkAclEntry(r -> r.networkAclId(aclId).ruleNumber(100).egress(false).dryRun(dry)));
            covered.add("DeleteNetworkAclEntry");
            final NetworkAclAssociation ofA = ec2.describeNetworkAcls(r -> r.filters(filter("association.subnet-id", a)))
                .networkAcls().get(0).associations().stream().filter(x -> x.subnetId().equals(a)).findFirst().orElseThrow();
            final String moved = harness.<ReplaceNetworkAclAssociationResponse>dryThenReal(dry -> ec2.replaceNetworkAclAssociation(r -> r
                .associationId(ofA.networkAclAssociationId()).networkAclId(aclId).dryRun(dry))).newAssociationId();
            covered.add("ReplaceNetworkAclAssociation");
            ec2.replaceNetworkAclAssociation(r -> r.associationId(moved).networkAclId(ofA.networkAclId()));
            harness.dryThenReal(dry -> ec2.deleteNetworkAcl(r -> r.networkAclId(aclId).dryRun(dry)));
            covered.add("DeleteNetworkAcl");

            final String endpointId = harness.<CreateVpcEndpointResponse>dryThenReal(dry -> ec2.createVpcEndpoint(r -> r.vpcId(vpcId)
                .serviceName(Fixture.AUTO.serviceName()).subnetIds(a).securityGroupIds(group).privateDnsEnabled(true).dryRun(dry)))
                .vpcEndpoint().vpcEndpointId();
            covered.add("CreateVpcEndpoint");
            harness.dryThenReal(dry -> ec2.modifyVpcEndpoint(r -> r.vpcEndpointId(endpointId).addSubnetIds(b).privateDnsEnabled(false)
                .dryRun(dry)));
            covered.add("ModifyVpcEndpoint");
            final String topic = "arn:aws:sns:us-east-1:" + Fixture.OWNER + ":events";
            final String notificationId = harness.<CreateVpcEndpointConnectionNotificationResponse>dryThenReal(dry ->
                ec2.createVpcEndpointConnectionNotification(r -> r.vpcEndpointId(endpointId).connectionNotificationArn(topic)
                    .connectionEvents("Delete").dryRun(dry))).connectionNotification().connectionNotificationId();
            covered.add("CreateVpcEndpointConnectionNotification");
            harness.dryThenReal(dry -> ec2.modifyVpcEndpointConnectionNotification(r -> r.connectionNotificationId(notificationId)
                .connectionEvents("Delete", "Reject").dryRun(dry)));
            covered.add("ModifyVpcEndpointConnectionNotification");
            assertTrue(harness.<DeleteVpcEndpointConnectionNotificationsResponse>dryThenReal(dry ->
                ec2.deleteVpcEndpointConnectionNotifications(r -> r.connectionNotificationIds(notificationId).dryRun(dry)))
                .unsuccessful().isEmpty());
            covered.add("DeleteVpcEndpointConnectionNotifications");

            final String serviceId = harness.<CreateVpcEndpointServiceConfigurationResponse>dryThenReal(dry ->
                ec2.createVpcEndpointServiceConfiguration(r -> r.networkLoadBalancerArns(Fixture.MANUAL.loadBalancerArn()).dryRun(dry)))
                .serviceConfiguration().serviceId();
            covered.add("CreateVpcEndpointServiceConfiguration");
            harness.dryThenReal(dry -> ec2.modifyVpcEndpointServiceConfiguration(r -> r.serviceId(serviceId).privateDnsName("svc.example.com")
                .dryRun(dry)));
            covered.add("ModifyVpcEndpointServiceConfiguration");
            final String serviceName = "com.amazonaws.vpce.us-east-1." + serviceId;
            final String first = ec2.createVpcEndpoint(r -> r.vpcId(vpcId).serviceName(serviceName).subnetIds(a)
                .privateDnsEnabled(false)).vpcEndpoint()
                .vpcEndpointId();
            final String second = ec2.createVpcEndpoint(r -> r.vpcId(vpcId).serviceName(serviceName).subnetIds(b)
                .privateDnsEnabled(false)).vpcEndpoint()
                .vpcEndpointId();
            assertTrue(harness.<AcceptVpcEndpointConnectionsResponse>dryThenReal(dry -> ec2.acceptVpcEndpointConnections(r -> r
                .serviceId(serviceId).vpcEndpointIds(first).dryRun(dry))).unsuccessful().isEmpty());
            covered.add("AcceptVpcEndpointConnections");
            assertTrue(harness.<RejectVpcEndpointConnectionsResponse>dryThenReal(dry -> ec2.rejectVpcEndpointConnections(r -> r
                .serviceId(serviceId).vpcEndpointIds(second).dryRun(dry))).unsuccessful().isEmpty());
            covered.add("RejectVpcEndpointConnections");
            assertTrue(harness.<DeleteVpcEndpointsResponse>dryThenReal(dry -> ec2.deleteVpcEndpoints(r -> r
                .vpcEndpointIds(endpointId, first).dryRun(dry))).unsuccessful().isEmpty());
            covered.add("DeleteVpcEndpoints");
            harness.programDatapath();
            assertTrue(harness.<DeleteVpcEndpointServiceConfigurationsResponse>dryThenReal(dry ->
                ec2.deleteVpcEndpointServiceConfigurations(r -> r.serviceIds(serviceId).dryRun(dry))).unsuccessful().isEmpty());
            covered.add("DeleteVpcEndpointServiceConfigurations");

            // Describes: a request each would serve
            final List<Runnable> describes = new ArrayList<>();
            describes.add(() -> ec2.describeVpcs(r -> r.vpcIds(vpcId).dryRun(true)));
            describes.add(() -> ec2.describeVpcAttribute(r -> r.vpcId(vpcId).attribute(VpcAttributeName.ENABLE_DNS_SUPPORT).dryRun(true)));
            describes.add(() -> ec2.describeSubnets(r -> r.subnetIds(a).dryRun(true)));
            describes.add(() -> ec2.describeAvailabilityZones(r -> r.dryRun(true)));
            describes.add(() -> ec2.describeSecurityGroups(r -> r.groupIds(group).dryRun(true)));
            describes.add(() -> ec2.describeSecurityGroupRules(r -> r.filters(filter("group-id", group)).dryRun(true)));
            describes.add(() -> ec2.describeNetworkAcls(r -> r.dryRun(true)));
            describes.add(() -> ec2.describeNetworkInterfaces(r -> r.dryRun(true)));
            describes.add(() -> ec2.describeVpcEndpoints(r -> r.vpcEndpointIds(endpointId).dryRun(true)));
            describes.add(() -> ec2.describeVpcEndpointServices(r -> r.dryRun(true)));
            describes.add(() -> ec2.describeVpcEndpointConnectionNotifications(r -> r.dryRun(true)));
            describes.add(() -> ec2.describeVpcEndpointServiceConfigurations(r -> r.dryRun(true)));
            describes.add(() -> ec2.describeVpcEndpointConnections(r -> r.dryRun(true)));
            describes.forEach(harness::dryRunSucceeds);
            covered.addAll(List.of("DescribeVpcs", "DescribeVpcAttribute", "DescribeSubnets", "DescribeAvailabilityZones",
                "DescribeSecurityGroups", "DescribeSecurityGroupRules", "DescribeNetworkAcls", "DescribeNetworkInterfaces",
                "DescribeVpcEndpoints", "DescribeVpcEndpointServices", "DescribeVpcEndpointConnectionNotifications",
                "DescribeVpcEndpointServiceConfigurations", "DescribeVpcEndpointConnections"));

            // the deletes of the network model last, once nothing uses what they delete
            final String spare = ec2.createSecurityGroup(r -> r.groupName("spare").description("spare").vpcId(vpcId)).groupId();
            harness.dryThenReal(dry -> ec2.deleteSecurityGroup(r -> r.groupId(spare).dryRun(dry)));
            covered.add("DeleteSecurityGroup");
            final String c = ec2.createSubnet(r -> r.vpcId(vpcId).cidrBlock("10.0.3.0/24")).subnet().subnetId();
            harness.dryThenReal(dry -> ec2.deleteSubnet(r -> r.subnetId(c).dryRun(dry)));
            covered.add("DeleteSubnet");
            final String other = ec2.createVpc(r -> r.cidrBlock("10.1.0.0/16")).vpc().vpcId();
            harness.dryThenReal(dry -> ec2.deleteVpc(r -> r.vpcId(other).dryRun(dry)));
            covered.add("DeleteVpc");

            assertEquals(Ec2ActionCatalog.actions(harness.controlPlane).stream().map(action -> action.name()).sorted().toList(),
                covered.stream().sorted().toList());
        }
    }

    private static Filter filter(final String name, final String... values)
    {
        return Filter.builder().name(name).values(values).build();
    }
}
