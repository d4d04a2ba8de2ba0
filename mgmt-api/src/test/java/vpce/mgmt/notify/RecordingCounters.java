package vpce.mgmt.notify;

import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Counts outcomes and queues the final ones, so tests wait for an outcome rather than for time. */
final class RecordingCounters implements NotificationCounters
{
    final AtomicLong delivered = new AtomicLong();
    final AtomicLong retried = new AtomicLong();
    final AtomicLong failed = new AtomicLong();
    final AtomicLong dropped = new AtomicLong();
    private final BlockingQueue<String> outcomes = new LinkedBlockingQueue<>();

    @Override
    public void delivered()
    {
        delivered.incrementAndGet();
        outcomes.add("delivered");
    }

    @Override
    public void retried()
    {
        retried.incrementAndGet();
    }

    @Override
    public void failed()
    {
        failed.incrementAndGet();
        outcomes.add("failed");
    }

    @Override
    public void dropped()
    {
        dropped.incrementAndGet();
    }

    void awaitOutcome(final String expected) throws InterruptedException
    {
        assertEquals(expected, outcomes.poll(10, TimeUnit.SECONDS), "the next final outcome");
    }
}
