package vpce.appliance.config;

import vpce.appliance.config.ApplianceConfig.Endpoint;
import vpce.appliance.config.ApplianceConfig.EndpointSubnet;
import vpce.appliance.config.ApplianceConfig.Listener;
import vpce.appliance.config.ApplianceConfig.Port;
import vpce.appliance.config.ApplianceConfig.Service;
import vpce.appliance.config.ApplianceConfig.Subnet;
import vpce.appliance.config.ApplianceConfig.Vpc;
import vpce.appliance.config.ApplianceModel.DatapathSettings;
import vpce.appliance.config.ApplianceModel.EndpointSpec;
import vpce.appliance.config.ApplianceModel.EniSpec;
import vpce.appliance.config.ApplianceModel.IdleStrategyKind;
import vpce.appliance.config.ApplianceModel.ListenerSpec;
import vpce.appliance.config.ApplianceModel.NetworkAclSpec;
import vpce.appliance.config.ApplianceModel.PortRole;
import vpce.appliance.config.ApplianceModel.PortSpec;
import vpce.appliance.config.ApplianceModel.PortType;
import vpce.appliance.config.ApplianceModel.SecurityGroupSpec;
import vpce.appliance.config.ApplianceModel.ServiceSpec;
import vpce.appliance.config.ApplianceModel.SubnetSpec;
import vpce.appliance.config.ApplianceModel.VpcSpec;
import vpce.flowtable.FlowTable;
import vpce.flowtable.FlowTimeouts;
import vpce.flowtable.NatPortAllocator;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Checks a parsed configuration against the rules EC2 applies (one subnet per AZ per endpoint,
 * subnets inside their VPC, ENI addresses inside their subnet and outside the five addresses
 * AWS reserves, ...) and resolves it into the typed model. The first problem found is reported
 * as "path.to.field: 'value' reason".
 */
final class ConfigValidator
{
    private static final Pattern REGION = Pattern.compile("[a-z]{2}(-[a-z]+)+-\\d+");
    private static final Pattern VPC_ID = Pattern.compile("vpc-[0-9a-f]{8,17}");
    private static final Pattern SUBNET_ID = Pattern.compile("subnet-[0-9a-f]{8,17}");
    private static final Pattern ENDPOINT_ID = Pattern.compile("vpce-[0-9a-f]{8,17}");
    private static final Pattern SERVICE_NAME = Pattern.compile("[a-z0-9][a-z0-9.-]{2,254}");
    /** IFNAMSIZ is 16 including the terminating NUL (linux/if.h). */
    private static final int MAX_INTERFACE_NAME_LENGTH = 15;
    private static final int MIN_BATCH_SIZE = 1;
    private static final int MAX_BATCH_SIZE = 1024;
    private static final int MIN_FLOW_CAPACITY = 1024;
    private static final int MAX_FLOW_CAPACITY = 1 << 26;
    /** The range AWS allows for the TCP established idle timeout of an endpoint. */
    private static final int MIN_ESTABLISHED_IDLE_SECONDS = 60;
    private static final int MAX_ESTABLISHED_IDLE_SECONDS = 432_000;
    /** Embryonic, closing and time-wait timeouts: AWS fixes them; an hour is past any sane handshake or close. */
    private static final int MAX_OTHER_IDLE_SECONDS = 3_600;
    private static final long SECOND_NS = 1_000_000_000L;
    /** The management API's ids: prefix, '-', 17 hex digits (68 random bits). */
    private static final int API_ID_HEX_DIGITS = 17;
    private static final int MAX_ENDPOINTS_PER_VPC = 10_000;
    /** Lower-case DNS name of two or more labels, as EC2 accepts for a service's private DNS name. */
    private static final Pattern DNS_NAME = Pattern.compile("(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\\.)+[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?");
    /** The flow-log aggregator's interface table (FlowLogs.DEFAULT_MAX_INTERFACES). */
    private static final int MAX_FLOW_LOGGED_ENIS = 1024;

    private ConfigValidator()
    {
    }

    static ApplianceModel validate(final ApplianceConfig config) throws ConfigException
    {
        final String region = required(config.region(), "region");
        if (!REGION.matcher(region).matches())
        {
            throw bad("region", region, "is not a region name like us-east-1");
        }
        final String stateDirectory = required(config.stateDirectory(), "stateDirectory");
        final DatapathSettings datapath = datapath(config.datapath());
        final List<PortSpec> ports = ports(region, list(config.ports(), "ports"));
        final ApplianceModel.ManagementApiSpec managementApi = managementApi(config.managementApi(), ports);
        final boolean ec2Api = managementApi != null && managementApi.ec2Enabled();
        // With the EC2 API on, VPCs may all come from it.
        final List<VpcSpec> vpcs = vpcs(ec2Api ? orEmpty(config.vpcs()) : list(config.vpcs(), "vpcs"));
        final List<NetworkAclSpec> networkAcls = AccessRulesValidator.networkAcls(orEmpty(config.networkAcls()), vpcs);
        final List<SubnetSpec> subnets = subnets(region, orEmpty(config.subnets()), vpcs, ports, networkAcls);
        final List<ServiceSpec> services = services(region, orEmpty(config.services()), ports);
        final int groupsPerEni = AccessRulesValidator.securityGroupsPerEni(config.limits());
        final List<SecurityGroupSpec> groups = AccessRulesValidator.securityGroups(orEmpty(config.securityGroups()), vpcs);
        final List<EndpointSpec> endpoints = endpoints(
            orEmpty(config.endpoints()), vpcs, subnets, services, groups, groupsPerEni, datapath.idleTimeouts());
        if (ec2Api)
        {
            requireIdsApartFromTheApi(config);
        }
        return new ApplianceModel(
            region, Path.of(stateDirectory), datapath, ports, vpcs, subnets, services, endpoints, networkAcls,
            AccessRulesValidator.withMembers(groups, endpoints), groupsPerEni,
            flowLogs(config.flowLogs(), subnets, endpoints), managementApi, shutdown(config.shutdown()),
            DnsConfigValidator.dns(config.dns()));
    }

