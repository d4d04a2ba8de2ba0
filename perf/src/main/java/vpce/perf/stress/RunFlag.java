package vpce.perf.stress;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * Tells a scenario's threads to finish. Polled with an opaque load: it never orders the poller's
 * other memory accesses, so the flag cannot stand in for the release/acquire pair under test (a
 * volatile flag polled every iteration would fence each iteration of the loop it guards).
 */
final class RunFlag
{
    private static final VarHandle STOPPED;

    static
    {
        try
        {
            STOPPED = MethodHandles.lookup().findVarHandle(RunFlag.class, "stopped", boolean.class);
        }
        catch (final ReflectiveOperationException ex)
        {
            throw new ExceptionInInitializerError(ex);
        }
    }

    @SuppressWarnings("unused") // through STOPPED
    private boolean stopped;

    boolean running()
    {
        return !(boolean)STOPPED.getOpaque(this);
    }

    void stop()
    {
        STOPPED.setOpaque(this, true);
    }
}
