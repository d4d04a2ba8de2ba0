package vpce.mgmt.controlplane;

import java.util.List;

/**
 * ModifyVpcEndpoint's parameters. An endpoint cannot move to another VPC or service, so there is no such field.
 *
 * @param privateDnsEnabled null: unchanged.
 * @param resetPolicy       accepted (the policy is always the default one).
 * @param policyDocument    must be null: endpoint policies are not supported.
 * @param addRouteTableIds  gateway endpoints only: must be empty (likewise {@code removeRouteTableIds}).
 */
public record ModifyVpcEndpointRequest(
    String vpcEndpointId,
    List<String> addSubnetIds,
    List<String> removeSubnetIds,
    List<String> addSecurityGroupIds,
    List<String> removeSecurityGroupIds,
    Boolean privateDnsEnabled,
    Boolean resetPolicy,
    String policyDocument,
    List<String> addRouteTableIds,
    List<String> removeRouteTableIds,
    String ipAddressType,
    String dnsRecordIpType)
{
    public ModifyVpcEndpointRequest
    {
        addSubnetIds = addSubnetIds == null ? List.of() : List.copyOf(addSubnetIds);
        removeSubnetIds = removeSubnetIds == null ? List.of() : List.copyOf(removeSubnetIds);
        addSecurityGroupIds = addSecurityGroupIds == null ? List.of() : List.copyOf(addSecurityGroupIds);
        removeSecurityGroupIds = removeSecurityGroupIds == null ? List.of() : List.copyOf(removeSecurityGroupIds);
        addRouteTableIds = addRouteTableIds == null ? List.of() : List.copyOf(addRouteTableIds);
        removeRouteTableIds = removeRouteTableIds == null ? List.of() : List.copyOf(removeRouteTableIds);
    }

    public static ModifyVpcEndpointRequest subnets(final String vpcEndpointId, final List<String> add, final List<String> remove)
    {
        return new ModifyVpcEndpointRequest(vpcEndpointId, add, remove, null, null, null, null, null, null, null, null, null);
    }

    public static ModifyVpcEndpointRequest securityGroups(final String vpcEndpointId, final List<String> add,
        final List<String> remove)
    {
        return new ModifyVpcEndpointRequest(vpcEndpointId, null, null, add, remove, null, null, null, null, null, null, null);
    }

    public static ModifyVpcEndpointRequest privateDns(final String vpcEndpointId, final boolean enabled)
    {
        return new ModifyVpcEndpointRequest(vpcEndpointId, null, null, null, null, enabled, null, null, null, null, null, null);
    }
}
