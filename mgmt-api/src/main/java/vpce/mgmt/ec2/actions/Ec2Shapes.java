package vpce.mgmt.ec2.actions;

import vpce.mgmt.controlplane.AvailabilityZone;
import vpce.mgmt.controlplane.ConnectionEventType;
import vpce.mgmt.controlplane.ConnectionNotification;
import vpce.mgmt.controlplane.ControlPlaneState;
import vpce.mgmt.controlplane.DnsEntry;
import vpce.mgmt.controlplane.EndpointService;
import vpce.mgmt.controlplane.IpPermission;
import vpce.mgmt.controlplane.NetworkAcl;
import vpce.mgmt.controlplane.NetworkAclAssociation;
import vpce.mgmt.controlplane.NetworkAclEntry;
import vpce.mgmt.controlplane.NetworkInterface;
import vpce.mgmt.controlplane.SecurityGroup;
import vpce.mgmt.controlplane.SecurityGroupRule;
import vpce.mgmt.controlplane.Subnet;
import vpce.mgmt.controlplane.Vpc;
import vpce.mgmt.controlplane.VpcEndpoint;
import vpce.mgmt.controlplane.VpcEndpointConnection;
import vpce.mgmt.ec2.Ec2XmlWriter;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * The XML of each EC2 shape the actions answer with, one method per record type, written into the element the caller
 * opened ({@code <vpc>}, or an {@code <item>} of {@code <vpcSet>}): element names are the model's
 * {@code locationName}s, lists are {@code <item>} lists, states as EC2 spells them on the wire (endpoint states lower
 * camel case, service states capitalized). Constant members are the ones the records document (a VPC is always
 * {@code available}, an endpoint always {@code Interface} and {@code ipv4}, ...). Values derived from other resources
 * (a subnet's free address count, a group's name) come from the {@link ControlPlaneState} the caller read the records
 * from, so one answer is one consistent version.
 */
final class Ec2Shapes
{
    /** EC2's default endpoint policy, which every endpoint here has (endpoint policies are not supported). */
    static final String DEFAULT_POLICY =
        "{\"Version\":\"2008-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":\"*\",\"Action\":\"*\",\"Resource\":\"*\"}]}";

    private Ec2Shapes()
    {
    }

    static void tags(final Ec2XmlWriter out, final Map<String, String> tags)
    {
        out.list("tagSet", tags.entrySet(), (item, tag) -> item.text("key", tag.getKey()).text("value", tag.getValue()));
    }

    static void vpc(final Ec2XmlWriter out, final Vpc vpc)
    {
        out.text("vpcId", vpc.vpcId())
            .text("ownerId", vpc.ownerId())
            .text("state", "available")
            .text("cidrBlock", vpc.cidrBlock())
            .list("cidrBlockAssociationSet", List.of(vpc), (item, v) -> item
                .text("associationId", v.cidrBlockAssociationId())
                .text("cidrBlock", v.cidrBlock())
                .struct("cidrBlockState", state -> state.text("state", "associated")))
            .stringList("ipv6CidrBlockAssociationSet", List.of())
            .text("dhcpOptionsId", "default")
            .text("instanceTenancy", "default")
            .bool("isDefault", false);
        tags(out, vpc.tags());
    }

    static void subnet(final Ec2XmlWriter out, final ControlPlaneState state, final Subnet subnet)
    {
        out.text("subnetId", subnet.subnetId())
            .text("subnetArn", state.subnetArn(subnet))
            .text("state", "available")
            .text("ownerId", subnet.ownerId())
            .text("vpcId", subnet.vpcId())
            .text("cidrBlock", subnet.cidrBlock())
            .stringList("ipv6CidrBlockAssociationSet", List.of())
            .integer("availableIpAddressCount", state.availableIpAddressCount(subnet))
            .text("availabilityZone", subnet.availabilityZone())
            .text("availabilityZoneId", subnet.availabilityZoneId())
            .bool("defaultForAz", false)
            .bool("mapPublicIpOnLaunch", false)
            .bool("mapCustomerOwnedIpOnLaunch", false)
            .bool("assignIpv6AddressOnCreation", false)
            .bool("enableDns64", false)
            .bool("ipv6Native", false)
            .struct("privateDnsNameOptionsOnLaunch", options -> options
                .text("hostnameType", "ip-name")
                .bool("enableResourceNameDnsARecord", false)
                .bool("enableResourceNameDnsAAAARecord", false));
        tags(out, subnet.tags());
    }

