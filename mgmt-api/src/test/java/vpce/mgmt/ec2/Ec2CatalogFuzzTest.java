package vpce.mgmt.ec2;

import org.junit.jupiter.api.Test;
import org.w3c.dom.Element;
import vpce.mgmt.ApiException;
import vpce.mgmt.controlplane.ConnectionNotification;
import vpce.mgmt.controlplane.ControlPlane;
import vpce.mgmt.controlplane.ControlPlaneState;
import vpce.mgmt.controlplane.CreateServiceConfigurationRequest;
import vpce.mgmt.controlplane.CreateVpcEndpointRequest;
import vpce.mgmt.controlplane.EndpointService;
import vpce.mgmt.controlplane.Fixture;
import vpce.mgmt.controlplane.IdSource;
import vpce.mgmt.controlplane.IpPermission;
import vpce.mgmt.controlplane.NetworkAcl;
import vpce.mgmt.controlplane.NetworkAclAssociation;
import vpce.mgmt.controlplane.SecurityGroup;
import vpce.mgmt.controlplane.StateStore;
import vpce.mgmt.controlplane.StoredState;
import vpce.mgmt.controlplane.Commit;
import vpce.mgmt.controlplane.Subnet;
import vpce.mgmt.controlplane.TestClock;
import vpce.mgmt.controlplane.Vpc;
import vpce.mgmt.controlplane.VpcAttribute;
import vpce.mgmt.controlplane.VpcEndpoint;
import vpce.mgmt.ec2.actions.Ec2ActionCatalog;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The mutation fuzzer of {@link Ec2MutationFuzzTest} over the real actions and control plane: bodies of every action
 * that name resources of a live world (VPCs, subnets, groups, ACLs, endpoints, a provider service, a notification),
 * mutated. For every input: no InternalError, well-formed XML, a refusal or a dry run leaves the state unpublished,
 * and a dry run never commits. It must also get most actions to succeed, so it is not only testing refusals.
 *
 * <p>Longer runs: {@code -Dvpce.fuzz.iterations=200000 -Dvpce.fuzz.seed=9}.
 */
class Ec2CatalogFuzzTest
{
    private static final int ITERATIONS = Integer.getInteger("vpce.fuzz.iterations", 10_000);
    private static final long SEED = Long.getLong("vpce.fuzz.seed", 20261124L);

    @Test
    void mutatedRequestsOverALiveWorldNeverCrashAndRefusalsChangeNothing()
    {
        final ControlPlane controlPlane = new ControlPlane(Fixture.settings(), StateStore.inMemory(), new TestClock(Fixture.START_MS),
            new IdSource(new SplittableRandom(SEED)));
        final Ec2Dispatcher dispatcher = new Ec2Dispatcher(Ec2ActionCatalog.actions(controlPlane));
        final World world = World.build(controlPlane);
        final SplittableRandom random = new SplittableRandom(SEED);
        final Map<String, Integer> outcomes = new TreeMap<>();
        final TreeSet<String> succeeded = new TreeSet<>();
        for (int i = 0; i < ITERATIONS; i++)
        {
            if (i % 97 == 0)
            {
                controlPlane.onDatapathProgrammed(controlPlane.state().sequence());
            }
            final String seed = world.seed(random);
            final byte[] input = random.nextInt(4) == 0 ? seed.getBytes(StandardCharsets.US_ASCII) :
                Ec2MutationFuzzTest.mutate(seed.getBytes(StandardCharsets.US_ASCII), random);
            final Ec2Response response;
            try
            {
                response = check(input, controlPlane, dispatcher);
            }
            catch (final Throwable failure)
            {
                throw new AssertionError("iteration " + i + " (seed " + SEED + ") input: " + new String(input, StandardCharsets.ISO_8859_1), failure);
            }
            if (response != null)
            {
                outcomes.merge(response.httpStatus() + " " + (response.errorCode() == null ? "OK" : response.errorCode()), 1, Integer::sum);
                if (response.httpStatus() == 200)
                {
                    succeeded.add(response.action());
                }
            }
        }
        assertTrue(succeeded.size() >= 38, "actions that succeeded at least once: " + succeeded + "; outcomes " + outcomes);
        assertTrue(outcomes.containsKey("412 DryRunOperation"), outcomes.toString());
    }

