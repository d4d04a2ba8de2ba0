package vpce.mgmt.notify;

/**
 * Where the delivery agent counts outcomes (the appliance backs these with its counters file, so mgmt-api needs no
 * dependency on it). {@link #dropped()} is called on the control-plane thread, the others on the delivery thread:
 * implementations must be safe for that (an atomic increment).
 */
public interface NotificationCounters
{
    /** A subscriber answered 2xx. */
    void delivered();

    /** An attempt failed and another follows. */
    void retried();

    /** A subscriber never answered 2xx within the attempts, or refused permanently. */
    void failed();

    /** An event found the queue full, or was still queued when the agent closed. */
    void dropped();

    NotificationCounters NONE = new NotificationCounters()
    {
        @Override
        public void delivered()
        {
        }

        @Override
        public void retried()
        {
        }

        @Override
        public void failed()
        {
        }

        @Override
        public void dropped()
        {
        }
    };
}
