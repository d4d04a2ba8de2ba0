package vpce.mgmt.controlplane;

import java.util.List;
import java.util.Map;

/**
 * CreateVpcEndpointServiceConfiguration's parameters.
 *
 * @param acceptanceRequired      null: true (the console's default).
 * @param networkLoadBalancerArns one or more catalog services' load-balancer ARNs: the targets of the new service.
 * @param gatewayLoadBalancerArns not supported: must be empty.
 * @param supportedIpAddressTypes empty or {@code [ipv4]}.
 */
public record CreateServiceConfigurationRequest(
    Boolean acceptanceRequired,
    String privateDnsName,
    List<String> networkLoadBalancerArns,
    List<String> gatewayLoadBalancerArns,
    List<String> supportedIpAddressTypes,
    String clientToken,
    Map<String, String> tags)
{
    public CreateServiceConfigurationRequest
    {
        networkLoadBalancerArns = networkLoadBalancerArns == null ? List.of() : List.copyOf(networkLoadBalancerArns);
        gatewayLoadBalancerArns = gatewayLoadBalancerArns == null ? List.of() : List.copyOf(gatewayLoadBalancerArns);
        supportedIpAddressTypes = supportedIpAddressTypes == null ? List.of() : List.copyOf(supportedIpAddressTypes);
        tags = Tags.copyOf(tags);
    }

    public static CreateServiceConfigurationRequest of(final String loadBalancerArn, final boolean acceptanceRequired)
    {
        return new CreateServiceConfigurationRequest(acceptanceRequired, null, List.of(loadBalancerArn), null, null, null, null);
    }
}
