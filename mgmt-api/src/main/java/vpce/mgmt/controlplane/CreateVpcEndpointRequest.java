package vpce.mgmt.controlplane;

import java.util.List;
import java.util.Map;

/**
 * CreateVpcEndpoint's parameters, as EC2 names them. Nulls are "not given".
 *
 * @param vpcEndpointType   null or {@code Interface}; {@code Gateway} and {@code GatewayLoadBalancer} are
 *                          InvalidVpcEndpointType.
 * @param securityGroupIds  empty: the VPC's default group.
 * @param privateDnsEnabled null: true when the service has a private DNS name (EC2's default), else false.
 * @param policyDocument    endpoint policies are not supported: must be null.
 * @param routeTableIds     gateway endpoints only: must be empty.
 * @param ipAddressType     null or {@code ipv4}.
 * @param dnsRecordIpType   null, {@code ipv4} or {@code service-defined}.
 * @param serviceRegion     null or this region (no cross-region endpoints).
 * @param clientToken       idempotency token: the same token with the same parameters answers the endpoint it made.
 * @param principal         the caller's principal ARN for the service's allowed principals; null: the owner's root.
 */
public record CreateVpcEndpointRequest(
    String vpcId,
    String serviceName,
    String vpcEndpointType,
    List<String> subnetIds,
    List<String> securityGroupIds,
    Boolean privateDnsEnabled,
    String policyDocument,
    List<String> routeTableIds,
    String ipAddressType,
    String dnsRecordIpType,
    String serviceRegion,
    String clientToken,
    Map<String, String> tags,
    String principal)
{
    public CreateVpcEndpointRequest
    {
        subnetIds = subnetIds == null ? List.of() : List.copyOf(subnetIds);
        securityGroupIds = securityGroupIds == null ? List.of() : List.copyOf(securityGroupIds);
        routeTableIds = routeTableIds == null ? List.of() : List.copyOf(routeTableIds);
        tags = Tags.copyOf(tags);
    }

    /** @return an Interface endpoint request with everything else not given. */
    public static CreateVpcEndpointRequest of(final String vpcId, final String serviceName, final List<String> subnetIds,
        final List<String> securityGroupIds)
    {
        return new CreateVpcEndpointRequest(vpcId, serviceName, "Interface", subnetIds, securityGroupIds, null, null, null,
            null, null, null, null, null, null);
    }

    public CreateVpcEndpointRequest withPrivateDns(final Boolean enabled)
    {
        return new CreateVpcEndpointRequest(vpcId, serviceName, vpcEndpointType, subnetIds, securityGroupIds, enabled,
            policyDocument, routeTableIds, ipAddressType, dnsRecordIpType, serviceRegion, clientToken, tags, principal);
    }

    public CreateVpcEndpointRequest withClientToken(final String token)
    {
        return new CreateVpcEndpointRequest(vpcId, serviceName, vpcEndpointType, subnetIds, securityGroupIds, privateDnsEnabled,
            policyDocument, routeTableIds, ipAddressType, dnsRecordIpType, serviceRegion, token, tags, principal);
    }

    public CreateVpcEndpointRequest withPrincipal(final String newPrincipal)
    {
        return new CreateVpcEndpointRequest(vpcId, serviceName, vpcEndpointType, subnetIds, securityGroupIds, privateDnsEnabled,
            policyDocument, routeTableIds, ipAddressType, dnsRecordIpType, serviceRegion, clientToken, tags, newPrincipal);
    }
}
