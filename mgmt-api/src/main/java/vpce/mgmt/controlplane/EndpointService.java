package vpce.mgmt.controlplane;

import java.util.List;
import java.util.Map;

/**
 * An endpoint service, from the appliance's catalog or created by a provider through the API; both the consumer view
 * (ServiceDetail: DescribeVpcEndpointServices) and the provider view (ServiceConfiguration) are drawn from it. Its
 * service type is always {@code Interface}, its supported IP address types {@code [ipv4]}, endpoint policies are not
 * supported and the private DNS name (if any) counts as verified.
 *
 * @param ownerId                 12-digit account id, or {@code amazon}.
 * @param baseEndpointDnsName     e.g. {@code vpce-svc-….us-east-1.vpce.amazonaws.com} (reference section 4).
 * @param networkLoadBalancerArns the catalog ARNs whose targets serve it.
 * @param clientToken             the ClientToken of the request that created it, or null.
 * @param requestFingerprint      what that request asked for, to answer IdempotentParameterMismatch.
 */
public record EndpointService(
    String serviceId,
    String serviceName,
    String ownerId,
    ServiceOrigin origin,
    ServiceState state,
    boolean acceptanceRequired,
    String privateDnsName,
    String baseEndpointDnsName,
    List<String> availabilityZones,
    List<String> networkLoadBalancerArns,
    List<String> allowedPrincipals,
    String clientToken,
    String requestFingerprint,
    Map<String, String> tags,
    long creationTimeMs) implements Resource
{
    public EndpointService
    {
        availabilityZones = List.copyOf(availabilityZones);
        networkLoadBalancerArns = List.copyOf(networkLoadBalancerArns);
        allowedPrincipals = allowedPrincipals == null ? List.of() : List.copyOf(allowedPrincipals);
        tags = Tags.copyOf(tags);
    }

    @Override
    public String id()
    {
        return serviceId;
    }

    @Override
    public ResourceKind kind()
    {
        return ResourceKind.ENDPOINT_SERVICE;
    }

    public EndpointService with(final boolean newAcceptanceRequired, final String newPrivateDnsName,
        final List<String> newArns, final List<String> newZones)
    {
        return new EndpointService(serviceId, serviceName, ownerId, origin, state, newAcceptanceRequired, newPrivateDnsName,
            baseEndpointDnsName, newZones, newArns, allowedPrincipals, clientToken, requestFingerprint, tags, creationTimeMs);
    }
}