    /** A fresh control plane with the live world of {@link World#build} (the same ids every time), and its dispatcher. */
    record Fresh(ControlPlane controlPlane, Ec2Dispatcher dispatcher, World world)
    {
        /** The world, built once and recovered by each fresh control plane as a store would recover it. */
        private static final StoredState WORLD = buildWorld();

        private static StoredState buildWorld()
        {
            final ControlPlane controlPlane = new ControlPlane(Fixture.settings(), StateStore.inMemory(),
                new TestClock(Fixture.START_MS), new IdSource(new SplittableRandom(SEED)));
            World.build(controlPlane);
            return new StoredState(controlPlane.state().sequence(), controlPlane.state().resources());
        }

        static Fresh build()
        {
            final ControlPlane controlPlane = new ControlPlane(Fixture.settings(), new StateStore()
            {
                @Override
                public StoredState recovered()
                {
                    return WORLD;
                }

                @Override
                public void append(final Commit commit, final ControlPlaneState after)
                {
                }

                @Override
                public void close()
                {
                }
            }, new TestClock(Fixture.START_MS), new IdSource(new SplittableRandom(SEED + 1)));
            return new Fresh(controlPlane, new Ec2Dispatcher(Ec2ActionCatalog.actions(controlPlane)), new World(controlPlane));
        }
    }

    /**
     * The property for one input against the live world: no InternalError, well-formed XML, a refusal or a dry run
     * leaves the published state the very same object (every commit publishes a new one), a dry run never commits.
     *
     * @return the response, or null when the decoder refused the input.
     */
    static Ec2Response check(final byte[] input, final ControlPlane controlPlane, final Ec2Dispatcher dispatcher)
    {
        final QueryParameters parameters;
        try
        {
            parameters = FormDecoder.decode(input);
        }
        catch (final ApiException refusal)
        {
            return null;
        }
        final ControlPlaneState before = controlPlane.state();
        final Ec2Response response = dispatcher.dispatch(parameters, Ec2DispatcherTest.ADMIN, "fuzz");
        final Element root;
        try
        {
            root = Ec2XmlWriterTest.parse(response.body()).getDocumentElement();
        }
        catch (final Exception ex)
        {
            throw new AssertionError("not well-formed XML: " + new String(response.body(), StandardCharsets.UTF_8), ex);
        }
        assertNotEquals(500, response.httpStatus(), () -> "InternalError for " + parameters);
        if (response.httpStatus() == 200)
        {
            assertEquals(Ec2XmlWriter.NAMESPACE, root.getNamespaceURI());
            if ("true".equals(parameters.get("DryRun")))
            {
                fail("a dry run committed: " + parameters);
            }
        }
        else
        {
            assertEquals("Response", root.getTagName());
            assertSame(before, controlPlane.state(), () -> response.errorCode() + " after a change for " + parameters);
        }
        return response;
    }

    /** The live world: ids are picked from the current state, so what one input deletes another recreates. */
    static final class World
    {
        private final ControlPlane controlPlane;

        World(final ControlPlane controlPlane)
        {
            this.controlPlane = controlPlane;
        }

