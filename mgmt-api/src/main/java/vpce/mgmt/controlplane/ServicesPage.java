package vpce.mgmt.controlplane;

import java.util.List;

/**
 * DescribeVpcEndpointServices' answer: the names ({@code serviceNameSet}) and details ({@code serviceDetailSet}) of
 * the services on this page, and the next page's token (or null).
 */
public record ServicesPage(List<String> serviceNames, List<EndpointService> serviceDetails, String nextToken)
{
    public ServicesPage
    {
        serviceNames = List.copyOf(serviceNames);
        serviceDetails = List.copyOf(serviceDetails);
    }
}
