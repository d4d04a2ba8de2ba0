package vpce.mgmt.controlplane;

import org.junit.jupiter.api.Test;
import vpce.mgmt.ApiException;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class VpcEndpointTest
{
    private final Fixture f = new Fixture();
    private final ControlPlane cp = f.controlPlane;
    private final Fixture.Network net = f.network();

    private CreateVpcEndpointRequest request(final CatalogService service, final Subnet... subnets)
    {
        return CreateVpcEndpointRequest.of(net.vpcId(), service.serviceName(),
            java.util.Arrays.stream(subnets).map(Subnet::subnetId).toList(), List.of());
    }

    @Test
    void createMakesOneEniPerSubnetAndTheDnsNames()
    {
        final VpcEndpoint endpoint = f.dryThenWet(dry -> cp.createVpcEndpoint(request(Fixture.AUTO, net.a(), net.b()), dry));

        assertTrue(endpoint.vpcEndpointId().matches("vpce-[0-9a-f]{17}"), endpoint.vpcEndpointId());
        assertEquals(EndpointState.PENDING, endpoint.state());
        assertEquals("pending", endpoint.state().wireName());
        assertEquals(net.vpcId(), endpoint.vpcId());
        assertEquals(Fixture.AUTO.serviceId(), endpoint.serviceId());
        assertEquals(Fixture.AUTO.serviceName(), endpoint.serviceName());
        assertEquals(List.of(net.a().subnetId(), net.b().subnetId()), endpoint.subnetIds());
        assertEquals(List.of(net.vpc().defaultSecurityGroupId()), endpoint.securityGroupIds(), "no groups: the default one");
        assertTrue(endpoint.privateDnsEnabled(), "EC2's default when the service has a private DNS name");
        assertEquals(Fixture.OWNER, endpoint.ownerId());
        assertEquals(Fixture.START_MS, endpoint.creationTimeMs());

        final List<NetworkInterface> enis = endpoint.networkInterfaceIds().stream().map(f.state()::networkInterface).toList();
        assertEquals(2, enis.size());
        assertEquals("10.0.1.4", enis.get(0).privateIpAddress(), "the first address AWS does not reserve");
        assertEquals("10.0.2.4", enis.get(1).privateIpAddress());
        assertEquals(net.a().subnetId(), enis.get(0).subnetId());
        assertEquals("us-east-1b", enis.get(1).availabilityZone());
        assertEquals("VPC Endpoint Interface " + endpoint.vpcEndpointId(), enis.get(0).description());
        assertEquals(endpoint.securityGroupIds(), enis.get(0).securityGroupIds());
        assertTrue(enis.get(0).networkInterfaceId().matches("eni-[0-9a-f]{17}"));
        assertTrue(enis.get(0).macAddress().matches("02(:[0-9a-f]{2}){5}"), enis.get(0).macAddress());
        assertEquals(250, f.state().availableIpAddressCount(net.a()));

        final String label = endpoint.dnsLabel();
        assertTrue(label.matches(endpoint.vpcEndpointId() + "-[a-z0-9]{8}"), label);
        final String base = "vpce-svc-0a11ce0000000001.us-east-1.vpce.amazonaws.com";
        assertEquals(List.of(
            new DnsEntry(label + "." + base, "Z7HUB22UULQXV", null, false),
            new DnsEntry(label + "-us-east-1a." + base, "Z7HUB22UULQXV", "us-east-1a", false),
            new DnsEntry(label + "-us-east-1b." + base, "Z7HUB22UULQXV", "us-east-1b", false),
            new DnsEntry("api.example.internal", DnsNames.privateHostedZoneId(net.vpcId(), "api.example.internal"), null, true)),
            endpoint.dnsEntries());
        assertEquals(endpoint, f.state().vpcEndpoint(endpoint.vpcEndpointId()));
    }

    @Test
    void pendingBecomesAvailableOnlyOnceTheDatapathRunsAStateThatHoldsIt()
    {
        final long before = f.state().sequence();
        final VpcEndpoint endpoint = f.endpoint(net, Fixture.AUTO, net.a());
        assertEquals(before + 1, endpoint.stateSequence());

        assertEquals(0, cp.onDatapathProgrammed(before), "a snapshot from before the endpoint existed programs nothing");
        assertEquals(EndpointState.PENDING, f.state().vpcEndpoint(endpoint.vpcEndpointId()).state());

        final int commits = f.commits.size();
        assertEquals(1, f.programmed());
        final VpcEndpoint available = f.state().vpcEndpoint(endpoint.vpcEndpointId());
        assertEquals(EndpointState.AVAILABLE, available.state());
        assertEquals(f.state().sequence(), available.stateSequence());
        assertEquals(commits + 1, f.commits.size());
        assertEquals("DatapathProgrammed", f.commits.getLast().action());

        assertEquals(0, f.programmed(), "nothing left to program");
        assertEquals(commits + 1, f.commits.size(), "and no empty commit");
    }

    @Test
    void aListenerMayNotCommitFromInsideTheNotification()
    {
        final java.util.List<Throwable> thrown = new ArrayList<>();
        cp.addStateListener((state, commit) ->
        {
            try
            {
                cp.onDatapathProgrammed(state.sequence());
            }
            catch (final IllegalStateException ex)
            {
                thrown.add(ex);
            }
        });
        final VpcEndpoint endpoint = f.endpoint(net, Fixture.AUTO, net.a());
        assertEquals(1, thrown.size());
        assertEquals(EndpointState.PENDING, f.state().vpcEndpoint(endpoint.vpcEndpointId()).state());
    }

    @Test
    void acceptanceRejectionAndDeletionLifecycle()
    {
        final Fixture g = new Fixture(Fixture.settings(50, 30_000), StateStore.inMemory(), 7);
        final Fixture.Network n = g.network();
        final ControlPlane c = g.controlPlane;
        final VpcEndpoint endpoint = g.endpoint(n, Fixture.MANUAL, n.a(), n.c());
        final String id = endpoint.vpcEndpointId();
        assertEquals(EndpointState.PENDING_ACCEPTANCE, endpoint.state());
        assertFalse(endpoint.privateDnsEnabled(), "the service has no private DNS name");
        assertEquals(0, g.programmed(), "waiting for the provider, not for the datapath");

        g.dryRunSucceeds(() -> c.acceptVpcEndpointConnections(Fixture.MANUAL.serviceId(), List.of(id), true));
        assertEquals(List.of(), c.acceptVpcEndpointConnections(Fixture.MANUAL.serviceId(), List.of(id), false));
        assertEquals(EndpointState.PENDING, g.state().vpcEndpoint(id).state());
        assertEquals(1, g.programmed());
        assertEquals(EndpointState.AVAILABLE, g.state().vpcEndpoint(id).state());

        final List<UnsuccessfulItem> again = c.acceptVpcEndpointConnections(Fixture.MANUAL.serviceId(), List.of(id), false);
        assertEquals("InvalidState", again.getFirst().code());

        assertEquals(List.of(), c.rejectVpcEndpointConnections(Fixture.MANUAL.serviceId(), List.of(id), false));
        assertEquals(EndpointState.REJECTED, g.state().vpcEndpoint(id).state(), "the provider may reject an available one");
        assertEquals(0, g.programmed(), "rejected stays rejected");

        g.dryRunSucceeds(() -> c.deleteVpcEndpoints(List.of(id), true));
        assertEquals(List.of(), c.deleteVpcEndpoints(List.of(id), false));
        final VpcEndpoint deleting = g.state().vpcEndpoint(id);
        assertEquals(EndpointState.DELETING, deleting.state());
        assertEquals(2, deleting.networkInterfaceIds().size(), "the ENIs go once the datapath has let go of them");
        assertEquals(List.of(), c.deleteVpcEndpoints(List.of(id), false), "deleting again is fine");

        assertEquals(1, g.programmed());
        final VpcEndpoint deleted = g.state().vpcEndpoint(id);
        assertEquals(EndpointState.DELETED, deleted.state());
        assertEquals(List.of(), deleted.networkInterfaceIds());
        assertEquals(List.of(), g.state().networkInterfaces().stream().toList());
        assertEquals(253, g.state().availableIpAddressCount(n.a()) + 2, "its addresses are free again");
        assertEquals("InvalidVpcEndpoint.NotFound", c.deleteVpcEndpoints(List.of(id), false).getFirst().code());

        g.clock.advance(29_999);
        assertEquals(0, c.onTick());
        assertEquals(EndpointState.DELETED, g.state().vpcEndpoint(id).state());
        g.clock.advance(1);
        assertEquals(1, c.onTick());
        assertNull(g.state().vpcEndpoint(id));
        assertEquals("InvalidVpcEndpointId.NotFound", assertThrows(ApiException.class,
            () -> g.state().describeVpcEndpoints(DescribeRequest.ids(id))).code());
    }

    @Test
    void withoutRetentionADeletedEndpointIsGoneAtOnce()
    {
        final Fixture g = new Fixture(Fixture.settings(50, 0), StateStore.inMemory(), 8);
        final Fixture.Network n = g.network();
        final VpcEndpoint endpoint = g.endpoint(n, Fixture.AUTO, n.a());
        g.controlPlane.deleteVpcEndpoints(List.of(endpoint.vpcEndpointId()), false);
        assertEquals(1, g.programmed());
        assertNull(g.state().vpcEndpoint(endpoint.vpcEndpointId()));
        assertEquals(List.of(), List.copyOf(g.state().networkInterfaces()));
    }

    @Test
    void createRefusals()
    {
        final String vpcId = net.vpcId();
        final String a = net.a().subnetId();
        f.refused("InvalidVpcEndpointType", () -> cp.createVpcEndpoint(new CreateVpcEndpointRequest(vpcId,
            Fixture.AUTO.serviceName(), "Gateway", List.of(a), null, null, null, null, null, null, null, null, null, null), false));
        f.refused("InvalidParameterValue", () -> cp.createVpcEndpoint(new CreateVpcEndpointRequest(vpcId,
            Fixture.AUTO.serviceName(), "Tunnel", List.of(a), null, null, null, null, null, null, null, null, null, null), false));
        f.refused("MissingParameter", () -> cp.createVpcEndpoint(CreateVpcEndpointRequest.of(null,
            Fixture.AUTO.serviceName(), List.of(a), null), false));
        f.refused("InvalidVpcID.Malformed", () -> cp.createVpcEndpoint(CreateVpcEndpointRequest.of("vpc-nope",
            Fixture.AUTO.serviceName(), List.of(a), null), false));
        f.refused("InvalidVpcID.NotFound", () -> cp.createVpcEndpoint(CreateVpcEndpointRequest.of("vpc-0123456789abcdef0",
            Fixture.AUTO.serviceName(), List.of(a), null), false));
        f.refused("MissingParameter", () -> cp.createVpcEndpoint(CreateVpcEndpointRequest.of(vpcId, null, List.of(a), null),
            false));
        f.refused("InvalidServiceName", () -> cp.createVpcEndpoint(CreateVpcEndpointRequest.of(vpcId,
            "com.amazonaws.us-east-1.nothing", List.of(a), null), false));
        f.refused("InvalidServiceName", () -> cp.createVpcEndpoint(CreateVpcEndpointRequest.of(vpcId,
            "com.amazonaws.vpce.eu-west-1.vpce-svc-0a11ce0000000001", List.of(a), null), false));
        f.refused("InvalidServiceName", () -> cp.createVpcEndpoint(request(Fixture.RESTRICTED, net.a()), false));
        f.refused("InvalidParameterValue", () -> cp.createVpcEndpoint(new CreateVpcEndpointRequest(vpcId,
            Fixture.AUTO.serviceName(), null, List.of(a), null, null, null, null, null, null, "eu-west-1", null, null, null),
            false));
        f.refused("InvalidParameterValue", () -> cp.createVpcEndpoint(new CreateVpcEndpointRequest(vpcId,
            Fixture.AUTO.serviceName(), null, List.of(a), null, null, null, null, "dualstack", null, null, null, null, null),
            false));
        f.refused("InvalidParameterValue", () -> cp.createVpcEndpoint(new CreateVpcEndpointRequest(vpcId,
            Fixture.AUTO.serviceName(), null, List.of(a), null, null, null, null, null, "ipv6", null, null, null, null),
            false));
        f.refused("InvalidParameter", () -> cp.createVpcEndpoint(new CreateVpcEndpointRequest(vpcId,
            Fixture.AUTO.serviceName(), null, List.of(a), null, null, "{}", null, null, null, null, null, null, null), false));
        f.refused("InvalidParameter", () -> cp.createVpcEndpoint(new CreateVpcEndpointRequest(vpcId,
            Fixture.AUTO.serviceName(), null, List.of(a), null, null, null, List.of("rtb-0123456789abcdef0"), null, null, null,
            null, null, null), false));
        f.refused("InvalidSubnetId.Malformed", () -> cp.createVpcEndpoint(CreateVpcEndpointRequest.of(vpcId,
            Fixture.AUTO.serviceName(), List.of("subnet-?"), null), false));
        f.refused("InvalidSubnetID.NotFound", () -> cp.createVpcEndpoint(CreateVpcEndpointRequest.of(vpcId,
            Fixture.AUTO.serviceName(), List.of("subnet-0123456789abcdef0"), null), false));
        f.refused("InvalidParameter", () -> cp.createVpcEndpoint(request(Fixture.AUTO, net.c()), false));
        final Subnet a2 = cp.createSubnet(vpcId, "10.0.4.0/24", "us-east-1a", null, Map.of(), false);
        f.refused("DuplicateSubnetsInSameZone", () -> cp.createVpcEndpoint(request(Fixture.AUTO, net.a(), a2), false));
        final Vpc other = f.vpc("10.9.0.0/16");
        final Subnet foreign = cp.createSubnet(other.vpcId(), "10.9.1.0/24", "us-east-1b", null, Map.of(), false);
        f.refused("InvalidParameter", () -> cp.createVpcEndpoint(request(Fixture.AUTO, net.a(), foreign), false));
        f.refused("InvalidGroupId.Malformed", () -> cp.createVpcEndpoint(CreateVpcEndpointRequest.of(vpcId,
            Fixture.AUTO.serviceName(), List.of(a), List.of("sg-")), false));
        f.refused("InvalidSecurityGroupID.NotFound", () -> cp.createVpcEndpoint(CreateVpcEndpointRequest.of(vpcId,
            Fixture.AUTO.serviceName(), List.of(a), List.of("sg-0123456789abcdef0")), false));
        f.refused("InvalidParameter", () -> cp.createVpcEndpoint(CreateVpcEndpointRequest.of(vpcId,
            Fixture.AUTO.serviceName(), List.of(a), List.of(other.defaultSecurityGroupId())), false));
        final List<String> six = new ArrayList<>();
        for (int i = 0; i < 6; i++)
        {
            six.add(cp.createSecurityGroup(vpcId, "g" + i, "g", Map.of(), false).groupId());
        }
        f.refused("SecurityGroupsPerInterfaceLimitExceeded", () -> cp.createVpcEndpoint(CreateVpcEndpointRequest.of(vpcId,
            Fixture.AUTO.serviceName(), List.of(a), six), false));
        f.refused("InvalidParameter", () -> cp.createVpcEndpoint(request(Fixture.MANUAL, net.a()).withPrivateDns(true), false));
        cp.modifyVpcAttribute(vpcId, VpcAttribute.ENABLE_DNS_HOSTNAMES, false, false);
        f.refused("InvalidParameter", () -> cp.createVpcEndpoint(request(Fixture.AUTO, net.a()), false));
        cp.modifyVpcAttribute(vpcId, VpcAttribute.ENABLE_DNS_HOSTNAMES, true, false);
        final VpcEndpoint first = cp.createVpcEndpoint(request(Fixture.AUTO, net.a()), false);
        assertTrue(first.privateDnsEnabled());
        f.refused("InvalidParameter", () -> cp.createVpcEndpoint(request(Fixture.AUTO, net.b()), false));
        assertFalse(cp.createVpcEndpoint(request(Fixture.AUTO, net.b()).withPrivateDns(false), false).privateDnsEnabled(),
            "a second endpoint to the same service is fine without private DNS");
        f.refused("InvalidParameter",
            () -> cp.modifyVpcAttribute(vpcId, VpcAttribute.ENABLE_DNS_SUPPORT, false, false));
    }

    @Test
    void allowedPrincipalsDecideWhoSeesAService()
    {
        final String stranger = "arn:aws:iam::999999999999:user/alice";
        final VpcEndpoint endpoint = cp.createVpcEndpoint(request(Fixture.RESTRICTED, net.a()).withPrincipal(stranger), false);
        assertEquals(Fixture.RESTRICTED.serviceId(), endpoint.serviceId());
        assertFalse(f.state().describeVpcEndpointServices(null, null, null, null, null).serviceNames()
            .contains(Fixture.RESTRICTED.serviceName()));
        assertTrue(f.state().describeVpcEndpointServices(null, null, null, null, stranger).serviceNames()
            .contains(Fixture.RESTRICTED.serviceName()));
        assertEquals("InvalidServiceName", assertThrows(ApiException.class, () -> f.state().describeVpcEndpointServices(
            List.of(Fixture.RESTRICTED.serviceName()), null, null, null, "arn:aws:iam::111111111111:root")).code());
    }

    @Test
    void theEndpointLimitIsPerVpc()
    {
        final Fixture g = new Fixture(Fixture.settings(2, 0), StateStore.inMemory(), 9);
        final Fixture.Network n = g.network();
        final VpcEndpoint one = g.endpoint(n, Fixture.MANUAL, n.a());
        g.endpoint(n, Fixture.MANUAL, n.b());
        g.refused("VpcEndpointLimitExceeded", () -> g.endpoint(n, Fixture.MANUAL, n.c()));
        g.controlPlane.deleteVpcEndpoints(List.of(one.vpcEndpointId()), false);
        g.refused("VpcEndpointLimitExceeded", () -> g.endpoint(n, Fixture.MANUAL, n.c()));
        g.programmed();
        assertEquals(EndpointState.PENDING_ACCEPTANCE, g.endpoint(n, Fixture.MANUAL, n.c()).state(),
            "a deleted endpoint no longer counts");

        final Vpc other = g.vpc("10.7.0.0/16");
        final Subnet subnet = g.controlPlane.createSubnet(other.vpcId(), "10.7.1.0/24", "us-east-1a", null, Map.of(), false);
        g.controlPlane.createVpcEndpoint(CreateVpcEndpointRequest.of(other.vpcId(), Fixture.MANUAL.serviceName(),
            List.of(subnet.subnetId()), null), false);
    }

    @Test
    void clientTokenMakesCreateIdempotent()
    {
        final CreateVpcEndpointRequest create = request(Fixture.AUTO, net.a()).withClientToken("token-1");
        final VpcEndpoint endpoint = cp.createVpcEndpoint(create, false);
        final long sequence = f.state().sequence();
        assertEquals(endpoint, cp.createVpcEndpoint(create, false));
        assertEquals(sequence, f.state().sequence(), "the retry changed nothing");
        f.refused("IdempotentParameterMismatch",
            () -> cp.createVpcEndpoint(request(Fixture.AUTO, net.b()).withClientToken("token-1"), false));
    }

    @Test
    void modifySubnetsGroupsAndPrivateDns()
    {
        final VpcEndpoint endpoint = f.endpoint(net, Fixture.MANUAL, net.a());
        final String id = endpoint.vpcEndpointId();
        final String eniA = endpoint.networkInterfaceIds().getFirst();

        f.dryRunSucceeds(() -> cp.modifyVpcEndpoint(ModifyVpcEndpointRequest.subnets(id, List.of(net.b().subnetId()), null), true));
        cp.modifyVpcEndpoint(ModifyVpcEndpointRequest.subnets(id, List.of(net.b().subnetId(), net.c().subnetId()), null), false);
        VpcEndpoint modified = f.state().vpcEndpoint(id);
        assertEquals(List.of(net.a().subnetId(), net.b().subnetId(), net.c().subnetId()), modified.subnetIds());
        assertEquals(3, modified.networkInterfaceIds().size());
        assertEquals(eniA, modified.networkInterfaceIds().getFirst(), "the existing ENI stays");
        assertEquals(4, modified.dnsEntries().size(), "regional + three zonal");
        assertEquals(EndpointState.PENDING_ACCEPTANCE, modified.state());

        cp.modifyVpcEndpoint(ModifyVpcEndpointRequest.subnets(id, null, List.of(net.a().subnetId())), false);
        modified = f.state().vpcEndpoint(id);
        assertEquals(List.of(net.b().subnetId(), net.c().subnetId()), modified.subnetIds());
        assertNull(f.state().networkInterface(eniA), "removing a subnet deletes its ENI");
        assertEquals(List.of("us-east-1b", "us-east-1c"), modified.dnsEntries().stream().skip(1)
            .map(DnsEntry::availabilityZone).toList());

        final SecurityGroup web = cp.createSecurityGroup(net.vpcId(), "web", "web", Map.of(), false);
        cp.modifyVpcEndpoint(ModifyVpcEndpointRequest.securityGroups(id, List.of(web.groupId()),
            List.of(net.vpc().defaultSecurityGroupId())), false);
        modified = f.state().vpcEndpoint(id);
        assertEquals(List.of(web.groupId()), modified.securityGroupIds());
        for (final String eni : modified.networkInterfaceIds())
        {
            assertEquals(List.of(web.groupId()), f.state().networkInterface(eni).securityGroupIds());
        }

        final long sequence = f.state().sequence();
        cp.modifyVpcEndpoint(ModifyVpcEndpointRequest.securityGroups(id, null, null), false);
        assertEquals(sequence, f.state().sequence(), "a modification that changes nothing is not a commit");

        final String b = net.b().subnetId();
        f.refused("InvalidVpcEndpointId.NotFound",
            () -> cp.modifyVpcEndpoint(ModifyVpcEndpointRequest.subnets("vpce-0123456789abcdef0", List.of(b), null), false));
        f.refused("InvalidVpcEndpointId.Malformed",
            () -> cp.modifyVpcEndpoint(ModifyVpcEndpointRequest.subnets("vpce-1", List.of(b), null), false));
        f.refused("MissingParameter", () -> cp.modifyVpcEndpoint(ModifyVpcEndpointRequest.subnets(null, List.of(b), null), false));
        f.refused("DuplicateSubnetsInSameZone",
            () -> cp.modifyVpcEndpoint(ModifyVpcEndpointRequest.subnets(id, List.of(b), null), false));
        f.refused("InvalidParameter",
            () -> cp.modifyVpcEndpoint(ModifyVpcEndpointRequest.subnets(id, null, List.of(net.a().subnetId())), false));
        f.refused("InvalidParameterCombination",
            () -> cp.modifyVpcEndpoint(ModifyVpcEndpointRequest.subnets(id, List.of(b), List.of(b)), false));
        f.refused("InvalidSubnetID.NotFound", () -> cp.modifyVpcEndpoint(
            ModifyVpcEndpointRequest.subnets(id, List.of("subnet-0123456789abcdef0"), null), false));
        f.refused("InvalidParameter", () -> cp.modifyVpcEndpoint(
            ModifyVpcEndpointRequest.securityGroups(id, null, List.of(web.groupId())), false));
        f.refused("InvalidParameter", () -> cp.modifyVpcEndpoint(
            ModifyVpcEndpointRequest.securityGroups(id, null, List.of(net.vpc().defaultSecurityGroupId())), false));
        f.refused("InvalidSecurityGroupID.NotFound", () -> cp.modifyVpcEndpoint(
            ModifyVpcEndpointRequest.securityGroups(id, List.of("sg-0123456789abcdef0"), null), false));
        f.refused("InvalidParameter", () -> cp.modifyVpcEndpoint(ModifyVpcEndpointRequest.privateDns(id, true), false));
        f.refused("InvalidParameter", () -> cp.modifyVpcEndpoint(new ModifyVpcEndpointRequest(id, null, null, null, null, null,
            null, "{\"Statement\":[]}", null, null, null, null), false));
        f.refused("InvalidParameterValue", () -> cp.modifyVpcEndpoint(new ModifyVpcEndpointRequest(id, null, null, null, null,
            null, null, null, null, null, "ipv6", null), false));
        f.refused("DependencyViolation", () -> cp.deleteSubnet(b, false));
        f.refused("DependencyViolation", () -> cp.deleteSecurityGroup(web.groupId(), null, false));
        f.refused("DependencyViolation", () -> cp.deleteVpc(net.vpcId(), false));

        cp.deleteVpcEndpoints(List.of(id), false);
        f.refused("IncorrectState", () -> cp.modifyVpcEndpoint(ModifyVpcEndpointRequest.subnets(id, null, List.of(b)), false));
    }

    @Test
    void privateDnsCanBeSwitchedOffAndOn()
    {
        final VpcEndpoint endpoint = f.endpoint(net, Fixture.AUTO, net.a());
        final String id = endpoint.vpcEndpointId();
        cp.modifyVpcEndpoint(ModifyVpcEndpointRequest.privateDns(id, false), false);
        assertFalse(f.state().vpcEndpoint(id).privateDnsEnabled());
        assertTrue(f.state().vpcEndpoint(id).dnsEntries().stream().noneMatch(DnsEntry::privateName));
        cp.modifyVpcAttribute(net.vpcId(), VpcAttribute.ENABLE_DNS_HOSTNAMES, false, false);
        f.refused("InvalidParameter", () -> cp.modifyVpcEndpoint(ModifyVpcEndpointRequest.privateDns(id, true), false));
        cp.modifyVpcAttribute(net.vpcId(), VpcAttribute.ENABLE_DNS_HOSTNAMES, true, false);
        cp.modifyVpcEndpoint(ModifyVpcEndpointRequest.privateDns(id, true), false);
        assertEquals("api.example.internal", f.state().vpcEndpoint(id).dnsEntries().getLast().dnsName());
    }

    @Test
    void deleteReportsEachIdItCouldNotDelete()
    {
        final VpcEndpoint endpoint = f.endpoint(net, Fixture.AUTO, net.a());
        final List<UnsuccessfulItem> unsuccessful = cp.deleteVpcEndpoints(
            List.of("vpce-0123456789abcdef0", endpoint.vpcEndpointId(), "vpce-bad!", endpoint.vpcEndpointId()), false);
        assertEquals(List.of("vpce-0123456789abcdef0", "vpce-bad!"), unsuccessful.stream().map(UnsuccessfulItem::resourceId).toList());
        assertEquals(List.of("InvalidVpcEndpoint.NotFound", "InvalidVpcEndpointId.Malformed"),
            unsuccessful.stream().map(UnsuccessfulItem::code).toList());
        assertEquals(EndpointState.DELETING, f.state().vpcEndpoint(endpoint.vpcEndpointId()).state());
        f.refused("MissingParameter", () -> cp.deleteVpcEndpoints(List.of(), false));

        final long sequence = f.state().sequence();
        assertEquals(1, cp.deleteVpcEndpoints(List.of("vpce-0123456789abcdef0"), false).size());
        assertEquals(sequence, f.state().sequence(), "nothing deleted, nothing committed");
    }

    @Test
    void aVpcGoesWithItsDeletedEndpoints()
    {
        final VpcEndpoint endpoint = f.endpoint(net, Fixture.AUTO, net.a());
        cp.deleteVpcEndpoints(List.of(endpoint.vpcEndpointId()), false);
        f.programmed();
        assertEquals(EndpointState.DELETED, f.state().vpcEndpoint(endpoint.vpcEndpointId()).state());
        for (final Subnet subnet : List.of(net.a(), net.b(), net.c()))
        {
            cp.deleteSubnet(subnet.subnetId(), false);
        }
        cp.deleteVpc(net.vpcId(), false);
        assertEquals(List.of(), f.state().resources());
    }

    @Test
    void connectionEventsReachTheNotificationsThatSubscribed()
    {
        final ConnectionNotification service = cp.createVpcEndpointConnectionNotification(Fixture.MANUAL.serviceId(), null,
            "arn:aws:sns:us-east-1:123456789012:provider", List.of("Connect", "Accept", "Reject", "Delete"), null, false);
        final ConnectionNotification auto = cp.createVpcEndpointConnectionNotification(Fixture.AUTO.serviceId(), null,
            "arn:aws:sns:us-east-1:123456789012:auto", List.of("Connect", "Accept"), null, false);

        f.clock.advance(1000);
        final VpcEndpoint manual = f.endpoint(net, Fixture.MANUAL, net.a());
        assertEquals(List.of(new ConnectionEvent(service.connectionNotificationId(), "arn:aws:sns:us-east-1:123456789012:provider",
            ConnectionEventType.CONNECT, manual.vpcEndpointId(), Fixture.OWNER, Fixture.MANUAL.serviceId(), "pendingAcceptance",
            Fixture.START_MS + 1000)), f.events);

        final ConnectionNotification consumer = cp.createVpcEndpointConnectionNotification(null, manual.vpcEndpointId(),
            "arn:aws:sns:us-east-1:123456789012:consumer", List.of("Accept", "Delete"), null, false);
        f.events.clear();
        cp.acceptVpcEndpointConnections(Fixture.MANUAL.serviceId(), List.of(manual.vpcEndpointId()), false);
        assertEquals(List.of(ConnectionEventType.ACCEPT, ConnectionEventType.ACCEPT),
            f.events.stream().map(ConnectionEvent::eventType).toList());
        assertEquals(List.of(service.connectionNotificationId(), consumer.connectionNotificationId()).stream().sorted().toList(),
            f.events.stream().map(ConnectionEvent::connectionNotificationId).sorted().toList());
        assertEquals("pending", f.events.getFirst().endpointState());

        f.events.clear();
        final VpcEndpoint automatic = f.endpoint(net, Fixture.AUTO, net.a());
        assertEquals(List.of(ConnectionEventType.CONNECT, ConnectionEventType.ACCEPT),
            f.events.stream().map(ConnectionEvent::eventType).toList(), "auto-accepted: Connect then Accept");
        assertTrue(f.events.stream().allMatch(event -> event.connectionNotificationId().equals(auto.connectionNotificationId())));

        f.events.clear();
        cp.rejectVpcEndpointConnections(Fixture.MANUAL.serviceId(), List.of(manual.vpcEndpointId()), false);
        cp.deleteVpcEndpoints(List.of(manual.vpcEndpointId(), automatic.vpcEndpointId()), false);
        assertEquals(List.of(ConnectionEventType.REJECT, ConnectionEventType.DELETE, ConnectionEventType.DELETE),
            f.events.stream().map(ConnectionEvent::eventType).toList());
        assertEquals("deleting", f.events.getLast().endpointState());

        f.events.clear();
        f.refused("DryRunOperation", () -> cp.deleteVpcEndpoints(List.of(manual.vpcEndpointId()), true));
        assertEquals(List.of(), f.events, "a dry run produces no events");
    }
}
