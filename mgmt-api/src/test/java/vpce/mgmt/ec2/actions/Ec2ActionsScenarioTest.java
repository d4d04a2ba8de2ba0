package vpce.mgmt.ec2.actions;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ec2.model.AuthorizeSecurityGroupIngressResponse;
import software.amazon.awssdk.services.ec2.model.AvailabilityZone;
import software.amazon.awssdk.services.ec2.model.ConnectionNotification;
import software.amazon.awssdk.services.ec2.model.DescribeVpcEndpointsResponse;
import software.amazon.awssdk.services.ec2.model.DnsEntry;
import software.amazon.awssdk.services.ec2.model.Filter;
import software.amazon.awssdk.services.ec2.model.IcmpTypeCode;
import software.amazon.awssdk.services.ec2.model.IpPermission;
import software.amazon.awssdk.services.ec2.model.IpRange;
import software.amazon.awssdk.services.ec2.model.NetworkAcl;
import software.amazon.awssdk.services.ec2.model.NetworkAclAssociation;
import software.amazon.awssdk.services.ec2.model.NetworkAclEntry;
import software.amazon.awssdk.services.ec2.model.NetworkInterface;
import software.amazon.awssdk.services.ec2.model.PortRange;
import software.amazon.awssdk.services.ec2.model.RevokeSecurityGroupEgressResponse;
import software.amazon.awssdk.services.ec2.model.RevokeSecurityGroupIngressResponse;
import software.amazon.awssdk.services.ec2.model.RuleAction;
import software.amazon.awssdk.services.ec2.model.SecurityGroup;
import software.amazon.awssdk.services.ec2.model.SecurityGroupIdentifier;
import software.amazon.awssdk.services.ec2.model.SecurityGroupRule;
import software.amazon.awssdk.services.ec2.model.ServiceConfiguration;
import software.amazon.awssdk.services.ec2.model.ServiceDetail;
import software.amazon.awssdk.services.ec2.model.Subnet;
import software.amazon.awssdk.services.ec2.model.Tag;
import software.amazon.awssdk.services.ec2.model.TagSpecification;
import software.amazon.awssdk.services.ec2.model.UnsuccessfulItem;
import software.amazon.awssdk.services.ec2.model.UserIdGroupPair;
import software.amazon.awssdk.services.ec2.model.Vpc;
import software.amazon.awssdk.services.ec2.model.VpcAttributeName;
import software.amazon.awssdk.services.ec2.model.VpcEndpoint;
import software.amazon.awssdk.services.ec2.model.VpcEndpointConnection;
import software.amazon.awssdk.services.ec2.model.VpcEndpointType;
import vpce.mgmt.controlplane.ConnectionEvent;
import vpce.mgmt.controlplane.ConnectionEventType;
import vpce.mgmt.controlplane.ControlPlane;
import vpce.mgmt.controlplane.Fixture;
import vpce.mgmt.controlplane.IdSource;
import vpce.mgmt.controlplane.Resource;
import vpce.mgmt.store.FileStateStore;

import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * One consumer-and-provider session through the AWS SDK for Java v2 that calls every action of the catalog and checks
 * what the SDK parsed from each answer; the state it leaves is then recovered from the store it was written to.
 */
class Ec2ActionsScenarioTest
{
    private static final Instant CREATED = Instant.ofEpochMilli(Fixture.START_MS);

    @TempDir
    Path stateDirectory;

