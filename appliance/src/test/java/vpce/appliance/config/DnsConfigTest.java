package vpce.appliance.config;

import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

class DnsConfigTest
{
    private static ApplianceModel parse(final String dns) throws ConfigException
    {
        return ConfigLoader.parse(TestConfigs.labConfig() + dns, "t.yaml");
    }

    @Test
    void offWhenAbsentAndDefaultsWhenEmpty() throws ConfigException
    {
        assertNull(parse("").dns());
        final ApplianceModel.DnsSpec dns = parse("dns: {}\n").dns();
        assertEquals(List.of(new InetSocketAddress("0.0.0.0", 53)), dns.listen());
        assertNull(dns.upstream());
        assertEquals(1024, dns.rateLimitPerSecond());
        assertEquals(1232, dns.maxUdpPayload());
        assertEquals(Ipv4.parseAddress("10.0.0.2"), dns.resolverAddress("vpc-0a11ce0000000001", Ipv4.Cidr.parse("10.0.0.0/16")));
    }

    @Test
    void explicitValues() throws ConfigException
    {
        final ApplianceModel.DnsSpec dns = parse("""
            dns:
              listen: ["10.0.0.2:53", "127.0.0.1:5353"]
              upstream: 10.100.0.53
              rateLimitPerSecond: 0
              resolvers:
                - {vpc: vpc-0a11ce0000000001, address: 10.0.0.53}
            """).dns();
        assertEquals(new InetSocketAddress("127.0.0.1", 5353), dns.listen().get(1));
        assertEquals(new InetSocketAddress("10.100.0.53", 53), dns.upstream());
        assertEquals(0, dns.rateLimitPerSecond());
        assertEquals(Ipv4.parseAddress("10.0.0.53"), dns.resolverAddress("vpc-0a11ce0000000001", Ipv4.Cidr.parse("10.0.0.0/16")));
    }

    @Test
    void badValuesNameTheField()
    {
        assertEquals("t.yaml: dns.listen[0]: '10.0.0.2' is not address:port",
            assertThrows(ConfigException.class, () -> parse("dns: {listen: [\"10.0.0.2\"]}\n")).getMessage());
        assertEquals("t.yaml: dns.rateLimitPerSecond: '-1' must be 0 (no limit) or more",
            assertThrows(ConfigException.class, () -> parse("dns: {rateLimitPerSecond: -1}\n")).getMessage());
        assertEquals("t.yaml: dns.upstream: 'x:53' is not an IPv4 address",
            assertThrows(ConfigException.class, () -> parse("dns: {upstream: \"x:53\"}\n")).getMessage());
        assertEquals("t.yaml: dns.maxUdpPayload: '100' must be 512..65535",
            assertThrows(ConfigException.class, () -> parse("dns: {maxUdpPayload: 100}\n")).getMessage());
    }
}
