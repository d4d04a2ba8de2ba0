package vpce.mgmt.controlplane;

import vpce.mgmt.ApiException;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The PrivateLink actions (endpoints, service configurations, connections, notifications) and the lifecycle steps the
 * appliance drives, as transaction bodies: validate first, then write.
 */
final class EndpointRules
{
    private static final Pattern SNS_ARN = Pattern.compile("arn:aws:sns:([a-z0-9-]+):(\\d{12}):([A-Za-z0-9_-]{1,256})");
    private static final Pattern DNS_NAME =
        Pattern.compile("(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)+");

    private EndpointRules()
    {
    }

    // ---------------------------------------------------------------- consumer: endpoints

    static VpcEndpoint createVpcEndpoint(final Transaction tx, final CreateVpcEndpointRequest request)
    {
        final String type = request.vpcEndpointType();
        if (type != null && !type.equals("Interface"))
        {
            if (type.equals("Gateway") || type.equals("GatewayLoadBalancer"))
            {
                throw new ApiException("InvalidVpcEndpointType", "The Vpc Endpoint Service '" + request.serviceName() +
                    "' does not support endpoint type '" + type + "'");
            }
            throw Refusals.invalidValue("VpcEndpointType", type, "Expecting Interface.");
        }
        final Vpc vpc = Refusals.vpc(tx, request.vpcId());
        Refusals.required(request.serviceName(), "ServiceName");
        final ControlPlaneSettings settings = tx.settings();
        if (request.serviceRegion() != null && !request.serviceRegion().equals(settings.region()))
        {
            throw Refusals.invalidValue("ServiceRegion", request.serviceRegion(),
                "Endpoints reach services of " + settings.region() + " only.");
        }
        final String principal = request.principal() == null ? tx.callerPrincipal() : request.principal();
        final EndpointService service = tx.services().stream()
            .filter(candidate -> candidate.serviceName().equals(request.serviceName()) &&
                candidate.state() == ServiceState.AVAILABLE && tx.base().isVisibleTo(candidate, principal))
            .findFirst()
            .orElseThrow(() -> ControlPlaneState.invalidServiceName(request.serviceName()));
        Refusals.ipv4Only("IpAddressType", request.ipAddressType());
        dnsRecordIpType(request.dnsRecordIpType());
        if (request.policyDocument() != null)
        {
            throw Refusals.invalidParameter("The VPC endpoint service " + service.serviceName() +
                " does not support endpoint policies.");
        }
        if (!request.routeTableIds().isEmpty())
        {
            throw Refusals.invalidParameter("Route tables are for gateway endpoints, not Interface endpoints.");
        }
        final String fingerprint = fingerprint(request.withClientToken(null).withPrincipal(null));
        if (request.clientToken() != null)
        {
            for (final VpcEndpoint existing : tx.<VpcEndpoint>all(ResourceKind.VPC_ENDPOINT))
            {
                if (request.clientToken().equals(existing.clientToken()))
                {
                    if (!fingerprint.equals(existing.requestFingerprint()))
                    {
                        throw idempotentMismatch(request.clientToken());
                    }
                    return existing;
                }
            }
        }

        final List<Subnet> subnets = new ArrayList<>();
        for (final String subnetId : Refusals.distinctIds(ResourceKind.SUBNET, request.subnetIds()))
        {
            subnets.add(endpointSubnet(tx, vpc, service, subnetId));
        }
        requireOnePerZone(subnets);
        final List<String> groups = new ArrayList<>();
        for (final String groupId : distinctGroupIds(request.securityGroupIds()))
        {
            groups.add(endpointGroup(tx, vpc, groupId).groupId());
        }
        if (groups.isEmpty())
        {
            groups.add(vpc.defaultSecurityGroupId());
        }
        requireGroupLimit(settings, groups);
        final boolean privateDns = request.privateDnsEnabled() != null ? request.privateDnsEnabled() :
            service.privateDnsName() != null;
        if (privateDns)
        {
            requirePrivateDnsAllowed(tx, vpc, service, null);
        }
        final long inVpc = tx.<VpcEndpoint>all(ResourceKind.VPC_ENDPOINT).stream()
            .filter(endpoint -> endpoint.vpcId().equals(vpc.vpcId()) && endpoint.state() != EndpointState.DELETED)
            .count();
        if (inVpc >= settings.endpointsPerVpc())
        {
            throw new ApiException("VpcEndpointLimitExceeded", "The maximum number of VPC endpoints (" +
                settings.endpointsPerVpc() + ") for " + vpc.vpcId() + " has been reached.");
        }
        final Map<String, String> tags = Tags.validate(request.tags());

        final String endpointId = tx.newId(ResourceKind.VPC_ENDPOINT);
        final List<String> interfaceIds = new ArrayList<>();
        for (final Subnet subnet : subnets)
        {
            final NetworkInterface eni = newInterface(tx, endpointId, subnet, groups, service.ownerId());
            tx.put(eni);
            interfaceIds.add(eni.networkInterfaceId());
        }
        final String dnsLabel = endpointId + "-" + tx.newDnsLabel();
        final EndpointState state = service.acceptanceRequired() ? EndpointState.PENDING_ACCEPTANCE : EndpointState.PENDING;
        final VpcEndpoint endpoint = new VpcEndpoint(endpointId, vpc.vpcId(), service.serviceId(), service.serviceName(), state,
            tx.sequence(), tx.nowMs(), subnets.stream().map(Subnet::subnetId).toList(), groups, interfaceIds, privateDns,
            dnsLabel, dnsEntries(tx, vpc.vpcId(), service, dnsLabel, subnets.stream().map(Subnet::availabilityZone).toList(),
            privateDns), tx.caller(), request.clientToken(), fingerprint, tags, tx.nowMs());
        tx.put(endpoint);
        tx.event(ConnectionEventType.CONNECT, endpoint);
        if (!service.acceptanceRequired())
        {
            tx.event(ConnectionEventType.ACCEPT, endpoint);
        }
        return endpoint;
    }

