package vpce.appliance.datapath;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * Where the control plane publishes the current {@link DatapathSnapshot}. The write in
 * {@link #publish} is a release store; the read in {@link #acquire} an acquire load: every
 * field a snapshot's constructor wrote is visible to a worker that acquired the reference.
 *
 * <p>Pairs. Writer: the constructor (start-up, before {@code AgentRunner.startOnThread}, whose
 * {@code Thread.start} orders it) and {@code Appliance.reload} on the one control thread.
 * Readers: {@code DatapathAgent.doWork}, once per duty cycle, and the management API's explain
 * on its event loop. The release also orders what the control thread did before it, such as the
 * flow-log writer's new interface-id table ({@code Appliance.reload}). There is no reference
 * counting: a replaced snapshot is never recycled, the agent drops it at its next duty cycle
 * and the collector frees it once no reader holds it. Stress: {@code vpce.perf.stress}
 * (snapshot).
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
