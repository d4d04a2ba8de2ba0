package vpce.mgmt.controlplane;

import java.util.List;
import java.util.Map;

/**
 * An interface VPC endpoint (the only type this appliance offers: {@code vpcEndpointType} is always
 * {@code Interface}, {@code ipAddressType} {@code ipv4}, {@code requesterManaged} false, no route tables, and the
 * policy document is EC2's default full-access one).
 *
 * @param serviceName        the service's name when the endpoint was created; an endpoint never moves to another
 *                           service or VPC.
 * @param stateSequence      the commit sequence at which the endpoint entered {@link #state()}: a pending endpoint
 *                           becomes available when the datapath has been programmed from a state at least that new
 *                           ({@link ControlPlane#onDatapathProgrammed}).
 * @param stateTimeMs        when it entered {@link #state()} (epoch ms): deleted endpoints are dropped after a
 *                           retention period.
 * @param subnetIds          at most one per availability zone, in the order they were added.
 * @param networkInterfaceIds one ENI per subnet, same order as {@code subnetIds}.
 * @param dnsLabel           {@code vpce-<17hex>-<8 random>}: the first label of its regional and zonal names.
 * @param dnsEntries         regional name, one zonal name per subnet zone, then the private name when enabled.
 */
public record VpcEndpoint(
    String vpcEndpointId,
    String vpcId,
    String serviceId,
    String serviceName,
    EndpointState state,
    long stateSequence,
    long stateTimeMs,
    List<String> subnetIds,
    List<String> securityGroupIds,
    List<String> networkInterfaceIds,
    boolean privateDnsEnabled,
    String dnsLabel,
    List<DnsEntry> dnsEntries,
    String ownerId,
    String clientToken,
    String requestFingerprint,
    Map<String, String> tags,
    long creationTimeMs) implements Resource
{
    public VpcEndpoint
    {
        subnetIds = List.copyOf(subnetIds);
        securityGroupIds = List.copyOf(securityGroupIds);
        networkInterfaceIds = List.copyOf(networkInterfaceIds);
        dnsEntries = List.copyOf(dnsEntries);
        tags = Tags.copyOf(tags);
    }

    @Override
    public String id()
    {
        return vpcEndpointId;
    }

    @Override
    public ResourceKind kind()
    {
        return ResourceKind.VPC_ENDPOINT;
    }

    public VpcEndpoint withState(final EndpointState newState, final long sequence, final long timeMs)
    {
        return new VpcEndpoint(vpcEndpointId, vpcId, serviceId, serviceName, newState, sequence, timeMs, subnetIds,
            securityGroupIds, networkInterfaceIds, privateDnsEnabled, dnsLabel, dnsEntries, ownerId, clientToken,
            requestFingerprint, tags, creationTimeMs);
    }

    public VpcEndpoint withNetwork(final List<String> newSubnetIds, final List<String> newGroupIds,
        final List<String> newInterfaceIds, final boolean newPrivateDnsEnabled, final List<DnsEntry> newDnsEntries)
    {
        return new VpcEndpoint(vpcEndpointId, vpcId, serviceId, serviceName, state, stateSequence, stateTimeMs, newSubnetIds,
            newGroupIds, newInterfaceIds, newPrivateDnsEnabled, dnsLabel, newDnsEntries, ownerId, clientToken,
            requestFingerprint, tags, creationTimeMs);
    }
}