    static void modifyVpcEndpoint(final Transaction tx, final ModifyVpcEndpointRequest request)
    {
        final VpcEndpoint endpoint = Refusals.require(tx, ResourceKind.VPC_ENDPOINT, request.vpcEndpointId(), "VpcEndpointId");
        if (endpoint.state() == EndpointState.DELETED)
        {
            throw ResourceKind.VPC_ENDPOINT.notFound(endpoint.vpcEndpointId());
        }
        if (endpoint.state() == EndpointState.DELETING)
        {
            throw new ApiException("IncorrectState", "The VPC endpoint " + endpoint.vpcEndpointId() + " is being deleted.");
        }
        Refusals.ipv4Only("IpAddressType", request.ipAddressType());
        dnsRecordIpType(request.dnsRecordIpType());
        if (request.policyDocument() != null)
        {
            throw Refusals.invalidParameter("Interface endpoints do not support endpoint policies.");
        }
        if (!request.addRouteTableIds().isEmpty() || !request.removeRouteTableIds().isEmpty())
        {
            throw Refusals.invalidParameter("Route tables are for gateway endpoints, not Interface endpoints.");
        }
        final EndpointService service = tx.service(endpoint.serviceId());
        if (service == null)
        {
            throw new ApiException("IncorrectState", "The service of " + endpoint.vpcEndpointId() + " no longer exists.");
        }
        final Vpc vpc = tx.vpc(endpoint.vpcId());

        final List<String> addSubnets = Refusals.distinctIds(ResourceKind.SUBNET, request.addSubnetIds());
        final List<String> removeSubnets = Refusals.distinctIds(ResourceKind.SUBNET, request.removeSubnetIds());
        requireDisjoint(addSubnets, removeSubnets, "AddSubnetId", "RemoveSubnetId");
        for (final String subnetId : removeSubnets)
        {
            if (!endpoint.subnetIds().contains(subnetId))
            {
                throw Refusals.invalidParameter("The subnet " + subnetId + " is not a subnet of " + endpoint.vpcEndpointId() + ".");
            }
        }
        final List<Subnet> subnets = new ArrayList<>();
        for (final String subnetId : endpoint.subnetIds())
        {
            if (!removeSubnets.contains(subnetId))
            {
                subnets.add(tx.subnet(subnetId));
            }
        }
        final List<Subnet> added = new ArrayList<>();
        for (final String subnetId : addSubnets)
        {
            added.add(endpointSubnet(tx, vpc, service, subnetId));
        }
        subnets.addAll(added);
        requireOnePerZone(subnets);

        final List<String> addGroups = distinctGroupIds(request.addSecurityGroupIds());
        final List<String> removeGroups = distinctGroupIds(request.removeSecurityGroupIds());
        requireDisjoint(addGroups, removeGroups, "AddSecurityGroupId", "RemoveSecurityGroupId");
        for (final String groupId : removeGroups)
        {
            if (!endpoint.securityGroupIds().contains(groupId))
            {
                throw Refusals.invalidParameter("The security group " + groupId + " is not associated with " +
                    endpoint.vpcEndpointId() + ".");
            }
        }
        final LinkedHashSet<String> groups = new LinkedHashSet<>(endpoint.securityGroupIds());
        groups.removeAll(removeGroups);
        for (final String groupId : addGroups)
        {
            groups.add(endpointGroup(tx, vpc, groupId).groupId());
        }
        if (groups.isEmpty())
        {
            throw Refusals.invalidParameter("An interface endpoint needs at least one security group.");
        }
        final List<String> groupList = List.copyOf(groups);
        requireGroupLimit(tx.settings(), groupList);

        final boolean privateDns = request.privateDnsEnabled() != null ? request.privateDnsEnabled() : endpoint.privateDnsEnabled();
        if (privateDns && !endpoint.privateDnsEnabled())
        {
            requirePrivateDnsAllowed(tx, vpc, service, endpoint.vpcEndpointId());
        }

        final List<String> interfaceIds = new ArrayList<>();
        for (final String interfaceId : endpoint.networkInterfaceIds())
        {
            final NetworkInterface eni = tx.networkInterface(interfaceId);
            if (removeSubnets.contains(eni.subnetId()))
            {
                tx.remove(ResourceKind.NETWORK_INTERFACE, interfaceId);
                continue;
            }
            if (!eni.securityGroupIds().equals(groupList))
            {
                tx.put(eni.withSecurityGroups(groupList));
            }
            interfaceIds.add(interfaceId);
        }
        for (final Subnet subnet : added)
        {
            final NetworkInterface eni = newInterface(tx, endpoint.vpcEndpointId(), subnet, groupList, service.ownerId());
            tx.put(eni);
            interfaceIds.add(eni.networkInterfaceId());
        }
        final VpcEndpoint modified = endpoint.withNetwork(subnets.stream().map(Subnet::subnetId).toList(), groupList,
            interfaceIds, privateDns, dnsEntries(tx, vpc.vpcId(), service, endpoint.dnsLabel(),
                subnets.stream().map(Subnet::availabilityZone).toList(), privateDns));
        if (!modified.equals(endpoint))
        {
            tx.put(modified);
        }
    }

