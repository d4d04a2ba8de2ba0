package vpce.mgmt.ec2.actions;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ec2.model.AttributeBooleanValue;
import software.amazon.awssdk.services.ec2.model.Filter;
import software.amazon.awssdk.services.ec2.model.IpPermission;
import software.amazon.awssdk.services.ec2.model.IpRange;
import software.amazon.awssdk.services.ec2.model.Ipv6Range;
import software.amazon.awssdk.services.ec2.model.NetworkAclAssociation;
import software.amazon.awssdk.services.ec2.model.PortRange;
import software.amazon.awssdk.services.ec2.model.RuleAction;
import software.amazon.awssdk.services.ec2.model.Tag;
import software.amazon.awssdk.services.ec2.model.TagSpecification;
import software.amazon.awssdk.services.ec2.model.UnsuccessfulItem;
import software.amazon.awssdk.services.ec2.model.VpcAttributeName;
import software.amazon.awssdk.services.ec2.model.VpcEndpointType;
import vpce.mgmt.controlplane.ControlPlaneState;
import vpce.mgmt.controlplane.Fixture;
import vpce.mgmt.controlplane.StateStore;

import java.net.http.HttpResponse;
import java.util.List;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every refusal of the reference's error table and the semantics, through the SDK: the right EC2 code and
 * status, the same refusal with DryRun (a dry run that would fail answers the failure, not DryRunOperation), and the
 * control plane's state not republished, let alone changed. The world is built once; no test here changes it.
 */
class Ec2ActionsErrorTest
{
    private static final String UNKNOWN_VPC = "vpc-0123456789abcdef0";
    private static final String UNKNOWN_SUBNET = "subnet-0123456789abcdef0";
    private static final String UNKNOWN_GROUP = "sg-0123456789abcdef0";
    private static final String UNKNOWN_ENDPOINT = "vpce-0123456789abcdef0";
    private static final String UNKNOWN_SERVICE = "vpce-svc-0123456789abcdef0";
    private static final String TOPIC = "arn:aws:sns:us-east-1:" + Fixture.OWNER + ":events";

    private static Ec2ActionsHarness harness;
    private static Ec2Client ec2;
    private static String vpcId;
    private static String noDnsVpcId;
    private static String subnetA;
    private static String subnetA2;
    private static String subnetB;
    private static String subnetC;
    private static String noDnsSubnet;
    private static String web;
    private static String defaultGroup;
    private static String aclId;
    private static String defaultAclId;
    private static String endpointId;
    private static String serviceId;
    private static String serviceName;
    private static String waitingEndpointId;
    private static String notificationId;

    @BeforeAll
    static void buildTheWorld() throws Exception
    {
        harness = new Ec2ActionsHarness(StateStore.inMemory());
        ec2 = harness.client();
        vpcId = ec2.createVpc(r -> r.cidrBlock("10.0.0.0/16")).vpc().vpcId();
        ec2.modifyVpcAttribute(r -> r.vpcId(vpcId).enableDnsHostnames(v -> v.value(true)));
        subnetA = subnet(vpcId, "10.0.1.0/24", "us-east-1a");
        subnetB = subnet(vpcId, "10.0.2.0/24", "us-east-1b");
        subnetC = subnet(vpcId, "10.0.3.0/24", "us-east-1c");
        subnetA2 = subnet(vpcId, "10.0.4.0/24", "us-east-1a");
        subnet(vpcId, "10.0.5.0/24", "us-east-1b"); // six subnets in all: more than a page of five
        noDnsVpcId = ec2.createVpc(r -> r.cidrBlock("10.1.0.0/16")).vpc().vpcId();
        noDnsSubnet = subnet(noDnsVpcId, "10.1.1.0/24", "us-east-1a");
        web = ec2.createSecurityGroup(r -> r.groupName("web").description("web").vpcId(vpcId)).groupId();
        defaultGroup = ec2.describeSecurityGroups(r -> r.filters(filter("vpc-id", vpcId), filter("group-name", "default")))
            .securityGroups().get(0).groupId();
        ec2.authorizeSecurityGroupIngress(r -> r.groupId(web).ipPermissions(https("203.0.113.0/24")));
        aclId = ec2.createNetworkAcl(r -> r.vpcId(vpcId)).networkAcl().networkAclId();
        ec2.createNetworkAclEntry(r -> r.networkAclId(aclId).ruleNumber(100).protocol("6").ruleAction(RuleAction.ALLOW).egress(false)
            .cidrBlock("0.0.0.0/0").portRange(PortRange.builder().from(443).to(443).build()));
        defaultAclId = ec2.describeNetworkAcls(r -> r.filters(filter("vpc-id", vpcId), filter("default", "true")))
            .networkAcls().get(0).networkAclId();
        endpointId = ec2.createVpcEndpoint(r -> r.vpcId(vpcId).serviceName(Fixture.AUTO.serviceName())
            .subnetIds(subnetA, subnetB).securityGroupIds(web).privateDnsEnabled(true)).vpcEndpoint().vpcEndpointId();
        final var service = ec2.createVpcEndpointServiceConfiguration(r -> r.acceptanceRequired(true)
            .networkLoadBalancerArns(Fixture.MANUAL.loadBalancerArn())).serviceConfiguration();
        serviceId = service.serviceId();
        serviceName = service.serviceName();
        waitingEndpointId = ec2.createVpcEndpoint(r -> r.vpcId(vpcId).serviceName(serviceName).subnetIds(subnetC))
            .vpcEndpoint().vpcEndpointId();
        notificationId = ec2.createVpcEndpointConnectionNotification(r -> r.vpcEndpointId(endpointId)
            .connectionNotificationArn(TOPIC).connectionEvents("Accept")).connectionNotification().connectionNotificationId();
        harness.programDatapath();
    }

