package vpce.mgmt.controlplane;

/**
 * A subnet's association with a network ACL. Every subnet has exactly one; ReplaceNetworkAclAssociation moves it to
 * another ACL of the same VPC under a new {@code aclassoc-} id.
 */
public record NetworkAclAssociation(String networkAclAssociationId, String networkAclId, String subnetId)
{
    public static final String ID_PREFIX = "aclassoc-";
}