    static List<UnsuccessfulItem> deleteVpcEndpoints(final Transaction tx, final List<String> ids)
    {
        Refusals.requireAny(ids, "VpcEndpointId");
        final List<UnsuccessfulItem> unsuccessful = new ArrayList<>();
        for (final String id : new LinkedHashSet<>(ids))
        {
            if (!Refusals.wellFormedOrUnsuccessful(ResourceKind.VPC_ENDPOINT, id, unsuccessful))
            {
                continue;
            }
            final VpcEndpoint endpoint = tx.vpcEndpoint(id);
            // Only the consumer deletes: to another account (the provider too) the endpoint does not exist.
            if (endpoint == null || endpoint.state() == EndpointState.DELETED || !Refusals.ownedByCaller(tx, endpoint))
            {
                unsuccessful.add(endpointNotFound(id));
                continue;
            }
            if (endpoint.state() == EndpointState.DELETING)
            {
                continue;
            }
            final VpcEndpoint deleting = endpoint.withState(EndpointState.DELETING, tx.sequence(), tx.nowMs());
            tx.put(deleting);
            tx.event(ConnectionEventType.DELETE, deleting);
        }
        return unsuccessful;
    }

    // ---------------------------------------------------------------- provider: connections

    static List<UnsuccessfulItem> acceptOrReject(final Transaction tx, final String serviceId, final List<String> ids,
        final boolean accept)
    {
        final EndpointService service = ownedService(tx, serviceId);
        Refusals.requireAny(ids, "VpcEndpointId");
        final List<UnsuccessfulItem> unsuccessful = new ArrayList<>();
        for (final String id : new LinkedHashSet<>(ids))
        {
            if (!Refusals.wellFormedOrUnsuccessful(ResourceKind.VPC_ENDPOINT, id, unsuccessful))
            {
                continue;
            }
            final VpcEndpoint endpoint = tx.vpcEndpoint(id);
            if (endpoint == null || !endpoint.serviceId().equals(service.serviceId()) ||
                endpoint.state() == EndpointState.DELETED)
            {
                unsuccessful.add(endpointNotFound(id));
                continue;
            }
            final EndpointState state = endpoint.state();
            if (accept && state != EndpointState.PENDING_ACCEPTANCE)
            {
                unsuccessful.add(wrongState(endpoint, "pendingAcceptance"));
            }
            else if (!accept && state == EndpointState.REJECTED)
            {
                continue;
            }
            else if (!accept && !state.isConnected())
            {
                unsuccessful.add(wrongState(endpoint, "pendingAcceptance, pending or available"));
            }
            else
            {
                final VpcEndpoint changed = endpoint.withState(accept ? EndpointState.PENDING : EndpointState.REJECTED,
                    tx.sequence(), tx.nowMs());
                tx.put(changed);
                tx.event(accept ? ConnectionEventType.ACCEPT : ConnectionEventType.REJECT, changed);
            }
        }
        return unsuccessful;
    }

    private static UnsuccessfulItem wrongState(final VpcEndpoint endpoint, final String expected)
    {
        return new UnsuccessfulItem(endpoint.vpcEndpointId(), "InvalidState", "The VPC endpoint " +
            endpoint.vpcEndpointId() + " is " + endpoint.state().wireName() + ", not " + expected + ".");
    }

    private static UnsuccessfulItem endpointNotFound(final String id)
    {
        return new UnsuccessfulItem(id, "InvalidVpcEndpoint.NotFound", "The VPC endpoint '" + id + "' does not exist");
    }

