package vpce.mgmt.rest;

import com.fasterxml.jackson.databind.ObjectMapper;
import vpce.mgmt.ApiException;
import vpce.mgmt.controlplane.ControlPlane;
import vpce.mgmt.controlplane.ControlPlaneState;
import vpce.mgmt.controlplane.CreateServiceConfigurationRequest;
import vpce.mgmt.controlplane.CreateVpcEndpointRequest;
import vpce.mgmt.controlplane.DescribeRequest;
import vpce.mgmt.controlplane.Filter;
import vpce.mgmt.controlplane.IpPermission;
import vpce.mgmt.controlplane.ModifyServiceConfigurationRequest;
import vpce.mgmt.controlplane.ModifyVpcEndpointRequest;
import vpce.mgmt.controlplane.NetworkAclEntry;
import vpce.mgmt.controlplane.Page;
import vpce.mgmt.controlplane.UnsuccessfulItem;
import vpce.mgmt.controlplane.VpcAttribute;
import vpce.mgmt.controlplane.VpcEndpoint;
import vpce.mgmt.controlplane.VpcEndpointConnection;
import vpce.mgmt.rest.RestApi.Call;
import vpce.mgmt.rest.RestApi.Route;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * The REST API's routes: each maps onto the {@link ControlPlane} method (and IAM action) of an EC2 action. Lists take
 * {@code maxResults}, {@code nextToken} and any EC2 filter of the matching Describe action as a query parameter
 * ({@code ?vpc-id=vpc-1,vpc-2}, {@code ?tag:Name=web}); every mutation takes {@code ?dryRun=true}.
 */
final class RestRoutes
{
    private final ControlPlane controlPlane;
    private final ObjectMapper json;

    RestRoutes(final ControlPlane controlPlane, final ObjectMapper json)
    {
        this.controlPlane = controlPlane;
        this.json = json;
    }

    // Request bodies, in the API's JSON names (EC2's field names in lower camel case).
    record CreateVpc(String cidrBlock, Map<String, String> tags) { }
    record ModifyVpc(Boolean enableDnsSupport, Boolean enableDnsHostnames) { }
    record CreateSubnet(String vpcId, String cidrBlock, String availabilityZone, String availabilityZoneId, Map<String, String> tags) { }
    record CreateSecurityGroup(String vpcId, String groupName, String description, Map<String, String> tags) { }
    record ModifySecurityGroup(List<IpPermission> authorizeIngress, List<IpPermission> authorizeEgress,
        List<String> revokeIngressRuleIds, List<String> revokeEgressRuleIds) { }
    record CreateNetworkAcl(String vpcId, Map<String, String> tags) { }
    record EntryKey(Integer ruleNumber, Boolean egress) { }
    record ModifyNetworkAcl(List<NetworkAclEntry> createEntries, List<NetworkAclEntry> replaceEntries, List<EntryKey> deleteEntries,
        List<String> associateSubnetIds) { }
    record CreateEndpoint(String vpcId, String serviceName, String vpcEndpointType, List<String> subnetIds,
        List<String> securityGroupIds, Boolean privateDnsEnabled, String policyDocument, String ipAddressType,
        String dnsRecordIpType, String clientToken, Map<String, String> tags) { }
    record ModifyEndpoint(List<String> addSubnetIds, List<String> removeSubnetIds, List<String> addSecurityGroupIds,
        List<String> removeSecurityGroupIds, Boolean privateDnsEnabled, Boolean resetPolicy, String policyDocument,
        String ipAddressType, String dnsRecordIpType) { }
    record CreateService(Boolean acceptanceRequired, String privateDnsName, List<String> networkLoadBalancerArns,
        List<String> supportedIpAddressTypes, String clientToken, Map<String, String> tags) { }
    record ModifyService(String privateDnsName, Boolean removePrivateDnsName, Boolean acceptanceRequired,
        List<String> addNetworkLoadBalancerArns, List<String> removeNetworkLoadBalancerArns) { }
    record ConnectionAction(String action) { }
    record CreateNotification(String connectionNotificationArn, List<String> connectionEvents, String clientToken) { }
    record ModifyNotification(String connectionNotificationArn, List<String> connectionEvents) { }
    /** A list answer: the items and, when there are more, the token for the next page. */
    record ListAnswer<T>(List<T> items, String nextToken) { }