    @AfterAll
    static void stop()
    {
        if (ec2 != null)
        {
            ec2.close();
        }
        if (harness != null)
        {
            harness.close();
        }
    }

    @Test
    void vpcs() throws Exception
    {
        harness.refusedEitherWay("InvalidVpc.Range", dry -> ec2.createVpc(r -> r.cidrBlock("10.0.0.0/8").dryRun(dry)));
        harness.refusedEitherWay("InvalidVpc.Range", dry -> ec2.createVpc(r -> r.cidrBlock("10.0.0.0/29").dryRun(dry)));
        harness.refusedEitherWay("InvalidParameterValue", dry -> ec2.createVpc(r -> r.cidrBlock("10.0.0.1/16").dryRun(dry)));
        harness.refusedEitherWay("MissingParameter", dry -> ec2.createVpc(r -> r.dryRun(dry)));
        harness.refusedEitherWay("InvalidParameterValue", dry -> ec2.createVpc(r -> r.cidrBlock("10.9.0.0/16")
            .amazonProvidedIpv6CidrBlock(true).dryRun(dry)));
        harness.refusedEitherWay("InvalidParameterValue", dry -> ec2.createVpc(r -> r.cidrBlock("10.9.0.0/16")
            .tagSpecifications(tags("subnet")).dryRun(dry)));
        harness.refusedEitherWay("InvalidParameterValue", dry -> ec2.createVpc(r -> r.cidrBlock("10.9.0.0/16")
            .tagSpecifications(TagSpecification.builder().resourceType("vpc").tags(Tag.builder().key("aws:x").value("y").build()).build())
            .dryRun(dry)));
        harness.refusedEitherWay("InvalidVpcID.NotFound", dry -> ec2.describeVpcs(r -> r.vpcIds(UNKNOWN_VPC).dryRun(dry)));
        harness.refusedEitherWay("InvalidVpcID.Malformed", dry -> ec2.describeVpcs(r -> r.vpcIds("vpc-nothex").dryRun(dry)));
        harness.refusedEitherWay("InvalidFilter", dry -> ec2.describeVpcs(r -> r.filters(filter("colour", "blue")).dryRun(dry)));
        harness.refusedEitherWay("DependencyViolation", dry -> ec2.deleteVpc(r -> r.vpcId(vpcId).dryRun(dry)));
        harness.refusedEitherWay("InvalidVpcID.NotFound", dry -> ec2.deleteVpc(r -> r.vpcId(UNKNOWN_VPC).dryRun(dry)));
        // ModifyVpcAttribute has no DryRun member in the model (the SDK cannot send one); the raw requests check it too
        harness.refused("InvalidParameterCombination", () -> ec2.modifyVpcAttribute(r -> r.vpcId(vpcId)
            .enableDnsSupport(on(true)).enableDnsHostnames(on(true))));
        raw(400, "InvalidParameterCombination", modifyVpcAttribute(vpcId) + "&EnableDnsSupport.Value=true&EnableDnsHostnames.Value=true");
        harness.refused("MissingParameter", () -> ec2.modifyVpcAttribute(r -> r.vpcId(vpcId)));
        raw(400, "MissingParameter", modifyVpcAttribute(vpcId));
        // private DNS needs both attributes: they cannot be turned off under an endpoint that uses it
        harness.refused("InvalidParameter", () -> ec2.modifyVpcAttribute(r -> r.vpcId(vpcId).enableDnsHostnames(on(false))));
        raw(400, "InvalidParameter", modifyVpcAttribute(vpcId) + "&EnableDnsHostnames.Value=false");
        harness.refused("InvalidVpcID.NotFound", () -> ec2.modifyVpcAttribute(r -> r.vpcId(UNKNOWN_VPC).enableDnsHostnames(on(true))));
        raw(400, "InvalidVpcID.NotFound", modifyVpcAttribute(UNKNOWN_VPC) + "&EnableDnsSupport.Value=true");
        raw(400, "InvalidParameterValue", modifyVpcAttribute(vpcId) + "&EnableNetworkAddressUsageMetrics.Value=true");
        harness.refusedEitherWay("InvalidVpcID.NotFound", dry -> ec2.describeVpcAttribute(r -> r.vpcId(UNKNOWN_VPC)
            .attribute(VpcAttributeName.ENABLE_DNS_SUPPORT).dryRun(dry)));
    }