    // ---------------------------------------------------------------- provider: service configurations

    static EndpointService createServiceConfiguration(final Transaction tx, final CreateServiceConfigurationRequest request)
    {
        if (!request.gatewayLoadBalancerArns().isEmpty())
        {
            throw Refusals.invalidParameter("Gateway Load Balancer endpoint services are not supported.");
        }
        if (request.networkLoadBalancerArns().isEmpty())
        {
            throw Refusals.missing("NetworkLoadBalancerArn");
        }
        for (final String type : request.supportedIpAddressTypes())
        {
            Refusals.ipv4Only("SupportedIpAddressType", type);
        }
        final List<String> arns = List.copyOf(new LinkedHashSet<>(request.networkLoadBalancerArns()));
        final List<String> zones = zonesOf(tx, arns);
        if (request.privateDnsName() != null)
        {
            privateDnsName(request.privateDnsName());
        }
        final String fingerprint = fingerprint(new CreateServiceConfigurationRequest(request.acceptanceRequired(),
            request.privateDnsName(), request.networkLoadBalancerArns(), request.gatewayLoadBalancerArns(),
            request.supportedIpAddressTypes(), null, request.tags()));
        if (request.clientToken() != null)
        {
            for (final EndpointService existing : tx.<EndpointService>all(ResourceKind.ENDPOINT_SERVICE))
            {
                if (request.clientToken().equals(existing.clientToken()))
                {
                    if (!fingerprint.equals(existing.requestFingerprint()))
                    {
                        throw idempotentMismatch(request.clientToken());
                    }
                    return existing;
                }
            }
        }
        final Map<String, String> tags = Tags.validate(request.tags());
        final String region = tx.settings().region();
        final String serviceId = tx.newId(ResourceKind.ENDPOINT_SERVICE);
        final String serviceName = "com.amazonaws.vpce." + region + "." + serviceId;
        final EndpointService service = new EndpointService(serviceId, serviceName, tx.caller(), ServiceOrigin.API,
            ServiceState.AVAILABLE, request.acceptanceRequired() == null || request.acceptanceRequired(),
            request.privateDnsName(), DnsNames.baseEndpointDnsName(serviceName, serviceId, region), zones, arns, List.of(),
            request.clientToken(), fingerprint, tags, tx.nowMs());
        tx.put(service);
        return service;
    }

    static void modifyServiceConfiguration(final Transaction tx, final ModifyServiceConfigurationRequest request)
    {
        final EndpointService service = ownedService(tx, request.serviceId());
        if (service.origin() == ServiceOrigin.CATALOG)
        {
            throw new ApiException("OperationNotPermitted", "The service " + service.serviceId() +
                " is defined in the appliance's configuration and cannot be changed through the API.");
        }
        final boolean removeName = Boolean.TRUE.equals(request.removePrivateDnsName());
        if (removeName && request.privateDnsName() != null)
        {
            throw new ApiException("InvalidParameterCombination", "PrivateDnsName and RemovePrivateDnsName exclude each other.");
        }
        if (!request.addGatewayLoadBalancerArns().isEmpty() || !request.removeGatewayLoadBalancerArns().isEmpty())
        {
            throw Refusals.invalidParameter("Gateway Load Balancer endpoint services are not supported.");
        }
        for (final String type : request.addSupportedIpAddressTypes())
        {
            Refusals.ipv4Only("AddSupportedIpAddressType", type);
        }
        if (!request.removeSupportedIpAddressTypes().isEmpty())
        {
            throw Refusals.invalidParameter("ipv4 is the only supported IP address type and cannot be removed.");
        }
        final LinkedHashSet<String> arns = new LinkedHashSet<>(service.networkLoadBalancerArns());
        for (final String arn : request.removeNetworkLoadBalancerArns())
        {
            if (!arns.remove(arn))
            {
                throw Refusals.invalidValue("RemoveNetworkLoadBalancerArn", arn, "The service does not use it.");
            }
        }
        arns.addAll(request.addNetworkLoadBalancerArns());
        if (arns.isEmpty())
        {
            throw Refusals.invalidParameter("A service needs at least one network load balancer.");
        }
        final List<String> arnList = List.copyOf(arns);
        final List<String> zones = zonesOf(tx, arnList);
        final List<VpcEndpoint> endpoints = tx.<VpcEndpoint>all(ResourceKind.VPC_ENDPOINT).stream()
            .filter(endpoint -> endpoint.serviceId().equals(service.serviceId()) && endpoint.state() != EndpointState.DELETED)
            .toList();
        for (final VpcEndpoint endpoint : endpoints)
        {
            for (final String subnetId : endpoint.subnetIds())
            {
                final String zone = tx.subnet(subnetId).availabilityZone();
                if (!zones.contains(zone))
                {
                    throw Refusals.invalidParameter("The endpoint " + endpoint.vpcEndpointId() + " has a subnet in " + zone +
                        ", which the service would no longer offer.");
                }
            }
        }
        final String name = removeName ? null : request.privateDnsName() != null ?
            privateDnsName(request.privateDnsName()) : service.privateDnsName();
        final boolean acceptance = request.acceptanceRequired() != null ? request.acceptanceRequired() : service.acceptanceRequired();
        final EndpointService modified = service.with(acceptance, name, arnList, zones);
        if (modified.equals(service))
        {
            return;
        }
        tx.put(modified);
        if (!Objects.equals(name, service.privateDnsName()))
        {
            for (final VpcEndpoint endpoint : endpoints)
            {
                if (!endpoint.privateDnsEnabled())
                {
                    continue;
                }
                if (name != null)
                {
                    requireNoPrivateNameConflict(tx, endpoint.vpcId(), name, endpoint.vpcEndpointId());
                }
                final List<String> endpointZones = endpoint.subnetIds().stream()
                    .map(subnetId -> tx.subnet(subnetId).availabilityZone()).toList();
                tx.put(endpoint.withNetwork(endpoint.subnetIds(), endpoint.securityGroupIds(), endpoint.networkInterfaceIds(),
                    name != null, dnsEntries(tx, endpoint.vpcId(), modified, endpoint.dnsLabel(), endpointZones, name != null)));
            }
        }
    }

