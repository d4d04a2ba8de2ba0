package vpce.mgmt.controlplane;

/**
 * A persisted control-plane entity: an immutable record that the state holds by id, that a commit puts or removes as
 * a whole, and that the store writes as JSON.
 */
public sealed interface Resource
    permits Vpc, Subnet, SecurityGroup, NetworkAcl, EndpointService, VpcEndpoint, NetworkInterface, ConnectionNotification
{
    String id();

    ResourceKind kind();
}
