package vpce.mgmt.controlplane;

/** An endpoint service's state; EC2 sends it capitalized ({@link #wireName()}), unlike endpoint states. */
public enum ServiceState
{
    PENDING("Pending"),
    AVAILABLE("Available"),
    DELETING("Deleting"),
    DELETED("Deleted"),
    FAILED("Failed");

    private final String wireName;

    ServiceState(final String wireName)
    {
        this.wireName = wireName;
    }

    public String wireName()
    {
        return wireName;
    }
}