    static List<UnsuccessfulItem> deleteServiceConfigurations(final Transaction tx, final List<String> ids)
    {
        Refusals.requireAny(ids, "ServiceId");
        final List<UnsuccessfulItem> unsuccessful = new ArrayList<>();
        for (final String id : new LinkedHashSet<>(ids))
        {
            if (!Refusals.wellFormedOrUnsuccessful(ResourceKind.ENDPOINT_SERVICE, id, unsuccessful))
            {
                continue;
            }
            final EndpointService service = tx.service(id);
            if (service == null || !service.ownerId().equals(tx.caller()))
            {
                unsuccessful.add(new UnsuccessfulItem(id, "InvalidVpcEndpointService.NotFound",
                    "The VPC endpoint service '" + id + "' does not exist"));
                continue;
            }
            if (service.origin() == ServiceOrigin.CATALOG)
            {
                unsuccessful.add(new UnsuccessfulItem(id, "OperationNotPermitted",
                    "The service is defined in the appliance's configuration and cannot be deleted through the API."));
                continue;
            }
            if (tx.<VpcEndpoint>all(ResourceKind.VPC_ENDPOINT).stream()
                .anyMatch(endpoint -> endpoint.serviceId().equals(id) && endpoint.state().isConnected()))
            {
                unsuccessful.add(new UnsuccessfulItem(id, "ExistingVpcEndpointConnections",
                    "Service has existing active VPC Endpoint connections"));
                continue;
            }
            for (final ConnectionNotification notification : List.copyOf(
                tx.<ConnectionNotification>all(ResourceKind.CONNECTION_NOTIFICATION)))
            {
                if (id.equals(notification.serviceId()))
                {
                    tx.remove(ResourceKind.CONNECTION_NOTIFICATION, notification.id());
                }
            }
            tx.remove(ResourceKind.ENDPOINT_SERVICE, id);
        }
        return unsuccessful;
    }

    /** @return the service this account provides with that id; anything else is InvalidVpcEndpointServiceId.NotFound. */
    private static EndpointService ownedService(final Transaction tx, final String serviceId)
    {
        Refusals.required(serviceId, "ServiceId");
        ResourceKind.ENDPOINT_SERVICE.requireWellFormed(serviceId);
        final EndpointService service = tx.service(serviceId);
        if (service == null || !service.ownerId().equals(tx.caller()))
        {
            throw ResourceKind.ENDPOINT_SERVICE.notFound(serviceId);
        }
        return service;
    }

    /** @return the zones the catalog services behind {@code arns} offer together, in the configured zones' order. */
    private static List<String> zonesOf(final Transaction tx, final List<String> arns)
    {
        final Set<String> zones = new HashSet<>();
        for (final String arn : arns)
        {
            final CatalogService target = tx.settings().catalog().stream()
                .filter(service -> service.loadBalancerArn().equals(arn)).findFirst()
                .orElseThrow(() -> Refusals.invalidValue("NetworkLoadBalancerArn", arn,
                    "It names no load balancer (target set) of this appliance."));
            zones.addAll(target.availabilityZones());
        }
        return tx.settings().availabilityZones().stream().map(AvailabilityZone::zoneName).filter(zones::contains).toList();
    }

    private static String privateDnsName(final String name)
    {
        if (!DNS_NAME.matcher(name).matches())
        {
            throw Refusals.invalidValue("PrivateDnsName", name, "Expecting a lower-case DNS name such as example.com.");
        }
        return name;
    }

    // ---------------------------------------------------------------- notifications

