package vpce.mgmt.controlplane;

/**
 * Told about every new published state, after it is durable and published, on the control-plane thread: the
 * datapath adapter compiles a snapshot from it and, once the datapath runs on that snapshot, calls
 * {@link ControlPlane#onDatapathProgrammed(long)} with {@link ControlPlaneState#sequence()} (through the control-plane
 * thread). It must not block, and must not call mutating methods from inside the notification (that is refused with
 * an IllegalStateException: post the call to the control-plane thread instead).
 */
@FunctionalInterface
public interface StateListener
{
    /**
     * @param state  the new state.
     * @param commit what changed: its {@link Change}s (e.g. the endpoints and ENIs removed, whose flows must be
     *               purged); empty for a catalog update, which does not advance the sequence.
     */
    void onStateCommitted(ControlPlaneState state, Commit commit);
}
