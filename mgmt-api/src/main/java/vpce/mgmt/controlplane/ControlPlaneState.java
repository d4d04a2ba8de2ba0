package vpce.mgmt.controlplane;

import vpce.mgmt.ApiException;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * One immutable version of the control plane's model: every resource by kind and id (sorted by id, which is also the
 * order Describe pages through), the catalog services, and the sequence of the commit that produced it. Any thread may
 * read it: the control plane publishes each new one with a release store that pairs with the acquire load in
 * {@link ControlPlane#state()}, and nothing in it ever changes afterwards.
 * <p>
 * The Describe operations are here, as pure functions of one version: a caller that renders derived values (a
 * subnet's free address count, a group's name) takes them from the same version it described.
 */
public final class ControlPlaneState
{
    private final long sequence;
    private final ControlPlaneSettings settings;
    private final Map<ResourceKind, SortedMap<String, Resource>> byKind;
    private final SortedMap<String, EndpointService> catalogServices;

    private ControlPlaneState(final long sequence, final ControlPlaneSettings settings,
        final Map<ResourceKind, SortedMap<String, Resource>> byKind)
    {
        this.sequence = sequence;
        this.settings = settings;
        this.byKind = byKind;
        final SortedMap<String, EndpointService> catalog = new TreeMap<>();
        for (final CatalogService service : settings.catalog())
        {
            catalog.put(service.serviceId(), new EndpointService(service.serviceId(), service.serviceName(), service.owner(),
                ServiceOrigin.CATALOG, ServiceState.AVAILABLE, service.acceptanceRequired(), service.privateDnsName(),
                DnsNames.baseEndpointDnsName(service.serviceName(), service.serviceId(), settings.region()),
                service.availabilityZones(), List.of(service.loadBalancerArn()), service.allowedPrincipals(), null, null,
                Map.of(), 0));
        }
        this.catalogServices = Collections.unmodifiableSortedMap(catalog);
    }

    /** @return the state a store recovered, or an empty one. */
    public static ControlPlaneState of(final ControlPlaneSettings settings, final StoredState stored)
    {
        final Map<ResourceKind, SortedMap<String, Resource>> maps = new EnumMap<>(ResourceKind.class);
        for (final ResourceKind kind : ResourceKind.values())
        {
            maps.put(kind, new TreeMap<>());
        }
        for (final Resource resource : stored.resources())
        {
            maps.get(resource.kind()).put(resource.id(), resource);
        }
        maps.replaceAll((kind, map) -> Collections.unmodifiableSortedMap(map));
        return new ControlPlaneState(stored.sequence(), settings, Collections.unmodifiableMap(maps));
    }

    static ControlPlaneState of(final long sequence, final ControlPlaneSettings settings,
        final Map<ResourceKind, SortedMap<String, Resource>> byKind)
    {
        return new ControlPlaneState(sequence, settings, byKind);
    }

    ControlPlaneState withSettings(final ControlPlaneSettings newSettings)
    {
        return new ControlPlaneState(sequence, newSettings, byKind);
    }

    /** @return the sequence of the last commit in this state: the generation the datapath reports as programmed. */
    public long sequence()
    {
        return sequence;
    }

    public ControlPlaneSettings settings()
    {
        return settings;
    }

    SortedMap<String, Resource> map(final ResourceKind kind)
    {
        return byKind.get(kind);
    }

    /** @return every persisted resource, by kind then id: what a snapshot of this state holds. */
    public List<Resource> resources()
    {
        final List<Resource> all = new ArrayList<>();
        for (final ResourceKind kind : ResourceKind.values())
        {
            all.addAll(byKind.get(kind).values());
        }
        return all;
    }

    @SuppressWarnings("unchecked")
    private <T extends Resource> Collection<T> all(final ResourceKind kind)
    {
        return (Collection<T>)byKind.get(kind).values();
    }

    @SuppressWarnings("unchecked")
    private <T extends Resource> T get(final ResourceKind kind, final String id)
    {
        return id == null ? null : (T)byKind.get(kind).get(id);
    }

    // ---------------------------------------------------------------- lookups (null when absent)

    public Vpc vpc(final String id)
    {
        return get(ResourceKind.VPC, id);
    }

    public Subnet subnet(final String id)
    {
        return get(ResourceKind.SUBNET, id);
    }

    public SecurityGroup securityGroup(final String id)
    {
        return get(ResourceKind.SECURITY_GROUP, id);
    }

    public NetworkAcl networkAcl(final String id)
    {
        return get(ResourceKind.NETWORK_ACL, id);
    }

    public VpcEndpoint vpcEndpoint(final String id)
    {
        return get(ResourceKind.VPC_ENDPOINT, id);
    }

    public NetworkInterface networkInterface(final String id)
    {
        return get(ResourceKind.NETWORK_INTERFACE, id);
    }

    public ConnectionNotification connectionNotification(final String id)
    {
        return get(ResourceKind.CONNECTION_NOTIFICATION, id);
    }

    /** @return the service with this id, from the catalog or created through the API. */
    public EndpointService service(final String id)
    {
        final EndpointService catalog = id == null ? null : catalogServices.get(id);
        return catalog != null ? catalog : get(ResourceKind.ENDPOINT_SERVICE, id);
    }

    public EndpointService serviceByName(final String name)
    {
        for (final EndpointService service : services())
        {
            if (service.serviceName().equals(name))
            {
                return service;
            }
        }
        return null;
    }

    public Collection<Vpc> vpcs()
    {
        return all(ResourceKind.VPC);
    }

    public Collection<Subnet> subnets()
    {
        return all(ResourceKind.SUBNET);
    }

    public Collection<SecurityGroup> securityGroups()
    {
        return all(ResourceKind.SECURITY_GROUP);
    }

    public Collection<NetworkAcl> networkAcls()
    {
        return all(ResourceKind.NETWORK_ACL);
    }

    public Collection<VpcEndpoint> vpcEndpoints()
    {
        return all(ResourceKind.VPC_ENDPOINT);
    }

    public Collection<NetworkInterface> networkInterfaces()
    {
        return all(ResourceKind.NETWORK_INTERFACE);
    }

    public Collection<ConnectionNotification> connectionNotifications()
    {
        return all(ResourceKind.CONNECTION_NOTIFICATION);
    }

    /** @return catalog services then API-created ones, each group by id. */
    public List<EndpointService> services()
    {
        final List<EndpointService> services = new ArrayList<>(catalogServices.values());
        services.addAll(this.<EndpointService>all(ResourceKind.ENDPOINT_SERVICE));
        return services;
    }

    /** @return the association of a subnet with its network ACL (every subnet has one), or null for no subnet. */
    public NetworkAclAssociation networkAclAssociationOf(final String subnetId)
    {
        for (final NetworkAcl acl : networkAcls())
        {
            for (final NetworkAclAssociation association : acl.associations())
            {
                if (association.subnetId().equals(subnetId))
                {
                    return association;
                }
            }
        }
        return null;
    }

    /** @return the addresses of the subnet no ENI holds and AWS does not reserve (EC2's availableIpAddressCount). */
    public int availableIpAddressCount(final Subnet subnet)
    {
        final long used = networkInterfaces().stream().filter(eni -> eni.subnetId().equals(subnet.subnetId())).count();
        return (int)(subnet.cidr().size() - 5 - used);
    }

    /** @return the group's name, or null: endpoint {@code groupSet} items carry it. */
    public String groupName(final String groupId)
    {
        final SecurityGroup group = securityGroup(groupId);
        return group == null ? null : group.groupName();
    }

    /** @return true when {@code principal} may see and connect to the service (empty allowed list: anyone). */
    public boolean isVisibleTo(final EndpointService service, final String principal)
    {
        final List<String> allowed = service.allowedPrincipals();
        if (allowed.isEmpty() || allowed.contains("*") || allowed.contains(principal))
        {
            return true;
        }
        final String account = accountOf(principal);
        return account != null && allowed.contains("arn:aws:iam::" + account + ":root");
    }

    private static String accountOf(final String principal)
    {
        if (principal == null || !principal.startsWith("arn:aws:iam::"))
        {
            return null;
        }
        final int end = principal.indexOf(':', "arn:aws:iam::".length());
        return end < 0 ? null : principal.substring("arn:aws:iam::".length(), end);
    }

    // ---------------------------------------------------------------- Describe

    private static final FilterSpec<Vpc> VPC_FILTERS = FilterSpec.<Vpc>builder()
        .one("cidr", Vpc::cidrBlock)
        .one("cidr-block-association.cidr-block", Vpc::cidrBlock)
        .one("cidr-block-association.association-id", Vpc::cidrBlockAssociationId)
        .one("cidr-block-association.state", vpc -> "associated")
        .one("dhcp-options-id", vpc -> "default")
        .one("is-default", vpc -> false)
        .one("owner-id", Vpc::ownerId)
        .one("state", vpc -> "available")
        .one("vpc-id", Vpc::vpcId)
        .never("ipv6-cidr-block-association.ipv6-cidr-block", "ipv6-cidr-block-association.ipv6-pool",
            "ipv6-cidr-block-association.association-id", "ipv6-cidr-block-association.state")
        .tags(Vpc::tags)
        .build();

    public Page<Vpc> describeVpcs(final DescribeRequest request)
    {
        return describe("DescribeVpcs", ResourceKind.VPC, request, VPC_FILTERS, false);
    }

    public boolean describeVpcAttribute(final String vpcId, final VpcAttribute attribute)
    {
        final Vpc vpc = requireVpc(vpcId);
        return attribute == VpcAttribute.ENABLE_DNS_SUPPORT ? vpc.enableDnsSupport() : vpc.enableDnsHostnames();
    }

    private FilterSpec<Subnet> subnetFilters()
    {
        return FilterSpec.<Subnet>builder()
            .one("availability-zone", Subnet::availabilityZone)
            .one("availabilityZone", Subnet::availabilityZone)
            .one("availability-zone-id", Subnet::availabilityZoneId)
            .one("availabilityZoneId", Subnet::availabilityZoneId)
            .one("available-ip-address-count", this::availableIpAddressCount)
            .one("cidr-block", Subnet::cidrBlock)
            .one("cidr", Subnet::cidrBlock)
            .one("cidrBlock", Subnet::cidrBlock)
            .one("default-for-az", subnet -> false)
            .one("defaultForAz", subnet -> false)
            .one("enable-dns64", subnet -> false)
            .one("ipv6-native", subnet -> false)
            .one("map-customer-owned-ip-on-launch", subnet -> false)
            .one("map-public-ip-on-launch", subnet -> false)
            .one("owner-id", Subnet::ownerId)
            .one("private-dns-name-options-on-launch.hostname-type", subnet -> "ip-name")
            .one("private-dns-name-options-on-launch.enable-resource-name-dns-a-record", subnet -> false)
            .one("private-dns-name-options-on-launch.enable-resource-name-dns-aaaa-record", subnet -> false)
            .one("state", subnet -> "available")
            .one("subnet-arn", this::subnetArn)
            .one("subnet-id", Subnet::subnetId)
            .one("vpc-id", Subnet::vpcId)
            .never("customer-owned-ipv4-pool", "enable-lni-at-device-index", "outpost-arn",
                "ipv6-cidr-block-association.ipv6-cidr-block", "ipv6-cidr-block-association.association-id",
                "ipv6-cidr-block-association.state")
            .tags(Subnet::tags)
            .build();
    }

    /** @return {@code arn:aws:ec2:<region>:<owner>:subnet/<id>}. */
    public String subnetArn(final Subnet subnet)
    {
        return "arn:aws:ec2:" + settings.region() + ":" + subnet.ownerId() + ":subnet/" + subnet.subnetId();
    }

    public Page<Subnet> describeSubnets(final DescribeRequest request)
    {
        return describe("DescribeSubnets", ResourceKind.SUBNET, request, subnetFilters(), false);
    }

    /**
     * DescribeAvailabilityZones: the configured zones (all {@code available}, {@code opt-in-not-required}, type
     * {@code availability-zone}), by name or id (an unknown one is InvalidParameterValue) and filters.
     */
    public List<AvailabilityZone> describeAvailabilityZones(final List<String> zoneNames, final List<String> zoneIds,
        final List<Filter> filters)
    {
        final FilterSpec<AvailabilityZone> spec = FilterSpec.<AvailabilityZone>builder()
            .one("zone-name", AvailabilityZone::zoneName)
            .one("zone-id", AvailabilityZone::zoneId)
            .one("region-name", zone -> settings.region())
            .one("group-name", zone -> settings.region())
            .one("state", zone -> "available")
            .one("opt-in-status", zone -> "opt-in-not-required")
            .one("zone-type", zone -> "availability-zone")
            .never("message", "parent-zone-id", "parent-zone-name", "parent-zoneID", "parent-zoneName")
            .build();
        final Predicate<AvailabilityZone> matches = spec.compile(filters == null ? List.of() : filters);
        for (final String name : zoneNames == null ? List.<String>of() : zoneNames)
        {
            if (settings.zoneByName(name) == null)
            {
                throw new ApiException("InvalidParameterValue", "Invalid availability zone: [" + name + "]");
            }
        }
        for (final String id : zoneIds == null ? List.<String>of() : zoneIds)
        {
            if (settings.zoneById(id) == null)
            {
                throw new ApiException("InvalidParameterValue", "Invalid availability zone ID: [" + id + "]");
            }
        }
        final boolean byName = zoneNames != null && !zoneNames.isEmpty();
        final boolean byId = zoneIds != null && !zoneIds.isEmpty();
        return settings.availabilityZones().stream()
            .filter(zone -> (!byName && !byId) || (byName && zoneNames.contains(zone.zoneName())) ||
                (byId && zoneIds.contains(zone.zoneId())))
            .filter(matches)
            .toList();
    }

    private FilterSpec<SecurityGroup> securityGroupFilters()
    {
        final FilterSpec.Builder<SecurityGroup> builder = FilterSpec.<SecurityGroup>builder()
            .one("description", SecurityGroup::description)
            .one("group-id", SecurityGroup::groupId)
            .one("group-name", SecurityGroup::groupName)
            .one("owner-id", SecurityGroup::ownerId)
            .one("vpc-id", SecurityGroup::vpcId)
            .tags(SecurityGroup::tags);
        for (final boolean egress : new boolean[]{false, true})
        {
            final String prefix = egress ? "egress.ip-permission." : "ip-permission.";
            final Function<SecurityGroup, List<SecurityGroupRule>> rules = group -> group.rules(egress);
            builder
                .many(prefix + "cidr", group -> rules.apply(group).stream().map(SecurityGroupRule::cidrIpv4).toList())
                .many(prefix + "from-port", group -> rules.apply(group).stream().map(SecurityGroupRule::fromPort).toList())
                .many(prefix + "to-port", group -> rules.apply(group).stream().map(SecurityGroupRule::toPort).toList())
                .many(prefix + "protocol", group -> rules.apply(group).stream().map(SecurityGroupRule::ipProtocol).toList())
                .many(prefix + "group-id", group -> rules.apply(group).stream().map(SecurityGroupRule::referencedGroupId).toList())
                .many(prefix + "group-name", group -> rules.apply(group).stream()
                    .map(rule -> groupName(rule.referencedGroupId())).toList())
                .many(prefix + "user-id", group -> rules.apply(group).stream()
                    .map(rule -> rule.referencedGroupId() == null ? null : group.ownerId()).toList())
                .never(prefix + "ipv6-cidr", prefix + "prefix-list-id");
        }
        return builder.build();
    }

    /**
     * DescribeSecurityGroups by ids ({@code request.ids()}), names ({@code groupNames}, in any VPC; an unknown one is
     * InvalidGroup.NotFound) and filters.
     */
    public Page<SecurityGroup> describeSecurityGroups(final DescribeRequest request, final List<String> groupNames)
    {
        final List<String> names = groupNames == null ? List.of() : groupNames;
        for (final String name : names)
        {
            if (securityGroups().stream().noneMatch(group -> group.groupName().equals(name)))
            {
                throw new ApiException("InvalidGroup.NotFound", "The security group '" + name + "' does not exist");
            }
        }
        final FilterSpec<SecurityGroup> spec = securityGroupFilters();
        final Predicate<SecurityGroup> byName = names.isEmpty() ? group -> true : group -> names.contains(group.groupName());
        return describe("DescribeSecurityGroups", ResourceKind.SECURITY_GROUP, request, spec, byName, false);
    }

    private static final FilterSpec<SecurityGroupRule> RULE_FILTERS = FilterSpec.<SecurityGroupRule>builder()
        .one("group-id", SecurityGroupRule::groupId)
        .one("security-group-rule-id", SecurityGroupRule::securityGroupRuleId)
        .tags(rule -> Map.of())
        .build();

    /** DescribeSecurityGroupRules: rules by {@code sgr-} id (unknown: InvalidSecurityGroupRuleId.NotFound), filters. */
    public Page<SecurityGroupRule> describeSecurityGroupRules(final DescribeRequest request)
    {
        final TreeMap<String, SecurityGroupRule> rules = new TreeMap<>();
        for (final SecurityGroup group : securityGroups())
        {
            for (final SecurityGroupRule rule : group.rules())
            {
                rules.put(rule.securityGroupRuleId(), rule);
            }
        }
        for (final String id : request.ids())
        {
            if (id == null || !id.matches("sgr-[0-9a-f]{8,17}"))
            {
                throw new ApiException("InvalidSecurityGroupRuleId.Malformed", "Invalid id: '" + id + "' (expecting 'sgr-...')");
            }
            if (!rules.containsKey(id))
            {
                throw new ApiException("InvalidSecurityGroupRuleId.NotFound", "The security group rule ID '" + id + "' does not exist");
            }
        }
        final Predicate<SecurityGroupRule> matches = RULE_FILTERS.compile(request.filters());
        final Set<String> ids = new LinkedHashSet<>(request.ids());
        final List<SecurityGroupRule> selected = rules.values().stream()
            .filter(rule -> ids.isEmpty() || ids.contains(rule.securityGroupRuleId()))
            .filter(matches)
            .toList();
        return Pagination.page("DescribeSecurityGroupRules", selected, SecurityGroupRule::securityGroupRuleId,
            request.maxResults(), request.nextToken(), false);
    }

    private static final FilterSpec<NetworkAcl> ACL_FILTERS = FilterSpec.<NetworkAcl>builder()
        .many("association.association-id", acl -> acl.associations().stream().map(NetworkAclAssociation::networkAclAssociationId).toList())
        .many("association.network-acl-id", acl -> acl.associations().stream().map(NetworkAclAssociation::networkAclId).toList())
        .many("association.subnet-id", acl -> acl.associations().stream().map(NetworkAclAssociation::subnetId).toList())
        .one("default", NetworkAcl::isDefault)
        .many("entry.cidr", acl -> acl.entries().stream().map(NetworkAclEntry::cidrBlock).toList())
        .many("entry.icmp.code", acl -> acl.entries().stream().map(NetworkAclEntry::icmpCode).toList())
        .many("entry.icmp.type", acl -> acl.entries().stream().map(NetworkAclEntry::icmpType).toList())
        .many("entry.port-range.from", acl -> acl.entries().stream().map(NetworkAclEntry::portFrom).toList())
        .many("entry.port-range.to", acl -> acl.entries().stream().map(NetworkAclEntry::portTo).toList())
        .many("entry.protocol", acl -> acl.entries().stream().map(NetworkAclEntry::protocol).toList())
        .many("entry.rule-action", acl -> acl.entries().stream().map(NetworkAclEntry::ruleAction).toList())
        .many("entry.egress", acl -> acl.entries().stream().map(NetworkAclEntry::egress).toList())
        .many("entry.rule-number", acl -> acl.entries().stream().map(NetworkAclEntry::ruleNumber).toList())
        .one("network-acl-id", NetworkAcl::networkAclId)
        .one("owner-id", NetworkAcl::ownerId)
        .one("vpc-id", NetworkAcl::vpcId)
        .never("entry.ipv6-cidr")
        .tags(NetworkAcl::tags)
        .build();

    public Page<NetworkAcl> describeNetworkAcls(final DescribeRequest request)
    {
        return describe("DescribeNetworkAcls", ResourceKind.NETWORK_ACL, request, ACL_FILTERS, false);
    }

    private FilterSpec<NetworkInterface> networkInterfaceFilters()
    {
        return FilterSpec.<NetworkInterface>builder()
            .one("network-interface-id", NetworkInterface::networkInterfaceId)
            .one("subnet-id", NetworkInterface::subnetId)
            .one("vpc-id", NetworkInterface::vpcId)
            .one("availability-zone", NetworkInterface::availabilityZone)
            .one("private-ip-address", NetworkInterface::privateIpAddress)
            .one("addresses.private-ip-address", NetworkInterface::privateIpAddress)
            .one("addresses.primary", eni -> true)
            .one("mac-address", NetworkInterface::macAddress)
            .one("description", NetworkInterface::description)
            .one("owner-id", NetworkInterface::ownerId)
            .one("requester-id", NetworkInterface::requesterId)
            .one("requester-managed", eni -> true)
            .one("status", eni -> "in-use")
            .one("interface-type", eni -> "vpc_endpoint")
            .one("source-dest-check", eni -> true)
            .many("group-id", NetworkInterface::securityGroupIds)
            .many("group-name", eni -> eni.securityGroupIds().stream().map(this::groupName).toList())
            .never("association.public-ip", "association.allocation-id", "attachment.instance-id",
                "attachment.attachment-id", "ipv6-addresses.ipv6-address", "private-dns-name")
            .tags(eni -> Map.of())
            .build();
    }

    public Page<NetworkInterface> describeNetworkInterfaces(final DescribeRequest request)
    {
        return describe("DescribeNetworkInterfaces", ResourceKind.NETWORK_INTERFACE, request, networkInterfaceFilters(), false);
    }

    private static final FilterSpec<VpcEndpoint> ENDPOINT_FILTERS = FilterSpec.<VpcEndpoint>builder()
        .one("ip-address-type", endpoint -> "ipv4")
        .one("service-name", VpcEndpoint::serviceName)
        .one("vpc-id", VpcEndpoint::vpcId)
        .one("vpc-endpoint-id", VpcEndpoint::vpcEndpointId)
        .one("vpc-endpoint-state", endpoint -> endpoint.state().wireName())
        .one("vpc-endpoint-type", endpoint -> "Interface")
        .tags(VpcEndpoint::tags)
        .build();

    public Page<VpcEndpoint> describeVpcEndpoints(final DescribeRequest request)
    {
        return describe("DescribeVpcEndpoints", ResourceKind.VPC_ENDPOINT, request, ENDPOINT_FILTERS, true);
    }

    private static final FilterSpec<EndpointService> SERVICE_FILTERS = FilterSpec.<EndpointService>builder()
        .one("owner", EndpointService::ownerId)
        .one("service-name", EndpointService::serviceName)
        .one("service-type", service -> "Interface")
        .one("supported-ip-address-types", service -> "ipv4")
        .tags(EndpointService::tags)
        .build();

    /**
     * DescribeVpcEndpointServices: the available services {@code principal} may see (null: the owner account),
     * sorted by name, by name (an unknown or invisible one is InvalidServiceName) and filters.
     */
    public ServicesPage describeVpcEndpointServices(final List<String> serviceNames, final List<Filter> filters,
        final Integer maxResults, final String nextToken, final String principal)
    {
        final String caller = principal == null ? settings.ownerPrincipal() : principal;
        final List<String> names = serviceNames == null ? List.of() : serviceNames;
        final List<EndpointService> visible = services().stream()
            .filter(service -> service.state() == ServiceState.AVAILABLE && isVisibleTo(service, caller))
            .sorted(Comparator.comparing(EndpointService::serviceName))
            .toList();
        for (final String name : names)
        {
            if (visible.stream().noneMatch(service -> service.serviceName().equals(name)))
            {
                throw invalidServiceName(name);
            }
        }
        final Predicate<EndpointService> matches = SERVICE_FILTERS.compile(filters == null ? List.of() : filters);
        final List<EndpointService> selected = visible.stream()
            .filter(service -> names.isEmpty() || names.contains(service.serviceName()))
            .filter(matches)
            .toList();
        final Page<EndpointService> page = Pagination.page("DescribeVpcEndpointServices", selected,
            EndpointService::serviceName, maxResults, nextToken, true);
        return new ServicesPage(page.items().stream().map(EndpointService::serviceName).toList(), page.items(),
            page.nextToken());
    }

    static ApiException invalidServiceName(final String name)
    {
        return new ApiException("InvalidServiceName", "The Vpc Endpoint Service '" + name + "' does not exist");
    }

    private static final FilterSpec<ConnectionNotification> NOTIFICATION_FILTERS = FilterSpec.<ConnectionNotification>builder()
        .one("connection-notification-arn", ConnectionNotification::connectionNotificationArn)
        .one("connection-notification-id", ConnectionNotification::connectionNotificationId)
        .one("connection-notification-state", notification -> ConnectionNotification.STATE_ENABLED)
        .one("connection-notification-type", notification -> ConnectionNotification.TYPE_TOPIC)
        .one("service-id", ConnectionNotification::serviceId)
        .one("vpc-endpoint-id", ConnectionNotification::vpcEndpointId)
        .build();

    /** DescribeVpcEndpointConnectionNotifications: one id (or null for all), filters, pagination. */
    public Page<ConnectionNotification> describeVpcEndpointConnectionNotifications(final String connectionNotificationId,
        final List<Filter> filters, final Integer maxResults, final String nextToken)
    {
        final DescribeRequest request = new DescribeRequest(
            connectionNotificationId == null ? List.of() : List.of(connectionNotificationId), filters, maxResults, nextToken);
        return describe("DescribeVpcEndpointConnectionNotifications", ResourceKind.CONNECTION_NOTIFICATION, request,
            NOTIFICATION_FILTERS, true);
    }

    private static final FilterSpec<EndpointService> SERVICE_CONFIGURATION_FILTERS = FilterSpec.<EndpointService>builder()
        .one("service-name", EndpointService::serviceName)
        .one("service-id", EndpointService::serviceId)
        .one("service-state", service -> service.state().wireName())
        .one("supported-ip-address-types", service -> "ipv4")
        .tags(EndpointService::tags)
        .build();

    /** @return the services this account provides: its catalog services and those created through the API. */
    public List<EndpointService> ownedServices()
    {
        return services().stream().filter(service -> service.ownerId().equals(settings.ownerId()))
            .sorted(Comparator.comparing(EndpointService::serviceId)).toList();
    }

    /**
     * DescribeVpcEndpointServiceConfigurations: the services this account provides, by {@code vpce-svc-} id (unknown:
     * InvalidVpcEndpointServiceId.NotFound) and filters.
     */
    public Page<EndpointService> describeVpcEndpointServiceConfigurations(final DescribeRequest request)
    {
        final List<EndpointService> owned = ownedServices();
        final Set<String> ids = requireIds(ResourceKind.ENDPOINT_SERVICE, request.ids(),
            id -> owned.stream().anyMatch(service -> service.serviceId().equals(id)));
        final Predicate<EndpointService> matches = SERVICE_CONFIGURATION_FILTERS.compile(request.filters());
        final List<EndpointService> selected = owned.stream()
            .filter(service -> ids.isEmpty() || ids.contains(service.serviceId()))
            .filter(matches)
            .toList();
        return Pagination.page("DescribeVpcEndpointServiceConfigurations", selected, EndpointService::serviceId,
            request.maxResults(), request.nextToken(), true);
    }

    private static final FilterSpec<VpcEndpointConnection> CONNECTION_FILTERS = FilterSpec.<VpcEndpointConnection>builder()
        .one("ip-address-type", connection -> "ipv4")
        .one("service-id", VpcEndpointConnection::serviceId)
        .one("vpc-endpoint-owner", VpcEndpointConnection::vpcEndpointOwner)
        .one("vpc-endpoint-state", connection -> connection.vpcEndpointState().wireName())
        .one("vpc-endpoint-id", VpcEndpointConnection::vpcEndpointId)
        .build();

    /** @return the provider's view of the endpoints connected to services this account provides, by endpoint id. */
    public List<VpcEndpointConnection> connections()
    {
        final List<VpcEndpointConnection> connections = new ArrayList<>();
        for (final VpcEndpoint endpoint : vpcEndpoints())
        {
            final EndpointService service = service(endpoint.serviceId());
            if (service != null && service.ownerId().equals(settings.ownerId()))
            {
                connections.add(new VpcEndpointConnection("vpce-con-" + DnsNames.hashHex(endpoint.vpcEndpointId(), 17),
                    service.serviceId(), endpoint.vpcEndpointId(), endpoint.ownerId(), endpoint.state(),
                    endpoint.creationTimeMs(), endpoint.dnsEntries(), service.networkLoadBalancerArns()));
            }
        }
        return connections;
    }

    public Page<VpcEndpointConnection> describeVpcEndpointConnections(final List<Filter> filters, final Integer maxResults,
        final String nextToken)
    {
        final Predicate<VpcEndpointConnection> matches = CONNECTION_FILTERS.compile(filters == null ? List.of() : filters);
        return Pagination.page("DescribeVpcEndpointConnections", connections().stream().filter(matches).toList(),
            VpcEndpointConnection::vpcEndpointId, maxResults, nextToken, true);
    }

    private <T extends Resource> Page<T> describe(final String operation, final ResourceKind kind,
        final DescribeRequest request, final FilterSpec<T> spec, final boolean clampAbove)
    {
        return describe(operation, kind, request, spec, resource -> true, clampAbove);
    }

    private <T extends Resource> Page<T> describe(final String operation, final ResourceKind kind,
        final DescribeRequest request, final FilterSpec<T> spec, final Predicate<T> extra, final boolean clampAbove)
    {
        final Set<String> ids = requireIds(kind, request.ids(), id -> byKind.get(kind).containsKey(id));
        final Predicate<T> matches = spec.compile(request.filters());
        final List<T> selected = this.<T>all(kind).stream()
            .filter(resource -> ids.isEmpty() || ids.contains(resource.id()))
            .filter(extra)
            .filter(matches)
            .toList();
        return Pagination.page(operation, selected, Resource::id, request.maxResults(), request.nextToken(), clampAbove);
    }

    private static Set<String> requireIds(final ResourceKind kind, final List<String> ids, final Predicate<String> exists)
    {
        final Set<String> unique = new LinkedHashSet<>();
        for (final String id : ids)
        {
            kind.requireWellFormed(id);
            unique.add(id);
        }
        for (final String id : unique)
        {
            if (!exists.test(id))
            {
                throw kind.notFound(id);
            }
        }
        return unique;
    }

    Vpc requireVpc(final String vpcId)
    {
        if (vpcId == null || vpcId.isEmpty())
        {
            throw new ApiException("MissingParameter", "The request must contain the parameter VpcId");
        }
        ResourceKind.VPC.requireWellFormed(vpcId);
        final Vpc vpc = vpc(vpcId);
        if (vpc == null)
        {
            throw ResourceKind.VPC.notFound(vpcId);
        }
        return vpc;
    }

    @Override
    public boolean equals(final Object other)
    {
        return other instanceof ControlPlaneState state && state.sequence == sequence && state.byKind.equals(byKind) &&
            state.settings.equals(settings);
    }

    @Override
    public int hashCode()
    {
        return Objects.hash(sequence, byKind);
    }

    @Override
    public String toString()
    {
        return "ControlPlaneState{sequence=" + sequence + ", resources=" + resources().size() + "}";
    }
}