    static ConnectionNotification createNotification(final Transaction tx, final String serviceId, final String vpcEndpointId,
        final String topicArn, final List<String> events, final String clientToken)
    {
        final boolean forService = serviceId != null && !serviceId.isEmpty();
        final boolean forEndpoint = vpcEndpointId != null && !vpcEndpointId.isEmpty();
        if (forService && forEndpoint)
        {
            throw new ApiException("InvalidParameterCombination", "Give either ServiceId or VpcEndpointId, not both.");
        }
        if (!forService && !forEndpoint)
        {
            throw Refusals.missing("ServiceId or VpcEndpointId");
        }
        if (forService)
        {
            ownedService(tx, serviceId);
        }
        else
        {
            final VpcEndpoint endpoint = Refusals.require(tx, ResourceKind.VPC_ENDPOINT, vpcEndpointId, "VpcEndpointId");
            if (endpoint.state() == EndpointState.DELETED)
            {
                throw ResourceKind.VPC_ENDPOINT.notFound(vpcEndpointId);
            }
        }
        topicArn(tx, Refusals.required(topicArn, "ConnectionNotificationArn"));
        final List<ConnectionEventType> types = eventTypes(events);
        final String fingerprint = fingerprint(List.of(String.valueOf(serviceId), String.valueOf(vpcEndpointId), topicArn,
            types.toString()));
        if (clientToken != null)
        {
            for (final ConnectionNotification existing : tx.<ConnectionNotification>all(ResourceKind.CONNECTION_NOTIFICATION))
            {
                if (clientToken.equals(existing.clientToken()))
                {
                    if (!fingerprint.equals(existing.requestFingerprint()))
                    {
                        throw idempotentMismatch(clientToken);
                    }
                    return existing;
                }
            }
        }
        final ConnectionNotification notification = new ConnectionNotification(tx.newId(ResourceKind.CONNECTION_NOTIFICATION),
            forService ? serviceId : null, forEndpoint ? vpcEndpointId : null, topicArn, types, clientToken, fingerprint,
            tx.nowMs());
        tx.put(notification);
        return notification;
    }

    static void modifyNotification(final Transaction tx, final String id, final String topicArn, final List<String> events)
    {
        final ConnectionNotification notification = Refusals.require(tx, ResourceKind.CONNECTION_NOTIFICATION, id,
            "ConnectionNotificationId");
        final boolean newArn = topicArn != null && !topicArn.isEmpty();
        final boolean newEvents = events != null && !events.isEmpty();
        if (!newArn && !newEvents)
        {
            throw Refusals.missing("ConnectionNotificationArn or ConnectionEvents");
        }
        if (newArn)
        {
            topicArn(tx, topicArn);
        }
        final ConnectionNotification modified = notification.with(newArn ? topicArn : notification.connectionNotificationArn(),
            newEvents ? eventTypes(events) : notification.connectionEvents());
        if (!modified.equals(notification))
        {
            tx.put(modified);
        }
    }

    static List<UnsuccessfulItem> deleteNotifications(final Transaction tx, final List<String> ids)
    {
        Refusals.requireAny(ids, "ConnectionNotificationId");
        final List<UnsuccessfulItem> unsuccessful = new ArrayList<>();
        for (final String id : new LinkedHashSet<>(ids))
        {
            if (!ResourceKind.CONNECTION_NOTIFICATION.isWellFormed(id) || tx.connectionNotification(id) == null)
            {
                unsuccessful.add(new UnsuccessfulItem(id, "InvalidConnectionNotification",
                    "The connection notification '" + id + "' does not exist"));
                continue;
            }
            tx.remove(ResourceKind.CONNECTION_NOTIFICATION, id);
        }
        return unsuccessful;
    }

    private static void topicArn(final Transaction tx, final String arn)
    {
        final Matcher matcher = SNS_ARN.matcher(arn);
        if (!matcher.matches() || !matcher.group(1).equals(tx.settings().region()))
        {
            throw Refusals.invalidValue("ConnectionNotificationArn", arn,
                "Expecting an SNS topic ARN of " + tx.settings().region() + ": arn:aws:sns:<region>:<account>:<topic>.");
        }
    }

    private static List<ConnectionEventType> eventTypes(final List<String> events)
    {
        if (events == null || events.isEmpty())
        {
            throw Refusals.missing("ConnectionEvents");
        }
        final LinkedHashSet<ConnectionEventType> types = new LinkedHashSet<>();
        for (final String event : events)
        {
            types.add(ConnectionEventType.ofWireName(event));
        }
        return List.copyOf(types);
    }

    // ---------------------------------------------------------------- lifecycle steps the appliance drives

