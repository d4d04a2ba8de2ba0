package vpce.appliance.config;

import com.fasterxml.jackson.annotation.JsonProperty;

import java.util.List;

/**
 * The configuration file exactly as written (YAML), before validation. Every field is nullable
 * here so that {@link ConfigValidator} can say which one is missing; the datapath never sees
 * this type, only the validated {@link ApplianceModel}. The schema is documented in README.md.
 */
public record ApplianceConfig(
    String region,
    String stateDirectory,
    Datapath datapath,
    List<Port> ports,
    List<Vpc> vpcs,
    List<Subnet> subnets,
    List<Service> services,
    List<Endpoint> endpoints,
    List<NetworkAcl> networkAcls,
    List<SecurityGroup> securityGroups,
    Limits limits,
    FlowLogs flowLogs,
    ManagementApi managementApi,
    Shutdown shutdown,
    Dns dns)
{
    /** How the appliance stops on SIGTERM: drainSeconds (0..3600, default 5) for established flows to end. */
    public record Shutdown(Integer drainSeconds)
    {
    }

    /**
     * The embedded DNS responder, off when absent: listeners ("address:port", default 0.0.0.0:53 in the appliance's
     * namespace), the upstream resolver for names we do not own ("address[:port]"; none: REFUSED), the per-source
     * rate limit (default 1024 packets/s; 0: none), the largest UDP answer (default 1232), how long a forwarded query
     * waits (default 2000 ms), and resolver addresses per VPC (default: the VPC's base + 2).
     */
    public record Dns(List<String> listen, String upstream, Integer rateLimitPerSecond, Integer maxUdpPayload,
        Integer upstreamTimeoutMs, List<DnsResolver> resolvers)
    {
    }

    public record DnsResolver(String vpc, String address)
    {
    }

    /**
     * The management API, off when absent: its HTTP listener ("address:port", default 127.0.0.1:8787) and, when
     * access keys are given, the EC2 Query API with its control plane (ownerId: the 12-digit account that owns what
     * the API creates; endpointsPerVpc: EC2's quota, default 50; notificationSubscribers: the HTTP endpoints that
     * receive the connection notifications sent to an SNS topic ARN; bearerTokens: the REST API's
     * {@code Authorization: Bearer} tokens; access keys or tokens turn the control plane on).
     */
    public record ManagementApi(String listen, List<AccessKey> accessKeys, String ownerId, Integer endpointsPerVpc,
        List<NotificationSubscriber> notificationSubscribers, List<BearerToken> bearerTokens)
    {
    }

    /** An HTTP endpoint ("http://host:port/path") subscribed to an SNS topic (arn:aws:sns:region:account:name). */
    public record NotificationSubscriber(String topicArn, String endpoint)
    {
    }

    /** A REST API token (16-4096 printable ASCII characters) and its allowedActions in IAM form. */
    public record BearerToken(String token, List<String> allowedActions)
    {
    }

    /**
     * allowedActions in IAM form (ec2:DescribeVpcEndpoints, ec2:Describe*, ec2:*); sessionToken optional; accountId
     * optional, the key's 12-digit account (default: managementApi.ownerId).
     */
    public record AccessKey(String accessKeyId, String secretAccessKey, List<String> allowedActions, String sessionToken,
        String accountId)
    {
    }

    /**
     * VPC Flow Logs, off by default: records for the listed ENIs (eni-… ids, as `vpce
     * check-config` prints them) and for the ENIs of the listed subnets and endpoints,
     * aggregated over 60 or 600 seconds, appended to a file. The lists change with a reload; the
     * file, account and interval with a restart.
     */
    public record FlowLogs(
        String file,
        String accountId,
        Integer aggregationIntervalSeconds,
        List<String> subnets,
        List<String> endpoints,
        List<String> networkInterfaces)
    {
    }

    /** Quotas AWS lets an account raise, within the ranges it allows. */
    public record Limits(Integer securityGroupsPerEni)
    {
    }

    /** As in create-network-acl-entry: --port-range From=,To= and --icmp-type-code Type=,Code=. */
    public record PortRange(Integer from, Integer to)
    {
    }

    public record IcmpTypeCode(Integer type, Integer code)
    {
    }

    public record NetworkAclEntry(
        Integer ruleNumber,
        Boolean egress,
        String protocol,
        String ruleAction,
        String cidrBlock,
        PortRange portRange,
        IcmpTypeCode icmpTypeCode)
    {
    }

    public record NetworkAcl(String id, String vpc, List<NetworkAclEntry> entries)
    {
    }

    /**
     * As an EC2 IpPermission: for ICMP, fromPort is the type and toPort the code (-1: any); the
     * peer is a CIDR (cidrIp) or the members of a security group (groupId).
     */
    public record SecurityGroupRule(String protocol, Integer fromPort, Integer toPort, String cidrIp, String groupId)
    {
    }

    /** members: private addresses of instances in the group besides the endpoint ENIs that use it. */
    public record SecurityGroup(
        String id,
        String vpc,
        List<SecurityGroupRule> ingress,
        List<SecurityGroupRule> egress,
        List<String> members)
    {
    }

    /** establishedIdleTimeoutSeconds is the older spelling of idleTimeouts.establishedSeconds. */
    public record Datapath(
        Integer batchSize,
        String idleStrategy,
        Integer flowCapacity,
        Integer establishedIdleTimeoutSeconds,
        IdleTimeouts idleTimeouts)
    {
    }

    /**
     * TCP idle timeouts by state, in seconds: the datapath's defaults, or an endpoint's overrides (a field left
     * out takes the default).
     */
    public record IdleTimeouts(
        Integer establishedSeconds,
        Integer embryonicSeconds,
        Integer closingSeconds,
        Integer timeWaitSeconds)
    {
    }

    public record Port(
        String name,
        String type,
        @JsonProperty("interface") String interfaceName,
        String namespace,
        String role,
        String availabilityZone,
        List<String> addresses,
        String gateway,
        Boolean qdiscBypass)
    {
    }

    public record Vpc(String id, String cidr, Boolean enableDnsSupport, Boolean enableDnsHostnames)
    {
    }

    public record Subnet(String id, String vpc, String availabilityZone, String cidr, String port, String networkAcl)
    {
    }

    public record Listener(Integer port, Integer targetPort)
    {
    }

    /** privateDnsName: the name the management API offers for private DNS (optional). */
    public record Service(
        String serviceName,
        List<String> availabilityZones,
        Boolean acceptanceRequired,
        String privateDnsName,
        List<Listener> listeners,
        List<String> targets)
    {
    }

    public record EndpointSubnet(String subnet, String eniAddress)
    {
    }

    public record Endpoint(
        String id,
        String vpc,
        String serviceName,
        List<EndpointSubnet> subnets,
        List<String> securityGroups,
        IdleTimeouts idleTimeouts)
    {
    }
}
