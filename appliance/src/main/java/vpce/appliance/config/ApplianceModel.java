package vpce.appliance.config;

import vpce.flowtable.FlowTimeouts;

import java.nio.file.Path;
import java.util.List;

/**
 * The validated, typed model the appliance runs: addresses are ints, references are resolved,
 * defaults are applied. Immutable; built only by {@link ConfigValidator}.
 */
public record ApplianceModel(
    String region,
    Path stateDirectory,
    DatapathSettings datapath,
    List<PortSpec> ports,
    List<VpcSpec> vpcs,
    List<SubnetSpec> subnets,
    List<ServiceSpec> services,
    List<EndpointSpec> endpoints,
    List<NetworkAclSpec> networkAcls,
    List<SecurityGroupSpec> securityGroups,
    int securityGroupsPerEni,
    FlowLogsSpec flowLogs,
    ManagementApiSpec managementApi,
    ShutdownSettings shutdown,
    DnsSpec dns)
{
    /**
     * SIGTERM: new flows are refused at once; the appliance then waits up to {@code drainSeconds} for the established
     * ones to end (those left are in the flow journal, and a restart carries them on).
     */
    public record ShutdownSettings(int drainSeconds)
    {
        public static final int DEFAULT_DRAIN_SECONDS = 5;
        public static final int MAX_DRAIN_SECONDS = 3_600;
        public static final ShutdownSettings DEFAULT = new ShutdownSettings(DEFAULT_DRAIN_SECONDS);
    }

    /**
     * The DNS responder; null in the model when off. See {@link ApplianceConfig.Dns}.
     *
     * @param resolverAddresses the VPCs whose resolver address is not their base + 2.
     */
    public record DnsSpec(
        List<java.net.InetSocketAddress> listen,
        java.net.InetSocketAddress upstream,
        int rateLimitPerSecond,
        int maxUdpPayload,
        int upstreamTimeoutMs,
        java.util.Map<String, Integer> resolverAddresses)
    {
        public static final int DEFAULT_RATE_LIMIT_PER_SECOND = 1024;
        public static final int DEFAULT_MAX_UDP_PAYLOAD = 1232;
        public static final int DEFAULT_UPSTREAM_TIMEOUT_MS = 2_000;
        public static final String DEFAULT_LISTEN = "0.0.0.0:53";

        /** @return the VPC's resolver address: the configured one, else its base + 2 (as AmazonProvidedDNS). */
        public int resolverAddress(final String vpcId, final Ipv4.Cidr cidr)
        {
            final Integer configured = resolverAddresses.get(vpcId);
            return configured != null ? configured : (cidr.address() & (cidr.prefixLength() == 0 ? 0 : -1 << (32 - cidr.prefixLength()))) + 2;
        }
    }

    /**
     * The management API; null in the model when off.
     *
     * @param listen          where its HTTP server listens.
     * @param accessKeys      the EC2 Query API's keys; empty: no EC2 API and no control plane (the JSON queries only).
     * @param ownerId         the account that owns what the API creates, and the configured services.
     * @param endpointsPerVpc EC2's quota of interface endpoints per VPC.
     * @param notificationSubscribers where connection notifications for each SNS topic ARN are posted.
     * @param bearerTokens    the REST API's bearer tokens (SigV4 with the access keys works there too).
     */
    public record ManagementApiSpec(
        java.net.InetSocketAddress listen,
        List<vpce.mgmt.auth.AccessKey> accessKeys,
        String ownerId,
        int endpointsPerVpc,
        List<vpce.mgmt.notify.SnsSubscriber> notificationSubscribers,
        List<vpce.mgmt.rest.BearerToken> bearerTokens)
    {

        public static final String DEFAULT_LISTEN = "127.0.0.1:8787";
        public static final String DEFAULT_OWNER_ID = "123456789012";
        public static final int DEFAULT_ENDPOINTS_PER_VPC = 50;

        /** @return true when the control plane runs with the EC2 Query API and the REST API (keys or tokens given). */
        public boolean ec2Enabled()
        {
            return !accessKeys.isEmpty() || !bearerTokens.isEmpty();
        }
    }

    /** null in the model when flow logs are off. ENIs log when their subnet or endpoint is listed. */
    public record FlowLogsSpec(
        Path file,
        String accountId,
        long aggregationIntervalNs,
        List<String> subnetIds,
        List<String> endpointIds,
        List<String> networkInterfaceIds)
    {
        public boolean covers(final String endpointId, final String subnetId, final String eniId)
        {
            return endpointIds.contains(endpointId) || subnetIds.contains(subnetId) || networkInterfaceIds.contains(eniId);
        }
    }

    /** Protocol -1: all. For ICMP fromPort/toPort carry type/code; -1: any. */
    public record NaclEntrySpec(
        int ruleNumber,
        boolean egress,
        int protocol,
        boolean allow,
        Ipv4.Cidr cidr,
        int fromPort,
        int toPort,
        int icmpType,
        int icmpCode)
    {
    }

    public record NetworkAclSpec(String id, String vpcId, List<NaclEntrySpec> entries)
    {
    }

    /** peerCidr is null when the peer is the members of referencedGroupId. */
    public record SecurityGroupRuleSpec(
        String ruleId,
        boolean egress,
        int protocol,
        int fromPort,
        int toPort,
        int icmpType,
        int icmpCode,
        Ipv4.Cidr peerCidr,
        String referencedGroupId)
    {
    }

    /** members: every private address in the group, ENIs of endpoints that use it included. */
    public record SecurityGroupSpec(String id, String vpcId, List<SecurityGroupRuleSpec> rules, List<Integer> members)
    {
    }

    public enum PortType
    {
        AFPACKET, TAP
    }

    public enum PortRole
    {
        CONSUMER, PROVIDER
    }

    public enum IdleStrategyKind
    {
        /** poll(2) on the ports' descriptors when idle: ~no CPU when idle, prompt wake-up. */
        POLL,
        /** Agrona back-off: spin, yield, then park. */
        BACKOFF,
        /** Busy spin: lowest latency, one core per worker; for benchmarks. */
        SPIN
    }

    /**
     * @param idleTimeouts the flow table's default timeouts (datapath.idleTimeouts over {@link FlowTimeouts#DEFAULT}:
     *     established 350 s, AWS's default for an endpoint).
     */
    public record DatapathSettings(
        int batchSize,
        IdleStrategyKind idleStrategy,
        int flowCapacity,
        FlowTimeouts idleTimeouts)
    {
        public static final int DEFAULT_BATCH_SIZE = 64;
        public static final int DEFAULT_FLOW_CAPACITY = 1 << 20;
    }

    /**
     * @param name the port's name in counters, logs and subnets.
     * @param interfaceName the netdev (afpacket) or the TAP device to create (tap).
     * @param namespace the network namespace (/run/netns/NAME) the netdev lives in or the TAP is
     *     created in; null for the appliance's own.
     * @param addresses provider-side addresses owned by the appliance (source NAT pool).
     * @param gateway next hop for targets not on-link, 0 for none.
     */
    public record PortSpec(
        String name,
        String interfaceName,
        String namespace,
        PortType type,
        PortRole role,
        String availabilityZone,
        List<Ipv4.Cidr> addresses,
        int gateway,
        boolean qdiscBypass)
    {
    }

    public record VpcSpec(
        String id,
        Ipv4.Cidr cidr,
        boolean enableDnsSupport,
        boolean enableDnsHostnames,
        String defaultNetworkAclId,
        String defaultSecurityGroupId)
    {
    }

    public record SubnetSpec(String id, String vpcId, String availabilityZone, Ipv4.Cidr cidr, String portName, String networkAclId)
    {
    }

    public record ListenerSpec(int port, int targetPort)
    {
    }

    /** privateDnsName: null when the configuration gives none. */
    public record ServiceSpec(
        String serviceName,
        List<String> availabilityZones,
        boolean acceptanceRequired,
        String privateDnsName,
        List<ListenerSpec> listeners,
        List<Integer> targets)
    {
    }

    /**
     * One endpoint network interface: the endpoint's presence in one subnet (one AZ).
     *
     * @param interfaceId its eni- id when the management API made it; null for the file's, whose id is derived.
     */
    public record EniSpec(String subnetId, String availabilityZone, int address, String portName, String interfaceId)
    {
        public EniSpec(final String subnetId, final String availabilityZone, final int address, final String portName)
        {
            this(subnetId, availabilityZone, address, portName, null);
        }

        /** Its id: the API's, or for the file's ENIs a stable id in EC2's format derived from the endpoint and the subnet. */
        public String id(final String endpointId)
        {
            if (interfaceId != null)
            {
                return interfaceId;
            }
            long hash = 1125899906842597L;
            for (final char c : (endpointId + "/" + subnetId).toCharArray())
            {
                hash = 31 * hash + c;
            }
            hash ^= hash >>> 29;
            hash *= 0xBF58476D1CE4E5B9L;
            return String.format(java.util.Locale.ROOT, "eni-%017x", (hash ^ (hash >>> 32)) & 0x0FFF_FFFF_FFFF_FFFFL);
        }
    }

    /**
     * @param idleTimeouts the endpoint's flow timeouts: its idleTimeouts over the datapath's defaults.
     */
    public record EndpointSpec(
        String id,
        String vpcId,
        String serviceName,
        List<EniSpec> enis,
        List<String> securityGroupIds,
        FlowTimeouts idleTimeouts)
    {
    }

    public PortSpec port(final String name)
    {
        return ports.stream().filter(p -> p.name().equals(name)).findFirst().orElse(null);
    }

    public ServiceSpec service(final String serviceName)
    {
        return services.stream().filter(s -> s.serviceName().equals(serviceName)).findFirst().orElse(null);
    }
}