    /**
     * Endpoints whose current state was entered at or before {@code generation} have been programmed: pending ones
     * become available, deleting ones deleted (their ENIs go; with no retention the endpoint goes too).
     */
    static int datapathProgrammed(final Transaction tx, final long generation)
    {
        int changed = 0;
        for (final VpcEndpoint endpoint : List.copyOf(tx.<VpcEndpoint>all(ResourceKind.VPC_ENDPOINT)))
        {
            if (endpoint.stateSequence() > generation)
            {
                continue;
            }
            if (endpoint.state() == EndpointState.PENDING)
            {
                tx.put(endpoint.withState(EndpointState.AVAILABLE, tx.sequence(), tx.nowMs()));
                changed++;
            }
            else if (endpoint.state() == EndpointState.DELETING)
            {
                if (tx.settings().deletedEndpointRetentionMs() == 0)
                {
                    forget(tx, endpoint);
                }
                else
                {
                    for (final String interfaceId : endpoint.networkInterfaceIds())
                    {
                        tx.remove(ResourceKind.NETWORK_INTERFACE, interfaceId);
                    }
                    tx.put(endpoint.withNetwork(List.of(), endpoint.securityGroupIds(), List.of(), endpoint.privateDnsEnabled(),
                        endpoint.dnsEntries()).withState(EndpointState.DELETED, tx.sequence(), tx.nowMs()));
                }
                changed++;
            }
        }
        return changed;
    }

    /** Drops deleted endpoints whose retention has passed. */
    static int expireDeleted(final Transaction tx)
    {
        int expired = 0;
        for (final VpcEndpoint endpoint : List.copyOf(tx.<VpcEndpoint>all(ResourceKind.VPC_ENDPOINT)))
        {
            if (endpoint.state() == EndpointState.DELETED &&
                endpoint.stateTimeMs() + tx.settings().deletedEndpointRetentionMs() <= tx.nowMs())
            {
                forget(tx, endpoint);
                expired++;
            }
        }
        return expired;
    }

    /** Removes an endpoint with its ENIs and its notifications. */
    static void forget(final Transaction tx, final VpcEndpoint endpoint)
    {
        for (final String interfaceId : endpoint.networkInterfaceIds())
        {
            tx.remove(ResourceKind.NETWORK_INTERFACE, interfaceId);
        }
        for (final ConnectionNotification notification : List.copyOf(
            tx.<ConnectionNotification>all(ResourceKind.CONNECTION_NOTIFICATION)))
        {
            if (endpoint.vpcEndpointId().equals(notification.vpcEndpointId()))
            {
                tx.remove(ResourceKind.CONNECTION_NOTIFICATION, notification.id());
            }
        }
        tx.remove(ResourceKind.VPC_ENDPOINT, endpoint.vpcEndpointId());
    }

    // ---------------------------------------------------------------- shared checks

    private static Subnet endpointSubnet(final Transaction tx, final Vpc vpc, final EndpointService service, final String subnetId)
    {
        final Subnet subnet = Refusals.subnet(tx, subnetId);
        if (!subnet.vpcId().equals(vpc.vpcId()))
        {
            throw Refusals.invalidParameter("The subnet " + subnetId + " is not in " + vpc.vpcId() + ".");
        }
        if (!service.availabilityZones().contains(subnet.availabilityZone()))
        {
            throw Refusals.invalidParameter("The VPC endpoint service " + service.serviceName() +
                " does not support the availability zone of the subnet: " + subnetId + ".");
        }
        return subnet;
    }

    private static void requireOnePerZone(final List<Subnet> subnets)
    {
        final Set<String> zones = new HashSet<>();
        for (final Subnet subnet : subnets)
        {
            if (!zones.add(subnet.availabilityZone()))
            {
                throw new ApiException("DuplicateSubnetsInSameZone", "Found another VPC endpoint subnet in the availability " +
                    "zone of " + subnet.subnetId() + ". VPC endpoint subnets should be in different availability zones " +
                    "supported by the VPC endpoint service.");
            }
        }
    }

    private static void requireDisjoint(final List<String> add, final List<String> remove, final String addName,
        final String removeName)
    {
        for (final String id : add)
        {
            if (remove.contains(id))
            {
                throw new ApiException("InvalidParameterCombination", id + " is in both " + addName + " and " + removeName + ".");
            }
        }
    }

    private static List<String> distinctGroupIds(final List<String> ids)
    {
        return Refusals.distinctIds(ResourceKind.SECURITY_GROUP, ids);
    }

    /** A group an endpoint's ENIs use: it must exist (InvalidSecurityGroupID.NotFound, as for instances) in the VPC. */
    private static SecurityGroup endpointGroup(final Transaction tx, final Vpc vpc, final String groupId)
    {
        final SecurityGroup group = tx.securityGroup(groupId);
        if (group == null)
        {
            throw new ApiException("InvalidSecurityGroupID.NotFound", "The security group '" + groupId + "' does not exist");
        }
        if (!group.vpcId().equals(vpc.vpcId()))
        {
            throw Refusals.invalidParameter("The security group " + groupId + " is not in " + vpc.vpcId() + ".");
        }
        return group;
    }

