package vpce.mgmt.controlplane;

/** Where an endpoint service comes from. */
public enum ServiceOrigin
{
    /**
     * The appliance's configuration (the {@link CatalogService} list): not persisted by the control plane, read-only
     * on the API (Modify/Delete refuse it), rebuilt at every start.
     */
    CATALOG,
    /** CreateVpcEndpointServiceConfiguration: persisted, owned by the provider who made it. */
    API
}
