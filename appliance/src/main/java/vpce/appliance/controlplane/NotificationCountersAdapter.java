package vpce.appliance.controlplane;

import org.agrona.concurrent.status.AtomicCounter;
import org.agrona.concurrent.status.CountersManager;
import vpce.mgmt.notify.NotificationCounters;

/**
 * The SNS delivery agent's outcomes in the counters file: notifications.delivered, .retried, .failed, .dropped.
 * {@link AtomicCounter#increment()} is an atomic add, so the API thread (dropped) and the delivery thread (the rest)
 * may both count; readers see the counters file as usual.
 */
public final class NotificationCountersAdapter implements NotificationCounters
{
    private final AtomicCounter delivered;
    private final AtomicCounter retried;
    private final AtomicCounter failed;
    private final AtomicCounter dropped;

    public NotificationCountersAdapter(final CountersManager manager)
    {
        delivered = manager.newCounter("notifications.delivered");
        retried = manager.newCounter("notifications.retried");
        failed = manager.newCounter("notifications.failed");
        dropped = manager.newCounter("notifications.dropped");
    }

    @Override
    public void delivered()
    {
        delivered.increment();
    }

    @Override
    public void retried()
    {
        retried.increment();
    }

    @Override
    public void failed()
    {
        failed.increment();
    }

    @Override
    public void dropped()
    {
        dropped.increment();
    }
}