    private static ApplianceModel.ShutdownSettings shutdown(final ApplianceConfig.Shutdown shutdown) throws ConfigException
    {
        if (shutdown == null || shutdown.drainSeconds() == null)
        {
            return ApplianceModel.ShutdownSettings.DEFAULT;
        }
        final int seconds = shutdown.drainSeconds();
        if (seconds < 0 || seconds > ApplianceModel.ShutdownSettings.MAX_DRAIN_SECONDS)
        {
            throw bad("shutdown.drainSeconds", seconds, "must be 0.." + ApplianceModel.ShutdownSettings.MAX_DRAIN_SECONDS);
        }
        return new ApplianceModel.ShutdownSettings(seconds);
    }

    private static DatapathSettings datapath(final ApplianceConfig.Datapath datapath) throws ConfigException
    {
        if (datapath == null)
        {
            return new DatapathSettings(
                DatapathSettings.DEFAULT_BATCH_SIZE,
                IdleStrategyKind.POLL,
                DatapathSettings.DEFAULT_FLOW_CAPACITY,
                FlowTimeouts.DEFAULT);
        }
        final int batchSize = datapath.batchSize() == null ? DatapathSettings.DEFAULT_BATCH_SIZE : datapath.batchSize();
        if (batchSize < MIN_BATCH_SIZE || batchSize > MAX_BATCH_SIZE)
        {
            throw bad("datapath.batchSize", batchSize, "must be " + MIN_BATCH_SIZE + ".." + MAX_BATCH_SIZE);
        }
        final IdleStrategyKind idle = datapath.idleStrategy() == null ?
            IdleStrategyKind.POLL : enumValue(IdleStrategyKind.class, datapath.idleStrategy(), "datapath.idleStrategy");
        final int flowCapacity = datapath.flowCapacity() == null ?
            DatapathSettings.DEFAULT_FLOW_CAPACITY : datapath.flowCapacity();
        if (flowCapacity < MIN_FLOW_CAPACITY || flowCapacity > MAX_FLOW_CAPACITY)
        {
            throw bad("datapath.flowCapacity", flowCapacity, "must be " + MIN_FLOW_CAPACITY + ".." + MAX_FLOW_CAPACITY);
        }
        ApplianceConfig.IdleTimeouts idleTimeouts = datapath.idleTimeouts();
        if (datapath.establishedIdleTimeoutSeconds() != null)
        {
            if (idleTimeouts != null && idleTimeouts.establishedSeconds() != null)
            {
                throw bad("datapath.establishedIdleTimeoutSeconds", datapath.establishedIdleTimeoutSeconds(),
                    "is also given as datapath.idleTimeouts.establishedSeconds; keep one");
            }
            final int seconds = datapath.establishedIdleTimeoutSeconds();
            if (seconds < MIN_ESTABLISHED_IDLE_SECONDS || seconds > MAX_ESTABLISHED_IDLE_SECONDS)
            {
                throw bad("datapath.establishedIdleTimeoutSeconds", seconds,
                    "must be " + MIN_ESTABLISHED_IDLE_SECONDS + ".." + MAX_ESTABLISHED_IDLE_SECONDS + " (the range AWS allows)");
            }
            idleTimeouts = idleTimeouts == null ?
                new ApplianceConfig.IdleTimeouts(seconds, null, null, null) :
                new ApplianceConfig.IdleTimeouts(
                    seconds, idleTimeouts.embryonicSeconds(), idleTimeouts.closingSeconds(), idleTimeouts.timeWaitSeconds());
        }
        return new DatapathSettings(
            batchSize, idle, flowCapacity, idleTimeouts(idleTimeouts, FlowTimeouts.DEFAULT, "datapath.idleTimeouts"));
    }

    /**
     * Idle timeouts given over defaults: each field left out keeps the default's value.
     */
    private static FlowTimeouts idleTimeouts(
        final ApplianceConfig.IdleTimeouts given, final FlowTimeouts defaults, final String at)
        throws ConfigException
    {
        if (given == null)
        {
            return defaults;
        }
        return new FlowTimeouts(
            seconds(given.embryonicSeconds(), defaults.embryonicNs(), 1, MAX_OTHER_IDLE_SECONDS, at + ".embryonicSeconds"),
            seconds(given.establishedSeconds(), defaults.establishedNs(), MIN_ESTABLISHED_IDLE_SECONDS,
                MAX_ESTABLISHED_IDLE_SECONDS, at + ".establishedSeconds"),
            seconds(given.closingSeconds(), defaults.closingNs(), 1, MAX_OTHER_IDLE_SECONDS, at + ".closingSeconds"),
            seconds(given.timeWaitSeconds(), defaults.timeWaitNs(), 1, MAX_OTHER_IDLE_SECONDS, at + ".timeWaitSeconds"),
            defaults.closedNs(),
            defaults.udpNs(),
            defaults.otherNs());
    }

    private static long seconds(final Integer seconds, final long defaultNs, final int min, final int max, final String at)
        throws ConfigException
    {
        if (seconds == null)
        {
            return defaultNs;
        }
        if (seconds < min || seconds > max)
        {
            throw bad(at, seconds, "must be " + min + ".." + max +
                (MAX_ESTABLISHED_IDLE_SECONDS == max ? " (the range AWS allows)" : ""));
        }
        return seconds * SECOND_NS;
    }

