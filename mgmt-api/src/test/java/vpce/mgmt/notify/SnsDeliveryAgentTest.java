package vpce.mgmt.notify;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import vpce.mgmt.controlplane.ConnectionEvent;
import vpce.mgmt.controlplane.ConnectionEventType;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SnsDeliveryAgentTest
{
    private static final String TOPIC = "arn:aws:sns:us-east-1:123456789012:endpoint-events";
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Short timeouts and a 1 ms base backoff; the sleeper records the waits instead of sleeping. */
    private static final DeliveryPolicy POLICY = new DeliveryPolicy(3, Duration.ofMillis(100), Duration.ofMillis(150),
        Duration.ofSeconds(2), Duration.ofSeconds(5), 8, Duration.ofSeconds(5));

    private final RecordingCounters counters = new RecordingCounters();
    private final List<Long> waitsNs = java.util.Collections.synchronizedList(new ArrayList<>());
    private final AtomicInteger ids = new AtomicInteger();
    private final List<AutoCloseable> closeables = new ArrayList<>();

    @AfterEach
    void close() throws Exception
    {
        for (int i = closeables.size() - 1; i >= 0; i--)
        {
            closeables.get(i).close();
        }
    }

    private SubscriberServer server(final java.util.function.IntUnaryOperator status) throws Exception
    {
        final SubscriberServer server = new SubscriberServer(status);
        closeables.add(server);
        return server;
    }

    private SnsDeliveryAgent agent(final DeliveryPolicy policy, final SnsSubscriber... subscribers)
    {
        final SnsDeliveryAgent agent = SnsDeliveryAgent.start(List.of(subscribers), policy, counters, waitsNs::add,
            () -> "00000000-0000-0000-0000-00000000000" + ids.incrementAndGet());
        closeables.add(agent);
        return agent;
    }

    private static ConnectionEvent event(final ConnectionEventType type, final String topic)
    {
        return new ConnectionEvent("vpce-nfn-0123456789abcdef0", topic, type, "vpce-0123456789abcdef0", "123456789012",
            "vpce-svc-0a11ce0000000002", "pendingAcceptance", 1_767_225_601_234L);
    }

    @Test
    void postsTheSnsNotificationWithItsHeadersAndFields() throws Exception
    {
        final SubscriberServer server = server(n -> 200);
        final SnsSubscriber subscriber = SnsSubscriber.of(TOPIC, server.url("/hook?x=1"));
        agent(POLICY, subscriber, SnsSubscriber.of("arn:aws:sns:us-east-1:123456789012:other", server.url("/other")))
            .onConnectionEvent(event(ConnectionEventType.CONNECT, TOPIC));

        counters.awaitOutcome("delivered");
        final SubscriberServer.Received request = server.next();
        assertEquals("POST", request.method());
        assertEquals("/hook?x=1", request.path(), "only the topic's subscriber");
        assertEquals("text/plain; charset=UTF-8", request.headers().get("Content-Type"));
        assertEquals("Notification", request.headers().get("x-amz-sns-message-type"));
        assertEquals(TOPIC, request.headers().get("x-amz-sns-topic-arn"));
        assertEquals("00000000-0000-0000-0000-000000000001", request.headers().get("x-amz-sns-message-id"));
        assertEquals(subscriber.subscriptionArn(), request.headers().get("x-amz-sns-subscription-arn"));
        assertTrue(subscriber.subscriptionArn().matches(java.util.regex.Pattern.quote(TOPIC) + ":[0-9a-f-]{36}"));

        final JsonNode body = JSON.readTree(request.body());
        final List<String> fields = new ArrayList<>();
        body.fieldNames().forEachRemaining(fields::add);
        assertEquals(List.of("Type", "MessageId", "TopicArn", "Subject", "Message", "Timestamp", "SignatureVersion",
            "Signature", "SigningCertURL", "UnsubscribeURL"), fields);
        assertEquals("Notification", body.get("Type").asText());
        assertEquals("00000000-0000-0000-0000-000000000001", body.get("MessageId").asText());
        assertEquals(TOPIC, body.get("TopicArn").asText());
        assertEquals("VPC endpoint vpce-0123456789abcdef0 connection event: Connect", body.get("Subject").asText());
        assertEquals("2026-01-01T00:00:01.234Z", body.get("Timestamp").asText());
        assertEquals("1", body.get("SignatureVersion").asText());
        assertEquals("", body.get("Signature").asText());

        final JsonNode message = JSON.readTree(body.get("Message").asText());
        assertEquals(JSON.readTree("""
            {"eventType":"Connect","eventTime":"2026-01-01T00:00:01.234Z",
             "connectionNotificationId":"vpce-nfn-0123456789abcdef0",
             "connectionNotificationArn":"arn:aws:sns:us-east-1:123456789012:endpoint-events",
             "vpcEndpointId":"vpce-0123456789abcdef0","vpcEndpointOwner":"123456789012",
             "vpcEndpointState":"pendingAcceptance","serviceId":"vpce-svc-0a11ce0000000002"}"""), message);
        assertEquals(1, counters.delivered.get());
        assertEquals(0, counters.retried.get() + counters.failed.get() + counters.dropped.get());
        assertEquals(List.of(), waitsNs);
    }

    @Test
    void retriesAfterServerErrorsWithBackoffThenDelivers() throws Exception
    {
        final SubscriberServer server = server(n -> n <= 2 ? 500 : 204);
        agent(POLICY, SnsSubscriber.of(TOPIC, server.url("/"))).onConnectionEvent(event(ConnectionEventType.ACCEPT, TOPIC));

        counters.awaitOutcome("delivered");
        final String first = server.next().body();
        assertEquals(first, server.next().body(), "a retry posts the same message");
        assertEquals(first, server.next().body());
        assertEquals(1, counters.delivered.get());
        assertEquals(2, counters.retried.get());
        assertEquals(0, counters.failed.get());
        assertEquals(2, waitsNs.size());
        // Equal jitter: the first retry waits 50..100 ms, the second 75..150 ms (doubled, capped at 150 ms).
        assertTrue(waitsNs.get(0) >= 50_000_000L && waitsNs.get(0) <= 100_000_000L, waitsNs.toString());
        assertTrue(waitsNs.get(1) >= 75_000_000L && waitsNs.get(1) <= 150_000_000L, waitsNs.toString());
    }

    @Test
    void givesUpAfterMaxAttemptsAndCountsAFailure() throws Exception
    {
        final SubscriberServer server = server(n -> 503);
        agent(POLICY, SnsSubscriber.of(TOPIC, server.url("/"))).onConnectionEvent(event(ConnectionEventType.REJECT, TOPIC));

        counters.awaitOutcome("failed");
        assertEquals(3, server.received.size(), "maxAttempts posts");
        assertEquals(2, counters.retried.get());
        assertEquals(1, counters.failed.get());
        assertEquals(0, counters.delivered.get());
    }

    @Test
    void aClientErrorFailsAtOnceAndTheNextEventStillGoes() throws Exception
    {
        final SubscriberServer server = server(n -> n == 1 ? 403 : 200);
        final SnsDeliveryAgent agent = agent(POLICY, SnsSubscriber.of(TOPIC, server.url("/")));
        agent.onConnectionEvent(event(ConnectionEventType.CONNECT, TOPIC));
        agent.onConnectionEvent(event(ConnectionEventType.DELETE, TOPIC));

        counters.awaitOutcome("failed");
        counters.awaitOutcome("delivered");
        assertEquals(0, counters.retried.get(), "403 is permanent, as SNS treats it");
        assertEquals(2, server.received.size());
    }

    @Test
    void anUnreachableSubscriberFailsAfterItsAttempts() throws Exception
    {
        final int port;
        try (java.net.ServerSocket socket = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress()))
        {
            port = socket.getLocalPort();
        }
        agent(POLICY, SnsSubscriber.of(TOPIC, "http://127.0.0.1:" + port + "/"))
            .onConnectionEvent(event(ConnectionEventType.CONNECT, TOPIC));

        counters.awaitOutcome("failed");
        assertEquals(2, counters.retried.get());
    }

    @Test
    void aSlowSubscriberNeverBlocksTheCallerAndAFullQueueDrops() throws Exception
    {
        final CountDownLatch arrived = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);
        final SubscriberServer server = server(n ->
        {
            arrived.countDown();
            try
            {
                release.await(10, TimeUnit.SECONDS);
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
            }
            return 200;
        });
        final DeliveryPolicy oneSlot = new DeliveryPolicy(1, Duration.ofMillis(1), Duration.ofMillis(1),
            Duration.ofSeconds(2), Duration.ofSeconds(20), 1, Duration.ofSeconds(5));
        final SnsDeliveryAgent agent = agent(oneSlot, SnsSubscriber.of(TOPIC, server.url("/")));

        agent.onConnectionEvent(event(ConnectionEventType.CONNECT, TOPIC));
        assertTrue(arrived.await(10, TimeUnit.SECONDS), "the first post reached the subscriber, which now stalls");
        // The delivery thread is stuck on the first post and the queue is empty: one event fits, the next is dropped,
        // and neither call waits for the subscriber.
        assertTimeoutPreemptively(Duration.ofSeconds(2), () ->
        {
            agent.onConnectionEvent(event(ConnectionEventType.ACCEPT, TOPIC));
            agent.onConnectionEvent(event(ConnectionEventType.DELETE, TOPIC));
        });
        assertEquals(1, counters.dropped.get());
        assertEquals(0, counters.delivered.get());

        release.countDown();
        counters.awaitOutcome("delivered");
        counters.awaitOutcome("delivered");
        final Iterator<SubscriberServer.Received> requests = server.received.iterator();
        assertTrue(requests.next().body().contains("connection event: Connect"));
        assertTrue(requests.next().body().contains("connection event: Accept"), "the queued event, not the dropped one");
        assertEquals(2, server.received.size());
    }

    @Test
    void eventsForOtherTopicsAreIgnoredAndCloseDropsWhatItCannotDeliver() throws Exception
    {
        final CountDownLatch arrived = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);
        final SubscriberServer server = server(n ->
        {
            arrived.countDown();
            try
            {
                release.await(10, TimeUnit.SECONDS);
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
            }
            return 200;
        });
        final DeliveryPolicy shortDrain = new DeliveryPolicy(1, Duration.ofMillis(1), Duration.ofMillis(1),
            Duration.ofSeconds(2), Duration.ofSeconds(20), 4, Duration.ofMillis(100));
        final SnsDeliveryAgent agent = agent(shortDrain, SnsSubscriber.of(TOPIC, server.url("/")));
        agent.onConnectionEvent(event(ConnectionEventType.CONNECT, "arn:aws:sns:us-east-1:123456789012:nobody"));
        agent.onConnectionEvent(event(ConnectionEventType.CONNECT, TOPIC));
        assertTrue(arrived.await(10, TimeUnit.SECONDS));
        agent.onConnectionEvent(event(ConnectionEventType.ACCEPT, TOPIC));
        agent.onConnectionEvent(event(ConnectionEventType.DELETE, TOPIC));

        agent.close();
        release.countDown();
        assertEquals(2, counters.dropped.get(), "the two queued events");
        assertEquals(1, counters.failed.get(), "the post in flight was interrupted");
        agent.onConnectionEvent(event(ConnectionEventType.REJECT, TOPIC));
        assertEquals(3, counters.dropped.get(), "closed: dropped");
        assertEquals(1, server.received.size(), "nothing for the other topic");
    }

    @Test
    void subscribersAreValidated()
    {
        assertEquals(null, SnsSubscriber.topicArnRefusal("arn:aws:sns:us-east-1:123456789012:t"));
        assertEquals(null, SnsSubscriber.topicArnRefusal("arn:aws-us-gov:sns:us-gov-west-1:123456789012:a_b-c.fifo"));
        for (final String bad : new String[] {"arn:aws:sqs:us-east-1:123456789012:t", "arn:aws:sns:us-east-1:12345:t",
            "arn:aws:sns:us-east-1:123456789012:", "arn:aws:sns:us-east-1:123456789012:a/b", "t"})
        {
            assertTrue(SnsSubscriber.topicArnRefusal(bad) != null, bad);
        }
        assertEquals("/", SnsSubscriber.parseEndpoint("http://127.0.0.1:9000").getPath());
        assertEquals("must be an http:// URL (https is not supported)",
            assertThrows(IllegalArgumentException.class, () -> SnsSubscriber.parseEndpoint("https://h/")).getMessage());
        for (final String bad : new String[] {"ftp://h/", "http:///x", "http://u:p@h/", "http://h/#f", "h:80", "", "http://h:x/"})
        {
            assertThrows(IllegalArgumentException.class, () -> SnsSubscriber.parseEndpoint(bad), bad);
        }
    }
}