    static void availabilityZone(final Ec2XmlWriter out, final String region, final AvailabilityZone zone)
    {
        out.text("zoneName", zone.zoneName())
            .text("zoneId", zone.zoneId())
            .text("zoneState", "available")
            .text("optInStatus", "opt-in-not-required")
            .stringList("messageSet", List.of())
            .text("regionName", region)
            .text("groupName", region)
            .text("networkBorderGroup", region)
            .text("zoneType", "availability-zone");
    }

    static void securityGroup(final Ec2XmlWriter out, final ControlPlaneState state, final SecurityGroup group)
    {
        out.text("ownerId", group.ownerId())
            .text("groupId", group.groupId())
            .text("groupName", group.groupName())
            .text("groupDescription", group.description())
            .text("vpcId", group.vpcId())
            .text("securityGroupArn", securityGroupArn(state, group))
            .list("ipPermissions", group.ipPermissions(false), (item, permission) -> ipPermission(item, state, permission))
            .list("ipPermissionsEgress", group.ipPermissions(true), (item, permission) -> ipPermission(item, state, permission));
        tags(out, group.tags());
    }

    /** {@code arn:aws:ec2:<region>:<owner>:security-group/<id>}. */
    static String securityGroupArn(final ControlPlaneState state, final SecurityGroup group)
    {
        return arn(state, group.ownerId(), "security-group/" + group.groupId());
    }

    /** One {@code IpPermission}: the groups it names are this account's (cross-account references are refused). */
    static void ipPermission(final Ec2XmlWriter out, final ControlPlaneState state, final IpPermission permission)
    {
        out.text("ipProtocol", permission.ipProtocol())
            .integer("fromPort", permission.fromPort())
            .integer("toPort", permission.toPort())
            .list("groups", permission.groups(), (item, pair) -> item
                .text("userId", state.settings().ownerId())
                .text("groupId", pair.groupId())
                .text("description", pair.description()))
            .list("ipRanges", permission.ipRanges(), (item, range) -> item
                .text("cidrIp", range.cidrIp())
                .text("description", range.description()))
            .stringList("ipv6Ranges", List.of())
            .stringList("prefixListIds", List.of());
    }

    static void securityGroupRule(final Ec2XmlWriter out, final ControlPlaneState state, final SecurityGroupRule rule)
    {
        final String owner = state.settings().ownerId();
        out.text("securityGroupRuleId", rule.securityGroupRuleId())
            .text("groupId", rule.groupId())
            .text("groupOwnerId", owner)
            .bool("isEgress", rule.egress())
            .text("ipProtocol", rule.ipProtocol())
            .integer("fromPort", rule.fromPort())
            .integer("toPort", rule.toPort())
            .text("cidrIpv4", rule.cidrIpv4());
        if (rule.referencedGroupId() != null)
        {
            out.struct("referencedGroupInfo", info -> info.text("groupId", rule.referencedGroupId()).text("userId", owner));
        }
        out.text("description", rule.description())
            .stringList("tagSet", List.of())
            .text("securityGroupRuleArn", arn(state, owner, "security-group-rule/" + rule.securityGroupRuleId()));
    }

    /** {@code RevokedSecurityGroupRule}: the rule as it was, with the referenced group's id flat. */
    static void revokedSecurityGroupRule(final Ec2XmlWriter out, final SecurityGroupRule rule)
    {
        out.text("securityGroupRuleId", rule.securityGroupRuleId())
            .text("groupId", rule.groupId())
            .bool("isEgress", rule.egress())
            .text("ipProtocol", rule.ipProtocol())
            .integer("fromPort", rule.fromPort())
            .integer("toPort", rule.toPort())
            .text("cidrIpv4", rule.cidrIpv4())
            .text("referencedGroupId", rule.referencedGroupId())
            .text("description", rule.description());
    }

    static void networkAcl(final Ec2XmlWriter out, final NetworkAcl acl)
    {
        out.text("networkAclId", acl.networkAclId())
            .text("vpcId", acl.vpcId())
            .text("ownerId", acl.ownerId())
            .bool("default", acl.isDefault())
            .list("entrySet", acl.entries(), Ec2Shapes::networkAclEntry)
            .list("associationSet", acl.associations(), Ec2Shapes::networkAclAssociation);
        tags(out, acl.tags());
    }