    @Test
    void everyActionThroughTheSdk() throws Exception
    {
        final List<Resource> finalResources;
        final Set<String> called = new HashSet<>();
        try (FileStateStore store = FileStateStore.open(stateDirectory);
             Ec2ActionsHarness harness = new Ec2ActionsHarness(store);
             Ec2Client ec2 = harness.client())
        {
            // ------------------------------------------------------------ zones, VPC, DNS attributes
            final List<AvailabilityZone> zones = ec2.describeAvailabilityZones().availabilityZones();
            called.add("DescribeAvailabilityZones");
            assertEquals(List.of("us-east-1a", "us-east-1b", "us-east-1c"), zones.stream().map(AvailabilityZone::zoneName).toList());
            assertEquals(List.of("use1-az1", "use1-az2", "use1-az3"), zones.stream().map(AvailabilityZone::zoneId).toList());
            assertEquals("available", zones.get(0).stateAsString());
            assertEquals("us-east-1", zones.get(0).regionName());
            assertEquals("opt-in-not-required", zones.get(0).optInStatusAsString());
            assertEquals(List.of("us-east-1b"), ec2.describeAvailabilityZones(r -> r.zoneIds("use1-az2")).availabilityZones().stream()
                .map(AvailabilityZone::zoneName).toList());

            final Vpc vpc = ec2.createVpc(r -> r.cidrBlock("10.0.0.0/16").tagSpecifications(tags("vpc", "Name", "consumer"))).vpc();
            called.add("CreateVpc");
            final String vpcId = vpc.vpcId();
            assertTrue(vpcId.matches("vpc-[0-9a-f]{17}"), vpcId);
            assertEquals("10.0.0.0/16", vpc.cidrBlock());
            assertEquals("available", vpc.stateAsString());
            assertEquals(Fixture.OWNER, vpc.ownerId());
            assertFalse(vpc.isDefault());
            assertEquals("associated", vpc.cidrBlockAssociationSet().get(0).cidrBlockState().stateAsString());
            assertEquals(List.of(Tag.builder().key("Name").value("consumer").build()), vpc.tags());

            assertTrue(ec2.describeVpcAttribute(r -> r.vpcId(vpcId).attribute(VpcAttributeName.ENABLE_DNS_SUPPORT))
                .enableDnsSupport().value());
            assertFalse(ec2.describeVpcAttribute(r -> r.vpcId(vpcId).attribute(VpcAttributeName.ENABLE_DNS_HOSTNAMES))
                .enableDnsHostnames().value());
            called.add("DescribeVpcAttribute");
            ec2.modifyVpcAttribute(r -> r.vpcId(vpcId).enableDnsHostnames(v -> v.value(true)));
            called.add("ModifyVpcAttribute");
            assertTrue(ec2.describeVpcAttribute(r -> r.vpcId(vpcId).attribute(VpcAttributeName.ENABLE_DNS_HOSTNAMES))
                .enableDnsHostnames().value());
            assertEquals(vpcId, ec2.describeVpcAttribute(r -> r.vpcId(vpcId).attribute(VpcAttributeName.ENABLE_DNS_HOSTNAMES)).vpcId());

            // ------------------------------------------------------------ subnets in three zones
            final Subnet a = ec2.createSubnet(r -> r.vpcId(vpcId).cidrBlock("10.0.1.0/24").availabilityZone("us-east-1a")
                .tagSpecifications(tags("subnet", "tier", "a"))).subnet();
            called.add("CreateSubnet");
            final Subnet b = ec2.createSubnet(r -> r.vpcId(vpcId).cidrBlock("10.0.2.0/24").availabilityZoneId("use1-az2")).subnet();
            final Subnet c = ec2.createSubnet(r -> r.vpcId(vpcId).cidrBlock("10.0.3.0/24").availabilityZone("us-east-1c")).subnet();
            assertEquals("us-east-1b", b.availabilityZone());
            assertEquals("use1-az1", a.availabilityZoneId());
            assertEquals(256 - 5, a.availableIpAddressCount());
            assertEquals("arn:aws:ec2:us-east-1:" + Fixture.OWNER + ":subnet/" + a.subnetId(), a.subnetArn());
            assertEquals("available", a.stateAsString());
            assertEquals(vpcId, a.vpcId());
            assertFalse(a.mapPublicIpOnLaunch());
            assertEquals("ip-name", a.privateDnsNameOptionsOnLaunch().hostnameTypeAsString());
            assertEquals(List.of(Tag.builder().key("tier").value("a").build()), a.tags());
            assertEquals(List.of(a.subnetId()), ec2.describeSubnets(r -> r.filters(filter("vpc-id", vpcId),
                filter("availability-zone", "us-east-1a"))).subnets().stream().map(Subnet::subnetId).toList());
            assertEquals(List.of(c.subnetId()), ec2.describeSubnets(r -> r.subnetIds(c.subnetId())).subnets().stream()
                .map(Subnet::subnetId).toList());
            called.add("DescribeSubnets");

            // ------------------------------------------------------------ a security group and its rules
            final var created = ec2.createSecurityGroup(r -> r.groupName("web").description("web tier").vpcId(vpcId)
                .tagSpecifications(tags("security-group", "role", "web")));
            called.add("CreateSecurityGroup");
            final String web = created.groupId();
            assertTrue(web.matches("sg-[0-9a-f]{17}"), web);
            assertEquals("arn:aws:ec2:us-east-1:" + Fixture.OWNER + ":security-group/" + web, created.securityGroupArn());
            assertEquals("web", created.tags().get(0).value());

            final AuthorizeSecurityGroupIngressResponse ingress = ec2.authorizeSecurityGroupIngress(r -> r.groupId(web).ipPermissions(
                IpPermission.builder().ipProtocol("tcp").fromPort(443).toPort(443)
                    .ipRanges(IpRange.builder().cidrIp("203.0.113.0/24").description("clients").build())
                    .userIdGroupPairs(UserIdGroupPair.builder().groupId(web).build()).build()));
            assertTrue(ingress.returnValue());
            assertEquals(2, ingress.securityGroupRules().size());
            final SecurityGroupRule https = ingress.securityGroupRules().get(0);
            assertTrue(https.securityGroupRuleId().startsWith("sgr-"), https.securityGroupRuleId());
            assertEquals(web, https.groupId());
            assertFalse(https.isEgress());
            assertEquals("tcp", https.ipProtocol());
            assertEquals(443, https.fromPort());
            assertEquals("203.0.113.0/24", https.cidrIpv4());
            assertEquals("clients", https.description());
            assertEquals(web, ingress.securityGroupRules().get(1).referencedGroupInfo().groupId());
            // the flat form, by group name, as `aws ec2 authorize-security-group-ingress --group-name` sends it
            assertTrue(ec2.authorizeSecurityGroupIngress(r -> r.groupName("web").ipProtocol("udp").fromPort(53).toPort(53)
                .cidrIp("10.0.0.0/16")).returnValue());
            called.add("AuthorizeSecurityGroupIngress");
            final SecurityGroupRule toApp = ec2.authorizeSecurityGroupEgress(r -> r.groupId(web).ipPermissions(
                IpPermission.builder().ipProtocol("tcp").fromPort(8080).toPort(8080)
                    .ipRanges(IpRange.builder().cidrIp("10.0.0.0/8").build()).build())).securityGroupRules().get(0);
            called.add("AuthorizeSecurityGroupEgress");
            assertTrue(toApp.isEgress());

            final SecurityGroup group = ec2.describeSecurityGroups(r -> r.groupIds(web)).securityGroups().get(0);
            assertEquals("web", group.groupName());
            assertEquals("web tier", group.description());
            assertEquals(vpcId, group.vpcId());
            assertEquals(2, group.ipPermissions().size());
            final IpPermission tcp443 = group.ipPermissions().get(0);
            assertEquals("tcp", tcp443.ipProtocol());
            assertEquals(443, tcp443.fromPort());
            assertEquals(List.of("203.0.113.0/24"), tcp443.ipRanges().stream().map(IpRange::cidrIp).toList());
            assertEquals(web, tcp443.userIdGroupPairs().get(0).groupId());
            assertEquals(Fixture.OWNER, tcp443.userIdGroupPairs().get(0).userId());
            assertEquals(2, group.ipPermissionsEgress().size());
            final IpPermission allOut = group.ipPermissionsEgress().get(0);
            assertEquals("-1", allOut.ipProtocol());
            assertNull(allOut.fromPort());
            assertEquals("0.0.0.0/0", allOut.ipRanges().get(0).cidrIp());
            assertEquals(List.of("default", "web"), ec2.describeSecurityGroups(r -> r.filters(filter("vpc-id", vpcId))).securityGroups()
                .stream().map(SecurityGroup::groupName).sorted().toList());
            assertEquals(List.of(web), ec2.describeSecurityGroups(r -> r.groupNames("web")).securityGroups().stream()
                .map(SecurityGroup::groupId).toList());
            called.add("DescribeSecurityGroups");

            final List<SecurityGroupRule> rules = ec2.describeSecurityGroupRules(r -> r.filters(filter("group-id", web)))
                .securityGroupRules();
            called.add("DescribeSecurityGroupRules");
            assertEquals(5, rules.size(), rules.toString()); // tcp/443 x2, udp/53, all out, tcp/8080 out
            assertEquals(Fixture.OWNER, rules.get(0).groupOwnerId());
            assertEquals(List.of(toApp.securityGroupRuleId()), ec2.describeSecurityGroupRules(r -> r.securityGroupRuleIds(
                toApp.securityGroupRuleId())).securityGroupRules().stream().map(SecurityGroupRule::securityGroupRuleId).toList());

            final RevokeSecurityGroupIngressResponse revokedDns = ec2.revokeSecurityGroupIngress(r -> r.groupId(web).ipPermissions(
                IpPermission.builder().ipProtocol("udp").fromPort(53).toPort(53).ipRanges(IpRange.builder().cidrIp("10.0.0.0/16").build())
                    .build()));
            called.add("RevokeSecurityGroupIngress");
            assertTrue(revokedDns.returnValue());
            assertEquals(List.of("10.0.0.0/16"), revokedDns.revokedSecurityGroupRules().stream().map(rule -> rule.cidrIpv4()).toList());
            final RevokeSecurityGroupEgressResponse revokedApp = ec2.revokeSecurityGroupEgress(r -> r.groupId(web)
                .securityGroupRuleIds(toApp.securityGroupRuleId()));
            called.add("RevokeSecurityGroupEgress");
            assertEquals(List.of(toApp.securityGroupRuleId()), revokedApp.revokedSecurityGroupRules().stream()
                .map(rule -> rule.securityGroupRuleId()).toList());
            assertEquals(3, ec2.describeSecurityGroupRules(r -> r.filters(filter("group-id", web))).securityGroupRules().size());

            // ------------------------------------------------------------ a network ACL, its entries, an association
            final NetworkAcl acl = ec2.createNetworkAcl(r -> r.vpcId(vpcId).tagSpecifications(tags("network-acl", "Name", "strict")))
                .networkAcl();
            called.add("CreateNetworkAcl");
            final String aclId = acl.networkAclId();
            assertFalse(acl.isDefault());
            assertEquals(List.of(32767, 32767), acl.entries().stream().map(NetworkAclEntry::ruleNumber).toList());
            assertEquals("deny", acl.entries().get(0).ruleActionAsString());
            ec2.createNetworkAclEntry(r -> r.networkAclId(aclId).ruleNumber(100).protocol("6").ruleAction(RuleAction.ALLOW).egress(false)
                .cidrBlock("0.0.0.0/0").portRange(PortRange.builder().from(443).to(443).build()));
            ec2.createNetworkAclEntry(r -> r.networkAclId(aclId).ruleNumber(110).protocol("1").ruleAction(RuleAction.ALLOW).egress(true)
                .cidrBlock("10.0.0.0/8").icmpTypeCode(IcmpTypeCode.builder().type(-1).code(-1).build()));
            called.add("CreateNetworkAclEntry");
            ec2.replaceNetworkAclEntry(r -> r.networkAclId(aclId).ruleNumber(100).protocol("tcp").ruleAction(RuleAction.ALLOW)
                .egress(false).cidrBlock("0.0.0.0/0").portRange(PortRange.builder().from(8443).to(8443).build()));
            called.add("ReplaceNetworkAclEntry");
            NetworkAcl described = ec2.describeNetworkAcls(r -> r.networkAclIds(aclId)).networkAcls().get(0);
            final NetworkAclEntry rule100 = described.entries().get(0);
            assertEquals(100, rule100.ruleNumber());
            assertEquals("6", rule100.protocol());
            assertEquals(8443, rule100.portRange().from());
            assertFalse(rule100.egress());
            final NetworkAclEntry rule110 = described.entries().stream().filter(e -> e.ruleNumber() == 110).findFirst().orElseThrow();
            assertTrue(rule110.egress());
            assertEquals(-1, rule110.icmpTypeCode().type());
            assertEquals("strict", described.tags().get(0).value());
            ec2.deleteNetworkAclEntry(r -> r.networkAclId(aclId).ruleNumber(110).egress(true));
            called.add("DeleteNetworkAclEntry");
            assertEquals(3, ec2.describeNetworkAcls(r -> r.networkAclIds(aclId)).networkAcls().get(0).entries().size());

            final NetworkAcl defaultAcl = ec2.describeNetworkAcls(r -> r.filters(filter("vpc-id", vpcId), filter("default", "true")))
                .networkAcls().get(0);
            called.add("DescribeNetworkAcls");
            assertTrue(defaultAcl.isDefault());
            final NetworkAclAssociation ofA = defaultAcl.associations().stream().filter(x -> x.subnetId().equals(a.subnetId()))
                .findFirst().orElseThrow();
            final String moved = ec2.replaceNetworkAclAssociation(r -> r.associationId(ofA.networkAclAssociationId()).networkAclId(aclId))
                .newAssociationId();
            called.add("ReplaceNetworkAclAssociation");
            assertTrue(moved.startsWith("aclassoc-") && !moved.equals(ofA.networkAclAssociationId()), moved);
            described = ec2.describeNetworkAcls(r -> r.filters(filter("association.subnet-id", a.subnetId()))).networkAcls().get(0);
            assertEquals(aclId, described.networkAclId());
            assertEquals(List.of(moved), described.associations().stream().map(NetworkAclAssociation::networkAclAssociationId).toList());
            ec2.replaceNetworkAclAssociation(r -> r.associationId(moved).networkAclId(defaultAcl.networkAclId()));
            ec2.deleteNetworkAcl(r -> r.networkAclId(aclId));
            called.add("DeleteNetworkAcl");
            assertTrue(ec2.describeNetworkAcls(r -> r.filters(filter("vpc-id", vpcId))).networkAcls().stream()
                .noneMatch(x -> x.networkAclId().equals(aclId)));

            // ------------------------------------------------------------ the services a consumer sees
            final var services = ec2.describeVpcEndpointServices();
            called.add("DescribeVpcEndpointServices");
            assertEquals(List.of(Fixture.S3.serviceName(), Fixture.AUTO.serviceName(), Fixture.MANUAL.serviceName()),
                services.serviceNames(), "sorted by name; the restricted service is not visible to this account");
            final ServiceDetail auto = services.serviceDetails().stream()
                .filter(s -> s.serviceName().equals(Fixture.AUTO.serviceName())).findFirst().orElseThrow();
            assertEquals(Fixture.AUTO.serviceId(), auto.serviceId());
            assertEquals("Interface", auto.serviceType().get(0).serviceTypeAsString());
            assertEquals(List.of("us-east-1a", "us-east-1b"), auto.availabilityZones());
            assertEquals(Fixture.OWNER, auto.owner());
            assertEquals(List.of("vpce-svc-0a11ce0000000001.us-east-1.vpce.amazonaws.com"), auto.baseEndpointDnsNames());
            assertEquals("api.example.internal", auto.privateDnsName());
            assertEquals("api.example.internal", auto.privateDnsNames().get(0).privateDnsName());
            assertEquals("verified", auto.privateDnsNameVerificationStateAsString());
            assertFalse(auto.vpcEndpointPolicySupported());
            assertFalse(auto.acceptanceRequired());
            assertEquals(List.of("ipv4"), auto.supportedIpAddressTypesAsStrings());
            assertEquals(List.of("s3.us-east-1.vpce.amazonaws.com"),
                ec2.describeVpcEndpointServices(r -> r.serviceNames(Fixture.S3.serviceName())).serviceDetails().get(0).baseEndpointDnsNames());
            assertEquals("amazon", ec2.describeVpcEndpointServices(r -> r.filters(filter("owner", "amazon"))).serviceDetails().get(0).owner());

            // ------------------------------------------------------------ an endpoint with private DNS in two zones
            final VpcEndpoint endpoint = ec2.createVpcEndpoint(r -> r.vpcId(vpcId).serviceName(Fixture.AUTO.serviceName())
                .vpcEndpointType(VpcEndpointType.INTERFACE).subnetIds(a.subnetId(), b.subnetId()).securityGroupIds(web)
                .privateDnsEnabled(true).tagSpecifications(tags("vpc-endpoint", "app", "api"))).vpcEndpoint();
            called.add("CreateVpcEndpoint");
            final String endpointId = endpoint.vpcEndpointId();
            assertTrue(endpointId.matches("vpce-[0-9a-f]{17}"), endpointId);
            assertEquals("pending", endpoint.stateAsString());
            assertEquals("Interface", endpoint.vpcEndpointTypeAsString());
            assertEquals(vpcId, endpoint.vpcId());
            assertEquals(Fixture.AUTO.serviceName(), endpoint.serviceName());
            assertEquals(List.of(a.subnetId(), b.subnetId()), endpoint.subnetIds());
            assertEquals(List.of(SecurityGroupIdentifier.builder().groupId(web).groupName("web").build()), endpoint.groups());
            assertEquals(2, endpoint.networkInterfaceIds().size());
            assertTrue(endpoint.privateDnsEnabled());
            assertFalse(endpoint.requesterManaged());
            assertEquals("ipv4", endpoint.ipAddressTypeAsString());
            assertEquals("ipv4", endpoint.dnsOptions().dnsRecordIpTypeAsString());
            assertTrue(endpoint.hasRouteTableIds() && endpoint.routeTableIds().isEmpty(), "routeTableIdSet is present and empty");
            assertEquals(CREATED, endpoint.creationTimestamp());
            assertEquals(Fixture.OWNER, endpoint.ownerId());
            assertEquals(Ec2Shapes.DEFAULT_POLICY, endpoint.policyDocument());
            assertEquals("api", endpoint.tags().get(0).value());
            final List<String> names = endpoint.dnsEntries().stream().map(DnsEntry::dnsName).toList();
            assertEquals(4, names.size(), names.toString());
            final String label = names.get(0).substring(0, names.get(0).indexOf('.'));
            assertTrue(label.matches(endpointId + "-[a-z0-9]{8}"), label);
            assertEquals(List.of(label + ".vpce-svc-0a11ce0000000001.us-east-1.vpce.amazonaws.com",
                label + "-us-east-1a.vpce-svc-0a11ce0000000001.us-east-1.vpce.amazonaws.com",
                label + "-us-east-1b.vpce-svc-0a11ce0000000001.us-east-1.vpce.amazonaws.com",
                "api.example.internal"), names);
            assertEquals("Z7HUB22UULQXV", endpoint.dnsEntries().get(0).hostedZoneId());

            harness.programDatapath();
            assertEquals("available", ec2.describeVpcEndpoints(r -> r.vpcEndpointIds(endpointId)).vpcEndpoints().get(0).stateAsString());

            final List<NetworkInterface> enis = ec2.describeNetworkInterfaces(r -> r.filters(filter("vpc-id", vpcId))).networkInterfaces();
            called.add("DescribeNetworkInterfaces");
            assertEquals(endpoint.networkInterfaceIds().stream().sorted().toList(),
                enis.stream().map(NetworkInterface::networkInterfaceId).sorted().toList());
            final NetworkInterface inA = ec2.describeNetworkInterfaces(r -> r.filters(filter("subnet-id", a.subnetId())))
                .networkInterfaces().get(0);
            assertEquals("10.0.1.4", inA.privateIpAddress(), "the first address after the four AWS reserves at the start");
            assertTrue(inA.requesterManaged());
            assertEquals("in-use", inA.statusAsString());
            assertEquals("vpc_endpoint", inA.interfaceTypeAsString());
            assertEquals("VPC Endpoint Interface " + endpointId, inA.description());
            assertEquals("web", inA.groups().get(0).groupName());
            assertTrue(inA.privateIpAddresses().get(0).primary());
            assertEquals("us-east-1a", inA.availabilityZone());
            assertEquals(256 - 5 - 1, ec2.describeSubnets(r -> r.subnetIds(a.subnetId())).subnets().get(0).availableIpAddressCount());

            // modify: subnet b out and the default group in; then b back in with private DNS off
            final String defaultGroup = ec2.describeSecurityGroups(r -> r.filters(filter("vpc-id", vpcId), filter("group-name", "default")))
                .securityGroups().get(0).groupId();
            assertTrue(ec2.modifyVpcEndpoint(r -> r.vpcEndpointId(endpointId).removeSubnetIds(b.subnetId())
                .addSecurityGroupIds(defaultGroup)).returnValue());
            called.add("ModifyVpcEndpoint");
            VpcEndpoint modified = ec2.describeVpcEndpoints(r -> r.vpcEndpointIds(endpointId)).vpcEndpoints().get(0);
            assertEquals(List.of(a.subnetId()), modified.subnetIds());
            assertEquals(List.of(web, defaultGroup), modified.groups().stream().map(SecurityGroupIdentifier::groupId).toList());
            assertEquals(List.of(label + ".vpce-svc-0a11ce0000000001.us-east-1.vpce.amazonaws.com",
                    label + "-us-east-1a.vpce-svc-0a11ce0000000001.us-east-1.vpce.amazonaws.com", "api.example.internal"),
                modified.dnsEntries().stream().map(DnsEntry::dnsName).toList());
            assertTrue(ec2.describeNetworkInterfaces(r -> r.filters(filter("subnet-id", b.subnetId()))).networkInterfaces().isEmpty(),
                "removing a subnet deletes its ENI");
            ec2.modifyVpcEndpoint(r -> r.vpcEndpointId(endpointId).addSubnetIds(b.subnetId()).privateDnsEnabled(false));
            modified = ec2.describeVpcEndpoints(r -> r.vpcEndpointIds(endpointId)).vpcEndpoints().get(0);
            assertEquals(List.of(a.subnetId(), b.subnetId()), modified.subnetIds());
            assertFalse(modified.privateDnsEnabled());
            assertEquals(List.of(label + ".vpce-svc-0a11ce0000000001.us-east-1.vpce.amazonaws.com",
                    label + "-us-east-1a.vpce-svc-0a11ce0000000001.us-east-1.vpce.amazonaws.com",
                    label + "-us-east-1b.vpce-svc-0a11ce0000000001.us-east-1.vpce.amazonaws.com"),
                modified.dnsEntries().stream().map(DnsEntry::dnsName).toList());
            assertEquals(List.of(web, defaultGroup), ec2.describeNetworkInterfaces(r -> r.filters(filter("subnet-id", b.subnetId())))
                .networkInterfaces().get(0).groups().stream().map(g -> g.groupId()).toList(), "a new ENI has the endpoint's groups");

            // ------------------------------------------------------------ connection notifications
            final String topic = "arn:aws:sns:us-east-1:" + Fixture.OWNER + ":vpce-events";
            final ConnectionNotification forEndpoint = ec2.createVpcEndpointConnectionNotification(r -> r.vpcEndpointId(endpointId)
                .connectionNotificationArn(topic).connectionEvents("Accept", "Reject")).connectionNotification();
            called.add("CreateVpcEndpointConnectionNotification");
            assertTrue(forEndpoint.connectionNotificationId().matches("vpce-nfn-[0-9a-f]{17}"), forEndpoint.connectionNotificationId());
            assertEquals(endpointId, forEndpoint.vpcEndpointId());
            assertNull(forEndpoint.serviceId());
            assertEquals("Topic", forEndpoint.connectionNotificationTypeAsString());
            assertEquals("Enabled", forEndpoint.connectionNotificationStateAsString());
            assertEquals(List.of("Accept", "Reject"), forEndpoint.connectionEvents());
            assertEquals(topic, forEndpoint.connectionNotificationArn());
            final var forService = ec2.createVpcEndpointConnectionNotification(r -> r.serviceId(Fixture.MANUAL.serviceId())
                .connectionNotificationArn(topic).connectionEvents("Connect", "Delete").clientToken("token-1"));
            assertEquals("token-1", forService.clientToken());
            assertEquals(Fixture.MANUAL.serviceId(), forService.connectionNotification().serviceId());
            assertEquals(2, ec2.describeVpcEndpointConnectionNotifications().connectionNotificationSet().size());
            assertEquals(List.of(forEndpoint.connectionNotificationId()), ec2.describeVpcEndpointConnectionNotifications(r -> r
                .filters(filter("vpc-endpoint-id", endpointId))).connectionNotificationSet().stream()
                .map(ConnectionNotification::connectionNotificationId).toList());
            called.add("DescribeVpcEndpointConnectionNotifications");
            final String otherTopic = "arn:aws:sns:us-east-1:" + Fixture.OWNER + ":other";
            assertTrue(ec2.modifyVpcEndpointConnectionNotification(r -> r.connectionNotificationId(forEndpoint.connectionNotificationId())
                .connectionNotificationArn(otherTopic).connectionEvents("Accept", "Reject", "Delete")).returnValue());
            called.add("ModifyVpcEndpointConnectionNotification");
            final ConnectionNotification changed = ec2.describeVpcEndpointConnectionNotifications(r -> r
                .connectionNotificationId(forEndpoint.connectionNotificationId())).connectionNotificationSet().get(0);
            assertEquals(otherTopic, changed.connectionNotificationArn());
            assertEquals(List.of("Accept", "Reject", "Delete"), changed.connectionEvents());
            final List<UnsuccessfulItem> notDeleted = ec2.deleteVpcEndpointConnectionNotifications(r -> r.connectionNotificationIds(
                forService.connectionNotification().connectionNotificationId(), "vpce-nfn-0123456789abcdef0")).unsuccessful();
            called.add("DeleteVpcEndpointConnectionNotifications");
            assertEquals(1, notDeleted.size());
            assertEquals("vpce-nfn-0123456789abcdef0", notDeleted.get(0).resourceId());
            assertEquals("InvalidConnectionNotification", notDeleted.get(0).error().code());
            assertEquals(1, ec2.describeVpcEndpointConnectionNotifications().connectionNotificationSet().size());

            // ------------------------------------------------------------ a provider's service, accepted and rejected
            final var createdService = ec2.createVpcEndpointServiceConfiguration(r -> r.acceptanceRequired(true)
                .privateDnsName("svc.example.com").networkLoadBalancerArns(Fixture.MANUAL.loadBalancerArn())
                .clientToken("svc-token").tagSpecifications(tags("vpc-endpoint-service", "team", "platform")));
            called.add("CreateVpcEndpointServiceConfiguration");
            final ServiceConfiguration service = createdService.serviceConfiguration();
            final String serviceId = service.serviceId();
            assertEquals("svc-token", createdService.clientToken());
            assertTrue(serviceId.matches("vpce-svc-[0-9a-f]{17}"), serviceId);
            assertEquals("com.amazonaws.vpce.us-east-1." + serviceId, service.serviceName());
            assertEquals("Available", service.serviceStateAsString());
            assertEquals("Interface", service.serviceType().get(0).serviceTypeAsString());
            assertEquals(List.of("us-east-1a", "us-east-1b", "us-east-1c"), service.availabilityZones());
            assertEquals(List.of(Fixture.MANUAL.loadBalancerArn()), service.networkLoadBalancerArns());
            assertEquals(List.of(serviceId + ".us-east-1.vpce.amazonaws.com"), service.baseEndpointDnsNames());
            assertEquals("svc.example.com", service.privateDnsName());
            assertEquals("verified", service.privateDnsNameConfiguration().stateAsString());
            assertTrue(service.acceptanceRequired());
            assertEquals("platform", service.tags().get(0).value());
            assertTrue(ec2.modifyVpcEndpointServiceConfiguration(r -> r.serviceId(serviceId).removePrivateDnsName(true)
                .addNetworkLoadBalancerArns(Fixture.AUTO.loadBalancerArn())).returnValue());
            called.add("ModifyVpcEndpointServiceConfiguration");
            final ServiceConfiguration modifiedService = ec2.describeVpcEndpointServiceConfigurations(r -> r.serviceIds(serviceId))
                .serviceConfigurations().get(0);
            called.add("DescribeVpcEndpointServiceConfigurations");
            assertNull(modifiedService.privateDnsName());
            assertEquals(List.of(Fixture.MANUAL.loadBalancerArn(), Fixture.AUTO.loadBalancerArn()), modifiedService.networkLoadBalancerArns());
            assertTrue(ec2.describeVpcEndpointServiceConfigurations().serviceConfigurations().stream()
                .anyMatch(s -> s.serviceId().equals(Fixture.AUTO.serviceId())), "the catalog services this account provides");

            ec2.createVpcEndpointConnectionNotification(r -> r.serviceId(serviceId).connectionNotificationArn(topic)
                .connectionEvents("Connect", "Accept", "Reject", "Delete"));
            final String toAccept = ec2.createVpcEndpoint(r -> r.vpcId(vpcId).serviceName(service.serviceName()).subnetIds(a.subnetId()))
                .vpcEndpoint().vpcEndpointId();
            final String toReject = ec2.createVpcEndpoint(r -> r.vpcId(vpcId).serviceName(service.serviceName()).subnetIds(b.subnetId()))
                .vpcEndpoint().vpcEndpointId();
            final List<VpcEndpointConnection> waiting = ec2.describeVpcEndpointConnections(r -> r.filters(filter("service-id", serviceId)))
                .vpcEndpointConnections();
            called.add("DescribeVpcEndpointConnections");
            assertEquals(List.of(toAccept, toReject).stream().sorted().toList(), waiting.stream().map(VpcEndpointConnection::vpcEndpointId).toList());
            assertEquals("pendingAcceptance", waiting.get(0).vpcEndpointStateAsString());
            assertEquals(Fixture.OWNER, waiting.get(0).vpcEndpointOwner());
            assertEquals(serviceId, waiting.get(0).serviceId());
            assertEquals(CREATED, waiting.get(0).creationTimestamp());
            assertTrue(waiting.get(0).vpcEndpointConnectionId().startsWith("vpce-con-"));

            assertTrue(ec2.acceptVpcEndpointConnections(r -> r.serviceId(serviceId).vpcEndpointIds(toAccept)).unsuccessful().isEmpty());
            called.add("AcceptVpcEndpointConnections");
            final List<UnsuccessfulItem> notRejected = ec2.rejectVpcEndpointConnections(r -> r.serviceId(serviceId)
                .vpcEndpointIds(toReject, "vpce-0123456789abcdef0")).unsuccessful();
            called.add("RejectVpcEndpointConnections");
            assertEquals(List.of("vpce-0123456789abcdef0"), notRejected.stream().map(UnsuccessfulItem::resourceId).toList());
            assertEquals("InvalidVpcEndpoint.NotFound", notRejected.get(0).error().code());
            assertEquals("pending", state(ec2, toAccept));
            assertEquals("rejected", state(ec2, toReject));
            harness.programDatapath();
            assertEquals("available", state(ec2, toAccept));
            assertEquals(List.of(toReject), ec2.describeVpcEndpointConnections(r -> r.filters(filter("vpc-endpoint-state", "rejected")))
                .vpcEndpointConnections().stream().map(VpcEndpointConnection::vpcEndpointId).toList());

            final List<UnsuccessfulItem> inUse = ec2.deleteVpcEndpointServiceConfigurations(r -> r.serviceIds(serviceId)).unsuccessful();
            assertEquals("ExistingVpcEndpointConnections", inUse.get(0).error().code());

            // ------------------------------------------------------------ enough endpoints for pages of 5
            final List<String> waitingIds = new ArrayList<>();
            for (int i = 0; i < 4; i++)
            {
                waitingIds.add(ec2.createVpcEndpoint(r -> r.vpcId(vpcId).serviceName(Fixture.MANUAL.serviceName())
                    .subnetIds(a.subnetId())).vpcEndpoint().vpcEndpointId());
            }
            final DescribeVpcEndpointsResponse first = ec2.describeVpcEndpoints(r -> r.maxResults(5));
            assertEquals(5, first.vpcEndpoints().size());
            assertNotNull(first.nextToken());
            final DescribeVpcEndpointsResponse second = ec2.describeVpcEndpoints(r -> r.maxResults(5).nextToken(first.nextToken()));
            assertEquals(2, second.vpcEndpoints().size());
            assertNull(second.nextToken());
            final List<String> paged = new ArrayList<>();
            ec2.describeVpcEndpointsPaginator(r -> r.maxResults(5)).vpcEndpoints().forEach(e -> paged.add(e.vpcEndpointId()));
            assertEquals(7, new HashSet<>(paged).size(), "the SDK's paginator follows nextToken: " + paged);
            assertEquals(waitingIds.stream().sorted().toList(), ec2.describeVpcEndpoints(r -> r.filters(
                    filter("vpc-endpoint-state", "pendingAcceptance"))).vpcEndpoints().stream().map(VpcEndpoint::vpcEndpointId).toList());
            called.add("DescribeVpcEndpoints");

            // ------------------------------------------------------------ deletes
            final List<String> toDelete = new ArrayList<>(waitingIds);
            toDelete.add(toAccept);
            toDelete.add("vpce-0123456789abcdef0");
            final List<UnsuccessfulItem> notFound = ec2.deleteVpcEndpoints(r -> r.vpcEndpointIds(toDelete)).unsuccessful();
            called.add("DeleteVpcEndpoints");
            assertEquals(List.of("vpce-0123456789abcdef0"), notFound.stream().map(UnsuccessfulItem::resourceId).toList());
            assertEquals("InvalidVpcEndpoint.NotFound", notFound.get(0).error().code());
            assertEquals("deleting", state(ec2, toAccept));
            harness.programDatapath();
            assertEquals("deleted", state(ec2, toAccept));
            assertTrue(ec2.deleteVpcEndpointServiceConfigurations(r -> r.serviceIds(serviceId)).unsuccessful().isEmpty(),
                "a rejected endpoint no longer holds the service");
            called.add("DeleteVpcEndpointServiceConfigurations");
            assertTrue(ec2.describeVpcEndpointServiceConfigurations().serviceConfigurations().stream()
                .noneMatch(s -> s.serviceId().equals(serviceId)));

            final List<ConnectionEventType> accepted = harness.events.stream().filter(e -> e.vpcEndpointId().equals(toAccept))
                .map(ConnectionEvent::eventType).toList();
            assertEquals(List.of(ConnectionEventType.CONNECT, ConnectionEventType.ACCEPT, ConnectionEventType.DELETE), accepted);
            assertTrue(harness.events.stream().anyMatch(e -> e.vpcEndpointId().equals(toReject) && e.eventType() == ConnectionEventType.REJECT));

            final String temp = ec2.createSecurityGroup(r -> r.groupName("temp").description("temporary").vpcId(vpcId)).groupId();
            final var deletedGroup = ec2.deleteSecurityGroup(r -> r.groupName("temp"));
            called.add("DeleteSecurityGroup");
            assertTrue(deletedGroup.returnValue());
            assertEquals(temp, deletedGroup.groupId());
            final String spare = ec2.createSubnet(r -> r.vpcId(vpcId).cidrBlock("10.0.4.0/24")).subnet().subnetId();
            ec2.deleteSubnet(r -> r.subnetId(spare));
            called.add("DeleteSubnet");
            assertTrue(ec2.describeSubnets(r -> r.filters(filter("vpc-id", vpcId))).subnets().stream()
                .noneMatch(s -> s.subnetId().equals(spare)));
            final String other = ec2.createVpc(r -> r.cidrBlock("172.16.0.0/16")).vpc().vpcId();
            assertEquals(2, ec2.describeVpcs().vpcs().size());
            ec2.deleteVpc(r -> r.vpcId(other));
            called.add("DeleteVpc");
            assertEquals(List.of(vpcId), ec2.describeVpcs(r -> r.filters(filter("cidr", "10.0.0.0/16"))).vpcs().stream()
                .map(Vpc::vpcId).toList());
            assertEquals(List.of(vpcId), ec2.describeVpcs().vpcs().stream().map(Vpc::vpcId).toList());
            called.add("DescribeVpcs");

            assertEquals(Ec2ActionCatalog.actions(harness.controlPlane).stream().map(action -> action.name()).sorted().toList(),
                called.stream().sorted().toList(), "the scenario calls every action of the catalog");
            finalResources = harness.state().resources();
        }

        // every acknowledged change was made durable: a control plane recovering from the store has the same resources
        try (FileStateStore reopened = FileStateStore.open(stateDirectory))
        {
            final ControlPlane recovered = new ControlPlane(Fixture.settings(), reopened, new vpce.mgmt.controlplane.TestClock(0),
                new IdSource(new SplittableRandom(1)));
            assertEquals(finalResources, recovered.state().resources());
        }
    }

    private static String state(final Ec2Client ec2, final String endpointId)
    {
        return ec2.describeVpcEndpoints(r -> r.vpcEndpointIds(endpointId)).vpcEndpoints().get(0).stateAsString();
    }

    private static Filter filter(final String name, final String... values)
    {
        return Filter.builder().name(name).values(values).build();
    }

    private static TagSpecification tags(final String resourceType, final String key, final String value)
    {
        return TagSpecification.builder().resourceType(resourceType).tags(Tag.builder().key(key).value(value).build()).build();
    }
}
