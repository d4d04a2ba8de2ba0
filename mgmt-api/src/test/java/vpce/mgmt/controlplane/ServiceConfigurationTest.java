package vpce.mgmt.controlplane;

import org.junit.jupiter.api.Test;
import vpce.mgmt.ApiException;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ServiceConfigurationTest
{
    private final Fixture f = new Fixture();
    private final ControlPlane cp = f.controlPlane;

    private EndpointService create(final boolean acceptance)
    {
        return cp.createVpcEndpointServiceConfiguration(CreateServiceConfigurationRequest.of(Fixture.AUTO.loadBalancerArn(),
            acceptance), false);
    }

    @Test
    void aProviderServiceOverACatalogTargetSet()
    {
        final EndpointService service = f.dryThenWet(dry -> cp.createVpcEndpointServiceConfiguration(
            new CreateServiceConfigurationRequest(null, "svc.example.com", List.of(Fixture.MANUAL.loadBalancerArn()), null,
                List.of("ipv4"), null, null), dry));
        assertTrue(service.serviceId().matches("vpce-svc-[0-9a-f]{17}"), service.serviceId());
        assertEquals("com.amazonaws.vpce.us-east-1." + service.serviceId(), service.serviceName());
        assertEquals(service.serviceId() + ".us-east-1.vpce.amazonaws.com", service.baseEndpointDnsName());
        assertTrue(service.acceptanceRequired(), "acceptance is required unless asked otherwise");
        assertEquals(List.of("us-east-1a", "us-east-1b", "us-east-1c"), service.availabilityZones());
        assertEquals(ServiceOrigin.API, service.origin());
        assertEquals(ServiceState.AVAILABLE, service.state());
        assertEquals("Available", service.state().wireName());
        assertEquals(Fixture.OWNER, service.ownerId());

        final List<String> owned = f.state().describeVpcEndpointServiceConfigurations(DescribeRequest.all()).items().stream()
            .map(EndpointService::serviceId).toList();
        assertEquals(List.of(Fixture.AUTO.serviceId(), Fixture.MANUAL.serviceId(), Fixture.RESTRICTED.serviceId(),
            service.serviceId()).stream().sorted().toList(), owned, "the amazon-owned catalog service is not ours");
        assertEquals(List.of(service), f.state().describeVpcEndpointServiceConfigurations(
            DescribeRequest.ids(service.serviceId())).items());
        assertEquals(List.of(service), f.state().describeVpcEndpointServiceConfigurations(
            DescribeRequest.filters(Filter.of("service-name", "*" + service.serviceId()))).items());
        assertTrue(f.state().describeVpcEndpointServices(List.of(service.serviceName()), null, null, null, null)
            .serviceDetails().contains(service));

        final Fixture.Network net = f.network();
        final VpcEndpoint endpoint = cp.createVpcEndpoint(CreateVpcEndpointRequest.of(net.vpcId(), service.serviceName(),
            List.of(net.c().subnetId()), null), false);
        assertEquals(EndpointState.PENDING_ACCEPTANCE, endpoint.state());
        assertTrue(endpoint.dnsEntries().getFirst().dnsName().endsWith("." + service.baseEndpointDnsName()));
    }

    @Test
    void createRefusals()
    {
        f.refused("MissingParameter", () -> cp.createVpcEndpointServiceConfiguration(
            new CreateServiceConfigurationRequest(true, null, null, null, null, null, null), false));
        f.refused("InvalidParameterValue", () -> cp.createVpcEndpointServiceConfiguration(CreateServiceConfigurationRequest.of(
            "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/net/none/1", true), false));
        f.refused("InvalidParameter", () -> cp.createVpcEndpointServiceConfiguration(new CreateServiceConfigurationRequest(true,
            null, null, List.of("arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/gwy/x/1"), null, null, null),
            false));
        f.refused("InvalidParameterValue", () -> cp.createVpcEndpointServiceConfiguration(new CreateServiceConfigurationRequest(
            true, null, List.of(Fixture.AUTO.loadBalancerArn()), null, List.of("dualstack"), null, null), false));
        f.refused("InvalidParameterValue", () -> cp.createVpcEndpointServiceConfiguration(new CreateServiceConfigurationRequest(
            true, "Not A Name", List.of(Fixture.AUTO.loadBalancerArn()), null, null, null, null), false));
        final CreateServiceConfigurationRequest tokened = new CreateServiceConfigurationRequest(true, null,
            List.of(Fixture.AUTO.loadBalancerArn()), null, null, "t1", null);
        final EndpointService first = cp.createVpcEndpointServiceConfiguration(tokened, false);
        assertEquals(first, cp.createVpcEndpointServiceConfiguration(tokened, false));
        f.refused("IdempotentParameterMismatch", () -> cp.createVpcEndpointServiceConfiguration(
            new CreateServiceConfigurationRequest(false, null, List.of(Fixture.AUTO.loadBalancerArn()), null, null, "t1", null),
            false));
    }

    @Test
    void modifyOnlyWhatTheApiCreated()
    {
        final EndpointService service = create(true);
        final String id = service.serviceId();
        f.dryRunSucceeds(() -> cp.modifyVpcEndpointServiceConfiguration(ModifyServiceConfigurationRequest.acceptance(id, false),
            true));
        cp.modifyVpcEndpointServiceConfiguration(ModifyServiceConfigurationRequest.acceptance(id, false), false);
        assertFalse(f.state().service(id).acceptanceRequired());
        cp.modifyVpcEndpointServiceConfiguration(new ModifyServiceConfigurationRequest(id, "new.example.com", null, null,
            List.of(Fixture.MANUAL.loadBalancerArn()), List.of(Fixture.AUTO.loadBalancerArn()), null, null, null, null), false);
        final EndpointService modified = f.state().service(id);
        assertEquals("new.example.com", modified.privateDnsName());
        assertEquals(List.of(Fixture.MANUAL.loadBalancerArn()), modified.networkLoadBalancerArns());
        assertEquals(List.of("us-east-1a", "us-east-1b", "us-east-1c"), modified.availabilityZones());

        f.refused("OperationNotPermitted", () -> cp.modifyVpcEndpointServiceConfiguration(
            ModifyServiceConfigurationRequest.acceptance(Fixture.AUTO.serviceId(), true), false));
        f.refused("InvalidVpcEndpointServiceId.NotFound", () -> cp.modifyVpcEndpointServiceConfiguration(
            ModifyServiceConfigurationRequest.acceptance("vpce-svc-0123456789abcdef0", true), false));
        f.refused("InvalidVpcEndpointServiceId.NotFound", () -> cp.modifyVpcEndpointServiceConfiguration(
            ModifyServiceConfigurationRequest.acceptance(Fixture.S3.serviceId(), true), false));
        f.refused("InvalidVpcEndpointServiceIdId.Malformed", () -> cp.modifyVpcEndpointServiceConfiguration(
            ModifyServiceConfigurationRequest.acceptance("vpce-svc-x", true), false));
        f.refused("InvalidParameter", () -> cp.modifyVpcEndpointServiceConfiguration(new ModifyServiceConfigurationRequest(id,
            null, null, null, null, List.of(Fixture.MANUAL.loadBalancerArn()), null, null, null, null), false));
        f.refused("InvalidParameterValue", () -> cp.modifyVpcEndpointServiceConfiguration(new ModifyServiceConfigurationRequest(
            id, null, null, null, null, List.of(Fixture.AUTO.loadBalancerArn()), null, null, null, null), false));
        f.refused("InvalidParameterCombination", () -> cp.modifyVpcEndpointServiceConfiguration(
            new ModifyServiceConfigurationRequest(id, "x.example.com", true, null, null, null, null, null, null, null), false));
        f.refused("InvalidParameter", () -> cp.modifyVpcEndpointServiceConfiguration(new ModifyServiceConfigurationRequest(id,
            null, null, null, null, null, null, null, null, List.of("ipv4")), false));

        final Fixture.Network net = f.network();
        cp.createVpcEndpoint(CreateVpcEndpointRequest.of(net.vpcId(), modified.serviceName(), List.of(net.c().subnetId()), null),
            false);
        // us-east-1c is in use, and AUTO's target set does not offer it.
        f.refused("InvalidParameter", () -> cp.modifyVpcEndpointServiceConfiguration(new ModifyServiceConfigurationRequest(id,
            null, null, null, List.of(Fixture.AUTO.loadBalancerArn()), List.of(Fixture.MANUAL.loadBalancerArn()), null, null,
            null, null), false));
    }

    @Test
    void privateDnsNameChangesReachTheEndpointsThatUseIt()
    {
        final EndpointService service = cp.createVpcEndpointServiceConfiguration(new CreateServiceConfigurationRequest(false,
            "old.example.com", List.of(Fixture.AUTO.loadBalancerArn()), null, null, null, null), false);
        final Fixture.Network net = f.network();
        final VpcEndpoint endpoint = cp.createVpcEndpoint(CreateVpcEndpointRequest.of(net.vpcId(), service.serviceName(),
            List.of(net.a().subnetId()), null), false);
        assertEquals("old.example.com", endpoint.dnsEntries().getLast().dnsName());
        cp.modifyVpcEndpointServiceConfiguration(new ModifyServiceConfigurationRequest(service.serviceId(), "new.example.com",
            null, null, null, null, null, null, null, null), false);
        assertEquals("new.example.com", f.state().vpcEndpoint(endpoint.vpcEndpointId()).dnsEntries().getLast().dnsName());
        cp.modifyVpcEndpointServiceConfiguration(new ModifyServiceConfigurationRequest(service.serviceId(), null, true, null,
            null, null, null, null, null, null), false);
        assertFalse(f.state().vpcEndpoint(endpoint.vpcEndpointId()).privateDnsEnabled());
        assertNull(f.state().service(service.serviceId()).privateDnsName());
    }

    @Test
    void acceptAndRejectOnlyTheServicesOwnEndpoints()
    {
        final EndpointService service = create(true);
        final Fixture.Network net = f.network();
        final VpcEndpoint mine = cp.createVpcEndpoint(CreateVpcEndpointRequest.of(net.vpcId(), service.serviceName(),
            List.of(net.a().subnetId()), null), false);
        final VpcEndpoint other = f.endpoint(net, Fixture.MANUAL, net.b());

        final List<UnsuccessfulItem> result = cp.acceptVpcEndpointConnections(service.serviceId(),
            List.of(mine.vpcEndpointId(), other.vpcEndpointId(), "vpce-0123456789abcdef0", "vpce-?"), false);
        assertEquals(List.of(other.vpcEndpointId(), "vpce-0123456789abcdef0", "vpce-?"),
            result.stream().map(UnsuccessfulItem::resourceId).toList());
        assertEquals(List.of("InvalidVpcEndpoint.NotFound", "InvalidVpcEndpoint.NotFound", "InvalidVpcEndpointId.Malformed"),
            result.stream().map(UnsuccessfulItem::code).toList());
        assertEquals(EndpointState.PENDING, f.state().vpcEndpoint(mine.vpcEndpointId()).state());
        assertEquals(EndpointState.PENDING_ACCEPTANCE, f.state().vpcEndpoint(other.vpcEndpointId()).state());

        f.refused("InvalidVpcEndpointServiceId.NotFound",
            () -> cp.acceptVpcEndpointConnections("vpce-svc-0123456789abcdef0", List.of(mine.vpcEndpointId()), false));
        f.refused("InvalidVpcEndpointServiceIdId.Malformed",
            () -> cp.acceptVpcEndpointConnections("svc-1", List.of(mine.vpcEndpointId()), false));
        f.refused("MissingParameter", () -> cp.acceptVpcEndpointConnections(service.serviceId(), List.of(), false));
        f.refused("MissingParameter", () -> cp.rejectVpcEndpointConnections(null, List.of(mine.vpcEndpointId()), false));

        f.dryRunSucceeds(() -> cp.rejectVpcEndpointConnections(service.serviceId(), List.of(mine.vpcEndpointId()), true));
        assertEquals(List.of(), cp.rejectVpcEndpointConnections(service.serviceId(), List.of(mine.vpcEndpointId()), false));
        assertEquals(EndpointState.REJECTED, f.state().vpcEndpoint(mine.vpcEndpointId()).state());

        final List<VpcEndpointConnection> connections = f.state().describeVpcEndpointConnections(
            List.of(Filter.of("service-id", service.serviceId())), null, null).items();
        assertEquals(1, connections.size());
        assertEquals(EndpointState.REJECTED, connections.getFirst().vpcEndpointState());
        assertEquals(List.of(Fixture.AUTO.loadBalancerArn()), connections.getFirst().networkLoadBalancerArns());
        assertEquals(2, f.state().describeVpcEndpointConnections(null, null, null).items().size());
        assertEquals(List.of(other.vpcEndpointId()), f.state().describeVpcEndpointConnections(
            List.of(Filter.of("vpc-endpoint-state", "pendingAcceptance")), null, null).items().stream()
            .map(VpcEndpointConnection::vpcEndpointId).toList());
    }

    @Test
    void aServiceWithConnectedEndpointsCannotBeDeleted()
    {
        final EndpointService service = create(false);
        final ConnectionNotification notification = cp.createVpcEndpointConnectionNotification(service.serviceId(), null,
            "arn:aws:sns:us-east-1:123456789012:t", List.of("Connect"), null, false);
        final Fixture.Network net = f.network();
        final VpcEndpoint endpoint = cp.createVpcEndpoint(CreateVpcEndpointRequest.of(net.vpcId(), service.serviceName(),
            List.of(net.a().subnetId()), null), false);

        final List<UnsuccessfulItem> refused = cp.deleteVpcEndpointServiceConfigurations(List.of(service.serviceId(),
            Fixture.AUTO.serviceId(), "vpce-svc-0123456789abcdef0", "vpce-svc-", Fixture.S3.serviceId()), false);
        assertEquals(List.of("ExistingVpcEndpointConnections", "OperationNotPermitted", "InvalidVpcEndpointService.NotFound",
            "InvalidVpcEndpointServiceIdId.Malformed", "InvalidVpcEndpointService.NotFound"),
            refused.stream().map(UnsuccessfulItem::code).toList());
        assertTrue(f.state().service(service.serviceId()) != null);

        cp.rejectVpcEndpointConnections(service.serviceId(), List.of(endpoint.vpcEndpointId()), false);
        f.dryRunSucceeds(() -> cp.deleteVpcEndpointServiceConfigurations(List.of(service.serviceId()), true));
        assertEquals(List.of(), cp.deleteVpcEndpointServiceConfigurations(List.of(service.serviceId()), false));
        assertNull(f.state().service(service.serviceId()));
        assertNull(f.state().connectionNotification(notification.connectionNotificationId()), "its notifications go with it");
        assertEquals(EndpointState.REJECTED, f.state().vpcEndpoint(endpoint.vpcEndpointId()).state(),
            "the consumer still has to delete its endpoint");
        f.refused("IncorrectState", () -> cp.modifyVpcEndpoint(ModifyVpcEndpointRequest.privateDns(endpoint.vpcEndpointId(),
            false), false));
        assertEquals(List.of(), cp.deleteVpcEndpoints(List.of(endpoint.vpcEndpointId()), false));
    }

    @Test
    void connectionNotifications()
    {
        final Fixture.Network net = f.network();
        final VpcEndpoint endpoint = f.endpoint(net, Fixture.AUTO, net.a());
        final String arn = "arn:aws:sns:us-east-1:123456789012:EndpointNotification";
        final ConnectionNotification created = f.dryThenWet(dry -> cp.createVpcEndpointConnectionNotification(null,
            endpoint.vpcEndpointId(), arn, List.of("Accept", "Reject", "Accept"), null, dry));
        assertTrue(created.connectionNotificationId().matches("vpce-nfn-[0-9a-f]{17}"));
        assertEquals(List.of(ConnectionEventType.ACCEPT, ConnectionEventType.REJECT), created.connectionEvents());
        assertEquals(endpoint.vpcEndpointId(), created.vpcEndpointId());
        assertNull(created.serviceId());

        final String id = created.connectionNotificationId();
        f.refused("InvalidParameterCombination", () -> cp.createVpcEndpointConnectionNotification(Fixture.AUTO.serviceId(),
            endpoint.vpcEndpointId(), arn, List.of("Accept"), null, false));
        f.refused("MissingParameter", () -> cp.createVpcEndpointConnectionNotification(null, null, arn, List.of("Accept"), null,
            false));
        f.refused("InvalidParameterValue", () -> cp.createVpcEndpointConnectionNotification(null, endpoint.vpcEndpointId(),
            "arn:aws:sns:eu-west-1:123456789012:t", List.of("Accept"), null, false));
        f.refused("InvalidParameterValue", () -> cp.createVpcEndpointConnectionNotification(null, endpoint.vpcEndpointId(),
            "not-an-arn", List.of("Accept"), null, false));
        f.refused("MissingParameter", () -> cp.createVpcEndpointConnectionNotification(null, endpoint.vpcEndpointId(),
            null, List.of("Accept"), null, false));
        f.refused("InvalidParameterValue", () -> cp.createVpcEndpointConnectionNotification(null, endpoint.vpcEndpointId(),
            arn, List.of("accept"), null, false));
        f.refused("MissingParameter", () -> cp.createVpcEndpointConnectionNotification(null, endpoint.vpcEndpointId(),
            arn, List.of(), null, false));
        f.refused("InvalidVpcEndpointId.NotFound", () -> cp.createVpcEndpointConnectionNotification(null,
            "vpce-0123456789abcdef0", arn, List.of("Accept"), null, false));
        f.refused("InvalidVpcEndpointServiceId.NotFound", () -> cp.createVpcEndpointConnectionNotification(
            "vpce-svc-0123456789abcdef0", null, arn, List.of("Accept"), null, false));

        f.dryRunSucceeds(() -> cp.modifyVpcEndpointConnectionNotification(id, null, List.of("Delete"), true));
        cp.modifyVpcEndpointConnectionNotification(id, null, List.of("Delete"), false);
        assertEquals(List.of(ConnectionEventType.DELETE), f.state().connectionNotification(id).connectionEvents());
        cp.modifyVpcEndpointConnectionNotification(id, "arn:aws:sns:us-east-1:123456789012:other", null, false);
        assertEquals("arn:aws:sns:us-east-1:123456789012:other", f.state().connectionNotification(id).connectionNotificationArn());
        f.refused("MissingParameter", () -> cp.modifyVpcEndpointConnectionNotification(id, null, null, false));
        f.refused("InvalidConnectionNotification", () -> cp.modifyVpcEndpointConnectionNotification(
            "vpce-nfn-0123456789abcdef0", arn, null, false));
        f.refused("InvalidConnectionNotification", () -> cp.modifyVpcEndpointConnectionNotification("nfn-1", arn, null, false));

        assertEquals(List.of(f.state().connectionNotification(id)), f.state().describeVpcEndpointConnectionNotifications(
            id, null, null, null).items());
        assertEquals(1, f.state().describeVpcEndpointConnectionNotifications(null,
            List.of(Filter.of("vpc-endpoint-id", endpoint.vpcEndpointId()), Filter.of("connection-notification-state", "Enabled")),
            null, null).items().size());
        assertEquals("InvalidConnectionNotification", assertThrows(ApiException.class,
            () -> f.state().describeVpcEndpointConnectionNotifications("vpce-nfn-0123456789abcdef0", null, null, null)).code());

        f.dryRunSucceeds(() -> cp.deleteVpcEndpointConnectionNotifications(List.of(id), true));
        final List<UnsuccessfulItem> deleted = cp.deleteVpcEndpointConnectionNotifications(
            List.of(id, "vpce-nfn-0123456789abcdef0"), false);
        assertEquals(List.of(new UnsuccessfulItem("vpce-nfn-0123456789abcdef0", "InvalidConnectionNotification",
            "The connection notification 'vpce-nfn-0123456789abcdef0' does not exist")), deleted);
        assertNull(f.state().connectionNotification(id));
    }

    @Test
    void anEndpointsNotificationsGoWhenTheEndpointDoes()
    {
        final Fixture.Network net = f.network();
        final VpcEndpoint endpoint = f.endpoint(net, Fixture.AUTO, net.a());
        final ConnectionNotification notification = cp.createVpcEndpointConnectionNotification(null, endpoint.vpcEndpointId(),
            "arn:aws:sns:us-east-1:123456789012:t", List.of("Delete"), null, false);
        cp.deleteVpcEndpoints(List.of(endpoint.vpcEndpointId()), false);
        f.programmed();
        f.clock.advance(ControlPlaneSettings.DEFAULT_DELETED_ENDPOINT_RETENTION_MS);
        assertEquals(1, cp.onTick());
        assertNull(f.state().connectionNotification(notification.connectionNotificationId()));
    }
}