    private static List<PortSpec> ports(final String region, final List<Port> ports) throws ConfigException
    {
        final List<PortSpec> specs = new ArrayList<>();
        final Set<String> names = new HashSet<>();
        final Set<String> interfaceKeys = new HashSet<>();
        int providers = 0;
        for (int i = 0; i < ports.size(); i++)
        {
            final String at = "ports[" + i + "]";
            final Port port = element(ports.get(i), at);
            final String name = required(port.name(), at + ".name");
            if (!names.add(name))
            {
                throw bad(at + ".name", name, "is used by another port");
            }
            final String interfaceName = port.interfaceName() == null ? name : port.interfaceName().trim();
            final String interfaceField = port.interfaceName() == null ? at + ".name" : at + ".interface";
            if (interfaceName.length() > MAX_INTERFACE_NAME_LENGTH || !interfaceName.matches("[A-Za-z0-9_.@:-]+"))
            {
                throw bad(interfaceField, interfaceName, "is not a Linux interface name (1-15 characters, no spaces or '/')");
            }
            final String namespace = port.namespace() == null ? null : port.namespace().trim();
            if (namespace != null && !namespace.matches("[A-Za-z0-9_.-]{1,64}"))
            {
                throw bad(at + ".namespace", namespace, "is not a network namespace name (as in ip netns list)");
            }
            if (!interfaceKeys.add(namespace + "/" + interfaceName))
            {
                throw bad(interfaceField, interfaceName, "is used by another port" + (namespace == null ? "" : " in namespace " + namespace));
            }
            final PortType type = port.type() == null ?
                PortType.AFPACKET : enumValue(PortType.class, port.type(), at + ".type");
            final PortRole role = enumValue(PortRole.class, required(port.role(), at + ".role"), at + ".role");
            String availabilityZone = null;
            final List<Ipv4.Cidr> addresses = new ArrayList<>();
            int gateway = 0;
            if (role == PortRole.CONSUMER)
            {
                availabilityZone = availabilityZone(region, port.availabilityZone(), at + ".availabilityZone");
                if (port.addresses() != null && !port.addresses().isEmpty())
                {
                    throw bad(at + ".addresses", port.addresses(), "is for provider ports; a consumer port owns its subnets' ENI addresses");
                }
            }
            else
            {
                providers++;
                final List<String> texts = list(port.addresses(), at + ".addresses");
                if (texts.size() > NatPortAllocator.MAX_NAT_ADDRESSES)
                {
                    throw bad(at + ".addresses", texts.size() + " addresses",
                        "are more than the " + NatPortAllocator.MAX_NAT_ADDRESSES + " NAT can use");
                }
                for (int a = 0; a < texts.size(); a++)
                {
                    addresses.add(cidr(texts.get(a), at + ".addresses[" + a + "]"));
                }
                if (port.gateway() != null)
                {
                    gateway = address(port.gateway(), at + ".gateway");
                    final int gw = gateway;
                    if (addresses.stream().noneMatch(c -> c.contains(gw)))
                    {
                        throw bad(at + ".gateway", port.gateway(), "is not on the port's networks " + addresses);
                    }
                }
            }
            specs.add(new PortSpec(name, interfaceName, namespace, type, role, availabilityZone, List.copyOf(addresses), gateway,
                Boolean.TRUE.equals(port.qdiscBypass())));
        }
        if (providers != 1)
        {
            // One provider port keeps next-hop choice trivial; several are a later issue's work.
            throw new ConfigException("ports: exactly one port must have role provider, found " + providers);
        }
        return List.copyOf(specs);
    }

    private static List<VpcSpec> vpcs(final List<Vpc> vpcs) throws ConfigException
    {
        final List<VpcSpec> specs = new ArrayList<>();
        final Set<String> ids = new HashSet<>();
        for (int i = 0; i < vpcs.size(); i++)
        {
            final String at = "vpcs[" + i + "]";
            final Vpc vpc = element(vpcs.get(i), at);
            final String id = id(vpc.id(), VPC_ID, at + ".id", "vpc-0123456789abcdef0");
            if (!ids.add(id))
            {
                throw bad(at + ".id", id, "is used by another VPC");
            }
            final Ipv4.Cidr cidr = cidr(vpc.cidr(), at + ".cidr");
            if (cidr.prefixLength() < 16 || cidr.prefixLength() > 28 || cidr.address() != cidr.network())
            {
                throw bad(at + ".cidr", vpc.cidr(), "must be a network address with a prefix of /16 to /28");
            }
            specs.add(new VpcSpec(id, cidr,
                vpc.enableDnsSupport() == null || vpc.enableDnsSupport(),
                vpc.enableDnsHostnames() != null && vpc.enableDnsHostnames(),
                AccessRulesValidator.defaultNetworkAclId(id), AccessRulesValidator.defaultSecurityGroupId(id)));
        }
        return List.copyOf(specs);
    }

