package vpce.mgmt.controlplane;

import org.junit.jupiter.api.Test;
import vpce.mgmt.ApiException;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DescribeTest
{
    private final Fixture f = new Fixture();
    private final ControlPlane cp = f.controlPlane;

    private List<Vpc> twelveVpcs()
    {
        final List<Vpc> vpcs = new ArrayList<>();
        for (int i = 0; i < 12; i++)
        {
            vpcs.add(cp.createVpc("10." + i + ".0.0/16", i % 2 == 0 ? Map.of("Name", "even-" + i, "Env", "lab") : Map.of(),
                false));
        }
        return vpcs;
    }

    private static String code(final Runnable action)
    {
        return assertThrows(ApiException.class, action::run).code();
    }

    @Test
    void pagesCoverEverythingOnceInIdOrder()
    {
        final List<Vpc> vpcs = twelveVpcs();
        final List<String> expected = vpcs.stream().map(Vpc::vpcId).sorted().toList();
        final List<String> seen = new ArrayList<>();
        String token = null;
        final List<Integer> sizes = new ArrayList<>();
        do
        {
            final Page<Vpc> page = f.state().describeVpcs(DescribeRequest.all().page(5, token));
            sizes.add(page.items().size());
            page.items().forEach(vpc -> seen.add(vpc.vpcId()));
            token = page.nextToken();
        }
        while (token != null);
        assertEquals(List.of(5, 5, 2), sizes);
        assertEquals(expected, seen);
        assertEquals(expected, f.state().describeVpcs(DescribeRequest.all()).items().stream().map(Vpc::vpcId).toList());
        assertNull(f.state().describeVpcs(DescribeRequest.all().page(12, null)).nextToken(), "no token when nothing is left");
    }

    @Test
    void aPageContinuesAfterItsLastItemEvenIfThatItemWentAway()
    {
        twelveVpcs();
        final Page<Vpc> first = f.state().describeVpcs(DescribeRequest.all().page(5, null));
        cp.deleteVpc(first.items().getLast().vpcId(), false);
        final Page<Vpc> second = f.state().describeVpcs(DescribeRequest.all().page(5, first.nextToken()));
        final List<String> all = f.state().describeVpcs(DescribeRequest.all()).items().stream().map(Vpc::vpcId).toList();
        assertEquals(all.subList(4, 9), second.items().stream().map(Vpc::vpcId).toList());
    }

    @Test
    void paginationRefusals()
    {
        twelveVpcs();
        final Page<Vpc> first = f.state().describeVpcs(DescribeRequest.all().page(5, null));
        assertEquals("InvalidMaxResults", code(() -> f.state().describeVpcs(DescribeRequest.all().page(4, null))));
        assertEquals("InvalidMaxResults", code(() -> f.state().describeVpcs(DescribeRequest.all().page(1001, null))));
        assertEquals("InvalidNextToken", code(() -> f.state().describeVpcs(DescribeRequest.all().page(5, "garbage!"))));
        assertEquals("InvalidNextToken", code(() -> f.state().describeVpcs(DescribeRequest.all().page(5, "AAAA"))));
        assertEquals("InvalidNextToken",
            code(() -> f.state().describeSubnets(DescribeRequest.all().page(5, first.nextToken()))), "another operation's token");
        assertEquals(0, f.state().describeVpcEndpoints(DescribeRequest.all().page(5000, null)).items().size(),
            "endpoints clamp a MaxResults above 1000, as EC2 documents");
    }

    @Test
    void filtersOrTheirValuesAndAndEachOther()
    {
        final List<Vpc> vpcs = twelveVpcs();
        final Vpc v0 = vpcs.get(0);
        final Vpc v1 = vpcs.get(1);
        assertEquals(List.of(v0, v1).stream().sorted((a, b) -> a.vpcId().compareTo(b.vpcId())).toList(),
            f.state().describeVpcs(DescribeRequest.filters(Filter.of("vpc-id", v0.vpcId(), v1.vpcId()))).items());
        assertEquals(List.of(v0), f.state().describeVpcs(DescribeRequest.filters(Filter.of("vpc-id", v0.vpcId(), v1.vpcId()),
            Filter.of("cidr", "10.0.0.0/16"))).items());
        assertEquals(6, f.state().describeVpcs(DescribeRequest.filters(Filter.of("tag:Env", "lab"))).items().size());
        assertEquals(6, f.state().describeVpcs(DescribeRequest.filters(Filter.of("tag-key", "Name"))).items().size());
        assertEquals(List.of(vpcs.get(10)), f.state().describeVpcs(DescribeRequest.filters(Filter.of("tag:Name", "*-10"))).items());
        assertEquals(5, f.state().describeVpcs(DescribeRequest.filters(Filter.of("tag:Name", "even-?"))).items().size());
        assertEquals(2, f.state().describeVpcs(DescribeRequest.filters(Filter.of("cidr", "10.1?.0.0/16"))).items().size());
        assertEquals(12, f.state().describeVpcs(DescribeRequest.filters(Filter.of("state", "available"),
            Filter.of("is-default", "false"), Filter.of("owner-id", Fixture.OWNER))).items().size());
        assertEquals(0, f.state().describeVpcs(DescribeRequest.filters(Filter.of("cidr", "10.\\*"))).items().size(),
            "an escaped star is a literal star");
        assertEquals(0, f.state().describeVpcs(DescribeRequest.filters(Filter.of("tag:Nope", "*"))).items().size());

        assertEquals("InvalidFilter", code(() -> f.state().describeVpcs(DescribeRequest.filters(Filter.of("colour", "red")))));
        assertEquals("InvalidFilter", code(() -> f.state().describeVpcs(DescribeRequest.filters(Filter.of("tag:", "x")))));
        assertEquals("InvalidParameterValue", code(() -> f.state().describeVpcs(DescribeRequest.filters(Filter.of("cidr")))));
        final List<Filter> tooMany = Collections.nCopies(51, Filter.of("state", "available"));
        assertEquals("FilterLimitExceeded", code(() -> f.state().describeVpcs(new DescribeRequest(null, tooMany, null, null))));
        assertEquals("FilterLimitExceeded", code(() -> f.state().describeVpcs(DescribeRequest.filters(
            new Filter("state", Collections.nCopies(201, "available"))))));
    }

    @Test
    void describeByIdsNeedsEveryIdToExist()
    {
        final List<Vpc> vpcs = twelveVpcs();
        assertEquals(List.of(vpcs.get(3)), f.state().describeVpcs(DescribeRequest.ids(vpcs.get(3).vpcId(),
            vpcs.get(3).vpcId())).items());
        assertEquals("InvalidVpcID.NotFound",
            code(() -> f.state().describeVpcs(DescribeRequest.ids(vpcs.get(3).vpcId(), "vpc-0123456789abcdef0"))));
        assertEquals("InvalidVpcID.Malformed", code(() -> f.state().describeVpcs(DescribeRequest.ids("vpc-G"))));
        assertEquals("InvalidSubnetID.NotFound", code(() -> f.state().describeSubnets(DescribeRequest.ids("subnet-01234567"))));
        assertEquals("InvalidGroup.NotFound",
            code(() -> f.state().describeSecurityGroups(DescribeRequest.ids("sg-0123456789abcdef0"), null)));
        assertEquals("InvalidNetworkAclID.NotFound", code(() -> f.state().describeNetworkAcls(DescribeRequest.ids("acl-01234567"))));
        assertEquals("InvalidNetworkInterfaceID.NotFound",
            code(() -> f.state().describeNetworkInterfaces(DescribeRequest.ids("eni-0123456789abcdef0"))));
        assertEquals("InvalidVpcEndpointId.Malformed", code(() -> f.state().describeVpcEndpoints(DescribeRequest.ids("vpce-"))));
        assertEquals("InvalidVpcEndpointServiceId.NotFound", code(() -> f.state().describeVpcEndpointServiceConfigurations(
            DescribeRequest.ids("vpce-svc-0123456789abcdef0"))));
        assertEquals("InvalidServiceName", code(() -> f.state().describeVpcEndpointServices(List.of("com.example.none"), null,
            null, null, null)));
    }

    @Test
    void endpointFiltersAsTheReferenceListsThem()
    {
        final Fixture.Network net = f.network();
        final VpcEndpoint auto = f.endpoint(net, Fixture.AUTO, net.a());
        f.programmed();
        final VpcEndpoint manual = f.endpoint(net, Fixture.MANUAL, net.b());
        final VpcEndpoint pending = cp.createVpcEndpoint(CreateVpcEndpointRequest.of(net.vpcId(), Fixture.S3.serviceName(),
            List.of(net.b().subnetId()), null), false);

        assertEquals(List.of(auto.vpcEndpointId(), pending.vpcEndpointId()).stream().sorted().toList(),
            ids(f.state().describeVpcEndpoints(DescribeRequest.filters(Filter.of("vpc-endpoint-state", "pending", "available")))));
        assertEquals(List.of(manual.vpcEndpointId()), ids(f.state().describeVpcEndpoints(DescribeRequest.filters(
            Filter.of("vpc-endpoint-state", "pendingAcceptance")))));
        assertEquals(List.of(pending.vpcEndpointId()), ids(f.state().describeVpcEndpoints(DescribeRequest.filters(
            Filter.of("service-name", "com.amazonaws.*.s3"), Filter.of("vpc-id", net.vpcId())))));
        assertEquals(3, f.state().describeVpcEndpoints(DescribeRequest.filters(Filter.of("vpc-endpoint-type", "Interface"),
            Filter.of("ip-address-type", "ipv4"))).items().size());
        assertEquals(List.of(auto.vpcEndpointId()), ids(f.state().describeVpcEndpoints(new DescribeRequest(
            List.of(auto.vpcEndpointId(), manual.vpcEndpointId()), List.of(Filter.of("vpc-endpoint-id", auto.vpcEndpointId())),
            null, null))));
        assertEquals("InvalidFilter", code(() -> f.state().describeVpcEndpoints(DescribeRequest.filters(
            Filter.of("state", "available")))));
    }

    @Test
    void networkFilters()
    {
        final Fixture.Network net = f.network();
        final VpcEndpoint endpoint = f.endpoint(net, Fixture.AUTO, net.a(), net.b());
        final ControlPlaneState state = f.state();
        assertEquals(List.of(net.b()), state.describeSubnets(DescribeRequest.filters(Filter.of("availability-zone", "us-east-1b"),
            Filter.of("vpc-id", net.vpcId()))).items());
        assertEquals(List.of(net.c()), state.describeSubnets(DescribeRequest.filters(
            Filter.of("available-ip-address-count", "251"))).items());
        assertEquals(3, state.describeSubnets(DescribeRequest.filters(Filter.of("cidr-block", "10.0.*.0/24"),
            Filter.of("default-for-az", "false"))).items().size());
        assertEquals(0, state.describeSubnets(DescribeRequest.filters(Filter.of("outpost-arn", "*"))).items().size());

        final SecurityGroup web = cp.createSecurityGroup(net.vpcId(), "web", "web", Map.of(), false);
        cp.authorizeSecurityGroupIngress(web.groupId(), List.of(IpPermission.ofCidr("tcp", 443, 443, "10.0.0.0/16")), false);
        assertEquals(List.of(f.state().securityGroup(web.groupId())), f.state().describeSecurityGroups(DescribeRequest.filters(
            Filter.of("ip-permission.from-port", "443"), Filter.of("ip-permission.cidr", "10.0.0.0/16")), null).items());
        assertEquals(2, f.state().describeSecurityGroups(DescribeRequest.filters(
            Filter.of("egress.ip-permission.cidr", "0.0.0.0/0")), null).items().size());
        assertEquals(1, f.state().describeSecurityGroups(DescribeRequest.filters(Filter.of("group-name", "def*")), null)
            .items().size());
        assertEquals(1, f.state().describeSecurityGroups(DescribeRequest.filters(
            Filter.of("ip-permission.group-name", "default")), null).items().size(), "the default group admits itself");

        assertEquals(List.of(net.vpc().defaultNetworkAclId()), f.state().describeNetworkAcls(DescribeRequest.filters(
            Filter.of("default", "true"), Filter.of("association.subnet-id", net.c().subnetId()))).items().stream()
            .map(NetworkAcl::networkAclId).toList());
        assertEquals(1, f.state().describeNetworkAcls(DescribeRequest.filters(Filter.of("entry.rule-number", "32767"),
            Filter.of("entry.rule-action", "deny"))).items().size());

        final List<NetworkInterface> enis = f.state().describeNetworkInterfaces(DescribeRequest.filters(
            Filter.of("requester-managed", "true"), Filter.of("interface-type", "vpc_endpoint"),
            Filter.of("private-ip-address", "10.0.2.4"))).items();
        assertEquals(List.of(endpoint.networkInterfaceIds().get(1)), enis.stream().map(NetworkInterface::networkInterfaceId).toList());
        assertEquals(2, f.state().describeNetworkInterfaces(DescribeRequest.filters(
            Filter.of("group-name", "default"), Filter.of("status", "in-use"))).items().size());
    }

    @Test
    void servicesAreSortedByNameAndFiltered()
    {
        final ServicesPage all = f.state().describeVpcEndpointServices(null, null, null, null, null);
        assertEquals(List.of(Fixture.S3.serviceName(), Fixture.AUTO.serviceName(), Fixture.MANUAL.serviceName()),
            all.serviceNames(), "RESTRICTED is not visible to the owner's root");
        final ServiceDetailsCheck check = new ServiceDetailsCheck(all.serviceDetails().getFirst());
        check.verify();
        assertEquals(List.of(Fixture.S3.serviceName()), f.state().describeVpcEndpointServices(null,
            List.of(Filter.of("owner", "amazon"), Filter.of("service-type", "Interface")), null, null, null).serviceNames());
        final ServicesPage first = f.state().describeVpcEndpointServices(null, null, 5, null, null);
        assertNull(first.nextToken());
        final String token = Pagination.encode("DescribeVpcEndpointServices", Fixture.S3.serviceName());
        assertEquals(List.of(Fixture.AUTO.serviceName(), Fixture.MANUAL.serviceName()),
            f.state().describeVpcEndpointServices(null, null, 5, token, null).serviceNames());
    }

    private record ServiceDetailsCheck(EndpointService s3)
    {
        void verify()
        {
            assertEquals("amazon", s3.ownerId());
            assertEquals("s3.us-east-1.vpce.amazonaws.com", s3.baseEndpointDnsName());
            assertEquals("s3.us-east-1.amazonaws.com", s3.privateDnsName());
            assertEquals(ServiceOrigin.CATALOG, s3.origin());
            assertNotNull(s3.serviceId());
            assertTrue(s3.serviceId().matches("vpce-svc-[0-9a-f]{17}"));
        }
    }

    private static List<String> ids(final Page<VpcEndpoint> page)
    {
        return page.items().stream().map(VpcEndpoint::vpcEndpointId).toList();
    }
}
