package vpce.mgmt.controlplane;

import java.util.Map;

/**
 * A VPC. On the wire its {@code state} is always {@code available}, {@code dhcpOptionsId} {@code default},
 * {@code instanceTenancy} {@code default} and {@code isDefault} false. EC2 creates a default security group and a
 * default network ACL with it; their ids are kept here.
 *
 * @param cidrBlockAssociationId the {@code vpc-cidr-assoc-} id of the primary CIDR block.
 * @param enableDnsSupport       EC2's default for a new VPC: true.
 * @param enableDnsHostnames     EC2's default for a new VPC: false.
 */
public record Vpc(
    String vpcId,
    String ownerId,
    String cidrBlock,
    String cidrBlockAssociationId,
    boolean enableDnsSupport,
    boolean enableDnsHostnames,
    String defaultSecurityGroupId,
    String defaultNetworkAclId,
    Map<String, String> tags,
    long creationTimeMs) implements Resource
{
    public Vpc
    {
        tags = Tags.copyOf(tags);
    }

    @Override
    public String id()
    {
        return vpcId;
    }

    @Override
    public ResourceKind kind()
    {
        return ResourceKind.VPC;
    }

    public Vpc withDnsSupport(final boolean enabled)
    {
        return new Vpc(vpcId, ownerId, cidrBlock, cidrBlockAssociationId, enabled, enableDnsHostnames,
            defaultSecurityGroupId, defaultNetworkAclId, tags, creationTimeMs);
    }

    public Vpc withDnsHostnames(final boolean enabled)
    {
        return new Vpc(vpcId, ownerId, cidrBlock, cidrBlockAssociationId, enableDnsSupport, enabled,
            defaultSecurityGroupId, defaultNetworkAclId, tags, creationTimeMs);
    }
}