    @Test
    void subnetsAndZones()
    {
        harness.refusedEitherWay("InvalidSubnet.Range", dry -> ec2.createSubnet(r -> r.vpcId(vpcId).cidrBlock("10.2.0.0/24").dryRun(dry)));
        harness.refusedEitherWay("InvalidSubnet.Conflict", dry -> ec2.createSubnet(r -> r.vpcId(vpcId).cidrBlock("10.0.1.128/25")
            .dryRun(dry)));
        harness.refusedEitherWay("InvalidParameterValue", dry -> ec2.createSubnet(r -> r.vpcId(vpcId).cidrBlock("10.0.9.0/24")
            .availabilityZone("us-west-2a").dryRun(dry)));
        harness.refusedEitherWay("InvalidVpcID.NotFound", dry -> ec2.createSubnet(r -> r.vpcId(UNKNOWN_VPC).cidrBlock("10.0.9.0/24")
            .dryRun(dry)));
        harness.refusedEitherWay("InvalidParameterValue", dry -> ec2.createSubnet(r -> r.vpcId(vpcId).cidrBlock("10.0.9.0/24")
            .ipv6CidrBlock("2001:db8::/64").dryRun(dry)));
        harness.refusedEitherWay("InvalidSubnetID.NotFound", dry -> ec2.describeSubnets(r -> r.subnetIds(UNKNOWN_SUBNET).dryRun(dry)));
        harness.refusedEitherWay("InvalidSubnetId.Malformed", dry -> ec2.describeSubnets(r -> r.subnetIds("subnet-x").dryRun(dry)));
        harness.refusedEitherWay("DependencyViolation", dry -> ec2.deleteSubnet(r -> r.subnetId(subnetA).dryRun(dry)));
        harness.refusedEitherWay("InvalidSubnetID.NotFound", dry -> ec2.deleteSubnet(r -> r.subnetId(UNKNOWN_SUBNET).dryRun(dry)));
        harness.refusedEitherWay("InvalidParameterValue", dry -> ec2.describeAvailabilityZones(r -> r.zoneNames("us-east-1z")
            .dryRun(dry)));
        harness.refusedEitherWay("InvalidFilter", dry -> ec2.describeAvailabilityZones(r -> r.filters(filter("flavour", "x"))
            .dryRun(dry)));
    }

    @Test
    void securityGroups()
    {
        harness.refusedEitherWay("InvalidGroup.Duplicate", dry -> ec2.createSecurityGroup(r -> r.groupName("web").description("again")
            .vpcId(vpcId).dryRun(dry)));
        harness.refusedEitherWay("InvalidGroup.Reserved", dry -> ec2.createSecurityGroup(r -> r.groupName("default").description("d")
            .vpcId(vpcId).dryRun(dry)));
        harness.refusedEitherWay("VPCIdNotSpecified", dry -> ec2.createSecurityGroup(r -> r.groupName("x").description("d").dryRun(dry)));
        harness.refusedEitherWay("MissingParameter", dry -> ec2.createSecurityGroup(r -> r.groupName("x").vpcId(vpcId).dryRun(dry)));
        harness.refusedEitherWay("InvalidGroup.NotFound", dry -> ec2.describeSecurityGroups(r -> r.groupIds(UNKNOWN_GROUP).dryRun(dry)));
        harness.refusedEitherWay("InvalidGroupId.Malformed", dry -> ec2.describeSecurityGroups(r -> r.groupIds("sg-?").dryRun(dry)));
        harness.refusedEitherWay("InvalidGroup.NotFound", dry -> ec2.describeSecurityGroups(r -> r.groupNames("nope").dryRun(dry)));
        harness.refusedEitherWay("InvalidPermission.Duplicate", dry -> ec2.authorizeSecurityGroupIngress(r -> r.groupId(web)
            .ipPermissions(https("203.0.113.0/24")).dryRun(dry)));
        harness.refusedEitherWay("InvalidGroup.NotFound", dry -> ec2.authorizeSecurityGroupIngress(r -> r.groupId(UNKNOWN_GROUP)
            .ipPermissions(https("198.51.100.0/24")).dryRun(dry)));
        harness.refusedEitherWay("InvalidGroup.NotFound", dry -> ec2.authorizeSecurityGroupIngress(r -> r.groupName("nope")
            .ipPermissions(https("198.51.100.0/24")).dryRun(dry)));
        harness.refusedEitherWay("InvalidParameterValue", dry -> ec2.authorizeSecurityGroupIngress(r -> r.groupId(web)
            .ipPermissions(IpPermission.builder().ipProtocol("tcp").fromPort(443).toPort(443)
                .ipv6Ranges(Ipv6Range.builder().cidrIpv6("2001:db8::/32").build()).build()).dryRun(dry)));
        harness.refusedEitherWay("InvalidParameterValue", dry -> ec2.authorizeSecurityGroupEgress(r -> r.groupId(web)
            .ipPermissions(IpPermission.builder().ipProtocol("tcp").fromPort(500).toPort(400)
                .ipRanges(IpRange.builder().cidrIp("10.0.0.0/8").build()).build()).dryRun(dry)));
        harness.refusedEitherWay("InvalidParameterCombination", dry -> ec2.authorizeSecurityGroupIngress(r -> r.groupId(web)
            .ipPermissions(https("198.51.100.0/24")).cidrIp("192.0.2.0/24").ipProtocol("tcp").fromPort(1).toPort(2).dryRun(dry)));
        harness.refusedEitherWay("InvalidPermission.NotFound", dry -> ec2.revokeSecurityGroupIngress(r -> r.groupId(web)
            .ipPermissions(https("198.51.100.0/24")).dryRun(dry)));
        harness.refusedEitherWay("InvalidSecurityGroupRuleId.NotFound", dry -> ec2.revokeSecurityGroupEgress(r -> r.groupId(web)
            .securityGroupRuleIds("sgr-0123456789abcdef0").dryRun(dry)));
        harness.refusedEitherWay("InvalidSecurityGroupRuleId.NotFound", dry -> ec2.describeSecurityGroupRules(r -> r
            .securityGroupRuleIds("sgr-0123456789abcdef0").dryRun(dry)));
        harness.refusedEitherWay("DependencyViolation", dry -> ec2.deleteSecurityGroup(r -> r.groupId(web).dryRun(dry)));
        harness.refusedEitherWay("CannotDelete", dry -> ec2.deleteSecurityGroup(r -> r.groupId(defaultGroup).dryRun(dry)));
        harness.refusedEitherWay("InvalidGroup.NotFound", dry -> ec2.deleteSecurityGroup(r -> r.groupName("nope").dryRun(dry)));
    }