    List<Route> routes()
    {
        final List<Route> routes = new ArrayList<>();
        // VPCs
        routes.add(new Route("GET", "/v1/vpcs", "ec2:DescribeVpcs", 200,
            call -> list(controlPlane.state().describeVpcs(describe(call)))));
        routes.add(new Route("POST", "/v1/vpcs", "ec2:CreateVpc", 201, call ->
        {
            final CreateVpc body = body(call, CreateVpc.class);
            return controlPlane.createVpc(required(body.cidrBlock(), "cidrBlock"), body.tags(), call.dryRun());
        }));
        routes.add(new Route("GET", "/v1/vpcs/{vpcId}", "ec2:DescribeVpcs", 200,
            call -> one(controlPlane.state().describeVpcs(DescribeRequest.ids(call.id("vpcId"))))));
        routes.add(new Route("PATCH", "/v1/vpcs/{vpcId}", "ec2:ModifyVpcAttribute", 200, call ->
        {
            final ModifyVpc body = body(call, ModifyVpc.class);
            if (body.enableDnsSupport() == null && body.enableDnsHostnames() == null)
            {
                throw missing("enableDnsSupport or enableDnsHostnames");
            }
            // EC2 changes one attribute per call; here both are one commit, support first (hostnames need it).
            controlPlane.atomically("ModifyVpcAttribute", call.dryRun(), batch ->
            {
                if (body.enableDnsSupport() != null)
                {
                    batch.modifyVpcAttribute(call.id("vpcId"), VpcAttribute.ENABLE_DNS_SUPPORT, body.enableDnsSupport());
                }
                if (body.enableDnsHostnames() != null)
                {
                    batch.modifyVpcAttribute(call.id("vpcId"), VpcAttribute.ENABLE_DNS_HOSTNAMES, body.enableDnsHostnames());
                }
                return null;
            });
            return one(controlPlane.state().describeVpcs(DescribeRequest.ids(call.id("vpcId"))));
        }));
        routes.add(new Route("DELETE", "/v1/vpcs/{vpcId}", "ec2:DeleteVpc", 204, call ->
        {
            controlPlane.deleteVpc(call.id("vpcId"), call.dryRun());
            return null;
        }));
        // Subnets
        routes.add(new Route("GET", "/v1/subnets", "ec2:DescribeSubnets", 200,
            call -> list(controlPlane.state().describeSubnets(describe(call)))));
        routes.add(new Route("POST", "/v1/subnets", "ec2:CreateSubnet", 201, call ->
        {
            final CreateSubnet body = body(call, CreateSubnet.class);
            return controlPlane.createSubnet(required(body.vpcId(), "vpcId"), required(body.cidrBlock(), "cidrBlock"),
                body.availabilityZone(), body.availabilityZoneId(), body.tags(), call.dryRun());
        }));
        routes.add(new Route("GET", "/v1/subnets/{subnetId}", "ec2:DescribeSubnets", 200,
            call -> one(controlPlane.state().describeSubnets(DescribeRequest.ids(call.id("subnetId"))))));
        routes.add(new Route("DELETE", "/v1/subnets/{subnetId}", "ec2:DeleteSubnet", 204, call ->
        {
            controlPlane.deleteSubnet(call.id("subnetId"), call.dryRun());
            return null;
        }));
        // Security groups
        routes.add(new Route("GET", "/v1/security-groups", "ec2:DescribeSecurityGroups", 200,
            call -> list(controlPlane.state().describeSecurityGroups(describe(call), List.of()))));
        routes.add(new Route("POST", "/v1/security-groups", "ec2:CreateSecurityGroup", 201, call ->
        {
            final CreateSecurityGroup body = body(call, CreateSecurityGroup.class);
            return controlPlane.createSecurityGroup(required(body.vpcId(), "vpcId"), required(body.groupName(), "groupName"),
                required(body.description(), "description"), body.tags(), call.dryRun());
        }));
        routes.add(new Route("GET", "/v1/security-groups/{groupId}", "ec2:DescribeSecurityGroups", 200,
            call -> securityGroup(call.id("groupId"))));
        routes.add(new Route("PATCH", "/v1/security-groups/{groupId}", "ec2:DescribeSecurityGroups", 200, call ->
        {
            final ModifySecurityGroup body = body(call, ModifySecurityGroup.class);
            final String groupId = call.id("groupId");
            final boolean ingress = body.authorizeIngress() != null && !body.authorizeIngress().isEmpty();
            final boolean egress = body.authorizeEgress() != null && !body.authorizeEgress().isEmpty();
            final boolean revokeIngress = body.revokeIngressRuleIds() != null && !body.revokeIngressRuleIds().isEmpty();
            final boolean revokeEgress = body.revokeEgressRuleIds() != null && !body.revokeEgressRuleIds().isEmpty();
            if (!ingress && !egress && !revokeIngress && !revokeEgress)
            {
                throw missing("authorizeIngress, authorizeEgress, revokeIngressRuleIds or revokeEgressRuleIds");
            }
            // Every part is authorized before any is carried out.
            authorizeIf(call, revokeIngress, "ec2:RevokeSecurityGroupIngress");
            authorizeIf(call, revokeEgress, "ec2:RevokeSecurityGroupEgress");
            authorizeIf(call, ingress, "ec2:AuthorizeSecurityGroupIngress");
            authorizeIf(call, egress, "ec2:AuthorizeSecurityGroupEgress");
            // One commit: removals before additions, and a refused part leaves the group as it was.
            controlPlane.atomically("ModifySecurityGroupRules", call.dryRun(), batch ->
            {
                if (revokeIngress)
                {
                    batch.revokeSecurityGroupIngress(groupId, List.of(), body.revokeIngressRuleIds());
                }
                if (revokeEgress)
                {
                    batch.revokeSecurityGroupEgress(groupId, List.of(), body.revokeEgressRuleIds());
                }
                if (ingress)
                {
                    batch.authorizeSecurityGroupIngress(groupId, body.authorizeIngress());
                }
                if (egress)
                {
                    batch.authorizeSecurityGroupEgress(groupId, body.authorizeEgress());
                }
                return null;
            });
            return securityGroup(groupId);
        }));
        routes.add(new Route("DELETE", "/v1/security-groups/{groupId}", "ec2:DeleteSecurityGroup", 204, call ->
        {
            controlPlane.deleteSecurityGroup(call.id("groupId"), null, call.dryRun());
            return null;
        }));
        // Network ACLs
        routes.add(new Route("GET", "/v1/network-acls", "ec2:DescribeNetworkAcls", 200,
            call -> list(controlPlane.state().describeNetworkAcls(describe(call)))));
        routes.add(new Route("POST", "/v1/network-acls", "ec2:CreateNetworkAcl", 201, call ->
        {
            final CreateNetworkAcl body = body(call, CreateNetworkAcl.class);
            return controlPlane.createNetworkAcl(required(body.vpcId(), "vpcId"), body.tags(), call.dryRun());
        }));
        routes.add(new Route("GET", "/v1/network-acls/{networkAclId}", "ec2:DescribeNetworkAcls", 200,
            call -> one(controlPlane.state().describeNetworkAcls(DescribeRequest.ids(call.id("networkAclId"))))));
        routes.add(new Route("PATCH", "/v1/network-acls/{networkAclId}", "ec2:DescribeNetworkAcls", 200, call ->
        {
            final ModifyNetworkAcl body = body(call, ModifyNetworkAcl.class);
            final String aclId = call.id("networkAclId");
            final List<NetworkAclEntry> creates = orEmpty(body.createEntries());
            final List<NetworkAclEntry> replaces = orEmpty(body.replaceEntries());
            final List<EntryKey> deletes = orEmpty(body.deleteEntries());
            final List<String> associate = orEmpty(body.associateSubnetIds());
            if (creates.isEmpty() && replaces.isEmpty() && deletes.isEmpty() && associate.isEmpty())
            {
                throw missing("createEntries, replaceEntries, deleteEntries or associateSubnetIds");
            }
            authorizeIf(call, !deletes.isEmpty(), "ec2:DeleteNetworkAclEntry");
            authorizeIf(call, !replaces.isEmpty(), "ec2:ReplaceNetworkAclEntry");
            authorizeIf(call, !creates.isEmpty(), "ec2:CreateNetworkAclEntry");
            authorizeIf(call, !associate.isEmpty(), "ec2:ReplaceNetworkAclAssociation");
            for (final EntryKey key : deletes)
            {
                required(key.ruleNumber(), "deleteEntries[].ruleNumber");
                required(key.egress(), "deleteEntries[].egress");
            }
            // One commit: deletions, replacements, creations, associations; a refused part leaves the ACL as it was.
            controlPlane.atomically("ModifyNetworkAcl", call.dryRun(), batch ->
            {
                for (final EntryKey key : deletes)
                {
                    batch.deleteNetworkAclEntry(aclId, key.ruleNumber(), key.egress());
                }
                for (final NetworkAclEntry entry : replaces)
                {
                    batch.replaceNetworkAclEntry(aclId, entry);
                }
                for (final NetworkAclEntry entry : creates)
                {
                    batch.createNetworkAclEntry(aclId, entry);
                }
                for (final String subnetId : associate)
                {
                    batch.associateSubnet(subnetId, aclId);
                }
                return null;
            });
            return one(controlPlane.state().describeNetworkAcls(DescribeRequest.ids(aclId)));
        }));
        routes.add(new Route("DELETE", "/v1/network-acls/{networkAclId}", "ec2:DeleteNetworkAcl", 204, call ->
        {
            controlPlane.deleteNetworkAcl(call.id("networkAclId"), call.dryRun());
            return null;
        }));
        // Endpoint services (provider)
        routes.add(new Route("GET", "/v1/services", "ec2:DescribeVpcEndpointServiceConfigurations", 200,
            call -> list(controlPlane.state().describeVpcEndpointServiceConfigurations(describe(call)))));
        routes.add(new Route("POST", "/v1/services", "ec2:CreateVpcEndpointServiceConfiguration", 201, call ->
        {
            final CreateService body = body(call, CreateService.class);
            return controlPlane.createVpcEndpointServiceConfiguration(new CreateServiceConfigurationRequest(body.acceptanceRequired(),
                body.privateDnsName(), body.networkLoadBalancerArns(), List.of(), body.supportedIpAddressTypes(), body.clientToken(),
                body.tags()), call.dryRun());
        }));
        routes.add(new Route("GET", "/v1/services/{serviceId}", "ec2:DescribeVpcEndpointServiceConfigurations", 200,
            call -> service(call.id("serviceId"))));
        routes.add(new Route("PATCH", "/v1/services/{serviceId}", "ec2:ModifyVpcEndpointServiceConfiguration", 200, call ->
        {
            final ModifyService body = body(call, ModifyService.class);
            controlPlane.modifyVpcEndpointServiceConfiguration(new ModifyServiceConfigurationRequest(call.id("serviceId"),
                body.privateDnsName(), body.removePrivateDnsName(), body.acceptanceRequired(), body.addNetworkLoadBalancerArns(),
                body.removeNetworkLoadBalancerArns(), List.of(), List.of(), List.of(), List.of()), call.dryRun());
            return service(call.id("serviceId"));
        }));
        routes.add(new Route("DELETE", "/v1/services/{serviceId}", "ec2:DeleteVpcEndpointServiceConfigurations", 204, call ->
        {
            batch(controlPlane.deleteVpcEndpointServiceConfigurations(List.of(call.id("serviceId")), call.dryRun()));
            return null;
        }));
        // Endpoints (consumer)
        routes.add(new Route("GET", "/v1/endpoints", "ec2:DescribeVpcEndpoints", 200,
            call -> list(controlPlane.state().describeVpcEndpoints(describe(call)))));
        routes.add(new Route("POST", "/v1/endpoints", "ec2:CreateVpcEndpoint", 201, call ->
        {
            final CreateEndpoint body = body(call, CreateEndpoint.class);
            return controlPlane.createVpcEndpoint(new CreateVpcEndpointRequest(required(body.vpcId(), "vpcId"),
                required(body.serviceName(), "serviceName"), body.vpcEndpointType() == null ? "Interface" : body.vpcEndpointType(),
                orEmpty(body.subnetIds()), orEmpty(body.securityGroupIds()), body.privateDnsEnabled(), body.policyDocument(), List.of(),
                body.ipAddressType(), body.dnsRecordIpType(), null, body.clientToken(), body.tags(), null), call.dryRun());
        }));
        routes.add(new Route("GET", "/v1/endpoints/{vpcEndpointId}", "ec2:DescribeVpcEndpoints", 200,
            call -> endpoint(call.id("vpcEndpointId"))));
        routes.add(new Route("PATCH", "/v1/endpoints/{vpcEndpointId}", "ec2:ModifyVpcEndpoint", 200, call ->
        {
            final ModifyEndpoint body = body(call, ModifyEndpoint.class);
            controlPlane.modifyVpcEndpoint(new ModifyVpcEndpointRequest(call.id("vpcEndpointId"), orEmpty(body.addSubnetIds()),
                orEmpty(body.removeSubnetIds()), orEmpty(body.addSecurityGroupIds()), orEmpty(body.removeSecurityGroupIds()),
                body.privateDnsEnabled(), body.resetPolicy(), body.policyDocument(), List.of(), List.of(), body.ipAddressType(),
                body.dnsRecordIpType()), call.dryRun());
            return endpoint(call.id("vpcEndpointId"));
        }));
        routes.add(new Route("DELETE", "/v1/endpoints/{vpcEndpointId}", "ec2:DeleteVpcEndpoints", 200, call ->
        {
            batch(controlPlane.deleteVpcEndpoints(List.of(call.id("vpcEndpointId")), call.dryRun()));
            return endpoint(call.id("vpcEndpointId"));
        }));
        // The provider's view of an endpoint's connection, and accept/reject
        routes.add(new Route("GET", "/v1/endpoints/{vpcEndpointId}/connections", "ec2:DescribeVpcEndpointConnections", 200,
            call -> new ListAnswer<>(connections(call.id("vpcEndpointId")), null)));
        routes.add(new Route("POST", "/v1/endpoints/{vpcEndpointId}/connections", "ec2:DescribeVpcEndpointConnections", 200, call ->
        {
            final String action = required(body(call, ConnectionAction.class).action(), "action");
            final String endpointId = call.id("vpcEndpointId");
            final VpcEndpoint endpoint = controlPlane.state().vpcEndpoint(endpointId);
            if (endpoint == null)
            {
                throw endpointNotFound(endpointId);
            }
            switch (action)
            {
                case "accept" ->
                {
                    call.principal().authorize("ec2:AcceptVpcEndpointConnections");
                    batch(controlPlane.acceptVpcEndpointConnections(endpoint.serviceId(), List.of(endpointId), call.dryRun()));
                }
                case "reject" ->
                {
                    call.principal().authorize("ec2:RejectVpcEndpointConnections");
                    batch(controlPlane.rejectVpcEndpointConnections(endpoint.serviceId(), List.of(endpointId), call.dryRun()));
                }
                default -> throw new ApiException("InvalidParameterValue", "action must be accept or reject");
            }
            return new ListAnswer<>(connections(endpointId), null);
        }));
        // An endpoint's connection notifications
        routes.add(new Route("GET", "/v1/endpoints/{vpcEndpointId}/notifications", "ec2:DescribeVpcEndpointConnectionNotifications",
            200, call ->
            {
                endpoint(call.id("vpcEndpointId"));
                return list(controlPlane.state().describeVpcEndpointConnectionNotifications(null,
                    List.of(Filter.of("vpc-endpoint-id", call.id("vpcEndpointId"))), null, null));
            }));
        routes.add(new Route("POST", "/v1/endpoints/{vpcEndpointId}/notifications", "ec2:CreateVpcEndpointConnectionNotification",
            201, call ->
            {
                final CreateNotification body = body(call, CreateNotification.class);
                return controlPlane.createVpcEndpointConnectionNotification(null, call.id("vpcEndpointId"),
                    required(body.connectionNotificationArn(), "connectionNotificationArn"),
                    required(body.connectionEvents(), "connectionEvents"), body.clientToken(), call.dryRun());
            }));
        routes.add(new Route("PATCH", "/v1/endpoints/{vpcEndpointId}/notifications/{connectionNotificationId}",
            "ec2:ModifyVpcEndpointConnectionNotification", 200, call ->
            {
                notification(call);
                final ModifyNotification body = body(call, ModifyNotification.class);
                controlPlane.modifyVpcEndpointConnectionNotification(call.id("connectionNotificationId"),
                    body.connectionNotificationArn(), orEmpty(body.connectionEvents()), call.dryRun());
                return notification(call);
            }));
        routes.add(new Route("DELETE", "/v1/endpoints/{vpcEndpointId}/notifications/{connectionNotificationId}",
            "ec2:DeleteVpcEndpointConnectionNotifications", 204, call ->
            {
                notification(call);
                batch(controlPlane.deleteVpcEndpointConnectionNotifications(List.of(call.id("connectionNotificationId")), call.dryRun()));
                return null;
            }));
        return List.copyOf(routes);
    }