    private static List<SubnetSpec> subnets(
        final String region,
        final List<Subnet> subnets,
        final List<VpcSpec> vpcs,
        final List<PortSpec> ports,
        final List<NetworkAclSpec> networkAcls)
        throws ConfigException
    {
        final List<SubnetSpec> specs = new ArrayList<>();
        final Set<String> ids = new HashSet<>();
        for (int i = 0; i < subnets.size(); i++)
        {
            final String at = "subnets[" + i + "]";
            final Subnet subnet = element(subnets.get(i), at);
            final String id = id(subnet.id(), SUBNET_ID, at + ".id", "subnet-0123456789abcdef0");
            if (!ids.add(id))
            {
                throw bad(at + ".id", id, "is used by another subnet");
            }
            final String vpcId = required(subnet.vpc(), at + ".vpc");
            final VpcSpec vpc = vpcs.stream().filter(v -> v.id().equals(vpcId)).findFirst()
                .orElseThrow(() -> bad(at + ".vpc", vpcId, "names no VPC in vpcs"));
            final String availabilityZone = availabilityZone(region, subnet.availabilityZone(), at + ".availabilityZone");
            final Ipv4.Cidr cidr = cidr(subnet.cidr(), at + ".cidr");
            if (cidr.prefixLength() < 16 || cidr.prefixLength() > 28 || cidr.address() != cidr.network())
            {
                throw bad(at + ".cidr", subnet.cidr(), "must be a network address with a prefix of /16 to /28");
            }
            if (!vpc.cidr().contains(cidr))
            {
                throw bad(at + ".cidr", subnet.cidr(), "is not inside VPC " + vpcId + " (" + vpc.cidr() + ")");
            }
            for (final SubnetSpec other : specs)
            {
                if (other.vpcId().equals(vpcId) && other.cidr().overlaps(cidr))
                {
                    throw bad(at + ".cidr", subnet.cidr(), "overlaps subnet " + other.id() + " (" + other.cidr() + ")");
                }
            }
            final String portName = required(subnet.port(), at + ".port");
            final PortSpec port = ports.stream().filter(p -> p.name().equals(portName)).findFirst()
                .orElseThrow(() -> bad(at + ".port", portName, "names no port in ports"));
            if (port.role() != PortRole.CONSUMER)
            {
                throw bad(at + ".port", portName, "is not a consumer port");
            }
            if (!port.availabilityZone().equals(availabilityZone))
            {
                throw bad(at + ".port", portName, "is in " + port.availabilityZone() + ", the subnet in " + availabilityZone);
            }
            String networkAclId = vpc.defaultNetworkAclId();
            if (subnet.networkAcl() != null)
            {
                networkAclId = subnet.networkAcl().trim();
                final String aclId = networkAclId;
                final NetworkAclSpec acl = networkAcls.stream().filter(a -> a.id().equals(aclId)).findFirst()
                    .orElseThrow(() -> bad(at + ".networkAcl", aclId, "names no network ACL"));
                if (!acl.vpcId().equals(vpcId))
                {
                    throw bad(at + ".networkAcl", aclId, "is in " + acl.vpcId() + ", not in the subnet's VPC " + vpcId);
                }
            }
            specs.add(new SubnetSpec(id, vpcId, availabilityZone, cidr, portName, networkAclId));
        }
        return List.copyOf(specs);
    }

    private static List<ServiceSpec> services(final String region, final List<Service> services, final List<PortSpec> ports)
        throws ConfigException
    {
        final List<ServiceSpec> specs = new ArrayList<>();
        final Set<String> names = new HashSet<>();
        final PortSpec provider = ports.stream().filter(p -> p.role() == PortRole.PROVIDER).findFirst().orElseThrow();
        for (int i = 0; i < services.size(); i++)
        {
            final String at = "services[" + i + "]";
            final Service service = element(services.get(i), at);
            final String name = required(service.serviceName(), at + ".serviceName");
            if (!SERVICE_NAME.matcher(name).matches())
            {
                throw bad(at + ".serviceName", name, "is not a service name like com.amazonaws.vpce." + region + ".vpce-svc-0123456789abcdef0");
            }
            if (!names.add(name))
            {
                throw bad(at + ".serviceName", name, "is used by another service");
            }
            final List<String> zones = new ArrayList<>();
            final List<String> zoneTexts = list(service.availabilityZones(), at + ".availabilityZones");
            for (int z = 0; z < zoneTexts.size(); z++)
            {
                zones.add(availabilityZone(region, zoneTexts.get(z), at + ".availabilityZones[" + z + "]"));
            }
            final List<ListenerSpec> listeners = new ArrayList<>();
            final List<Listener> listenerConfigs = list(service.listeners(), at + ".listeners");
            final Set<Integer> listenerPorts = new HashSet<>();
            for (int l = 0; l < listenerConfigs.size(); l++)
            {
                final String lat = at + ".listeners[" + l + "]";
                final Listener listener = element(listenerConfigs.get(l), lat);
                final int port = tcpPort(listener.port(), lat + ".port");
                final int targetPort = listener.targetPort() == null ? port : tcpPort(listener.targetPort(), lat + ".targetPort");
                if (!listenerPorts.add(port))
                {
                    throw bad(lat + ".port", port, "is offered twice");
                }
                listeners.add(new ListenerSpec(port, targetPort));
            }
            final List<Integer> targets = new ArrayList<>();
            final List<String> targetTexts = list(service.targets(), at + ".targets");
            for (int t = 0; t < targetTexts.size(); t++)
            {
                final String tat = at + ".targets[" + t + "]";
                final int target = address(targetTexts.get(t), tat);
                if (provider.gateway() == 0 && provider.addresses().stream().noneMatch(c -> c.contains(target)))
                {
                    throw bad(tat, targetTexts.get(t), "is not on the provider port's networks " + provider.addresses() + " and the port has no gateway");
                }
                targets.add(target);
            }
            String privateDnsName = null;
            if (service.privateDnsName() != null)
            {
                privateDnsName = service.privateDnsName().trim();
                if (!DNS_NAME.matcher(privateDnsName).matches())
                {
                    throw bad(at + ".privateDnsName", privateDnsName, "is not a lower-case DNS name such as api.example.com");
                }
            }
            specs.add(new ServiceSpec(name, List.copyOf(zones), Boolean.TRUE.equals(service.acceptanceRequired()),
                privateDnsName, List.copyOf(listeners), List.copyOf(targets)));
        }
        return List.copyOf(specs);
    }

