package vpce.mgmt.controlplane;

import java.util.Map;

/**
 * A subnet: an IPv4 block inside its VPC in one availability zone. On the wire its {@code state} is always
 * {@code available}; {@code availableIpAddressCount} comes from {@link ControlPlaneState#availableIpAddressCount}; its
 * network ACL association is held by the {@link NetworkAcl} ({@link ControlPlaneState#networkAclAssociationOf}).
 */
public record Subnet(
    String subnetId,
    String vpcId,
    String ownerId,
    String cidrBlock,
    String availabilityZone,
    String availabilityZoneId,
    Map<String, String> tags,
    long creationTimeMs) implements Resource
{
    public Subnet
    {
        tags = Tags.copyOf(tags);
    }

    @Override
    public String id()
    {
        return subnetId;
    }

    @Override
    public ResourceKind kind()
    {
        return ResourceKind.SUBNET;
    }

    public Ipv4Cidr cidr()
    {
        return Ipv4Cidr.parseOrNull(cidrBlock);
    }
}