    @Test
    void networkAcls()
    {
        harness.refusedEitherWay("NetworkAclEntryAlreadyExists", dry -> ec2.createNetworkAclEntry(r -> r.networkAclId(aclId)
            .ruleNumber(100).protocol("-1").ruleAction(RuleAction.DENY).egress(false).cidrBlock("0.0.0.0/0").dryRun(dry)));
        harness.refusedEitherWay("InvalidParameterValue", dry -> ec2.createNetworkAclEntry(r -> r.networkAclId(aclId)
            .ruleNumber(32767).protocol("-1").ruleAction(RuleAction.DENY).egress(false).cidrBlock("0.0.0.0/0").dryRun(dry)));
        harness.refusedEitherWay("InvalidNetworkAclEntry.NotFound", dry -> ec2.replaceNetworkAclEntry(r -> r.networkAclId(aclId)
            .ruleNumber(200).protocol("-1").ruleAction(RuleAction.DENY).egress(false).cidrBlock("0.0.0.0/0").dryRun(dry)));
        harness.refusedEitherWay("InvalidNetworkAclEntry.NotFound", dry -> ec2.deleteNetworkAclEntry(r -> r.networkAclId(aclId)
            .ruleNumber(100).egress(true).dryRun(dry)));
        harness.refusedEitherWay("InvalidNetworkAclID.NotFound", dry -> ec2.describeNetworkAcls(r -> r
            .networkAclIds("acl-0123456789abcdef0").dryRun(dry)));
        harness.refusedEitherWay("InvalidNetworkAclID.NotFound", dry -> ec2.createNetworkAclEntry(r -> r
            .networkAclId("acl-0123456789abcdef0").ruleNumber(1).protocol("-1").ruleAction(RuleAction.DENY).egress(false)
            .cidrBlock("0.0.0.0/0").dryRun(dry)));
        harness.refusedEitherWay("InvalidAssociationID.NotFound", dry -> ec2.replaceNetworkAclAssociation(r -> r
            .associationId("aclassoc-0123456789abcdef0").networkAclId(aclId).dryRun(dry)));
        harness.refusedEitherWay("InvalidParameter", dry -> ec2.deleteNetworkAcl(r -> r.networkAclId(defaultAclId).dryRun(dry)));
        harness.refusedEitherWay("InvalidVpcID.NotFound", dry -> ec2.createNetworkAcl(r -> r.vpcId(UNKNOWN_VPC).dryRun(dry)));
        // an ACL of another VPC cannot take this VPC's subnet
        final String foreignAcl = ec2.describeNetworkAcls(r -> r.filters(filter("vpc-id", noDnsVpcId))).networkAcls().get(0)
            .networkAclId();
        final NetworkAclAssociation ofA = ec2.describeNetworkAcls(r -> r.filters(filter("association.subnet-id", subnetA)))
            .networkAcls().get(0).associations().stream().filter(x -> x.subnetId().equals(subnetA)).findFirst().orElseThrow();
        harness.refusedEitherWay("InvalidParameterValue", dry -> ec2.replaceNetworkAclAssociation(r -> r
            .associationId(ofA.networkAclAssociationId()).networkAclId(foreignAcl).dryRun(dry)));
    }

