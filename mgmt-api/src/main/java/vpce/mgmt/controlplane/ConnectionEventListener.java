package vpce.mgmt.controlplane;

/**
 * Receives connection events after their commit is durable, on the control-plane thread, in commit order. It must
 * not block (queue the delivery) and must not call the control plane's mutating methods.
 */
@FunctionalInterface
public interface ConnectionEventListener
{
    void onConnectionEvent(ConnectionEvent event);
}
