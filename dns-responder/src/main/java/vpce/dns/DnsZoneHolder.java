package vpce.dns;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * The one place a {@link DnsZoneSnapshot} changes hands. Single writer: the control thread builds a snapshot and
 * {@link #publish}es it with a volatile store (release, then a full fence, so the store is visible to other cores before
 * {@code publish} returns); the I/O thread reads it with {@link #current()}, an acquire load that pairs with that
 * store, so it sees the snapshot's (immutable) contents complete. The I/O thread loads it once
 * per query: a query is answered wholly from one snapshot. {@link #publish} returning means every query the I/O
 * thread starts afterwards sees the new snapshot — the "no stale answer once the API call has returned" guarantee,
 * as the control plane publishes before it answers.
 */
public final class DnsZoneHolder
{
    private static final VarHandle SNAPSHOT;

    static
    {
        try
        {
            SNAPSHOT = MethodHandles.lookup().findVarHandle(DnsZoneHolder.class, "snapshot", DnsZoneSnapshot.class);
        }
        catch (final ReflectiveOperationException ex)
        {
            throw new ExceptionInInitializerError(ex);
        }
    }

    @SuppressWarnings("unused") // through SNAPSHOT
    private DnsZoneSnapshot snapshot = DnsZoneSnapshot.empty();

    /** Control thread only. */
    public void publish(final DnsZoneSnapshot next)
    {
        SNAPSHOT.setVolatile(this, next);
    }

    /** Any thread; acquire. */
    public DnsZoneSnapshot current()
    {
        return (DnsZoneSnapshot)SNAPSHOT.getAcquire(this);
    }
}