    @Test
    void endpoints()
    {
        harness.refusedEitherWay("InvalidServiceName", dry -> ec2.createVpcEndpoint(r -> r.vpcId(vpcId)
            .serviceName("com.amazonaws.us-east-1.nothing").subnetIds(subnetC).dryRun(dry)));
        harness.refusedEitherWay("InvalidServiceName", dry -> ec2.createVpcEndpoint(r -> r.vpcId(vpcId)
            .serviceName(Fixture.RESTRICTED.serviceName()).subnetIds(subnetA).dryRun(dry)));
        harness.refusedEitherWay("InvalidVpcEndpointType", dry -> ec2.createVpcEndpoint(r -> r.vpcId(vpcId)
            .serviceName(Fixture.S3.serviceName()).vpcEndpointType(VpcEndpointType.GATEWAY).dryRun(dry)));
        harness.refusedEitherWay("DuplicateSubnetsInSameZone", dry -> ec2.createVpcEndpoint(r -> r.vpcId(vpcId)
            .serviceName(Fixture.MANUAL.serviceName()).subnetIds(subnetA, subnetA2).dryRun(dry)));
        harness.refusedEitherWay("InvalidParameter", dry -> ec2.createVpcEndpoint(r -> r.vpcId(vpcId)
            .serviceName(Fixture.AUTO.serviceName()).subnetIds(subnetC).privateDnsEnabled(false).dryRun(dry)));
        harness.refusedEitherWay("InvalidParameter", dry -> ec2.createVpcEndpoint(r -> r.vpcId(noDnsVpcId)
            .serviceName(Fixture.AUTO.serviceName()).subnetIds(noDnsSubnet).privateDnsEnabled(true).dryRun(dry)));
        harness.refusedEitherWay("InvalidParameter", dry -> ec2.createVpcEndpoint(r -> r.vpcId(vpcId)
            .serviceName(Fixture.AUTO.serviceName()).subnetIds(subnetA).privateDnsEnabled(true).dryRun(dry)));
        harness.refusedEitherWay("InvalidVpcID.NotFound", dry -> ec2.createVpcEndpoint(r -> r.vpcId(UNKNOWN_VPC)
            .serviceName(Fixture.MANUAL.serviceName()).dryRun(dry)));
        harness.refusedEitherWay("InvalidSubnetID.NotFound", dry -> ec2.createVpcEndpoint(r -> r.vpcId(vpcId)
            .serviceName(Fixture.MANUAL.serviceName()).subnetIds(UNKNOWN_SUBNET).dryRun(dry)));
        harness.refusedEitherWay("InvalidSecurityGroupID.NotFound", dry -> ec2.createVpcEndpoint(r -> r.vpcId(vpcId)
            .serviceName(Fixture.MANUAL.serviceName()).subnetIds(subnetC).securityGroupIds(UNKNOWN_GROUP).dryRun(dry)));
        harness.refusedEitherWay("InvalidParameterValue", dry -> ec2.createVpcEndpoint(r -> r.vpcId(vpcId)
            .serviceName(Fixture.MANUAL.serviceName()).serviceRegion("eu-west-1").dryRun(dry)));
        harness.refusedEitherWay("InvalidParameterValue", dry -> ec2.createVpcEndpoint(r -> r.vpcId(vpcId)
            .serviceName(Fixture.MANUAL.serviceName()).ipAddressType("dualstack").dryRun(dry)));
        harness.refusedEitherWay("InvalidParameter", dry -> ec2.createVpcEndpoint(r -> r.vpcId(vpcId)
            .serviceName(Fixture.MANUAL.serviceName()).policyDocument("{}").dryRun(dry)));

        harness.refusedEitherWay("InvalidVpcEndpointId.NotFound", dry -> ec2.describeVpcEndpoints(r -> r
            .vpcEndpointIds(UNKNOWN_ENDPOINT).dryRun(dry)));
        harness.refusedEitherWay("InvalidVpcEndpointId.Malformed", dry -> ec2.describeVpcEndpoints(r -> r
            .vpcEndpointIds("vpce-1").dryRun(dry)));
        harness.refusedEitherWay("InvalidMaxResults", dry -> ec2.describeVpcEndpoints(r -> r.maxResults(3).dryRun(dry)));
        harness.refusedEitherWay("InvalidNextToken", dry -> ec2.describeVpcEndpoints(r -> r.nextToken("garbage").dryRun(dry)));
        final String subnetsToken = ec2.describeSubnets(r -> r.maxResults(5)).nextToken();
        assertTrue(subnetsToken != null, "a page of DescribeSubnets");
        harness.refusedEitherWay("InvalidNextToken", dry -> ec2.describeVpcEndpoints(r -> r.nextToken(subnetsToken).dryRun(dry)));
        harness.refusedEitherWay("InvalidFilter", dry -> ec2.describeVpcEndpoints(r -> r.filters(filter("endpoint-colour", "x"))
            .dryRun(dry)));

        harness.refusedEitherWay("InvalidVpcEndpointId.NotFound", dry -> ec2.modifyVpcEndpoint(r -> r.vpcEndpointId(UNKNOWN_ENDPOINT)
            .privateDnsEnabled(false).dryRun(dry)));
        harness.refusedEitherWay("DuplicateSubnetsInSameZone", dry -> ec2.modifyVpcEndpoint(r -> r.vpcEndpointId(endpointId)
            .addSubnetIds(subnetA2).dryRun(dry)));
        harness.refusedEitherWay("InvalidParameter", dry -> ec2.modifyVpcEndpoint(r -> r.vpcEndpointId(endpointId)
            .addSubnetIds(subnetC).dryRun(dry)));
        harness.refusedEitherWay("InvalidParameterCombination", dry -> ec2.modifyVpcEndpoint(r -> r.vpcEndpointId(endpointId)
            .addSecurityGroupIds(defaultGroup).removeSecurityGroupIds(defaultGroup).dryRun(dry)));
        harness.refusedEitherWay("InvalidParameter", dry -> ec2.modifyVpcEndpoint(r -> r.vpcEndpointId(endpointId)
            .removeSecurityGroupIds(web).dryRun(dry)));
        harness.refusedEitherWay("InvalidParameter", dry -> ec2.modifyVpcEndpoint(r -> r.vpcEndpointId(endpointId)
            .addRouteTableIds("rtb-0123456789abcdef0").dryRun(dry)));

        harness.refusedEitherWay("InvalidServiceName", dry -> ec2.describeVpcEndpointServices(r -> r
            .serviceNames("com.amazonaws.us-east-1.nothing").dryRun(dry)));
        harness.refusedEitherWay("InvalidNetworkInterfaceID.NotFound", dry -> ec2.describeNetworkInterfaces(r -> r
            .networkInterfaceIds("eni-0123456789abcdef0").dryRun(dry)));
    }

