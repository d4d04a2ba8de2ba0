package vpce.mgmt.ec2.actions;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ec2.model.Ec2Exception;
import software.amazon.awssdk.services.ec2.model.UnsuccessfulItem;
import software.amazon.awssdk.services.ec2.model.VpcEndpoint;
import vpce.mgmt.ManagementServer;
import vpce.mgmt.auth.AccessKey;
import vpce.mgmt.auth.AccessKeys;
import vpce.mgmt.auth.SigV4Verifier;
import vpce.mgmt.controlplane.ConnectionEvent;
import vpce.mgmt.controlplane.ControlPlane;
import vpce.mgmt.controlplane.ControlPlaneState;
import vpce.mgmt.controlplane.Fixture;
import vpce.mgmt.controlplane.IdSource;
import vpce.mgmt.controlplane.StateStore;
import vpce.mgmt.controlplane.TestClock;
import vpce.mgmt.ec2.Ec2QueryApi;

import java.net.InetSocketAddress;
import java.net.URI;
import java.time.InstantSource;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Access keys of two accounts through the SDK: the provider's key (no accountId: the owner account, which provides the
 * catalog services) and a consumer's (accountId 210987654321). What a key creates is its account's (Owner fields), a
 * key changes only its account's resources (another account's are NotFound, state unchanged), only the service's
 * owner accepts a connection, and only the endpoint's owner deletes it.
 */
class Ec2MultiAccountTest
{
    private static final String CONSUMER_ACCOUNT = "210987654321";
    private static final AccessKey PROVIDER = new AccessKey("AKIAPROVIDER00000001", "provider-secret", List.of("ec2:*"));
    private static final AccessKey CONSUMER = new AccessKey("AKIACONSUMER00000001", "consumer-secret", List.of("ec2:*"), null,
        CONSUMER_ACCOUNT);

    private ControlPlane controlPlane;
    private ManagementServer server;
    private final List<ConnectionEvent> events = new CopyOnWriteArrayList<>();

    @BeforeEach
    void start() throws Exception
    {
        controlPlane = new ControlPlane(Fixture.settings(), StateStore.inMemory(), new TestClock(Fixture.START_MS),
            new IdSource(new SplittableRandom(11)));
        controlPlane.addConnectionEventListener(events::add);
        server = ManagementServer.start(new InetSocketAddress("127.0.0.1", 0), Map.of(), new Ec2QueryApi(
            new SigV4Verifier(AccessKeys.of(PROVIDER, CONSUMER), InstantSource.system()), Ec2ActionCatalog.dispatcher(controlPlane)));
    }

    @AfterEach
    void stop()
    {
        server.close();
    }

    private Ec2Client client(final AccessKey key)
    {
        return Ec2Client.builder().endpointOverride(URI.create("http://127.0.0.1:" + server.port())).region(Region.US_EAST_1)
            .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(key.accessKeyId(), key.secretAccessKey())))
            .httpClient(UrlConnectionHttpClient.create())
            .overrideConfiguration(o -> o.retryStrategy(AwsRetryStrategy.doNotRetry())).build();
    }

    private void refusedUnchanged(final String code, final Runnable call)
    {
        final ControlPlaneState before = controlPlane.state();
        final Ec2Exception refusal = assertThrows(Ec2Exception.class, call::run);
        assertEquals(code, refusal.awsErrorDetails().errorCode(), refusal.getMessage());
        assertSame(before, controlPlane.state(), "a refusal changes nothing");
    }

    @Test
    void eachKeyActsAsItsAccount()
    {
        try (Ec2Client provider = client(PROVIDER); Ec2Client consumer = client(CONSUMER))
        {
            final var vpc = consumer.createVpc(r -> r.cidrBlock("10.0.0.0/16")).vpc();
            assertEquals(CONSUMER_ACCOUNT, vpc.ownerId());
            assertEquals(Fixture.OWNER, provider.createVpc(r -> r.cidrBlock("10.1.0.0/16")).vpc().ownerId());
            refusedUnchanged("InvalidVpcID.NotFound",
                () -> provider.modifyVpcAttribute(r -> r.vpcId(vpc.vpcId()).enableDnsHostnames(v -> v.value(true))));
            refusedUnchanged("InvalidVpcID.NotFound",
                () -> provider.createSubnet(r -> r.vpcId(vpc.vpcId()).cidrBlock("10.0.1.0/24").availabilityZone("us-east-1a")));
            final var subnet = consumer.createSubnet(r -> r.vpcId(vpc.vpcId()).cidrBlock("10.0.1.0/24").availabilityZone("us-east-1a"))
                .subnet();
            assertEquals(CONSUMER_ACCOUNT, subnet.ownerId());

            // The provider subscribes to its service's events; the consumer connects to it (acceptance required).
            provider.createVpcEndpointConnectionNotification(r -> r.serviceId(Fixture.MANUAL.serviceId())
                .connectionNotificationArn("arn:aws:sns:us-east-1:" + Fixture.OWNER + ":events").connectionEvents("Connect", "Accept", "Delete"));
            final VpcEndpoint endpoint = consumer.createVpcEndpoint(r -> r.vpcId(vpc.vpcId()).vpcEndpointType("Interface")
                .serviceName(Fixture.MANUAL.serviceName()).subnetIds(subnet.subnetId())).vpcEndpoint();
            assertEquals(CONSUMER_ACCOUNT, endpoint.ownerId());
            assertEquals("pendingAcceptance", endpoint.stateAsString());
            assertEquals(CONSUMER_ACCOUNT, controlPlane.state().networkInterfaces().iterator().next().ownerId(), "the ENI is the consumer's");

            // Only the provider accepts; only the consumer deletes.
            refusedUnchanged("InvalidVpcEndpointServiceId.NotFound", () -> consumer.acceptVpcEndpointConnections(r -> r
                .serviceId(Fixture.MANUAL.serviceId()).vpcEndpointIds(endpoint.vpcEndpointId())));
            final ControlPlaneState before = controlPlane.state();
            final List<UnsuccessfulItem> notDeleted = provider.deleteVpcEndpoints(r -> r.vpcEndpointIds(endpoint.vpcEndpointId()))
                .unsuccessful();
            assertEquals(1, notDeleted.size());
            assertEquals("InvalidVpcEndpoint.NotFound", notDeleted.get(0).error().code());
            assertSame(before, controlPlane.state(), "the provider cannot delete the consumer's endpoint");
            assertTrue(provider.acceptVpcEndpointConnections(r -> r.serviceId(Fixture.MANUAL.serviceId())
                .vpcEndpointIds(endpoint.vpcEndpointId())).unsuccessful().isEmpty());
            assertEquals("pending", controlPlane.state().vpcEndpoint(endpoint.vpcEndpointId()).state().wireName());
            assertTrue(consumer.deleteVpcEndpoints(r -> r.vpcEndpointIds(endpoint.vpcEndpointId())).unsuccessful().isEmpty());
            assertEquals("deleting", controlPlane.state().vpcEndpoint(endpoint.vpcEndpointId()).state().wireName());
            assertEquals(List.of("Connect", "Accept", "Delete"), events.stream().map(event -> event.eventType().wireName()).toList());
            assertTrue(events.stream().allMatch(event -> CONSUMER_ACCOUNT.equals(event.vpcEndpointOwner())), events.toString());
        }
    }
}
