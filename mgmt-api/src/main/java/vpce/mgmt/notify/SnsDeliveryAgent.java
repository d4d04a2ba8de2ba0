package vpce.mgmt.notify;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import vpce.mgmt.controlplane.ConnectionEvent;
import vpce.mgmt.controlplane.ConnectionEventListener;

import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.UUID;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * Delivers connection events to the HTTP subscribers of their SNS topic, as SNS would, on its own thread.
 * <p>
 * The control-plane thread calls {@link #onConnectionEvent}, which only offers the event to a bounded queue: a full
 * queue drops the event and counts it, so a slow or dead subscriber never holds up the API. The delivery thread takes
 * events in order and posts each to every subscriber of its topic, retrying per {@link DeliveryPolicy}; it waits for
 * each answer, so one unreachable subscriber delays the events behind it by at most its attempts' timeouts and
 * backoffs (events are rare; order is kept). Every event ends in one outcome per subscriber, counted and logged once.
 * The queue is the only shared state: {@code offer} on one thread happens-before the {@code poll} that returns it.
 */
public final class SnsDeliveryAgent implements ConnectionEventListener, AutoCloseable
{
    /** How the delivery thread waits between attempts; tests record the waits instead of sleeping. */
    @FunctionalInterface
    public interface Sleeper
    {
        void sleepNs(long ns) throws InterruptedException;
    }

    private static final Logger LOG = LoggerFactory.getLogger(SnsDeliveryAgent.class);
    private static final long POLL_MS = 50;

    private final Map<String, List<SnsSubscriber>> subscribersByTopic;
    private final DeliveryPolicy policy;
    private final NotificationCounters counters;
    private final Sleeper sleeper;
    private final Supplier<String> messageIds;
    private final BlockingQueue<ConnectionEvent> queue;
    private final HttpClient client;
    private final Thread thread;
    /** Delivery-thread only. */
    private final SplittableRandom jitter = new SplittableRandom();
    private volatile boolean running = true;

    private SnsDeliveryAgent(
        final List<SnsSubscriber> subscribers,
        final DeliveryPolicy policy,
        final NotificationCounters counters,
        final Sleeper sleeper,
        final Supplier<String> messageIds)
    {
        this.subscribersByTopic = subscribers.stream().collect(Collectors.groupingBy(SnsSubscriber::topicArn,
            Collectors.toUnmodifiableList()));
        this.policy = policy;
        this.counters = counters;
        this.sleeper = sleeper;
        this.messageIds = messageIds;
        this.queue = new ArrayBlockingQueue<>(policy.queueCapacity());
        this.client = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(policy.connectTimeout())
            .followRedirects(HttpClient.Redirect.NEVER)
            .build();
        this.thread = Thread.ofPlatform().name("vpce-sns-delivery").daemon(true).unstarted(this::run);
    }

    /** Starts the delivery thread with real sleeps and random message ids. */
    public static SnsDeliveryAgent start(
        final List<SnsSubscriber> subscribers, final DeliveryPolicy policy, final NotificationCounters counters)
    {
        return start(subscribers, policy, counters, ns -> TimeUnit.NANOSECONDS.sleep(ns), () -> UUID.randomUUID().toString());
    }

    public static SnsDeliveryAgent start(
        final List<SnsSubscriber> subscribers,
        final DeliveryPolicy policy,
        final NotificationCounters counters,
        final Sleeper sleeper,
        final Supplier<String> messageIds)
    {
        final SnsDeliveryAgent agent = new SnsDeliveryAgent(List.copyOf(subscribers), policy, counters, sleeper, messageIds);
        agent.thread.start();
        return agent;
    }

    /** On the control-plane thread: never blocks. Events for a topic nobody subscribed to here are ignored. */
    @Override
    public void onConnectionEvent(final ConnectionEvent event)
    {
        if (!subscribersByTopic.containsKey(event.topicArn()))
        {
            return;
        }
        if (!running || !queue.offer(event))
        {
            counters.dropped();
            LOG.warn("notification dropped ({}): {} for {} to {}", running ? "queue full" : "closed",
                event.eventType().wireName(), event.vpcEndpointId(), event.topicArn());
        }
    }

    private void run()
    {
        try
        {
            while (true)
            {
                final ConnectionEvent event = queue.poll(POLL_MS, TimeUnit.MILLISECONDS);
                if (event != null)
                {
                    try
                    {
                        deliver(event);
                    }
                    catch (final RuntimeException ex)
                    {
                        counters.failed();
                        LOG.error("notification {} for {} to {} failed", event.eventType().wireName(),
                            event.vpcEndpointId(), event.topicArn(), ex);
                    }
                }
                else if (!running)
                {
                    return;
                }
            }
        }
        catch (final InterruptedException ex)
        {
            // close() gave up waiting for the drain; what is left is counted as dropped there.
        }
    }

    private void deliver(final ConnectionEvent event) throws InterruptedException
    {
        final String messageId = messageIds.get();
        final String body = SnsMessageFormat.notification(event, messageId);
        for (final SnsSubscriber subscriber : subscribersByTopic.get(event.topicArn()))
        {
            deliver(event, subscriber, messageId, body);
        }
    }

    private void deliver(final ConnectionEvent event, final SnsSubscriber subscriber, final String messageId,
        final String body) throws InterruptedException
    {
        final HttpRequest request = HttpRequest.newBuilder(subscriber.endpoint())
            .timeout(policy.requestTimeout())
            .header("Content-Type", "text/plain; charset=UTF-8")
            .header("x-amz-sns-message-type", "Notification")
            .header("x-amz-sns-message-id", messageId)
            .header("x-amz-sns-topic-arn", event.topicArn())
            .header("x-amz-sns-subscription-arn", subscriber.subscriptionArn())
            .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8))
            .build();
        String last = "";
        for (int attempt = 1; attempt <= policy.maxAttempts(); attempt++)
        {
            try
            {
                if (attempt > 1)
                {
                    counters.retried();
                    sleeper.sleepNs(policy.backoffNs(attempt, jitter.nextDouble()));
                }
                final int status = client.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
                if (status >= 200 && status < 300)
                {
                    counters.delivered();
                    LOG.info("notification {} {} for {} delivered to {} (attempt {}, HTTP {})", messageId,
                        event.eventType().wireName(), event.vpcEndpointId(), subscriber.endpoint(), attempt, status);
                    return;
                }
                last = "HTTP " + status;
                if (status != 429 && status < 500)
                {
                    break;
                }
            }
            catch (final InterruptedException ex)
            {
                counters.failed();
                LOG.warn("notification {} {} for {} to {} abandoned at shutdown", messageId, event.eventType().wireName(),
                    event.vpcEndpointId(), subscriber.endpoint());
                throw ex;
            }
            catch (final IOException ex)
            {
                last = ex.getClass().getSimpleName() + (ex.getMessage() == null ? "" : ": " + ex.getMessage());
            }
            catch (final RuntimeException ex)
            {
                last = ex.toString();
                break;
            }
        }
        counters.failed();
        LOG.warn("notification {} {} for {} to {} failed: {}", messageId, event.eventType().wireName(),
            event.vpcEndpointId(), subscriber.endpoint(), last);
    }

    /**
     * Stops taking events, lets the thread deliver what is queued for up to {@link DeliveryPolicy#drainOnClose()},
     * then interrupts it; events still queued are counted as dropped.
     */
    @Override
    public void close()
    {
        running = false;
        try
        {
            thread.join(Math.max(1, policy.drainOnClose().toMillis()));
            if (thread.isAlive())
            {
                thread.interrupt();
                thread.join(1000);
            }
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
        int left = 0;
        while (queue.poll() != null)
        {
            counters.dropped();
            left++;
        }
        if (left > 0)
        {
            LOG.warn("{} notifications dropped at shutdown", left);
        }
        client.shutdownNow();
    }
}