        /** A first world to name: a VPC with DNS, subnets in three zones, groups, an ACL, endpoints, a service. */
        static World build(final ControlPlane controlPlane)
        {
            final String vpc = controlPlane.createVpc("10.0.0.0/16", Map.of(), false).vpcId();
            controlPlane.modifyVpcAttribute(vpc, VpcAttribute.ENABLE_DNS_HOSTNAMES, true, false);
            final String a = controlPlane.createSubnet(vpc, "10.0.1.0/24", "us-east-1a", null, Map.of(), false).subnetId();
            controlPlane.createSubnet(vpc, "10.0.2.0/24", "us-east-1b", null, Map.of(), false);
            final String c = controlPlane.createSubnet(vpc, "10.0.3.0/24", "us-east-1c", null, Map.of(), false).subnetId();
            final String web = controlPlane.createSecurityGroup(vpc, "web", "web", Map.of(), false).groupId();
            controlPlane.authorizeSecurityGroupIngress(web, List.of(IpPermission.ofCidr("tcp", 443, 443, "203.0.113.0/24")), false);
            controlPlane.createNetworkAcl(vpc, Map.of(), false);
            final String auto = controlPlane.createVpcEndpoint(CreateVpcEndpointRequest.of(vpc, Fixture.AUTO.serviceName(),
                List.of(a), List.of(web)), false).vpcEndpointId();
            final String serviceId = controlPlane.createVpcEndpointServiceConfiguration(
                CreateServiceConfigurationRequest.of(Fixture.MANUAL.loadBalancerArn(), true), false).serviceId();
            controlPlane.createVpcEndpoint(CreateVpcEndpointRequest.of(vpc, controlPlane.state().service(serviceId).serviceName(),
                List.of(c), List.of()), false);
            controlPlane.createVpcEndpointConnectionNotification(null, auto, "arn:aws:sns:us-east-1:" + Fixture.OWNER + ":t",
                List.of("Accept"), null, false);
            return new World(controlPlane);
        }