    private <T> T body(final Call call, final Class<T> type)
    {
        return RestApi.read(json, call.body(), type);
    }

    private Object securityGroup(final String groupId)
    {
        return one(controlPlane.state().describeSecurityGroups(DescribeRequest.ids(groupId), List.of()));
    }

    private Object service(final String serviceId)
    {
        return one(controlPlane.state().describeVpcEndpointServiceConfigurations(DescribeRequest.ids(serviceId)));
    }

    private Object endpoint(final String endpointId)
    {
        return one(controlPlane.state().describeVpcEndpoints(DescribeRequest.ids(endpointId)));
    }

    /** The notification named in the path, which must be the path's endpoint's (else NotFound). */
    private Object notification(final Call call)
    {
        final Page<?> page = controlPlane.state().describeVpcEndpointConnectionNotifications(call.id("connectionNotificationId"),
            List.of(Filter.of("vpc-endpoint-id", call.id("vpcEndpointId"))), null, null);
        if (page.items().isEmpty())
        {
            throw new ApiException("InvalidConnectionNotification", "The connection notification '" +
                call.id("connectionNotificationId") + "' of endpoint '" + call.id("vpcEndpointId") + "' does not exist");
        }
        return page.items().get(0);
    }

    private List<VpcEndpointConnection> connections(final String endpointId)
    {
        final ControlPlaneState state = controlPlane.state();
        if (state.vpcEndpoint(endpointId) == null)
        {
            throw endpointNotFound(endpointId);
        }
        return state.describeVpcEndpointConnections(List.of(Filter.of("vpc-endpoint-id", endpointId)), null, null).items();
    }