    private static List<EndpointSpec> endpoints(
        final List<Endpoint> endpoints,
        final List<VpcSpec> vpcs,
        final List<SubnetSpec> subnets,
        final List<ServiceSpec> services,
        final List<SecurityGroupSpec> groups,
        final int groupsPerEni,
        final FlowTimeouts defaultTimeouts)
        throws ConfigException
    {
        final List<EndpointSpec> specs = new ArrayList<>();
        final Set<FlowTimeouts> distinctTimeouts = new HashSet<>(Set.of(defaultTimeouts));
        final Set<String> ids = new HashSet<>();
        final Map<Integer, String> eniOwners = new HashMap<>();
        final List<int[]> pendingAllocations = new ArrayList<>();
        for (int i = 0; i < endpoints.size(); i++)
        {
            final String at = "endpoints[" + i + "]";
            final Endpoint endpoint = element(endpoints.get(i), at);
            final String id = id(endpoint.id(), ENDPOINT_ID, at + ".id", "vpce-0123456789abcdef0");
            if (!ids.add(id))
            {
                throw bad(at + ".id", id, "is used by another endpoint");
            }
            final String vpcId = required(endpoint.vpc(), at + ".vpc");
            if (vpcs.stream().noneMatch(v -> v.id().equals(vpcId)))
            {
                throw bad(at + ".vpc", vpcId, "names no VPC in vpcs");
            }
            final String serviceName = required(endpoint.serviceName(), at + ".serviceName");
            final ServiceSpec service = services.stream().filter(s -> s.serviceName().equals(serviceName)).findFirst()
                .orElseThrow(() -> bad(at + ".serviceName", serviceName, "names no service in services"));
            final List<EniSpec> enis = new ArrayList<>();
            final Set<String> zones = new HashSet<>();
            final List<EndpointSubnet> endpointSubnets = list(endpoint.subnets(), at + ".subnets");
            for (int s = 0; s < endpointSubnets.size(); s++)
            {
                final String sat = at + ".subnets[" + s + "]";
                final EndpointSubnet endpointSubnet = element(endpointSubnets.get(s), sat);
                final String subnetId = required(endpointSubnet.subnet(), sat + ".subnet");
                final SubnetSpec subnet = subnets.stream().filter(n -> n.id().equals(subnetId)).findFirst()
                    .orElseThrow(() -> bad(sat + ".subnet", subnetId, "names no subnet in subnets"));
                if (!subnet.vpcId().equals(vpcId))
                {
                    throw bad(sat + ".subnet", subnetId, "is in " + subnet.vpcId() + ", not in the endpoint's VPC " + vpcId);
                }
                if (!zones.add(subnet.availabilityZone()))
                {
                    // EC2: DuplicateSubnetsInSameZone.
                    throw bad(sat + ".subnet", subnetId, "is a second subnet in " + subnet.availabilityZone() + "; an endpoint has one subnet per Availability Zone");
                }
                if (!service.availabilityZones().contains(subnet.availabilityZone()))
                {
                    throw bad(sat + ".subnet", subnetId, "is in " + subnet.availabilityZone() + ", where " + serviceName + " is not offered " + service.availabilityZones());
                }
                int address = 0;
                if (endpointSubnet.eniAddress() != null)
                {
                    address = address(endpointSubnet.eniAddress(), sat + ".eniAddress");
                    if (!subnet.cidr().contains(address))
                    {
                        throw bad(sat + ".eniAddress", endpointSubnet.eniAddress(), "is not in subnet " + subnetId + " (" + subnet.cidr() + ")");
                    }
                    if (isReserved(subnet.cidr(), address))
                    {
                        throw bad(sat + ".eniAddress", endpointSubnet.eniAddress(), "is one of the five addresses AWS reserves in " + subnet.cidr());
                    }
                    final String owner = eniOwners.putIfAbsent(address, id);
                    if (owner != null)
                    {
                        throw bad(sat + ".eniAddress", endpointSubnet.eniAddress(), "is already the ENI address of " + owner);
                    }
                }
                else
                {
                    pendingAllocations.add(new int[] {specs.size(), enis.size()});
                }
                enis.add(new EniSpec(subnetId, subnet.availabilityZone(), address, subnet.portName()));
            }
            final List<String> groupIds = AccessRulesValidator.endpointGroups(
                endpoint.securityGroups(), vpcId, vpcs, groups, groupsPerEni, at + ".securityGroups");
            final FlowTimeouts idleTimeouts = idleTimeouts(endpoint.idleTimeouts(), defaultTimeouts, at + ".idleTimeouts");
            if (distinctTimeouts.add(idleTimeouts) && distinctTimeouts.size() > FlowTable.MAX_TIMEOUT_PROFILES)
            {
                throw bad(at + ".idleTimeouts", endpoint.idleTimeouts(), "is one distinct set too many: the flow table holds " +
                    FlowTable.MAX_TIMEOUT_PROFILES + ", the datapath's default included");
            }
            specs.add(new EndpointSpec(id, vpcId, serviceName, enis, groupIds, idleTimeouts));
        }
        // Addresses left unset are allocated after all explicit ones are known, as EC2 would.
        for (final int[] pending : pendingAllocations)
        {
            final EndpointSpec endpoint = specs.get(pending[0]);
            final EniSpec eni = endpoint.enis().get(pending[1]);
            final SubnetSpec subnet = subnets.stream().filter(n -> n.id().equals(eni.subnetId())).findFirst().orElseThrow();
            final int address = allocate(subnet.cidr(), eniOwners, endpoint.id());
            if (address == 0)
            {
                throw new ConfigException("endpoints: subnet " + subnet.id() + " has no free address for an ENI of " + endpoint.id());
            }
            final List<EniSpec> enis = new ArrayList<>(endpoint.enis());
            enis.set(pending[1], new EniSpec(eni.subnetId(), eni.availabilityZone(), address, eni.portName()));
            specs.set(pending[0], new EndpointSpec(
                endpoint.id(), endpoint.vpcId(), endpoint.serviceName(), List.copyOf(enis), endpoint.securityGroupIds(),
                endpoint.idleTimeouts()));
        }
        return List.copyOf(specs);
    }

