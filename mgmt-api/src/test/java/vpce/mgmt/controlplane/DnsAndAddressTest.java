package vpce.mgmt.controlplane;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DnsAndAddressTest
{
    @Test
    void baseNamesPerReferenceSectionFour()
    {
        assertEquals("vpce-svc-0e123abc123198abc.us-east-1.vpce.amazonaws.com", DnsNames.baseEndpointDnsName(
            "com.amazonaws.vpce.us-east-1.vpce-svc-0e123abc123198abc", "vpce-svc-0e123abc123198abc", "us-east-1"));
        assertEquals("api.ecr.eu-west-1.vpce.amazonaws.com",
            DnsNames.baseEndpointDnsName("com.amazonaws.eu-west-1.ecr.api", "vpce-svc-01234567", "eu-west-1"));
        assertEquals("elasticloadbalancing.us-east-1.vpce.amazonaws.com", DnsNames.baseEndpointDnsName(
            "com.amazonaws.us-east-1.elasticloadbalancing", "vpce-svc-01234567", "us-east-1"));
        assertEquals("vpce-svc-01234567.us-east-1.vpce.amazonaws.com",
            DnsNames.baseEndpointDnsName("my.own.service", "vpce-svc-01234567", "us-east-1"));
        assertEquals("Z7HUB22UULQXV", DnsNames.vpceHostedZoneId("us-east-1"));
        assertTrue(DnsNames.vpceHostedZoneId("eu-west-1").matches("Z[A-Z0-9]{12}"));
        assertEquals(DnsNames.privateHostedZoneId("vpc-01234567", "a.b"), DnsNames.privateHostedZoneId("vpc-01234567", "a.b"));
        assertEquals("vpce-svc-0a11ce0000000001",
            CatalogService.serviceIdFor("com.amazonaws.vpce.us-east-1.vpce-svc-0a11ce0000000001"));
        assertEquals(CatalogService.serviceIdFor("x.y"), CatalogService.serviceIdFor("x.y"), "derived ids are stable");
    }

    @Test
    void endpointEntriesShareOneRandomLabel()
    {
        final List<DnsEntry> entries = DnsNames.endpointEntries("vpce-0123456789abcdef0-ab12cd34",
            "ec2.us-east-1.vpce.amazonaws.com", "us-east-1", List.of("us-east-1a", "us-east-1c"), "vpc-01234567",
            "ec2.us-east-1.amazonaws.com");
        assertEquals(List.of("vpce-0123456789abcdef0-ab12cd34.ec2.us-east-1.vpce.amazonaws.com",
            "vpce-0123456789abcdef0-ab12cd34-us-east-1a.ec2.us-east-1.vpce.amazonaws.com",
            "vpce-0123456789abcdef0-ab12cd34-us-east-1c.ec2.us-east-1.vpce.amazonaws.com",
            "ec2.us-east-1.amazonaws.com"), entries.stream().map(DnsEntry::dnsName).toList());
        assertEquals("us-east-1c", entries.get(2).availabilityZone());
        assertNull(entries.get(3).availabilityZone());
        assertTrue(entries.get(3).privateName());
    }

    @Test
    void eniAddressesSkipTheFiveAwsReservesAndThoseInUseUntilTheSubnetIsFull()
    {
        final Fixture f = new Fixture();
        final ControlPlane cp = f.controlPlane;
        final Vpc vpc = f.vpc("10.0.0.0/16");
        final Subnet small = cp.createSubnet(vpc.vpcId(), "10.0.0.16/28", "us-east-1a", null, Map.of(), false);
        assertEquals(11, f.state().availableIpAddressCount(small));
        final List<VpcEndpoint> endpoints = new ArrayList<>();
        final List<String> addresses = new ArrayList<>();
        for (int i = 0; i < 11; i++)
        {
            final VpcEndpoint endpoint = cp.createVpcEndpoint(CreateVpcEndpointRequest.of(vpc.vpcId(),
                Fixture.MANUAL.serviceName(), List.of(small.subnetId()), null), false);
            endpoints.add(endpoint);
            addresses.add(f.state().networkInterface(endpoint.networkInterfaceIds().getFirst()).privateIpAddress());
        }
        final List<String> expected = new ArrayList<>();
        for (int host = 20; host <= 30; host++)
        {
            expected.add("10.0.0." + host);
        }
        assertEquals(expected, addresses, ".16-.19 and .31 are AWS's");
        assertEquals(0, f.state().availableIpAddressCount(small));
        f.refused("InsufficientFreeAddressesInSubnet", () -> cp.createVpcEndpoint(CreateVpcEndpointRequest.of(vpc.vpcId(),
            Fixture.MANUAL.serviceName(), List.of(small.subnetId()), null), false));

        cp.deleteVpcEndpoints(List.of(endpoints.get(4).vpcEndpointId()), false);
        f.refused("InsufficientFreeAddressesInSubnet", () -> cp.createVpcEndpoint(CreateVpcEndpointRequest.of(vpc.vpcId(),
            Fixture.MANUAL.serviceName(), List.of(small.subnetId()), null), false));
        f.programmed();
        final VpcEndpoint reused = cp.createVpcEndpoint(CreateVpcEndpointRequest.of(vpc.vpcId(), Fixture.MANUAL.serviceName(),
            List.of(small.subnetId()), null), false);
        assertEquals("10.0.0.24", f.state().networkInterface(reused.networkInterfaceIds().getFirst()).privateIpAddress(),
            "a deleted endpoint's address is free again once it is deleted");
    }

    @Test
    void cidrParsingIsStrict()
    {
        assertEquals(new Ipv4Cidr(0x0A000000, 16), Ipv4Cidr.parseOrNull("10.0.0.0/16"));
        for (final String bad : new String[]{"10.0.0.1/16", "10.0.0.0", "10.0.0.0/33", "10.0.0/16", "010.0.0.0/16",
            "10.0.0.0/016", " 10.0.0.0/16", "10.0.0.256/24", "a.b.c.d/8", "10.0.0.0/", "/8", ""})
        {
            assertNull(Ipv4Cidr.parseOrNull(bad), bad);
        }
        final Ipv4Cidr cidr = Ipv4Cidr.parseOrNull("192.168.1.0/24");
        assertTrue(cidr.isReservedByAws(0xC0A80100) && cidr.isReservedByAws(0xC0A80103) && cidr.isReservedByAws(0xC0A801FF));
        assertTrue(!cidr.isReservedByAws(0xC0A80104) && !cidr.isReservedByAws(0xC0A801FE));
        assertTrue(Ipv4Cidr.parseOrNull("10.0.0.0/8").overlaps(Ipv4Cidr.parseOrNull("10.1.0.0/16")));
    }
}