    private static void requireGroupLimit(final ControlPlaneSettings settings, final List<String> groups)
    {
        if (groups.size() > settings.securityGroupsPerInterface())
        {
            throw new ApiException("SecurityGroupsPerInterfaceLimitExceeded", "You have exceeded the maximum number of " +
                "security groups (" + settings.securityGroupsPerInterface() + ") per network interface.");
        }
    }

    private static void requirePrivateDnsAllowed(final Transaction tx, final Vpc vpc, final EndpointService service,
        final String endpointId)
    {
        if (service.privateDnsName() == null)
        {
            throw Refusals.invalidParameter("Private DNS can't be enabled because the service " + service.serviceName() +
                " does not provide a private DNS name.");
        }
        if (!vpc.enableDnsSupport() || !vpc.enableDnsHostnames())
        {
            throw Refusals.invalidParameter("Enabling private DNS requires both enableDnsSupport and enableDnsHostnames " +
                "VPC attributes set to true for " + vpc.vpcId());
        }
        requireNoPrivateNameConflict(tx, vpc.vpcId(), service.privateDnsName(), endpointId);
    }

    private static void requireNoPrivateNameConflict(final Transaction tx, final String vpcId, final String name,
        final String endpointId)
    {
        for (final VpcEndpoint other : tx.<VpcEndpoint>all(ResourceKind.VPC_ENDPOINT))
        {
            if (other.vpcId().equals(vpcId) && !other.vpcEndpointId().equals(endpointId) && other.privateDnsEnabled() &&
                other.state() != EndpointState.DELETED &&
                other.dnsEntries().stream().anyMatch(entry -> entry.privateName() && entry.dnsName().equals(name)))
            {
                throw Refusals.invalidParameter("private-dns-enabled cannot be set because there is already a conflicting " +
                    "DNS domain for " + name + " in the VPC " + vpcId + " (" + other.vpcEndpointId() + ")");
            }
        }
    }

    private static void dnsRecordIpType(final String type)
    {
        if (type != null && !type.equals("ipv4") && !type.equals("service-defined"))
        {
            throw Refusals.invalidValue("DnsOptions.DnsRecordIpType", type, "Only ipv4 records are supported.");
        }
    }

    private static List<DnsEntry> dnsEntries(final Transaction tx, final String vpcId, final EndpointService service,
        final String dnsLabel, final List<String> zones, final boolean privateDns)
    {
        return DnsNames.endpointEntries(dnsLabel, service.baseEndpointDnsName(), tx.settings().region(), zones, vpcId,
            privateDns ? service.privateDnsName() : null);
    }

    private static NetworkInterface newInterface(final Transaction tx, final String endpointId, final Subnet subnet,
        final List<String> groups, final String requesterId)
    {
        final String id = tx.newId(ResourceKind.NETWORK_INTERFACE);
        return new NetworkInterface(id, endpointId, subnet.subnetId(), subnet.vpcId(), subnet.availabilityZone(),
            Ipv4Cidr.formatAddress(allocateAddress(tx, subnet)), macAddress(id), groups, tx.caller(), requesterId,
            "VPC Endpoint Interface " + endpointId, tx.nowMs());
    }

    /** @return the lowest address of the subnet that AWS does not reserve and no ENI holds. */
    static int allocateAddress(final Transaction tx, final Subnet subnet)
    {
        final Ipv4Cidr cidr = subnet.cidr();
        final Set<Integer> used = new HashSet<>();
        for (final NetworkInterface eni : tx.<NetworkInterface>all(ResourceKind.NETWORK_INTERFACE))
        {
            if (eni.subnetId().equals(subnet.subnetId()))
            {
                used.add(eni.address());
            }
        }
        for (long offset = 0; offset < cidr.size(); offset++)
        {
            final int address = cidr.network() + (int)offset;
            if (!cidr.isReservedByAws(address) && !used.contains(address))
            {
                return address;
            }
        }
        throw new ApiException("InsufficientFreeAddressesInSubnet", "There are not enough free addresses in subnet '" +
            subnet.subnetId() + "' to satisfy the requested number of network interfaces.");
    }

    /** @return a locally administered unicast MAC derived from the ENI id (stable, distinct per ENI). */
    private static String macAddress(final String interfaceId)
    {
        final String hex = DnsNames.hashHex(interfaceId, 10);
        final StringBuilder mac = new StringBuilder("02");
        for (int i = 0; i < 10; i += 2)
        {
            mac.append(':').append(hex, i, i + 2);
        }
        return mac.toString();
    }

    private static String fingerprint(final Object request)
    {
        return DnsNames.hashHex(String.valueOf(request), 32);
    }

    private static ApiException idempotentMismatch(final String clientToken)
    {
        return new ApiException("IdempotentParameterMismatch", "The client token '" + clientToken +
            "' was used before with different parameters.");
    }
}
