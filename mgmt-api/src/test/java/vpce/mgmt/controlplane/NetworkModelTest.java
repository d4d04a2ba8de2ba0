package vpce.mgmt.controlplane;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class NetworkModelTest
{
    private final Fixture f = new Fixture();
    private final ControlPlane cp = f.controlPlane;

    @Test
    void createVpcMakesItsDefaultGroupAndAclAsEc2Does()
    {
        final Vpc vpc = f.dryThenWet(dry -> cp.createVpc("10.0.0.0/16", Map.of("Name", "lab"), dry));

        assertTrue(vpc.vpcId().matches("vpc-[0-9a-f]{17}"), vpc.vpcId());
        assertEquals(Fixture.OWNER, vpc.ownerId());
        assertTrue(vpc.enableDnsSupport());
        assertFalse(vpc.enableDnsHostnames());
        assertEquals(Map.of("Name", "lab"), vpc.tags());
        assertEquals(Fixture.START_MS, vpc.creationTimeMs());
        final ControlPlaneState state = f.state();
        assertEquals(1, state.sequence());
        assertEquals(vpc, state.vpc(vpc.vpcId()));

        final SecurityGroup group = state.securityGroup(vpc.defaultSecurityGroupId());
        assertEquals("default", group.groupName());
        assertEquals(vpc.vpcId(), group.vpcId());
        final SecurityGroupRule inbound = group.rules(false).getFirst();
        assertEquals("-1", inbound.ipProtocol());
        assertEquals(group.groupId(), inbound.referencedGroupId());
        final SecurityGroupRule outbound = group.rules(true).getFirst();
        assertEquals("-1", outbound.ipProtocol());
        assertEquals("0.0.0.0/0", outbound.cidrIpv4());
        assertTrue(outbound.securityGroupRuleId().matches("sgr-[0-9a-f]{17}"));

        final NetworkAcl acl = state.networkAcl(vpc.defaultNetworkAclId());
        assertTrue(acl.isDefault());
        assertEquals(List.of(NetworkAclEntry.allowAll(100, false), NetworkAclEntry.defaultDeny(false),
            NetworkAclEntry.allowAll(100, true), NetworkAclEntry.defaultDeny(true)), acl.entries());

        assertEquals(1, f.commits.size());
        assertEquals("CreateVpc", f.commits.getFirst().action());
        assertEquals(3, f.commits.getFirst().changes().size());
    }

    @Test
    void vpcRefusals()
    {
        f.refused("MissingParameter", () -> cp.createVpc(null, Map.of(), false));
        f.refused("InvalidParameterValue", () -> cp.createVpc("10.0.0.1/16", Map.of(), false));
        f.refused("InvalidParameterValue", () -> cp.createVpc("10.0.0.0", Map.of(), false));
        f.refused("InvalidVpc.Range", () -> cp.createVpc("10.0.0.0/15", Map.of(), false));
        f.refused("InvalidVpc.Range", () -> cp.createVpc("10.0.0.0/29", Map.of(), false));
        f.refused("InvalidVpc.Range", () -> cp.createVpc("127.0.0.0/16", Map.of(), false));
        f.refused("InvalidParameterValue", () -> cp.createVpc("10.0.0.0/16", Map.of("aws:x", "y"), false));
        f.refused("InvalidVpcID.Malformed", () -> cp.deleteVpc("vpc-XYZ", false));
        f.refused("InvalidVpcID.NotFound", () -> cp.deleteVpc("vpc-0123456789abcdef0", false));
        f.refused("InvalidVpcID.NotFound",
            () -> cp.modifyVpcAttribute("vpc-0123456789abcdef0", VpcAttribute.ENABLE_DNS_HOSTNAMES, true, false));
        assertEquals(0, f.state().sequence());
    }

    @Test
    void modifyAndDescribeVpcAttribute()
    {
        final Vpc vpc = f.vpc("10.1.0.0/16");
        f.dryRunSucceeds(() -> cp.modifyVpcAttribute(vpc.vpcId(), VpcAttribute.ENABLE_DNS_HOSTNAMES, true, true));
        cp.modifyVpcAttribute(vpc.vpcId(), VpcAttribute.ENABLE_DNS_HOSTNAMES, true, false);
        assertTrue(f.state().describeVpcAttribute(vpc.vpcId(), VpcAttribute.ENABLE_DNS_HOSTNAMES));
        final long sequence = f.state().sequence();
        cp.modifyVpcAttribute(vpc.vpcId(), VpcAttribute.ENABLE_DNS_HOSTNAMES, true, false);
        assertEquals(sequence, f.state().sequence(), "setting an attribute to its value is not a commit");
        cp.modifyVpcAttribute(vpc.vpcId(), VpcAttribute.ENABLE_DNS_SUPPORT, false, false);
        assertFalse(f.state().describeVpcAttribute(vpc.vpcId(), VpcAttribute.ENABLE_DNS_SUPPORT));
        assertThrows(vpce.mgmt.ApiException.class,
            () -> f.state().describeVpcAttribute("vpc-0123456789abcdef0", VpcAttribute.ENABLE_DNS_SUPPORT));
    }

    @Test
    void deleteVpcRemovesItsDefaultsAndRefusesWhileUsed()
    {
        final Vpc vpc = f.vpc("10.0.0.0/16");
        final Subnet subnet = cp.createSubnet(vpc.vpcId(), "10.0.1.0/24", "us-east-1a", null, Map.of(), false);
        f.refused("DependencyViolation", () -> cp.deleteVpc(vpc.vpcId(), false));
        cp.deleteSubnet(subnet.subnetId(), false);
        final SecurityGroup group = cp.createSecurityGroup(vpc.vpcId(), "web", "web", Map.of(), false);
        f.refused("DependencyViolation", () -> cp.deleteVpc(vpc.vpcId(), false));
        cp.deleteSecurityGroup(group.groupId(), null, false);
        final NetworkAcl acl = cp.createNetworkAcl(vpc.vpcId(), Map.of(), false);
        f.refused("DependencyViolation", () -> cp.deleteVpc(vpc.vpcId(), false));
        cp.deleteNetworkAcl(acl.networkAclId(), false);

        f.dryRunSucceeds(() -> cp.deleteVpc(vpc.vpcId(), true));
        cp.deleteVpc(vpc.vpcId(), false);
        assertEquals(List.of(), f.state().resources());
    }

    @Test
    void subnetsAreInsideTheirVpcNotOverlappingAndAssociatedWithTheDefaultAcl()
    {
        final Vpc vpc = f.vpc("10.0.0.0/16");
        final Subnet subnet = f.dryThenWet(dry -> cp.createSubnet(vpc.vpcId(), "10.0.1.0/24", null, "use1-az2", Map.of(), dry));
        assertEquals("us-east-1b", subnet.availabilityZone());
        assertEquals("use1-az2", subnet.availabilityZoneId());
        assertEquals(251, f.state().availableIpAddressCount(subnet));
        final NetworkAclAssociation association = f.state().networkAclAssociationOf(subnet.subnetId());
        assertEquals(vpc.defaultNetworkAclId(), association.networkAclId());
        assertTrue(association.networkAclAssociationId().matches("aclassoc-[0-9a-f]{17}"));
        assertEquals("arn:aws:ec2:us-east-1:123456789012:subnet/" + subnet.subnetId(), f.state().subnetArn(subnet));

        final Subnet defaulted = cp.createSubnet(vpc.vpcId(), "10.0.2.0/28", null, null, Map.of(), false);
        assertEquals("us-east-1a", defaulted.availabilityZone(), "no zone given: the first configured zone");

        f.refused("InvalidSubnet.Range", () -> cp.createSubnet(vpc.vpcId(), "10.1.0.0/24", "us-east-1a", null, Map.of(), false));
        f.refused("InvalidSubnet.Range", () -> cp.createSubnet(vpc.vpcId(), "10.0.0.0/15", "us-east-1a", null, Map.of(), false));
        f.refused("InvalidSubnet.Range", () -> cp.createSubnet(vpc.vpcId(), "10.0.5.0/29", "us-east-1a", null, Map.of(), false));
        f.refused("InvalidSubnet.Conflict", () -> cp.createSubnet(vpc.vpcId(), "10.0.1.128/25", "us-east-1a", null, Map.of(), false));
        f.refused("InvalidSubnet.Conflict", () -> cp.createSubnet(vpc.vpcId(), "10.0.0.0/16", "us-east-1a", null, Map.of(), false));
        f.refused("InvalidParameterValue", () -> cp.createSubnet(vpc.vpcId(), "10.0.9.0/24", "us-east-1z", null, Map.of(), false));
        f.refused("InvalidParameterValue", () -> cp.createSubnet(vpc.vpcId(), "10.0.9.0/24", null, "use1-az9", Map.of(), false));
        f.refused("InvalidParameterCombination",
            () -> cp.createSubnet(vpc.vpcId(), "10.0.9.0/24", "us-east-1a", "use1-az2", Map.of(), false));
        f.refused("InvalidVpcID.NotFound",
            () -> cp.createSubnet("vpc-0123456789abcdef0", "10.0.9.0/24", "us-east-1a", null, Map.of(), false));
        f.refused("MissingParameter", () -> cp.createSubnet(null, "10.0.9.0/24", "us-east-1a", null, Map.of(), false));

        f.refused("InvalidSubnetId.Malformed", () -> cp.deleteSubnet("subnet-1", false));
        f.refused("InvalidSubnetID.NotFound", () -> cp.deleteSubnet("subnet-0123456789abcdef0", false));
        f.dryRunSucceeds(() -> cp.deleteSubnet(subnet.subnetId(), true));
        cp.deleteSubnet(subnet.subnetId(), false);
        assertNull(f.state().subnet(subnet.subnetId()));
        assertNull(f.state().networkAclAssociationOf(subnet.subnetId()));
        assertEquals(1, f.state().networkAcl(vpc.defaultNetworkAclId()).associations().size());
    }

    @Test
    void availabilityZonesAreTheConfiguredOnes()
    {
        assertEquals(Fixture.ZONES, f.state().describeAvailabilityZones(null, null, null));
        assertEquals(List.of(Fixture.ZONES.get(1)), f.state().describeAvailabilityZones(List.of("us-east-1b"), null, null));
        assertEquals(List.of(Fixture.ZONES.get(2)), f.state().describeAvailabilityZones(null, List.of("use1-az3"), null));
        assertEquals(List.of(Fixture.ZONES.get(0), Fixture.ZONES.get(2)), f.state().describeAvailabilityZones(null, null,
            List.of(Filter.of("zone-name", "*a", "*c"), Filter.of("region-name", "us-east-1"))));
        assertThrows(vpce.mgmt.ApiException.class, () -> f.state().describeAvailabilityZones(List.of("us-west-2a"), null, null));
        assertEquals("InvalidFilter", assertThrows(vpce.mgmt.ApiException.class,
            () -> f.state().describeAvailabilityZones(null, null, List.of(Filter.of("colour", "red")))).code());
        assertEquals("apse2", AvailabilityZone.regionAbbreviation("ap-southeast-2"));
        assertEquals("euc1", AvailabilityZone.regionAbbreviation("eu-central-1"));
    }

    @Test
    void securityGroupsAndTheirRules()
    {
        final Vpc vpc = f.vpc("10.0.0.0/16");
        final SecurityGroup group = f.dryThenWet(dry -> cp.createSecurityGroup(vpc.vpcId(), "web", "web tier", Map.of(), dry));
        assertEquals(1, group.rules().size());
        assertEquals("0.0.0.0/0", group.rules(true).getFirst().cidrIpv4());

        final List<SecurityGroupRule> added = f.dryThenWet(dry -> cp.authorizeSecurityGroupIngress(group.groupId(), List.of(
            new IpPermission("6", 443, 443, List.of(new IpPermission.IpRange("10.0.0.0/16", "https"),
                new IpPermission.IpRange("192.168.0.0/24", null)), List.of(
                new IpPermission.GroupPair(vpc.defaultSecurityGroupId(), null, null)), null, null)), dry));
        assertEquals(3, added.size());
        assertTrue(added.stream().allMatch(rule -> rule.ipProtocol().equals("tcp") && rule.fromPort() == 443));
        final SecurityGroup withRules = f.state().securityGroup(group.groupId());
        assertEquals(3, withRules.rules(false).size());
        final IpPermission grouped = withRules.ipPermissions(false).getFirst();
        assertEquals(2, grouped.ipRanges().size());
        assertEquals(1, grouped.groups().size());
        assertEquals(443, grouped.fromPort());

        final List<SecurityGroupRule> icmp = f.dryThenWet(dry -> cp.authorizeSecurityGroupEgress(group.groupId(),
            List.of(IpPermission.ofCidr("icmp", 8, null, "10.0.0.0/8")), dry));
        assertEquals(8, icmp.getFirst().fromPort());
        assertEquals(-1, icmp.getFirst().toPort());

        f.refused("InvalidPermission.Duplicate", () -> cp.authorizeSecurityGroupIngress(group.groupId(),
            List.of(IpPermission.ofCidr("tcp", 443, 443, "10.0.0.0/16")), false));
        f.refused("InvalidPermission.Duplicate", () -> cp.authorizeSecurityGroupIngress(group.groupId(), List.of(
            IpPermission.ofCidr("tcp", 80, 80, "10.0.0.0/16"), IpPermission.ofCidr("6", 80, 80, "10.0.0.0/16")), false));
        f.refused("InvalidParameterValue", () -> cp.authorizeSecurityGroupIngress(group.groupId(),
            List.of(IpPermission.ofCidr("tcp", 80, 80, "10.0.0.1/16")), false));
        f.refused("InvalidParameterValue", () -> cp.authorizeSecurityGroupIngress(group.groupId(),
            List.of(IpPermission.ofCidr("tcp", null, null, "10.0.0.0/16")), false));
        f.refused("InvalidParameterValue", () -> cp.authorizeSecurityGroupIngress(group.groupId(),
            List.of(IpPermission.ofCidr("tcp", 90, 80, "10.0.0.0/16")), false));
        f.refused("InvalidParameterValue", () -> cp.authorizeSecurityGroupIngress(group.groupId(),
            List.of(IpPermission.ofCidr("bogus", 80, 80, "10.0.0.0/16")), false));
        f.refused("InvalidParameterValue", () -> cp.authorizeSecurityGroupIngress(group.groupId(), List.of(
            new IpPermission("tcp", 80, 80, List.of(), List.of(), List.of("::/0"), List.of())), false));
        f.refused("MissingParameter", () -> cp.authorizeSecurityGroupIngress(group.groupId(), List.of(), false));
        f.refused("InvalidGroup.NotFound", () -> cp.authorizeSecurityGroupIngress("sg-0123456789abcdef0",
            List.of(IpPermission.ofCidr("tcp", 80, 80, "10.0.0.0/16")), false));
        f.refused("InvalidGroupId.Malformed", () -> cp.authorizeSecurityGroupIngress("sg-x",
            List.of(IpPermission.ofCidr("tcp", 80, 80, "10.0.0.0/16")), false));
        final Vpc other = f.vpc("10.9.0.0/16");
        f.refused("InvalidGroup.NotFound", () -> cp.authorizeSecurityGroupIngress(group.groupId(),
            List.of(IpPermission.ofGroup("tcp", 80, 80, other.defaultSecurityGroupId())), false));

        f.refused("InvalidPermission.NotFound", () -> cp.revokeSecurityGroupIngress(group.groupId(),
            List.of(IpPermission.ofCidr("tcp", 22, 22, "10.0.0.0/16")), null, false));
        f.refused("InvalidSecurityGroupRuleId.NotFound", () -> cp.revokeSecurityGroupIngress(group.groupId(), null,
            List.of(icmp.getFirst().securityGroupRuleId()), false));
        f.refused("InvalidSecurityGroupRuleId.Malformed", () -> cp.revokeSecurityGroupIngress(group.groupId(), null,
            List.of("sgr-zz"), false));
        f.refused("MissingParameter", () -> cp.revokeSecurityGroupIngress(group.groupId(), null, null, false));

        f.dryRunSucceeds(() -> cp.revokeSecurityGroupIngress(group.groupId(),
            List.of(IpPermission.ofCidr("tcp", 443, 443, "10.0.0.0/16")), null, true));
        cp.revokeSecurityGroupIngress(group.groupId(), List.of(IpPermission.ofCidr("tcp", 443, 443, "10.0.0.0/16")), null, false);
        cp.revokeSecurityGroupIngress(group.groupId(), null, List.of(added.get(1).securityGroupRuleId()), false);
        f.dryRunSucceeds(() -> cp.revokeSecurityGroupEgress(group.groupId(), null,
            List.of(icmp.getFirst().securityGroupRuleId()), true));
        cp.revokeSecurityGroupEgress(group.groupId(), null, List.of(icmp.getFirst().securityGroupRuleId()), false);
        assertEquals(List.of(added.get(2)), f.state().securityGroup(group.groupId()).rules(false));

        final Page<SecurityGroupRule> rules = f.state().describeSecurityGroupRules(
            DescribeRequest.filters(Filter.of("group-id", group.groupId())));
        assertEquals(2, rules.items().size());
        assertEquals(List.of(added.get(2)), f.state().describeSecurityGroupRules(
            DescribeRequest.ids(added.get(2).securityGroupRuleId())).items());
        assertEquals("InvalidSecurityGroupRuleId.NotFound", assertThrows(vpce.mgmt.ApiException.class,
            () -> f.state().describeSecurityGroupRules(DescribeRequest.ids("sgr-0123456789abcdef0"))).code());
    }

    @Test
    void securityGroupNamesAndDeletion()
    {
        final Vpc vpc = f.vpc("10.0.0.0/16");
        final SecurityGroup web = cp.createSecurityGroup(vpc.vpcId(), "web", "web", Map.of(), false);
        f.refused("InvalidGroup.Duplicate", () -> cp.createSecurityGroup(vpc.vpcId(), "web", "again", Map.of(), false));
        f.refused("InvalidGroup.Reserved", () -> cp.createSecurityGroup(vpc.vpcId(), "default", "d", Map.of(), false));
        f.refused("InvalidParameterValue", () -> cp.createSecurityGroup(vpc.vpcId(), "sg-web", "d", Map.of(), false));
        f.refused("InvalidParameterValue", () -> cp.createSecurityGroup(vpc.vpcId(), "tab\there", "d", Map.of(), false));
        f.refused("MissingParameter", () -> cp.createSecurityGroup(vpc.vpcId(), "x", null, Map.of(), false));
        f.refused("VPCIdNotSpecified", () -> cp.createSecurityGroup(null, "x", "x", Map.of(), false));
        final Vpc other = f.vpc("10.9.0.0/16");
        final SecurityGroup otherWeb = cp.createSecurityGroup(other.vpcId(), "web", "same name, other VPC", Map.of(), false);
        assertNotEquals(web.groupId(), otherWeb.groupId());

        final SecurityGroup app = cp.createSecurityGroup(vpc.vpcId(), "app", "app", Map.of(), false);
        cp.authorizeSecurityGroupIngress(app.groupId(), List.of(IpPermission.ofGroup("tcp", 8080, 8080, web.groupId())), false);
        f.refused("DependencyViolation", () -> cp.deleteSecurityGroup(web.groupId(), null, false));
        f.refused("CannotDelete", () -> cp.deleteSecurityGroup(vpc.defaultSecurityGroupId(), null, false));
        f.refused("InvalidParameterCombination", () -> cp.deleteSecurityGroup(null, "web", false));
        f.refused("InvalidGroup.NotFound", () -> cp.deleteSecurityGroup(null, "nope", false));
        f.refused("InvalidGroup.NotFound", () -> cp.deleteSecurityGroup("sg-0123456789abcdef0", null, false));

        f.dryRunSucceeds(() -> cp.deleteSecurityGroup(null, "app", true));
        cp.deleteSecurityGroup(null, "app", false);
        cp.deleteSecurityGroup(web.groupId(), null, false);
        assertNull(f.state().securityGroup(web.groupId()));

        assertEquals(List.of(otherWeb), f.state().describeSecurityGroups(DescribeRequest.all(), List.of("web")).items());
        assertEquals("InvalidGroup.NotFound", assertThrows(vpce.mgmt.ApiException.class,
            () -> f.state().describeSecurityGroups(DescribeRequest.all(), List.of("app"))).code());
    }

    @Test
    void networkAclEntriesAndAssociations()
    {
        final Vpc vpc = f.vpc("10.0.0.0/16");
        final Subnet subnet = cp.createSubnet(vpc.vpcId(), "10.0.1.0/24", "us-east-1a", null, Map.of(), false);
        final NetworkAcl acl = f.dryThenWet(dry -> cp.createNetworkAcl(vpc.vpcId(), Map.of(), dry));
        assertFalse(acl.isDefault());
        assertEquals(List.of(NetworkAclEntry.defaultDeny(false), NetworkAclEntry.defaultDeny(true)), acl.entries());

        final NetworkAclEntry https = new NetworkAclEntry(100, false, "tcp", "ALLOW", "10.0.0.0/16", null, null, 443, 443);
        f.dryRunSucceeds(() -> cp.createNetworkAclEntry(acl.networkAclId(), https, true));
        cp.createNetworkAclEntry(acl.networkAclId(), https, false);
        assertEquals(new NetworkAclEntry(100, false, "6", "allow", "10.0.0.0/16", null, null, 443, 443),
            f.state().networkAcl(acl.networkAclId()).entry(100, false));
        cp.createNetworkAclEntry(acl.networkAclId(), new NetworkAclEntry(100, true, "-1", "deny", "0.0.0.0/0", null, null, 1, 2),
            false);
        assertEquals(new NetworkAclEntry(100, true, "-1", "deny", "0.0.0.0/0", null, null, null, null),
            f.state().networkAcl(acl.networkAclId()).entry(100, true), "ports only where the protocol has them");

        f.refused("NetworkAclEntryAlreadyExists", () -> cp.createNetworkAclEntry(acl.networkAclId(), https, false));
        f.refused("InvalidParameterValue", () -> cp.createNetworkAclEntry(acl.networkAclId(),
            new NetworkAclEntry(32767, false, "-1", "allow", "0.0.0.0/0", null, null, null, null), false));
        f.refused("InvalidParameterValue", () -> cp.createNetworkAclEntry(acl.networkAclId(),
            new NetworkAclEntry(0, false, "-1", "allow", "0.0.0.0/0", null, null, null, null), false));
        f.refused("InvalidParameterValue", () -> cp.createNetworkAclEntry(acl.networkAclId(),
            new NetworkAclEntry(110, false, "6", "allow", "0.0.0.0/0", null, null, null, null), false));
        f.refused("InvalidParameterValue", () -> cp.createNetworkAclEntry(acl.networkAclId(),
            new NetworkAclEntry(110, false, "6", "permit", "0.0.0.0/0", null, null, 1, 2), false));
        f.refused("MissingParameter", () -> cp.createNetworkAclEntry(acl.networkAclId(),
            new NetworkAclEntry(110, false, "1", "allow", "0.0.0.0/0", null, null, null, null), false));
        f.refused("MissingParameter", () -> cp.createNetworkAclEntry(acl.networkAclId(),
            new NetworkAclEntry(110, false, "6", "allow", null, null, null, 1, 2), false));
        f.refused("InvalidNetworkAclID.NotFound", () -> cp.createNetworkAclEntry("acl-0123456789abcdef0", https, false));
        f.refused("InvalidNetworkAclId.Malformed", () -> cp.createNetworkAclEntry("acl-", https, false));
        f.refused("InvalidNetworkAclEntry.NotFound", () -> cp.replaceNetworkAclEntry(acl.networkAclId(),
            new NetworkAclEntry(200, false, "-1", "allow", "0.0.0.0/0", null, null, null, null), false));
        f.refused("InvalidNetworkAclEntry.NotFound", () -> cp.deleteNetworkAclEntry(acl.networkAclId(), 200, false, false));
        f.refused("InvalidParameterValue", () -> cp.deleteNetworkAclEntry(acl.networkAclId(), 32767, false, false));

        for (int rule = 101; rule <= 119; rule++)
        {
            cp.createNetworkAclEntry(acl.networkAclId(),
                new NetworkAclEntry(rule, false, "-1", "allow", "10.0.0.0/8", null, null, null, null), false);
        }
        f.refused("NetworkAclEntryLimitExceeded", () -> cp.createNetworkAclEntry(acl.networkAclId(),
            new NetworkAclEntry(120, false, "-1", "allow", "10.0.0.0/8", null, null, null, null), false));

        f.dryRunSucceeds(() -> cp.replaceNetworkAclEntry(acl.networkAclId(),
            new NetworkAclEntry(100, false, "icmp", "allow", "10.0.0.0/16", 8, -1, null, null), true));
        cp.replaceNetworkAclEntry(acl.networkAclId(),
            new NetworkAclEntry(100, false, "icmp", "allow", "10.0.0.0/16", 8, -1, null, null), false);
        assertEquals(new NetworkAclEntry(100, false, "1", "allow", "10.0.0.0/16", 8, -1, null, null),
            f.state().networkAcl(acl.networkAclId()).entry(100, false));
        f.dryRunSucceeds(() -> cp.deleteNetworkAclEntry(acl.networkAclId(), 100, true, true));
        cp.deleteNetworkAclEntry(acl.networkAclId(), 100, true, false);
        assertNull(f.state().networkAcl(acl.networkAclId()).entry(100, true));

        final String oldAssociation = f.state().networkAclAssociationOf(subnet.subnetId()).networkAclAssociationId();
        f.refused("InvalidAssociationID.NotFound",
            () -> cp.replaceNetworkAclAssociation("aclassoc-0123456789abcdef0", acl.networkAclId(), false));
        f.refused("InvalidAssociationID.Malformed", () -> cp.replaceNetworkAclAssociation("assoc-1", acl.networkAclId(), false));
        final Vpc other = f.vpc("10.9.0.0/16");
        f.refused("InvalidParameterValue",
            () -> cp.replaceNetworkAclAssociation(oldAssociation, other.defaultNetworkAclId(), false));
        f.dryRunSucceeds(() -> cp.replaceNetworkAclAssociation(oldAssociation, acl.networkAclId(), true));
        final String newAssociation = cp.replaceNetworkAclAssociation(oldAssociation, acl.networkAclId(), false);
        assertNotEquals(oldAssociation, newAssociation);
        assertEquals(new NetworkAclAssociation(newAssociation, acl.networkAclId(), subnet.subnetId()),
            f.state().networkAclAssociationOf(subnet.subnetId()));
        assertEquals(List.of(), f.state().networkAcl(vpc.defaultNetworkAclId()).associations());

        f.refused("DependencyViolation", () -> cp.deleteNetworkAcl(acl.networkAclId(), false));
        f.refused("InvalidParameter", () -> cp.deleteNetworkAcl(vpc.defaultNetworkAclId(), false));
        cp.replaceNetworkAclAssociation(newAssociation, vpc.defaultNetworkAclId(), false);
        f.dryRunSucceeds(() -> cp.deleteNetworkAcl(acl.networkAclId(), true));
        cp.deleteNetworkAcl(acl.networkAclId(), false);
        assertNull(f.state().networkAcl(acl.networkAclId()));
    }

    @Test
    void mutationsFromASecondThreadAreRefused() throws Exception
    {
        f.vpc("10.0.0.0/16");
        final Throwable[] thrown = new Throwable[1];
        final Thread other = new Thread(() ->
        {
            try
            {
                cp.createVpc("10.1.0.0/16", Map.of(), false);
            }
            catch (final Throwable ex)
            {
                thrown[0] = ex;
            }
        });
        other.start();
        other.join();
        assertTrue(thrown[0] instanceof IllegalStateException, String.valueOf(thrown[0]));
        assertEquals(1, f.state().vpcs().size());
    }
}