    static void networkAclEntry(final Ec2XmlWriter out, final NetworkAclEntry entry)
    {
        out.integer("ruleNumber", entry.ruleNumber())
            .text("protocol", entry.protocol())
            .text("ruleAction", entry.ruleAction())
            .bool("egress", entry.egress())
            .text("cidrBlock", entry.cidrBlock());
        if (entry.icmpType() != null)
        {
            out.struct("icmpTypeCode", icmp -> icmp.integer("code", entry.icmpCode()).integer("type", entry.icmpType()));
        }
        if (entry.portFrom() != null)
        {
            out.struct("portRange", range -> range.integer("from", entry.portFrom()).integer("to", entry.portTo()));
        }
    }

    static void networkAclAssociation(final Ec2XmlWriter out, final NetworkAclAssociation association)
    {
        out.text("networkAclAssociationId", association.networkAclAssociationId())
            .text("networkAclId", association.networkAclId())
            .text("subnetId", association.subnetId());
    }

    /** An endpoint's ENI: requester-managed, in use, one primary private address. */
    static void networkInterface(final Ec2XmlWriter out, final ControlPlaneState state, final NetworkInterface eni)
    {
        final AvailabilityZone zone = state.settings().zoneByName(eni.availabilityZone());
        out.text("networkInterfaceId", eni.networkInterfaceId())
            .text("subnetId", eni.subnetId())
            .text("vpcId", eni.vpcId())
            .text("availabilityZone", eni.availabilityZone())
            .text("availabilityZoneId", zone == null ? null : zone.zoneId())
            .text("description", eni.description())
            .text("ownerId", eni.ownerId())
            .text("requesterId", eni.requesterId())
            .bool("requesterManaged", true)
            .text("status", "in-use")
            .text("macAddress", eni.macAddress())
            .text("privateIpAddress", eni.privateIpAddress())
            .bool("sourceDestCheck", true)
            .text("interfaceType", "vpc_endpoint")
            .list("groupSet", eni.securityGroupIds(), (item, groupId) -> groupIdentifier(item, state, groupId))
            .list("privateIpAddressesSet", List.of(eni), (item, e) -> item
                .text("privateIpAddress", e.privateIpAddress())
                .bool("primary", true))
            .stringList("ipv6AddressesSet", List.of())
            .stringList("tagSet", List.of());
    }

    static void vpcEndpoint(final Ec2XmlWriter out, final ControlPlaneState state, final VpcEndpoint endpoint)
    {
        out.text("vpcEndpointId", endpoint.vpcEndpointId())
            .text("vpcEndpointType", "Interface")
            .text("vpcId", endpoint.vpcId())
            .text("serviceName", endpoint.serviceName())
            .text("state", endpoint.state().wireName())
            .text("policyDocument", DEFAULT_POLICY)
            .stringList("routeTableIdSet", List.of())
            .stringList("subnetIdSet", endpoint.subnetIds())
            .list("groupSet", endpoint.securityGroupIds(), (item, groupId) -> groupIdentifier(item, state, groupId))
            .text("ipAddressType", "ipv4")
            .struct("dnsOptions", options -> options.text("dnsRecordIpType", "ipv4"))
            .bool("privateDnsEnabled", endpoint.privateDnsEnabled())
            .bool("requesterManaged", false)
            .stringList("networkInterfaceIdSet", endpoint.networkInterfaceIds());
        dnsEntries(out, endpoint.dnsEntries());
        out.timestamp("creationTimestamp", Instant.ofEpochMilli(endpoint.creationTimeMs()));
        tags(out, endpoint.tags());
        out.text("ownerId", endpoint.ownerId());
    }

    static void dnsEntries(final Ec2XmlWriter out, final List<DnsEntry> entries)
    {
        out.list("dnsEntrySet", entries, (item, entry) -> item
            .text("dnsName", entry.dnsName())
            .text("hostedZoneId", entry.hostedZoneId()));
    }

