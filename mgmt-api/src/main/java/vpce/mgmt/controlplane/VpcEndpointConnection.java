package vpce.mgmt.controlplane;

import java.util.List;

/**
 * The provider's view of an endpoint connected to one of its services (DescribeVpcEndpointConnections), drawn from
 * the {@link VpcEndpoint}; {@code ipAddressType} is always {@code ipv4}.
 */
public record VpcEndpointConnection(
    String vpcEndpointConnectionId,
    String serviceId,
    String vpcEndpointId,
    String vpcEndpointOwner,
    EndpointState vpcEndpointState,
    long creationTimeMs,
    List<DnsEntry> dnsEntries,
    List<String> networkLoadBalancerArns)
{
    public VpcEndpointConnection
    {
        dnsEntries = List.copyOf(dnsEntries);
        networkLoadBalancerArns = List.copyOf(networkLoadBalancerArns);
    }
}