    private static ApiException endpointNotFound(final String endpointId)
    {
        return new ApiException("InvalidVpcEndpointId.NotFound", "The VpcEndpoint Id '" + endpointId + "' does not exist");
    }

    private static void authorizeIf(final Call call, final boolean needed, final String iamAction)
    {
        if (needed)
        {
            call.principal().authorize(iamAction);
        }
    }

    /** A batch action on one id: its unsuccessful item is the refusal. */
    private static void batch(final List<UnsuccessfulItem> unsuccessful)
    {
        if (!unsuccessful.isEmpty())
        {
            final UnsuccessfulItem item = unsuccessful.get(0);
            throw new ApiException(item.code(), item.message());
        }
    }

    private static Object one(final Page<?> page)
    {
        return page.items().get(0);
    }

    private static <T> ListAnswer<T> list(final Page<T> page)
    {
        return new ListAnswer<>(page.items(), page.nextToken());
    }

    /** maxResults, nextToken, and every other query parameter but dryRun as a filter with comma-separated values. */
    private static DescribeRequest describe(final Call call)
    {
        Integer maxResults = null;
        String nextToken = null;
        final List<Filter> filters = new ArrayList<>();
        for (final Map.Entry<String, List<String>> parameter : call.query().entrySet())
        {
            final String name = parameter.getKey();
            if ("dryRun".equals(name))
            {
                continue;
            }
            if (parameter.getValue().size() != 1)
            {
                throw new ApiException("InvalidParameterValue", "The query parameter " + name + " is given more than once");
            }
            final String value = parameter.getValue().get(0);
            if ("maxResults".equals(name))
            {
                try
                {
                    maxResults = Integer.parseInt(value);
                }
                catch (final NumberFormatException ex)
                {
                    throw new ApiException("InvalidParameterValue", "maxResults must be an integer");
                }
            }
            else if ("nextToken".equals(name))
            {
                nextToken = value;
            }
            else
            {
                filters.add(new Filter(name, Arrays.asList(value.split(",", -1))));
            }
        }
        return new DescribeRequest(List.of(), filters, maxResults, nextToken);
    }

    private static <T> T required(final T value, final String name)
    {
        if (value == null)
        {
            throw missing(name);
        }
        return value;
    }

    private static ApiException missing(final String name)
    {
        return new ApiException("MissingParameter", "The request must contain the parameter " + name);
    }

    private static <T> List<T> orEmpty(final List<T> list)
    {
        return list == null ? List.of() : list;
    }

}
