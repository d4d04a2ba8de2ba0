package vpce.appliance.datapath;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * Where the control plane publishes the current {@link DatapathSnapshot}. The write in
 * {@link #publish} is a release store; the read in {@link #acquire} an acquire load: every
 * field a snapshot's constructor wrote is visible to a worker that acquired the reference.
 */
public final class DatapathSnapshotHolder
{
    private static final VarHandle CURRENT;

    static
    {
        try
        {
            CURRENT = MethodHandles.lookup().findVarHandle(DatapathSnapshotHolder.class, "current", DatapathSnapshot.class);
        }
        catch (final ReflectiveOperationException ex)
        {
            throw new ExceptionInInitializerError(ex);
        }
    }

    @SuppressWarnings("unused") // accessed through CURRENT
    private DatapathSnapshot current;

    public DatapathSnapshotHolder(final DatapathSnapshot initial)
    {
        CURRENT.setRelease(this, initial);
    }

    /** Control plane: swap in a snapshot built off the packet path. Pairs with {@link #acquire}. */
    public void publish(final DatapathSnapshot snapshot)
    {
        CURRENT.setRelease(this, snapshot);
    }

    /** Datapath: once per duty cycle. Pairs with {@link #publish}. */
    public DatapathSnapshot acquire()
    {
        return (DatapathSnapshot)CURRENT.getAcquire(this);
    }
}
