package vpce.mgmt.controlplane;

import java.util.List;

/**
 * ModifyVpcEndpointServiceConfiguration's parameters; nulls and empty lists leave things as they are. Only services
 * created through the API can be modified (catalog services belong to the configuration file).
 */
public record ModifyServiceConfigurationRequest(
    String serviceId,
    String privateDnsName,
    Boolean removePrivateDnsName,
    Boolean acceptanceRequired,
    List<String> addNetworkLoadBalancerArns,
    List<String> removeNetworkLoadBalancerArns,
    List<String> addGatewayLoadBalancerArns,
    List<String> removeGatewayLoadBalancerArns,
    List<String> addSupportedIpAddressTypes,
    List<String> removeSupportedIpAddressTypes)
{
    public ModifyServiceConfigurationRequest
    {
        addNetworkLoadBalancerArns = addNetworkLoadBalancerArns == null ? List.of() : List.copyOf(addNetworkLoadBalancerArns);
        removeNetworkLoadBalancerArns = removeNetworkLoadBalancerArns == null ? List.of() : List.copyOf(removeNetworkLoadBalancerArns);
        addGatewayLoadBalancerArns = addGatewayLoadBalancerArns == null ? List.of() : List.copyOf(addGatewayLoadBalancerArns);
        removeGatewayLoadBalancerArns = removeGatewayLoadBalancerArns == null ? List.of() : List.copyOf(removeGatewayLoadBalancerArns);
        addSupportedIpAddressTypes = addSupportedIpAddressTypes == null ? List.of() : List.copyOf(addSupportedIpAddressTypes);
        removeSupportedIpAddressTypes = removeSupportedIpAddressTypes == null ? List.of() : List.copyOf(removeSupportedIpAddressTypes);
    }

    public static ModifyServiceConfigurationRequest acceptance(final String serviceId, final boolean required)
    {
        return new ModifyServiceConfigurationRequest(serviceId, null, null, required, null, null, null, null, null, null);
    }
}