    private static ApplianceModel.ManagementApiSpec managementApi(final ApplianceConfig.ManagementApi api, final List<PortSpec> ports)
        throws ConfigException
    {
        if (api == null)
        {
            return null;
        }
        final String listen = api.listen() == null ? ApplianceModel.ManagementApiSpec.DEFAULT_LISTEN : api.listen().trim();
        final int colon = listen.lastIndexOf(':');
        if (colon <= 0 || !listen.substring(colon + 1).matches("\\d{1,5}") || Integer.parseInt(listen.substring(colon + 1)) > 65535)
        {
            throw bad("managementApi.listen", listen, "is not address:port");
        }
        final java.net.InetSocketAddress address = new java.net.InetSocketAddress(
            Ipv4.format(address(listen.substring(0, colon), "managementApi.listen")), Integer.parseInt(listen.substring(colon + 1)));

        final List<vpce.mgmt.auth.AccessKey> keys = new ArrayList<>();
        final Set<String> keyIds = new HashSet<>();
        final List<ApplianceConfig.AccessKey> configured = orEmpty(api.accessKeys());
        for (int k = 0; k < configured.size(); k++)
        {
            final String at = "managementApi.accessKeys[" + k + "]";
            final ApplianceConfig.AccessKey key = element(configured.get(k), at);
            final String keyId = required(key.accessKeyId(), at + ".accessKeyId");
            if (!keyId.matches("[A-Za-z0-9._-]{1,128}"))
            {
                throw bad(at + ".accessKeyId", keyId, "must be 1-128 of [A-Za-z0-9._-]");
            }
            if (!keyIds.add(keyId))
            {
                throw bad(at + ".accessKeyId", keyId, "is used by another access key");
            }
            // The secret is never echoed: the message names the field and the key only.
            if (key.secretAccessKey() == null || key.secretAccessKey().isBlank() || key.secretAccessKey().length() > 256)
            {
                throw new ConfigException(at + ".secretAccessKey: of " + keyId + " must be 1-256 characters");
            }
            final List<String> actions = list(key.allowedActions(), at + ".allowedActions");
            for (int a = 0; a < actions.size(); a++)
            {
                final String action = required(actions.get(a), at + ".allowedActions[" + a + "]");
                if (!action.matches("\\*|[A-Za-z0-9-]+:[A-Za-z0-9*?]+"))
                {
                    throw bad(at + ".allowedActions[" + a + "]", action, "is not an IAM action pattern such as ec2:DescribeVpcEndpoints, ec2:Describe* or ec2:*");
                }
            }
            if (key.sessionToken() != null && (key.sessionToken().isEmpty() || key.sessionToken().length() > 4096))
            {
                throw new ConfigException(at + ".sessionToken: of " + keyId + " must be 1-4096 characters when given");
            }
            final String accountId = key.accountId() == null ? null : key.accountId().trim();
            if (accountId != null && !accountId.matches("\\d{12}"))
            {
                throw bad(at + ".accountId", accountId, "is not a 12-digit AWS account id");
            }
            try
            {
                keys.add(new vpce.mgmt.auth.AccessKey(keyId, key.secretAccessKey(), actions.stream().map(String::trim).toList(),
                    key.sessionToken(), accountId));
            }
            catch (final IllegalArgumentException ex)
            {
                throw new ConfigException(at + ": " + ex.getMessage());
            }
        }
        final String ownerId = api.ownerId() == null ? ApplianceModel.ManagementApiSpec.DEFAULT_OWNER_ID : api.ownerId().trim();
        if (!ownerId.matches("\\d{12}"))
        {
            throw bad("managementApi.ownerId", ownerId, "is not a 12-digit AWS account id");
        }
        final int endpointsPerVpc = api.endpointsPerVpc() == null ?
            ApplianceModel.ManagementApiSpec.DEFAULT_ENDPOINTS_PER_VPC : api.endpointsPerVpc();
        if (endpointsPerVpc < 1 || endpointsPerVpc > MAX_ENDPOINTS_PER_VPC)
        {
            throw bad("managementApi.endpointsPerVpc", endpointsPerVpc, "must be 1.." + MAX_ENDPOINTS_PER_VPC);
        }
        final List<vpce.mgmt.rest.BearerToken> tokens = new ArrayList<>();
        final List<ApplianceConfig.BearerToken> configuredTokens = orEmpty(api.bearerTokens());
        for (int t = 0; t < configuredTokens.size(); t++)
        {
            final String at = "managementApi.bearerTokens[" + t + "]";
            final ApplianceConfig.BearerToken token = element(configuredTokens.get(t), at);
            final List<String> actions = list(token.allowedActions(), at + ".allowedActions");
            try
            {
                // The token is never echoed: BearerToken's messages name the rule only.
                tokens.add(new vpce.mgmt.rest.BearerToken(required(token.token(), at + ".token"),
                    actions.stream().map(action -> action == null ? null : action.trim()).toList()));
            }
            catch (final IllegalArgumentException | NullPointerException ex)
            {
                throw new ConfigException(at + ": " + ex.getMessage());
            }
            if (tokens.stream().filter(other -> other.token().equals(tokens.getLast().token())).count() > 1)
            {
                throw new ConfigException(at + ".token: is the same as another token's");
            }
        }
        if ((!keys.isEmpty() || !tokens.isEmpty()) && ports.stream().noneMatch(p -> p.role() == PortRole.CONSUMER))
        {
            throw new ConfigException("managementApi.accessKeys: the EC2 API needs a consumer port (its availability zones)");
        }
        final List<vpce.mgmt.notify.SnsSubscriber> subscribers = new ArrayList<>();
        final List<ApplianceConfig.NotificationSubscriber> configuredSubscribers =
            orEmpty(api.notificationSubscribers());
        if (!configuredSubscribers.isEmpty() && keys.isEmpty() && tokens.isEmpty())
        {
            throw new ConfigException("managementApi.notificationSubscribers: connection notifications come from the EC2 API, " +
                "which needs accessKeys or bearerTokens");
        }
        for (int i = 0; i < configuredSubscribers.size(); i++)
        {
            final String at = "managementApi.notificationSubscribers[" + i + "]";
            final ApplianceConfig.NotificationSubscriber subscriber = element(configuredSubscribers.get(i), at);
            final String topicArn = required(subscriber.topicArn(), at + ".topicArn").trim();
            final String refusal = vpce.mgmt.notify.SnsSubscriber.topicArnRefusal(topicArn);
            if (refusal != null)
            {
                throw bad(at + ".topicArn", topicArn, refusal);
            }
            final String endpoint = required(subscriber.endpoint(), at + ".endpoint").trim();
            try
            {
                final vpce.mgmt.notify.SnsSubscriber parsed = vpce.mgmt.notify.SnsSubscriber.of(topicArn, endpoint);
                if (subscribers.stream().anyMatch(s -> s.topicArn().equals(topicArn) && s.endpoint().equals(parsed.endpoint())))
                {
                    throw bad(at + ".endpoint", endpoint, "is already subscribed to " + topicArn);
                }
                subscribers.add(parsed);
            }
            catch (final IllegalArgumentException ex)
            {
                throw bad(at + ".endpoint", endpoint, ex.getMessage());
            }
        }
        return new ApplianceModel.ManagementApiSpec(address, List.copyOf(keys), ownerId, endpointsPerVpc,
            List.copyOf(subscribers), List.copyOf(tokens));
    }

