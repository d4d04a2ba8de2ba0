package vpce.mgmt.controlplane;

import vpce.mgmt.ApiException;

import java.util.List;

/**
 * Several actions carried out as one commit ({@link ControlPlane#atomically}): each method applies the same rules as
 * the {@link ControlPlane} method of the same name, on one {@link Transaction}, so a later part sees the earlier parts'
 * effects, and a part that refuses throws before anything was committed: the request happens whole (one store record,
 * one published state) or not at all. Valid only inside the function given to {@code atomically}, on the writer
 * thread.
 */
public final class Batch
{
    private final Transaction tx;

    Batch(final Transaction tx)
    {
        this.tx = tx;
    }

    public void modifyVpcAttribute(final String vpcId, final VpcAttribute attribute, final boolean value)
    {
        NetworkRules.modifyVpcAttribute(tx, vpcId, attribute, value);
    }

    public List<SecurityGroupRule> authorizeSecurityGroupIngress(final String groupId, final List<IpPermission> permissions)
    {
        return NetworkRules.authorize(tx, groupId, false, permissions);
    }

    public List<SecurityGroupRule> authorizeSecurityGroupEgress(final String groupId, final List<IpPermission> permissions)
    {
        return NetworkRules.authorize(tx, groupId, true, permissions);
    }

    public void revokeSecurityGroupIngress(final String groupId, final List<IpPermission> permissions,
        final List<String> securityGroupRuleIds)
    {
        NetworkRules.revoke(tx, groupId, false, permissions, securityGroupRuleIds);
    }

    public void revokeSecurityGroupEgress(final String groupId, final List<IpPermission> permissions,
        final List<String> securityGroupRuleIds)
    {
        NetworkRules.revoke(tx, groupId, true, permissions, securityGroupRuleIds);
    }

    public void createNetworkAclEntry(final String networkAclId, final NetworkAclEntry entry)
    {
        NetworkRules.putNetworkAclEntry(tx, networkAclId, entry, false);
    }

    public void replaceNetworkAclEntry(final String networkAclId, final NetworkAclEntry entry)
    {
        NetworkRules.putNetworkAclEntry(tx, networkAclId, entry, true);
    }

    public void deleteNetworkAclEntry(final String networkAclId, final int ruleNumber, final boolean egress)
    {
        NetworkRules.deleteNetworkAclEntry(tx, networkAclId, ruleNumber, egress);
    }

    /**
     * Associates the subnet with the network ACL, whichever ACL it is associated with now (as this batch sees it).
     *
     * @return the new association id.
     */
    public String associateSubnet(final String subnetId, final String networkAclId)
    {
        for (final NetworkAcl acl : tx.<NetworkAcl>all(ResourceKind.NETWORK_ACL))
        {
            for (final NetworkAclAssociation association : acl.associations())
            {
                if (association.subnetId().equals(subnetId))
                {
                    return NetworkRules.replaceNetworkAclAssociation(tx, association.networkAclAssociationId(), networkAclId);
                }
            }
        }
        throw new ApiException("InvalidSubnetID.NotFound", "The subnet ID '" + subnetId + "' does not exist");
    }

    public void modifyVpcEndpoint(final ModifyVpcEndpointRequest request)
    {
        EndpointRules.modifyVpcEndpoint(tx, request);
    }

    public void modifyVpcEndpointServiceConfiguration(final ModifyServiceConfigurationRequest request)
    {
        EndpointRules.modifyServiceConfiguration(tx, request);
    }

    public void modifyVpcEndpointConnectionNotification(final String connectionNotificationId,
        final String connectionNotificationArn, final List<String> connectionEvents)
    {
        EndpointRules.modifyNotification(tx, connectionNotificationId, connectionNotificationArn, connectionEvents);
    }
}
