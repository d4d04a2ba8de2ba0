package vpce.mgmt.controlplane;

import java.util.List;

/**
 * An endpoint network interface: one per endpoint subnet, requester-managed (the caller sees it but cannot change
 * it), {@code interfaceType} {@code vpc_endpoint}, {@code status} {@code in-use}. Its address comes from the subnet's
 * block, skipping the five AWS reserves and those other ENIs hold.
 *
 * @param requesterId the account that manages it: the service's owner.
 * @param description {@code VPC Endpoint Interface vpce-…}, as EC2 writes it.
 */
public record NetworkInterface(
    String networkInterfaceId,
    String vpcEndpointId,
    String subnetId,
    String vpcId,
    String availabilityZone,
    String privateIpAddress,
    String macAddress,
    List<String> securityGroupIds,
    String ownerId,
    String requesterId,
    String description,
    long creationTimeMs) implements Resource
{
    public NetworkInterface
    {
        securityGroupIds = List.copyOf(securityGroupIds);
    }

    @Override
    public String id()
    {
        return networkInterfaceId;
    }

    @Override
    public ResourceKind kind()
    {
        return ResourceKind.NETWORK_INTERFACE;
    }

    /** @return the private address as an int (10.0.1.4 == 0x0A000104). */
    public int address()
    {
        return (int)Ipv4Cidr.parseAddressOrMinusOne(privateIpAddress);
    }

    public NetworkInterface withSecurityGroups(final List<String> groupIds)
    {
        return new NetworkInterface(networkInterfaceId, vpcEndpointId, subnetId, vpcId, availabilityZone, privateIpAddress,
            macAddress, groupIds, ownerId, requesterId, description, creationTimeMs);
    }
}
