package vpce.appliance.datapath;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * Where the control plane publishes the current {@link DatapathSnapshot}. The write in
 * {@link #publish} is a release store; the read in {@link #acquire} an acquire load: every
 * field a snapshot's constructor wrote is visible to a worker that acquired the reference.
 *
 * <p>Pairs. Writer: the constructor (start-up, before {@code AgentRunner.startOnThread}, whose
 * {@code Thread.start} orders it) and {@code Appliance.publish} on the one control thread: the
 * SIGHUP control thread, or, with the management API's EC2 API on, its API thread, where API
 * commits and configuration reloads both publish ({@code ControlPlaneDatapathAdapter}).
 * Readers: {@code DatapathAgent.doWork}, once per duty cycle, and the management API's explain
 * on its event loop. The release also orders what the control thread did before it, such as the
 * flow-log writer's new interface-id table ({@code Appliance.publish}). There is no reference
 * counting: a replaced snapshot is never recycled, the agent drops it at its next duty cycle
 * and the collector frees it once no reader holds it. Stress: {@code vpce.perf.stress}
 * (snapshot).
 *
 * <p>The way back is a second pair: the agent stores the generation of the snapshot it took
 * ({@link #programmed}, release) once it has purged the removed ENIs' flows; the control thread
 * reads it ({@link #programmedGeneration}, acquire) before telling the control plane its change
 * is in force.
 */
public final class DatapathSnapshotHolder
{
    private static final VarHandle CURRENT;
    private static final VarHandle PROGRAMMED;

    static
    {
        try
        {
            CURRENT = MethodHandles.lookup().findVarHandle(DatapathSnapshotHolder.class, "current", DatapathSnapshot.class);
            PROGRAMMED = MethodHandles.lookup().findVarHandle(DatapathSnapshotHolder.class, "programmedGeneration", long.class);
        }
        catch (final ReflectiveOperationException ex)
        {
            throw new ExceptionInInitializerError(ex);
        }
    }

    @SuppressWarnings("unused") // accessed through CURRENT
    private DatapathSnapshot current;
    /**
     * Written by the agent only, rarely (once per snapshot it takes), so sharing a line with {@link #current}, which
     * it reads every duty cycle, costs nothing worth padding.
     */
    @SuppressWarnings("unused") // accessed through PROGRAMMED
    private long programmedGeneration;

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

    /**
     * Datapath: the agent now runs with the snapshot of this {@link DatapathSnapshot#generation()}, the flows of the
     * ENIs it no longer has already purged. A release store that pairs with the acquire load in
     * {@link #programmedGeneration()}: what the agent did while taking the snapshot is visible to whoever reads the
     * generation.
     */
    public void programmed(final long generation)
    {
        PROGRAMMED.setRelease(this, generation);
    }

    /**
     * Control thread: the generation of the snapshot the agent runs with (0 before it took one). An acquire load
     * that pairs with the release store in {@link #programmed(long)}; a snapshot of this generation or older is
     * in force, so the control plane may call what it describes programmed.
     */
    public long programmedGeneration()
    {
        return (long)PROGRAMMED.getAcquire(this);
    }
}
