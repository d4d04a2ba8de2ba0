package vpce.mgmt.controlplane;

/**
 * One DNS name of an endpoint: what DescribeVpcEndpoints lists and what the DNS responder serves.
 *
 * @param availabilityZone the zone of a zonal name (it resolves to that zone's ENI only); null for the regional name
 *                         and the private name (all the endpoint's ENIs).
 * @param privateName      true for the service's private DNS name, which only resolves inside the endpoint's VPC.
 */
public record DnsEntry(String dnsName, String hostedZoneId, String availabilityZone, boolean privateName)
{
}
