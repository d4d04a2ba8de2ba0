package vpce.mgmt.notify;

import java.time.Duration;

/**
 * How a notification is retried. Attempt n (n ≥ 2) waits a random time in [d/2, d] with
 * d = min(maxBackoff, initialBackoff · 2^(n-2)) ("equal jitter", so retries of many events spread out yet never retry
 * at once). 2xx delivers; 429, 5xx, timeouts and connection errors retry; any other status fails at once, as SNS treats
 * other 4xx as permanent. SNS's own default HTTP policy is 3 retries 20 s apart; the default here keeps its attempt
 * count (1 + 3) with a shorter, exponential wait, since subscribers are local and events are rare.
 *
 * @param maxAttempts    attempts per subscriber, including the first.
 * @param queueCapacity  events waiting for delivery; more are dropped and counted.
 */
public record DeliveryPolicy(
    int maxAttempts,
    Duration initialBackoff,
    Duration maxBackoff,
    Duration connectTimeout,
    Duration requestTimeout,
    int queueCapacity,
    Duration drainOnClose)
{
    public static final DeliveryPolicy DEFAULT = new DeliveryPolicy(4, Duration.ofSeconds(1), Duration.ofSeconds(20),
        Duration.ofSeconds(2), Duration.ofSeconds(5), 1024, Duration.ofSeconds(2));

    public DeliveryPolicy
    {
        if (maxAttempts < 1 || queueCapacity < 1)
        {
            throw new IllegalArgumentException("maxAttempts and queueCapacity must be positive");
        }
    }

    /** @param jitter uniform in [0, 1). @return the wait before attempt {@code attempt} (2 = first retry), in ns. */
    public long backoffNs(final int attempt, final double jitter)
    {
        final long ceilingNs = Math.min(maxBackoff.toNanos(), initialBackoff.toNanos() << Math.min(attempt - 2, 30));
        return ceilingNs / 2 + (long)(jitter * (ceilingNs - ceilingNs / 2));
    }
}
