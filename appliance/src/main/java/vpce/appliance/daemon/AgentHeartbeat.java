package vpce.appliance.daemon;

import org.agrona.concurrent.Agent;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * Wraps an agent and counts its duty cycles, so that the watchdog can tell a working agent from
 * one stuck inside {@code doWork}. One release store per duty cycle (not per packet; a cycle is
 * a batch or an idle poll of at most a millisecond).
 *
 * <p>Pairs: the agent thread's {@code setRelease} in {@link #doWork} with the watchdog thread's
 * {@code getAcquire} in {@link #beats}. The count has one writer, so the plain read before the
 * store is exact.
 */
public final class AgentHeartbeat implements Agent
{
    private static final VarHandle BEATS;

    static
    {
        try
        {
            BEATS = MethodHandles.lookup().findVarHandle(AgentHeartbeat.class, "beats", long.class);
        }
        catch (final ReflectiveOperationException ex)
        {
            throw new ExceptionInInitializerError(ex);
        }
    }

    private final Agent delegate;
    @SuppressWarnings("unused") // padding: the count is written by the agent's thread, read by the watchdog's
    private long p1, p2, p3, p4, p5, p6, p7;
    private long beats;
    @SuppressWarnings("unused")
    private long q1, q2, q3, q4, q5, q6, q7;

    public AgentHeartbeat(final Agent delegate)
    {
        this.delegate = delegate;
    }

    @Override
    public void onStart()
    {
        delegate.onStart();
    }

    @Override
    public int doWork() throws Exception
    {
        final int work = delegate.doWork();
        BEATS.setRelease(this, beats + 1);
        return work;
    }

    @Override
    public void onClose()
    {
        delegate.onClose();
    }

    @Override
    public String roleName()
    {
        return delegate.roleName();
    }

    /** Duty cycles completed so far; from any thread. */
    public long beats()
    {
        return (long)BEATS.getAcquire(this);
    }
}