    @Test
    void notifications()
    {
        harness.refusedEitherWay("InvalidVpcEndpointId.NotFound", dry -> ec2.createVpcEndpointConnectionNotification(r -> r
            .vpcEndpointId(UNKNOWN_ENDPOINT).connectionNotificationArn(TOPIC).connectionEvents("Accept").dryRun(dry)));
        harness.refusedEitherWay("InvalidVpcEndpointServiceId.NotFound", dry -> ec2.createVpcEndpointConnectionNotification(r -> r
            .serviceId(UNKNOWN_SERVICE).connectionNotificationArn(TOPIC).connectionEvents("Accept").dryRun(dry)));
        harness.refusedEitherWay("InvalidParameterValue", dry -> ec2.createVpcEndpointConnectionNotification(r -> r
            .vpcEndpointId(endpointId).connectionNotificationArn("arn:aws:sqs:us-east-1:123456789012:q").connectionEvents("Accept")
            .dryRun(dry)));
        harness.refusedEitherWay("InvalidParameterValue", dry -> ec2.createVpcEndpointConnectionNotification(r -> r
            .vpcEndpointId(endpointId).connectionNotificationArn(TOPIC).connectionEvents("accept").dryRun(dry)));
        harness.refusedEitherWay("InvalidParameterCombination", dry -> ec2.createVpcEndpointConnectionNotification(r -> r
            .vpcEndpointId(endpointId).serviceId(serviceId).connectionNotificationArn(TOPIC).connectionEvents("Accept").dryRun(dry)));
        harness.refusedEitherWay("MissingParameter", dry -> ec2.createVpcEndpointConnectionNotification(r -> r
            .vpcEndpointId(endpointId).connectionNotificationArn(TOPIC).dryRun(dry)));
        harness.refusedEitherWay("InvalidConnectionNotification", dry -> ec2.modifyVpcEndpointConnectionNotification(r -> r
            .connectionNotificationId("vpce-nfn-0123456789abcdef0").connectionEvents("Reject").dryRun(dry)));
        harness.refusedEitherWay("MissingParameter", dry -> ec2.modifyVpcEndpointConnectionNotification(r -> r
            .connectionNotificationId(notificationId).dryRun(dry)));
        harness.refusedEitherWay("InvalidConnectionNotification", dry -> ec2.describeVpcEndpointConnectionNotifications(r -> r
            .connectionNotificationId("vpce-nfn-0123456789abcdef0").dryRun(dry)));
    }