    /**
     * The management API gives what it creates ids of 17 hex digits; with it on, the file's VPCs, subnets, endpoints,
     * security groups and network ACLs take 8 to 16, so no id can name one of each (the datapath holds both).
     */
    private static void requireIdsApartFromTheApi(final ApplianceConfig config) throws ConfigException
    {
        final String why = "has 17 hex digits, which the management API keeps for what it creates: use 8-16 in the file";
        final List<Vpc> vpcs = orEmpty(config.vpcs());
        for (int i = 0; i < vpcs.size(); i++)
        {
            requireShortId(vpcs.get(i).id(), "vpcs[" + i + "].id", why);
        }
        final List<Subnet> subnets = orEmpty(config.subnets());
        for (int i = 0; i < subnets.size(); i++)
        {
            requireShortId(subnets.get(i).id(), "subnets[" + i + "].id", why);
        }
        final List<Endpoint> endpoints = orEmpty(config.endpoints());
        for (int i = 0; i < endpoints.size(); i++)
        {
            requireShortId(endpoints.get(i).id(), "endpoints[" + i + "].id", why);
        }
        final List<ApplianceConfig.SecurityGroup> groups = orEmpty(config.securityGroups());
        for (int i = 0; i < groups.size(); i++)
        {
            requireShortId(groups.get(i).id(), "securityGroups[" + i + "].id", why);
        }
        final List<ApplianceConfig.NetworkAcl> acls = orEmpty(config.networkAcls());
        for (int i = 0; i < acls.size(); i++)
        {
            requireShortId(acls.get(i).id(), "networkAcls[" + i + "].id", why);
        }
    }

    private static void requireShortId(final String id, final String at, final String why) throws ConfigException
    {
        if (id != null && id.trim().length() - id.trim().indexOf('-') - 1 >= API_ID_HEX_DIGITS)
        {
            throw bad(at, id.trim(), why);
        }
    }

