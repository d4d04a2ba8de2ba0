package vpce.appliance.controlplane;

import vpce.appliance.config.ApplianceModel;
import vpce.appliance.config.ApplianceModel.EndpointSpec;
import vpce.appliance.config.ApplianceModel.EniSpec;
import vpce.appliance.config.ApplianceModel.ListenerSpec;
import vpce.appliance.config.ApplianceModel.NaclEntrySpec;
import vpce.appliance.config.ApplianceModel.NetworkAclSpec;
import vpce.appliance.config.ApplianceModel.PortRole;
import vpce.appliance.config.ApplianceModel.PortSpec;
import vpce.appliance.config.ApplianceModel.SecurityGroupRuleSpec;
import vpce.appliance.config.ApplianceModel.SecurityGroupSpec;
import vpce.appliance.config.ApplianceModel.ServiceSpec;
import vpce.appliance.config.ApplianceModel.SubnetSpec;
import vpce.appliance.config.ApplianceModel.VpcSpec;
import vpce.appliance.config.Ipv4;
import vpce.mgmt.controlplane.AvailabilityZone;
import vpce.mgmt.controlplane.CatalogService;
import vpce.mgmt.controlplane.ControlPlaneSettings;
import vpce.mgmt.controlplane.ControlPlaneState;
import vpce.mgmt.controlplane.EndpointService;
import vpce.mgmt.controlplane.EndpointState;
import vpce.mgmt.controlplane.NetworkAcl;
import vpce.mgmt.controlplane.NetworkAclAssociation;
import vpce.mgmt.controlplane.NetworkAclEntry;
import vpce.mgmt.controlplane.NetworkInterface;
import vpce.mgmt.controlplane.SecurityGroup;
import vpce.mgmt.controlplane.SecurityGroupRule;
import vpce.mgmt.controlplane.ServiceOrigin;
import vpce.mgmt.controlplane.Subnet;
import vpce.mgmt.controlplane.Vpc;
import vpce.mgmt.controlplane.VpcEndpoint;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Translates between the configuration file's model and the control plane's: what the control plane is told about the
 * appliance (region, zones, the catalog of services), and the one {@link ApplianceModel} the datapath runs, made of the
 * file's entities and the control plane's.
 *
 * <p><b>How the two coexist.</b> The file's entities come first and stay as written. The control plane's VPCs,
 * subnets, security groups and network ACLs join them, and so do its endpoints that are {@code pending} or
 * {@code available}; endpoints {@code pendingAcceptance}, {@code rejected}, {@code deleting} or {@code deleted} are
 * left out, so their ENIs leave the datapath and its flows through them are purged. Ids cannot collide: the API's have
 * 17 hex digits, and the configuration validator keeps the file's at 8-16 while the EC2 API is on. A subnet created
 * through the API is on the first consumer port of its zone. A consumer port is one link: ENIs of subnets of different
 * VPCs on it share its address space, and the control plane, which allocates ENI addresses per subnet, does not see
 * the file's ENIs; an API ENI whose address an ENI already has (the file's, or an older API endpoint's) is left out
 * and reported in {@link Merged#leftOut()}. Give subnets of different VPCs in one zone disjoint blocks to avoid that.
 *
 * <p>Services: the file's services are the catalog (read-only on the API; owner {@code managementApi.ownerId}; zones
 * the service's zones that have a consumer port; load-balancer ARN derived from the service id). A service created
 * through the API forwards to the targets and listeners of the catalog services whose ARNs it names.
 */
public final class ControlPlaneModel
{
    private static final int PROTOCOL_ALL = -1;
    private static final int PROTOCOL_ICMP = 1;
    private static final int PROTOCOL_TCP = 6;
    private static final int PROTOCOL_UDP = 17;

    private ControlPlaneModel()
    {
    }

    /**
     * The datapath's model: the file's entities and the control plane's, and what had to be left out.
     *
     * @param leftOut one line per API entity the datapath does not carry (an ENI address already taken, a service
     *                without targets), for the log; empty normally.
     */
    public record Merged(ApplianceModel model, List<String> leftOut)
    {
    }

    /** @return the control plane's settings for a configuration whose management API has access keys. */
    public static ControlPlaneSettings settings(final ApplianceModel config)
    {
        final ApplianceModel.ManagementApiSpec api = config.managementApi();
        return new ControlPlaneSettings(config.region(), api.ownerId(), zones(config), catalog(config), api.endpointsPerVpc(),
            config.securityGroupsPerEni(), ControlPlaneSettings.DEFAULT_DELETED_ENDPOINT_RETENTION_MS);
    }

    /** @return the zones of the consumer ports, each once, in port order. */
    public static List<AvailabilityZone> zones(final ApplianceModel config)
    {
        final Set<String> names = new LinkedHashSet<>();
        for (final PortSpec port : config.ports())
        {
            if (port.role() == PortRole.CONSUMER)
            {
                names.add(port.availabilityZone());
            }
        }
        return names.stream().map(zone -> AvailabilityZone.of(config.region(), zone)).toList();
    }

    /**
     * @return the file's services as the control plane's catalog; a service offered in no zone that has a consumer
     * port is not in it.
     */
    public static List<CatalogService> catalog(final ApplianceModel config)
    {
        final Set<String> portZones = new HashSet<>();
        zones(config).forEach(zone -> portZones.add(zone.zoneName()));
        final String ownerId = config.managementApi().ownerId();
        final List<CatalogService> catalog = new ArrayList<>();
        for (final ServiceSpec service : config.services())
        {
            final List<String> zones = service.availabilityZones().stream().filter(portZones::contains).toList();
            if (zones.isEmpty())
            {
                continue;
            }
            catalog.add(new CatalogService(service.serviceName(), CatalogService.serviceIdFor(service.serviceName()), ownerId,
                zones, service.privateDnsName(), service.acceptanceRequired(), loadBalancerArn(config, service), List.of()));
        }
        return catalog;
    }

    /** The load-balancer ARN that names a configured service's targets on the API. */
    public static String loadBalancerArn(final ApplianceModel config, final ServiceSpec service)
    {
        return CatalogService.defaultLoadBalancerArn(config.region(), config.managementApi().ownerId(),
            CatalogService.serviceIdFor(service.serviceName()));
    }

    /** @return the first consumer port in the zone, or null. */
    public static String portOfZone(final ApplianceModel config, final String zone)
    {
        for (final PortSpec port : config.ports())
        {
            if (port.role() == PortRole.CONSUMER && port.availabilityZone().equals(zone))
            {
                return port.name();
            }
        }
        return null;
    }

    /** @return true for the endpoint states whose ENIs the datapath carries. */
    public static boolean forwards(final EndpointState state)
    {
        return state == EndpointState.PENDING || state == EndpointState.AVAILABLE;
    }

    /**
     * @param config the configuration file's model (its services are the catalog).
     * @param state  the control plane's state.
     * @return the datapath's model: the file's entities, then the control plane's.
     */
    public static Merged merge(final ApplianceModel config, final ControlPlaneState state)
    {
        final List<String> leftOut = new ArrayList<>();

        final List<VpcSpec> vpcs = new ArrayList<>(config.vpcs());
        for (final Vpc vpc : sorted(state.vpcs(), Vpc::vpcId))
        {
            vpcs.add(new VpcSpec(vpc.vpcId(), Ipv4.Cidr.parse(vpc.cidrBlock()), vpc.enableDnsSupport(), vpc.enableDnsHostnames(),
                vpc.defaultNetworkAclId(), vpc.defaultSecurityGroupId()));
        }

        final List<SubnetSpec> subnets = new ArrayList<>(config.subnets());
        final Map<String, SubnetSpec> apiSubnets = new HashMap<>();
        for (final Subnet subnet : sorted(state.subnets(), Subnet::subnetId))
        {
            final String port = portOfZone(config, subnet.availabilityZone());
            final NetworkAclAssociation association = state.networkAclAssociationOf(subnet.subnetId());
            final Vpc vpc = state.vpc(subnet.vpcId());
            if (port == null || vpc == null)
            {
                leftOut.add("subnet " + subnet.subnetId() + ": no consumer port in " + subnet.availabilityZone());
                continue;
            }
            final SubnetSpec spec = new SubnetSpec(subnet.subnetId(), subnet.vpcId(), subnet.availabilityZone(),
                Ipv4.Cidr.parse(subnet.cidrBlock()), port,
                association == null ? vpc.defaultNetworkAclId() : association.networkAclId());
            subnets.add(spec);
            apiSubnets.put(spec.id(), spec);
        }

        final List<NetworkAclSpec> networkAcls = new ArrayList<>(config.networkAcls());
        for (final NetworkAcl acl : sorted(state.networkAcls(), NetworkAcl::networkAclId))
        {
            final List<NaclEntrySpec> entries = new ArrayList<>();
            for (final NetworkAclEntry entry : acl.entries())
            {
                // Rule 32767, the deny every ACL ends with, is the classifier's implicit default.
                if (entry.ruleNumber() <= NetworkAclEntry.MAX_RULE_NUMBER)
                {
                    entries.add(naclEntry(entry));
                }
            }
            networkAcls.add(new NetworkAclSpec(acl.networkAclId(), acl.vpcId(), List.copyOf(entries)));
        }

        final List<ServiceSpec> services = new ArrayList<>(config.services());
        final Map<String, ServiceSpec> byArn = new HashMap<>();
        for (final ServiceSpec service : config.services())
        {
            byArn.put(loadBalancerArn(config, service), service);
        }
        final Set<String> serviceNames = new HashSet<>();
        config.services().forEach(service -> serviceNames.add(service.serviceName()));
        for (final EndpointService service : state.services())
        {
            if (service.origin() != ServiceOrigin.API)
            {
                continue;
            }
            final Map<Integer, ListenerSpec> listeners = new LinkedHashMap<>();
            final Set<Integer> targets = new LinkedHashSet<>();
            for (final String arn : service.networkLoadBalancerArns())
            {
                final ServiceSpec behind = byArn.get(arn);
                if (behind != null)
                {
                    behind.listeners().forEach(listener -> listeners.putIfAbsent(listener.port(), listener));
                    targets.addAll(behind.targets());
                }
            }
            if (targets.isEmpty() || !serviceNames.add(service.serviceName()))
            {
                leftOut.add("service " + service.serviceId() + ": no load balancer of the configuration among " +
                    service.networkLoadBalancerArns());
                continue;
            }
            services.add(new ServiceSpec(service.serviceName(), service.availabilityZones(), service.acceptanceRequired(),
                service.privateDnsName(), List.copyOf(listeners.values()), List.copyOf(targets)));
        }

        final Set<Integer> eniAddresses = new HashSet<>();
        config.endpoints().forEach(endpoint -> endpoint.enis().forEach(eni -> eniAddresses.add(eni.address())));
        final List<EndpointSpec> endpoints = new ArrayList<>(config.endpoints());
        final List<EndpointSpec> apiEndpoints = new ArrayList<>();
        final List<VpcEndpoint> byAge = state.vpcEndpoints().stream()
            .sorted(Comparator.comparingLong(VpcEndpoint::creationTimeMs).thenComparing(VpcEndpoint::vpcEndpointId)).toList();
        for (final VpcEndpoint endpoint : byAge)
        {
            if (!forwards(endpoint.state()))
            {
                continue;
            }
            if (!serviceNames.contains(endpoint.serviceName()))
            {
                leftOut.add("endpoint " + endpoint.vpcEndpointId() + ": service " + endpoint.serviceName() + " has no targets here");
                continue;
            }
            final List<EniSpec> enis = new ArrayList<>();
            for (final String interfaceId : endpoint.networkInterfaceIds())
            {
                final NetworkInterface eni = state.networkInterface(interfaceId);
                final SubnetSpec subnet = eni == null ? null : apiSubnets.get(eni.subnetId());
                if (subnet == null)
                {
                    leftOut.add("endpoint " + endpoint.vpcEndpointId() + " ENI " + interfaceId + ": its subnet is not in the datapath");
                    continue;
                }
                if (!eniAddresses.add(eni.address()))
                {
                    leftOut.add("endpoint " + endpoint.vpcEndpointId() + " ENI " + interfaceId + ": address " +
                        eni.privateIpAddress() + " is already an ENI's (subnets of different VPCs overlap on port " +
                        subnet.portName() + ")");
                    continue;
                }
                enis.add(new EniSpec(subnet.id(), subnet.availabilityZone(), eni.address(), subnet.portName(), interfaceId));
            }
            if (enis.isEmpty())
            {
                continue;
            }
            apiEndpoints.add(new EndpointSpec(endpoint.vpcEndpointId(), endpoint.vpcId(), endpoint.serviceName(), List.copyOf(enis),
                endpoint.securityGroupIds(), config.datapath().idleTimeouts()));
        }
        endpoints.addAll(apiEndpoints);

        final List<SecurityGroupSpec> groups = new ArrayList<>(config.securityGroups());
        for (final SecurityGroup group : sorted(state.securityGroups(), SecurityGroup::groupId))
        {
            final List<SecurityGroupRuleSpec> rules = new ArrayList<>();
            for (final SecurityGroupRule rule : group.rules())
            {
                rules.add(groupRule(rule));
            }
            final List<Integer> members = new ArrayList<>();
            for (final EndpointSpec endpoint : apiEndpoints)
            {
                if (endpoint.securityGroupIds().contains(group.groupId()))
                {
                    endpoint.enis().forEach(eni -> members.add(eni.address()));
                }
            }
            groups.add(new SecurityGroupSpec(group.groupId(), group.vpcId(), List.copyOf(rules), List.copyOf(members)));
        }

        final ApplianceModel model = new ApplianceModel(config.region(), config.stateDirectory(), config.datapath(), config.ports(),
            List.copyOf(vpcs), List.copyOf(subnets), List.copyOf(services), List.copyOf(endpoints), List.copyOf(networkAcls),
            List.copyOf(groups), config.securityGroupsPerEni(), config.flowLogs(), config.managementApi(),
            config.shutdown(), config.dns());
        return new Merged(model, List.copyOf(leftOut));
    }

    private static NaclEntrySpec naclEntry(final NetworkAclEntry entry)
    {
        final int protocol = Integer.parseInt(entry.protocol());
        final boolean ports = protocol == PROTOCOL_TCP || protocol == PROTOCOL_UDP;
        final boolean icmp = protocol == PROTOCOL_ICMP;
        return new NaclEntrySpec(entry.ruleNumber(), entry.egress(), protocol, "allow".equals(entry.ruleAction()),
            Ipv4.Cidr.parse(entry.cidrBlock()),
            ports && entry.portFrom() != null ? entry.portFrom() : 0,
            ports && entry.portTo() != null ? entry.portTo() : 65535,
            icmp && entry.icmpType() != null ? entry.icmpType() : -1,
            icmp && entry.icmpCode() != null ? entry.icmpCode() : -1);
    }

    private static SecurityGroupRuleSpec groupRule(final SecurityGroupRule rule)
    {
        final int protocol = protocolNumber(rule.ipProtocol());
        final boolean ports = protocol == PROTOCOL_TCP || protocol == PROTOCOL_UDP;
        final boolean icmp = protocol == PROTOCOL_ICMP;
        return new SecurityGroupRuleSpec(rule.securityGroupRuleId(), rule.egress(), protocol,
            ports ? rule.fromPort() : 0,
            ports ? rule.toPort() : 65535,
            // EC2's IpPermission carries an ICMP rule's type in FromPort and its code in ToPort (-1: any).
            icmp ? rule.fromPort() : -1,
            icmp ? rule.toPort() : -1,
            rule.cidrIpv4() == null ? null : Ipv4.Cidr.parse(rule.cidrIpv4()),
            rule.referencedGroupId());
    }

    private static int protocolNumber(final String ipProtocol)
    {
        return switch (ipProtocol.toLowerCase(Locale.ROOT))
        {
            case "-1", "all" -> PROTOCOL_ALL;
            case "tcp" -> PROTOCOL_TCP;
            case "udp" -> PROTOCOL_UDP;
            case "icmp" -> PROTOCOL_ICMP;
            default -> Integer.parseInt(ipProtocol);
        };
    }

    private static <T> List<T> sorted(final java.util.Collection<T> values, final java.util.function.Function<T, String> id)
    {
        return values.stream().sorted(Comparator.comparing(id)).toList();
    }
}