    @Test
    void provider()
    {
        harness.refusedEitherWay("InvalidVpcEndpointServiceId.NotFound", dry -> ec2.acceptVpcEndpointConnections(r -> r
            .serviceId(UNKNOWN_SERVICE).vpcEndpointIds(waitingEndpointId).dryRun(dry)));
        harness.refusedEitherWay("InvalidVpcEndpointServiceIdId.Malformed", dry -> ec2.rejectVpcEndpointConnections(r -> r
            .serviceId("vpce-svc-?").vpcEndpointIds(waitingEndpointId).dryRun(dry)));
        harness.refusedEitherWay("InvalidVpcEndpointServiceId.NotFound", dry -> ec2.describeVpcEndpointServiceConfigurations(r -> r
            .serviceIds(UNKNOWN_SERVICE).dryRun(dry)));
        harness.refusedEitherWay("OperationNotPermitted", dry -> ec2.modifyVpcEndpointServiceConfiguration(r -> r
            .serviceId(Fixture.AUTO.serviceId()).acceptanceRequired(true).dryRun(dry)));
        harness.refusedEitherWay("InvalidVpcEndpointServiceId.NotFound", dry -> ec2.modifyVpcEndpointServiceConfiguration(r -> r
            .serviceId(UNKNOWN_SERVICE).acceptanceRequired(true).dryRun(dry)));
        harness.refusedEitherWay("InvalidParameterValue", dry -> ec2.createVpcEndpointServiceConfiguration(r -> r
            .networkLoadBalancerArns("arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/net/none/1").dryRun(dry)));
        harness.refusedEitherWay("MissingParameter", dry -> ec2.createVpcEndpointServiceConfiguration(r -> r
            .acceptanceRequired(false).dryRun(dry)));
        harness.refusedEitherWay("InvalidParameter", dry -> ec2.createVpcEndpointServiceConfiguration(r -> r
            .gatewayLoadBalancerArns("arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/gwy/g/1").dryRun(dry)));
        harness.refusedEitherWay("InvalidParameterValue", dry -> ec2.createVpcEndpointServiceConfiguration(r -> r
            .networkLoadBalancerArns(Fixture.MANUAL.loadBalancerArn()).supportedRegions("eu-west-1").dryRun(dry)));
        harness.refusedEitherWay("InvalidParameterValue", dry -> ec2.describeVpcEndpointConnections(r -> r
            .filters(Filter.builder().name("service-id").build()).dryRun(dry)));
    }

    /**
     * Batch actions answer 200 with an {@code <unsuccessful>} item per id they could not act on; when none could be
     * acted on, nothing is committed and the state is not republished.
     */
    @Test
    void batchFailuresAreUnsuccessfulItemsAndChangeNothing()
    {
        assertEquals(List.of("InvalidVpcEndpoint.NotFound", "InvalidVpcEndpointId.Malformed"), unchanged(() -> ec2.deleteVpcEndpoints(r -> r
            .vpcEndpointIds(UNKNOWN_ENDPOINT, "vpce-?")).unsuccessful()));
        assertEquals(List.of("InvalidState"), unchanged(() -> ec2.acceptVpcEndpointConnections(r -> r.serviceId(Fixture.AUTO.serviceId())
            .vpcEndpointIds(endpointId)).unsuccessful()), "only pendingAcceptance endpoints can be accepted");
        assertEquals(List.of("InvalidVpcEndpoint.NotFound"), unchanged(() -> ec2.rejectVpcEndpointConnections(r -> r
            .serviceId(serviceId).vpcEndpointIds(endpointId)).unsuccessful()), "an endpoint of another service");
        assertEquals(List.of("ExistingVpcEndpointConnections"), unchanged(() -> ec2.deleteVpcEndpointServiceConfigurations(r -> r
            .serviceIds(serviceId)).unsuccessful()));
        assertEquals(List.of("OperationNotPermitted", "InvalidVpcEndpointService.NotFound"), unchanged(() ->
            ec2.deleteVpcEndpointServiceConfigurations(r -> r.serviceIds(Fixture.AUTO.serviceId(), UNKNOWN_SERVICE)).unsuccessful()));
        assertEquals(List.of("InvalidConnectionNotification"), unchanged(() -> ec2.deleteVpcEndpointConnectionNotifications(r -> r
            .connectionNotificationIds("vpce-nfn-0123456789abcdef0")).unsuccessful()));
        harness.refusedEitherWay("MissingParameter", dry -> ec2.deleteVpcEndpoints(r -> r.dryRun(dry)));
    }

    /** The endpoint quota per VPC, on a control plane configured with a quota of one. */
    @Test
    void endpointLimit() throws Exception
    {
        try (Ec2ActionsHarness small = new Ec2ActionsHarness(Fixture.settings(1, 0), StateStore.inMemory(), 0);
             Ec2Client client = small.client())
        {
            final String vpc = client.createVpc(r -> r.cidrBlock("10.0.0.0/16")).vpc().vpcId();
            final String subnet = client.createSubnet(r -> r.vpcId(vpc).cidrBlock("10.0.1.0/24").availabilityZone("us-east-1a"))
                .subnet().subnetId();
            client.createVpcEndpoint(r -> r.vpcId(vpc).serviceName(Fixture.MANUAL.serviceName()).subnetIds(subnet));
            small.refused("VpcEndpointLimitExceeded", () -> client.createVpcEndpoint(r -> r.vpcId(vpc)
                .serviceName(Fixture.MANUAL.serviceName()).subnetIds(subnet).dryRun(true)));
            small.refused("VpcEndpointLimitExceeded", () -> client.createVpcEndpoint(r -> r.vpcId(vpc)
                .serviceName(Fixture.MANUAL.serviceName()).subnetIds(subnet)));
        }
    }