    private static ApplianceModel.FlowLogsSpec flowLogs(
        final ApplianceConfig.FlowLogs flowLogs, final List<SubnetSpec> subnets, final List<EndpointSpec> endpoints)
        throws ConfigException
    {
        if (flowLogs == null)
        {
            return null;
        }
        final String file = required(flowLogs.file(), "flowLogs.file");
        final String accountId = flowLogs.accountId() == null ? "123456789012" : flowLogs.accountId().trim();
        if (!accountId.matches("\\d{12}"))
        {
            throw bad("flowLogs.accountId", accountId, "is not a 12-digit AWS account id");
        }
        final int seconds = flowLogs.aggregationIntervalSeconds() == null ? 60 : flowLogs.aggregationIntervalSeconds();
        if (seconds != 60 && seconds != 600)
        {
            throw bad("flowLogs.aggregationIntervalSeconds", seconds, "must be 60 or 600, as AWS allows");
        }
        final List<String> subnetIds = orEmpty(flowLogs.subnets());
        for (int i = 0; i < subnetIds.size(); i++)
        {
            final String id = subnetIds.get(i);
            if (subnets.stream().noneMatch(n -> n.id().equals(id)))
            {
                throw bad("flowLogs.subnets[" + i + "]", id, "names no subnet in subnets");
            }
        }
        final List<String> endpointIds = orEmpty(flowLogs.endpoints());
        for (int i = 0; i < endpointIds.size(); i++)
        {
            final String id = endpointIds.get(i);
            if (endpoints.stream().noneMatch(e -> e.id().equals(id)))
            {
                throw bad("flowLogs.endpoints[" + i + "]", id, "names no endpoint in endpoints");
            }
        }
        final long enis = endpoints.stream().mapToLong(e -> e.enis().size()).sum();
        if (enis > MAX_FLOW_LOGGED_ENIS)
        {
            throw new ConfigException("flowLogs: " + enis + " ENIs; flow logs follow at most " + MAX_FLOW_LOGGED_ENIS);
        }
        final List<String> eniIds = orEmpty(flowLogs.networkInterfaces());
        for (int i = 0; i < eniIds.size(); i++)
        {
            final String id = eniIds.get(i);
            if (endpoints.stream().noneMatch(e -> e.enis().stream().anyMatch(n -> n.id(e.id()).equals(id))))
            {
                throw bad("flowLogs.networkInterfaces[" + i + "]", id, "names no ENI of the endpoints (see vpce check-config)");
            }
        }
        return new ApplianceModel.FlowLogsSpec(Path.of(file), accountId, seconds * 1_000_000_000L,
            List.copyOf(subnetIds), List.copyOf(endpointIds), List.copyOf(eniIds));
    }

    /** AWS reserves the network address, +1 (router), +2 (DNS), +3 (future use) and the broadcast address. */
    static boolean isReserved(final Ipv4.Cidr subnet, final int address)
    {
        final int offset = address - subnet.network();
        return offset >= 0 && offset <= 3 || address == subnet.broadcast();
    }

    private static int allocate(final Ipv4.Cidr subnet, final Map<Integer, String> owners, final String endpointId)
    {
        for (int address = subnet.network() + 4; address != subnet.broadcast(); address++)
        {
            if (owners.putIfAbsent(address, endpointId) == null)
            {
                return address;
            }
        }
        return 0;
    }

    /** Shared with {@link AccessRulesValidator}: one wording for every field error. */
    static <T> T element(final T value, final String at) throws ConfigException
    {
        if (value == null)
        {
            throw new ConfigException(at + ": is empty");
        }
        return value;
    }

    /** Shared with {@link AccessRulesValidator}: one wording for every field error. */
    static String required(final String value, final String at) throws ConfigException
    {
        if (value == null || value.isBlank())
        {
            throw new ConfigException(at + ": is required");
        }
        return value.trim();
    }

    private static <T> List<T> list(final List<T> values, final String at) throws ConfigException
    {
        if (values == null || values.isEmpty())
        {
            throw new ConfigException(at + ": needs at least one entry");
        }
        return values;
    }

    private static <T> List<T> orEmpty(final List<T> values)
    {
        return values == null ? List.of() : values;
    }

    /** Shared with {@link AccessRulesValidator}: one wording for every field error. */
    static String id(final String value, final Pattern pattern, final String at, final String example)
        throws ConfigException
    {
        final String id = required(value, at);
        if (!pattern.matcher(id).matches())
        {
            throw bad(at, id, "is not an id like " + example);
        }
        return id;
    }

    private static String availabilityZone(final String region, final String value, final String at) throws ConfigException
    {
        final String zone = required(value, at);
        if (!zone.startsWith(region) || zone.length() != region.length() + 1 || !Character.isLowerCase(zone.charAt(region.length())))
        {
            throw bad(at, zone, "is not an Availability Zone of " + region + " (like " + region + "a)");
        }
        return zone;
    }

    private static int tcpPort(final Integer value, final String at) throws ConfigException
    {
        if (value == null)
        {
            throw new ConfigException(at + ": is required");
        }
        if (value < 1 || value > 65535)
        {
            throw bad(at, value, "is not a TCP port (1-65535)");
        }
        return value;
    }

    /** Shared with {@link AccessRulesValidator}: one wording for every field error. */
    static int address(final String text, final String at) throws ConfigException
    {
        try
        {
            return Ipv4.parseAddress(required(text, at));
        }
        catch (final IllegalArgumentException ex)
        {
            throw bad(at, text, "is not an IPv4 address");
        }
    }

    /** Shared with {@link AccessRulesValidator}: one wording for every field error. */
    static Ipv4.Cidr cidr(final String text, final String at) throws ConfigException
    {
        try
        {
            return Ipv4.Cidr.parse(required(text, at));
        }
        catch (final IllegalArgumentException ex)
        {
            throw bad(at, text, "is not an IPv4 CIDR block (a.b.c.d/n)");
        }
    }

    private static <E extends Enum<E>> E enumValue(final Class<E> type, final String text, final String at)
        throws ConfigException
    {
        try
        {
            return Enum.valueOf(type, text.trim().toUpperCase(Locale.ROOT));
        }
        catch (final IllegalArgumentException ex)
        {
            final StringBuilder allowed = new StringBuilder();
            for (final E constant : type.getEnumConstants())
            {
                allowed.append(allowed.isEmpty() ? "" : ", ").append(constant.name().toLowerCase(Locale.ROOT));
            }
            throw bad(at, text, "is not one of " + allowed);
        }
    }

    /** Shared with {@link AccessRulesValidator}: one wording for every field error. */
    static ConfigException bad(final String at, final Object value, final String reason)
    {
        return new ConfigException(at + ": '" + value + "' " + reason);
    }
}