        String seed(final SplittableRandom random)
        {
            final ControlPlaneState state = controlPlane.state();
            final String v = pick(state.vpcs().stream().map(Vpc::vpcId).toList(), "vpc-0123456789abcdef0", random);
            // mostly resources of that VPC, so that actions joining them can succeed
            final boolean local = random.nextInt(5) != 0;
            final String s = pick(state.subnets().stream().filter(x -> !local || x.vpcId().equals(v)).map(Subnet::subnetId).toList(),
                "subnet-0123456789abcdef0", random);
            final String s2 = pick(state.subnets().stream().filter(x -> !local || x.vpcId().equals(v)).map(Subnet::subnetId).toList(),
                "subnet-0123456789abcdef0", random);
            final String g = pick(state.securityGroups().stream().filter(x -> !local || x.vpcId().equals(v)).map(SecurityGroup::groupId)
                .toList(), "sg-0123456789abcdef0", random);
            final String a = pick(state.networkAcls().stream().filter(x -> !local || x.vpcId().equals(v)).map(NetworkAcl::networkAclId)
                .toList(), "acl-0123456789abcdef0", random);
            final String e = pick(state.vpcEndpoints().stream().map(VpcEndpoint::vpcEndpointId).toList(), "vpce-0123456789abcdef0", random);
            final String serviceId = pick(state.ownedServices().stream().map(EndpointService::serviceId).toList(),
                "vpce-svc-0123456789abcdef0", random);
            final String notificationId = pick(state.connectionNotifications().stream().map(ConnectionNotification::connectionNotificationId)
                .toList(), "vpce-nfn-0123456789abcdef0", random);
            final String association = pick(state.networkAcls().stream().flatMap(acl -> acl.associations().stream())
                .map(NetworkAclAssociation::networkAclAssociationId).toList(), "aclassoc-0123456789abcdef0", random);
            final String dry = random.nextInt(5) == 0 ? "&DryRun=true" : "";
            final String cidr = "10.0." + random.nextInt(256) + ".0%2F" + (24 + random.nextInt(5));
            final String body = switch (random.nextInt(41))
            {
                case 0 -> "Action=CreateVpc&CidrBlock=10." + random.nextInt(256) + ".0.0%2F16&TagSpecification.1.ResourceType=vpc" +
                    "&TagSpecification.1.Tag.1.Key=k&TagSpecification.1.Tag.1.Value=v";
                case 1 -> "Action=DescribeVpcs&VpcId.1=" + v + "&Filter.1.Name=cidr&Filter.1.Value.1=10.*&MaxResults=5";
                case 2 -> "Action=DeleteVpc&VpcId=" + v;
                case 3 -> "Action=ModifyVpcAttribute&VpcId=" + v + "&EnableDnsSupport.Value=" + random.nextBoolean();
                case 4 -> "Action=DescribeVpcAttribute&VpcId=" + v + "&Attribute=enableDnsHostnames";
                case 5 -> "Action=CreateSubnet&VpcId=" + v + "&CidrBlock=" + cidr + "&AvailabilityZone=us-east-1" + "abc".charAt(random.nextInt(3));
                case 6 -> "Action=DescribeSubnets&SubnetId.1=" + s + "&Filter.1.Name=vpc-id&Filter.1.Value.1=" + v;
                case 7 -> "Action=DeleteSubnet&SubnetId=" + s;
                case 8 -> "Action=DescribeAvailabilityZones&ZoneName.1=us-east-1a&Filter.1.Name=state&Filter.1.Value.1=available";
                case 9 -> "Action=CreateSecurityGroup&VpcId=" + v + "&GroupName=g" + random.nextInt(50) + "&GroupDescription=d";
                case 10 -> "Action=DescribeSecurityGroups&GroupId.1=" + g + "&Filter.1.Name=ip-permission.from-port&Filter.1.Value.1=443";
                case 11 -> "Action=DeleteSecurityGroup&GroupId=" + g;
                case 12 -> "Action=AuthorizeSecurityGroupIngress&GroupId=" + g + "&IpPermissions.1.IpProtocol=tcp&IpPermissions.1.FromPort=" +
                    random.nextInt(1000) + "&IpPermissions.1.ToPort=1000&IpPermissions.1.IpRanges.1.CidrIp=" + cidr +
                    "&IpPermissions.1.Groups.1.GroupId=" + g;
                case 13 -> "Action=AuthorizeSecurityGroupEgress&GroupId=" + g + "&IpPermissions.1.IpProtocol=udp&IpPermissions.1.FromPort=53" +
                    "&IpPermissions.1.ToPort=53&IpPermissions.1.IpRanges.1.CidrIp=" + cidr;
                case 14 -> "Action=RevokeSecurityGroupIngress&GroupId=" + g + "&IpProtocol=tcp&FromPort=443&ToPort=443&CidrIp=203.0.113.0%2F24";
                case 15 -> "Action=RevokeSecurityGroupEgress&GroupId=" + g + "&IpPermissions.1.IpProtocol=-1" +
                    "&IpPermissions.1.IpRanges.1.CidrIp=0.0.0.0%2F0";
                case 16 -> "Action=DescribeSecurityGroupRules&Filter.1.Name=group-id&Filter.1.Value.1=" + g + "&MaxResults=5";
                case 17 -> "Action=CreateNetworkAcl&VpcId=" + v;
                case 18 -> "Action=DescribeNetworkAcls&NetworkAclId.1=" + a + "&Filter.1.Name=entry.rule-number&Filter.1.Value.1=100";
                case 19 -> "Action=DeleteNetworkAcl&NetworkAclId=" + a;
                case 20 -> "Action=CreateNetworkAclEntry&NetworkAclId=" + a + "&RuleNumber=" + (1 + random.nextInt(200)) +
                    "&Protocol=" + (random.nextBoolean() ? "6" : "1") + "&RuleAction=allow&Egress=" + random.nextBoolean() +
                    "&CidrBlock=0.0.0.0%2F0&PortRange.From=443&PortRange.To=443&Icmp.Type=-1&Icmp.Code=-1";
                case 21 -> "Action=ReplaceNetworkAclEntry&NetworkAclId=" + a + "&RuleNumber=100&Protocol=-1&RuleAction=deny&Egress=false" +
                    "&CidrBlock=0.0.0.0%2F0";
                case 22 -> "Action=DeleteNetworkAclEntry&NetworkAclId=" + a + "&RuleNumber=100&Egress=" + random.nextBoolean();
                case 23 -> "Action=ReplaceNetworkAclAssociation&AssociationId=" + association + "&NetworkAclId=" + a;
                case 24 -> "Action=DescribeNetworkInterfaces&Filter.1.Name=subnet-id&Filter.1.Value.1=" + s;
                case 25 -> "Action=CreateVpcEndpoint&VpcEndpointType=Interface&VpcId=" + v + "&ServiceName=" +
                    (random.nextBoolean() ? Fixture.MANUAL.serviceName() : Fixture.AUTO.serviceName()) + "&SubnetId.1=" + s +
                    "&SubnetId.2=" + s2 + "&SecurityGroupId.1=" + g + "&PrivateDnsEnabled=" + random.nextBoolean();
                case 26 -> "Action=DescribeVpcEndpoints&VpcEndpointId.1=" + e + "&Filter.1.Name=vpc-endpoint-state" +
                    "&Filter.1.Value.1=pending&Filter.1.Value.2=available&MaxResults=5";
                case 27 -> "Action=ModifyVpcEndpoint&VpcEndpointId=" + e + "&AddSubnetId.1=" + s + "&RemoveSubnetId.1=" + s2 +
                    "&AddSecurityGroupId.1=" + g + "&PrivateDnsEnabled=" + random.nextBoolean();
                case 28 -> "Action=DeleteVpcEndpoints&VpcEndpointId.1=" + e + "&VpcEndpointId.2=vpce-0123456789abcdef0";
                case 29 -> "Action=DescribeVpcEndpointServices&ServiceName.1=" + Fixture.AUTO.serviceName();
                case 30 -> "Action=CreateVpcEndpointConnectionNotification&VpcEndpointId=" + e +
                    "&ConnectionNotificationArn=arn%3Aaws%3Asns%3Aus-east-1%3A123456789012%3At&ConnectionEvents.1=Accept";
                case 31 -> "Action=DescribeVpcEndpointConnectionNotifications&ConnectionNotificationId=" + notificationId;
                case 32 -> "Action=ModifyVpcEndpointConnectionNotification&ConnectionNotificationId=" + notificationId +
                    "&ConnectionEvents.1=Reject&ConnectionEvents.2=Delete";
                case 33 -> "Action=DeleteVpcEndpointConnectionNotifications&ConnectionNotificationId.1=" + notificationId;
                case 34 -> "Action=CreateVpcEndpointServiceConfiguration&AcceptanceRequired=" + random.nextBoolean() +
                    "&NetworkLoadBalancerArn.1=" + Fixture.AUTO.loadBalancerArn().replace(":", "%3A").replace("/", "%2F") +
                    "&PrivateDnsName=svc" + random.nextInt(9) + ".example.com";
                case 35 -> "Action=DescribeVpcEndpointServiceConfigurations&ServiceId.1=" + serviceId;
                case 36 -> "Action=ModifyVpcEndpointServiceConfiguration&ServiceId=" + serviceId + "&AcceptanceRequired=" + random.nextBoolean();
                case 37 -> "Action=DeleteVpcEndpointServiceConfigurations&ServiceId.1=" + serviceId;
                case 38 -> "Action=DescribeVpcEndpointConnections&Filter.1.Name=service-id&Filter.1.Value.1=" + serviceId;
                case 39 -> "Action=AcceptVpcEndpointConnections&ServiceId=" + serviceId + "&VpcEndpointId.1=" + e;
                default -> "Action=RejectVpcEndpointConnections&ServiceId=" + serviceId + "&VpcEndpointId.1=" + e;
            };
            return body + "&Version=2016-11-15" + dry;
        }

        private static String pick(final List<String> values, final String none, final SplittableRandom random)
        {
            return values.isEmpty() ? none : values.get(random.nextInt(values.size()));
        }
    }
}