    /** The consumer's view of a service (DescribeVpcEndpointServices' {@code ServiceDetail}). */
    static void serviceDetail(final Ec2XmlWriter out, final EndpointService service)
    {
        out.text("serviceName", service.serviceName())
            .text("serviceId", service.serviceId())
            .list("serviceType", List.of("Interface"), (item, type) -> item.text("serviceType", type))
            .stringList("availabilityZoneSet", service.availabilityZones())
            .text("owner", service.ownerId())
            .stringList("baseEndpointDnsNameSet", List.of(service.baseEndpointDnsName()))
            .text("privateDnsName", service.privateDnsName())
            .list("privateDnsNameSet", service.privateDnsName() == null ? List.<String>of() : List.of(service.privateDnsName()),
                (item, name) -> item.text("privateDnsName", name))
            .bool("vpcEndpointPolicySupported", false)
            .bool("acceptanceRequired", service.acceptanceRequired())
            .bool("managesVpcEndpoints", false)
            .text("privateDnsNameVerificationState", service.privateDnsName() == null ? null : "verified")
            .stringList("supportedIpAddressTypeSet", List.of("ipv4"));
        tags(out, service.tags());
    }

    /** The provider's view of a service ({@code ServiceConfiguration}). */
    static void serviceConfiguration(final Ec2XmlWriter out, final EndpointService service)
    {
        out.list("serviceType", List.of("Interface"), (item, type) -> item.text("serviceType", type))
            .text("serviceId", service.serviceId())
            .text("serviceName", service.serviceName())
            .text("serviceState", service.state().wireName())
            .stringList("availabilityZoneSet", service.availabilityZones())
            .bool("acceptanceRequired", service.acceptanceRequired())
            .bool("managesVpcEndpoints", false)
            .stringList("networkLoadBalancerArnSet", service.networkLoadBalancerArns())
            .stringList("gatewayLoadBalancerArnSet", List.of())
            .stringList("supportedIpAddressTypeSet", List.of("ipv4"))
            .stringList("baseEndpointDnsNameSet", List.of(service.baseEndpointDnsName()))
            .text("privateDnsName", service.privateDnsName());
        if (service.privateDnsName() != null)
        {
            out.struct("privateDnsNameConfiguration", configuration -> configuration
                .text("state", "verified")
                .text("type", "TXT"));
        }
        tags(out, service.tags());
    }

    static void vpcEndpointConnection(final Ec2XmlWriter out, final VpcEndpointConnection connection)
    {
        out.text("serviceId", connection.serviceId())
            .text("vpcEndpointId", connection.vpcEndpointId())
            .text("vpcEndpointOwner", connection.vpcEndpointOwner())
            .text("vpcEndpointState", connection.vpcEndpointState().wireName())
            .timestamp("creationTimestamp", Instant.ofEpochMilli(connection.creationTimeMs()));
        dnsEntries(out, connection.dnsEntries());
        out.stringList("networkLoadBalancerArnSet", connection.networkLoadBalancerArns())
            .stringList("gatewayLoadBalancerArnSet", List.of())
            .text("ipAddressType", "ipv4")
            .text("vpcEndpointConnectionId", connection.vpcEndpointConnectionId())
            .stringList("tagSet", List.of());
    }

    static void connectionNotification(final Ec2XmlWriter out, final ConnectionNotification notification)
    {
        out.text("connectionNotificationId", notification.connectionNotificationId())
            .text("serviceId", notification.serviceId())
            .text("vpcEndpointId", notification.vpcEndpointId())
            .text("connectionNotificationType", ConnectionNotification.TYPE_TOPIC)
            .text("connectionNotificationArn", notification.connectionNotificationArn())
            .stringList("connectionEvents", notification.connectionEvents().stream().map(ConnectionEventType::wireName).toList())
            .text("connectionNotificationState", ConnectionNotification.STATE_ENABLED);
    }

    /** {@code SecurityGroupIdentifier} / {@code GroupIdentifier}: the id and, while the group exists, its name. */
    private static void groupIdentifier(final Ec2XmlWriter out, final ControlPlaneState state, final String groupId)
    {
        out.text("groupId", groupId).text("groupName", state.groupName(groupId));
    }

    private static String arn(final ControlPlaneState state, final String owner, final String resource)
    {
        return "arn:aws:ec2:" + state.settings().region() + ":" + owner + ":" + resource;
    }
}
