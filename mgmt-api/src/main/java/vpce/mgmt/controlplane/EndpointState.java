package vpce.mgmt.controlplane;

/**
 * A VPC endpoint's lifecycle state. EC2 sends it in lower camel case ({@link #wireName()}), whatever the model's
 * capitalized enum says: waiters compare against {@code available}.
 * <pre>
 *   create ──(acceptance required)──▶ pendingAcceptance ──accept──▶ pending ──datapath programmed──▶ available
 *      └────────(auto-accepted)────────────────────────────────────▶ pending
 *   pendingAcceptance | pending | available ──provider rejects──▶ rejected
 *   any but deleting/deleted ──consumer deletes──▶ deleting ──datapath programmed──▶ deleted ──retention──▶ gone
 * </pre>
 * {@code failed} and {@code expired} exist on the wire but this control plane never enters them.
 */
public enum EndpointState
{
    PENDING_ACCEPTANCE("pendingAcceptance"),
    PENDING("pending"),
    AVAILABLE("available"),
    DELETING("deleting"),
    DELETED("deleted"),
    REJECTED("rejected"),
    FAILED("failed"),
    EXPIRED("expired");

    private final String wireName;

    EndpointState(final String wireName)
    {
        this.wireName = wireName;
    }

    public String wireName()
    {
        return wireName;
    }

    /** @return true for the states in which the endpoint still holds a connection to its service. */
    public boolean isConnected()
    {
        return this == PENDING_ACCEPTANCE || this == PENDING || this == AVAILABLE;
    }
}
