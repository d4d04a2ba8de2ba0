package vpce.mgmt.notify;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import vpce.mgmt.controlplane.ConnectionNotification;
import vpce.mgmt.controlplane.Fixture;
import vpce.mgmt.controlplane.VpcEndpoint;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The control plane's events, through the agent, reach the topic's HTTP subscriber as Connect/Accept/Reject/Delete. */
class ControlPlaneNotificationTest
{
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void endpointLifecycleIsDeliveredToTheTopicsSubscriber() throws Exception
    {
        final String topic = "arn:aws:sns:us-east-1:123456789012:provider-events";
        final RecordingCounters counters = new RecordingCounters();
        try (SubscriberServer server = new SubscriberServer(n -> 200);
            SnsDeliveryAgent agent = SnsDeliveryAgent.start(List.of(SnsSubscriber.of(topic, server.url("/sns"))),
                DeliveryPolicy.DEFAULT, counters))
        {
            final Fixture f = new Fixture();
            f.controlPlane.addConnectionEventListener(agent);
            final ConnectionNotification notification = f.controlPlane.createVpcEndpointConnectionNotification(
                Fixture.MANUAL.serviceId(), null, topic, List.of("Connect", "Accept", "Reject", "Delete"), null, false);
            final Fixture.Network net = f.network();

            final VpcEndpoint endpoint = f.endpoint(net, Fixture.MANUAL, net.a());
            f.controlPlane.acceptVpcEndpointConnections(Fixture.MANUAL.serviceId(), List.of(endpoint.vpcEndpointId()), false);
            f.controlPlane.rejectVpcEndpointConnections(Fixture.MANUAL.serviceId(), List.of(endpoint.vpcEndpointId()), false);
            f.controlPlane.deleteVpcEndpoints(List.of(endpoint.vpcEndpointId()), false);

            final List<String> events = new ArrayList<>();
            for (int i = 0; i < 4; i++)
            {
                counters.awaitOutcome("delivered");
                final SubscriberServer.Received request = server.next();
                assertEquals("/sns", request.path());
                assertEquals(topic, request.headers().get("x-amz-sns-topic-arn"));
                final JsonNode body = JSON.readTree(request.body());
                assertEquals(topic, body.get("TopicArn").asText());
                final JsonNode message = JSON.readTree(body.get("Message").asText());
                assertEquals(endpoint.vpcEndpointId(), message.get("vpcEndpointId").asText());
                assertEquals(notification.connectionNotificationId(), message.get("connectionNotificationId").asText());
                assertEquals(Fixture.MANUAL.serviceId(), message.get("serviceId").asText());
                events.add(message.get("eventType").asText() + "/" + message.get("vpcEndpointState").asText());
            }
            assertEquals(List.of("Connect/pendingAcceptance", "Accept/pending", "Reject/rejected", "Delete/deleting"), events,
                "in commit order, with the endpoint's state after each");
            assertEquals(4, counters.delivered.get());
            assertEquals(0, counters.failed.get() + counters.dropped.get() + counters.retried.get());
        }
    }
}