    /** What the SDK would never send: unknown actions and parameters, missing ones, bad scalars. */
    @Test
    void queryLevelRefusals() throws Exception
    {
        raw(400, "InvalidAction", "Action=DescribeInstances&Version=2016-11-15");
        raw(400, "UnknownParameter", "Action=CreateVpc&Version=2016-11-15&CidrBlock=10.5.0.0%2F16&Colour=blue");
        raw(400, "UnknownParameter", "Action=DeleteVpcEndpoints&Version=2016-11-15&VpcEndpointIds.1=" + endpointId);
        raw(400, "MissingParameter", "Action=DeleteVpc&Version=2016-11-15");
        raw(400, "MissingParameter", "Action=CreateVpcEndpoint&Version=2016-11-15&VpcId=" + vpcId);
        raw(400, "MissingParameter", "Action=AcceptVpcEndpointConnections&Version=2016-11-15&ServiceId=" + serviceId);
        raw(400, "InvalidParameterValue", "Action=CreateVpcEndpoint&Version=2016-11-15&VpcId=" + vpcId + "&ServiceName=" +
            Fixture.MANUAL.serviceName() + "&PrivateDnsEnabled=True");
        raw(400, "InvalidParameterValue", "Action=DescribeVpcEndpoints&Version=2016-11-15&MaxResults=ten");
        raw(400, "InvalidParameterValue", "Action=CreateNetworkAclEntry&Version=2016-11-15&NetworkAclId=" + aclId +
            "&RuleNumber=1&Protocol=6&RuleAction=ALLOW&Egress=false&CidrBlock=0.0.0.0%2F0");
        raw(400, "InvalidParameterValue", "Action=DescribeVpcAttribute&Version=2016-11-15&VpcId=" + vpcId + "&Attribute=colour");
        raw(400, "InvalidParameterValue", "Action=CreateVpcEndpoint&Version=2016-11-15&VpcId=" + vpcId + "&ServiceName=" +
            Fixture.MANUAL.serviceName() + "&SubnetConfiguration.1.SubnetId=" + subnetC + "&SubnetConfiguration.1.Ipv4=10.0.3.9");
        raw(400, "InvalidParameterValue", "Action=CreateVpcEndpoint&Version=2016-11-15&VpcId=" + vpcId + "&ServiceName=" +
            Fixture.MANUAL.serviceName() + "&DnsOptions.PrivateDnsOnlyForInboundResolverEndpoint=true");
        raw(400, "InvalidParameterValue", "Action=CreateVpc&Version=2016-11-15&CidrBlock=10.5.0.0%2F16" +
            "&TagSpecification.1.ResourceType=vpc&TagSpecification.1.Tag.1.Key=k&TagSpecification.1.Tag.1.Value=1" +
            "&TagSpecification.1.Tag.2.Key=k&TagSpecification.1.Tag.2.Value=2");
    }

    private static String modifyVpcAttribute(final String vpc)
    {
        return "Action=ModifyVpcAttribute&Version=2016-11-15&VpcId=" + vpc;
    }

    private static void raw(final int status, final String code, final String body) throws Exception
    {
        final ControlPlaneState before = harness.state();
        final HttpResponse<String> response = harness.post(body);
        assertEquals(status, response.statusCode(), body + " -> " + response.body());
        assertTrue(response.body().contains("<Code>" + code + "</Code>"), body + " -> " + response.body());
        assertSame(before, harness.state(), body);
        final HttpResponse<String> dry = harness.post(body + "&DryRun=true");
        assertTrue(dry.body().contains("<Code>" + code + "</Code>"), "DryRun " + body + " -> " + dry.body());
        assertSame(before, harness.state(), body);
    }

    /** @return the codes of the unsuccessful items; asserts the state was not republished. */
    private static List<String> unchanged(final Supplier<List<UnsuccessfulItem>> call)
    {
        final ControlPlaneState before = harness.state();
        final List<UnsuccessfulItem> items = call.get();
        assertSame(before, harness.state());
        return items.stream().map(item -> item.error().code()).toList();
    }

    private static String subnet(final String vpc, final String cidr, final String zone)
    {
        return ec2.createSubnet(r -> r.vpcId(vpc).cidrBlock(cidr).availabilityZone(zone)).subnet().subnetId();
    }

    private static IpPermission https(final String cidr)
    {
        return IpPermission.builder().ipProtocol("tcp").fromPort(443).toPort(443).ipRanges(IpRange.builder().cidrIp(cidr).build()).build();
    }

    private static AttributeBooleanValue on(final boolean value)
    {
        return AttributeBooleanValue.builder().value(value).build();
    }

    private static Filter filter(final String name, final String... values)
    {
        return Filter.builder().name(name).values(values).build();
    }

    private static TagSpecification tags(final String resourceType)
    {
        return TagSpecification.builder().resourceType(resourceType).tags(Tag.builder().key("k").value("v").build()).build();
    }
}
