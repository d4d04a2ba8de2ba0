package vpce.appliance.config;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ConfigLoaderTest
{
    private static String labConfig() throws IOException
    {
        try (InputStream in = ConfigLoaderTest.class.getResourceAsStream("/lab-config.yaml"))
        {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Test
    void loadsTheLabConfigurationIntoTheTypedModel() throws Exception
    {
        final ApplianceModel model = ConfigLoader.parse(labConfig(), "lab-config.yaml");
        assertEquals("us-east-1", model.region());
        assertEquals(3, model.ports().size());
        assertEquals(ApplianceModel.PortRole.PROVIDER, model.port("prov").role());
        assertEquals(Ipv4.parseAddress("10.100.0.1"), model.port("prov").addresses().get(0).address());
        final ApplianceModel.EndpointSpec endpoint = model.endpoints().get(0);
        assertEquals(Ipv4.parseAddress("10.0.1.20"), endpoint.enis().get(0).address());
        assertEquals("az1", endpoint.enis().get(0).portName());
        // No eniAddress given: the first address after the four AWS reserves at the bottom.
        assertEquals(Ipv4.parseAddress("10.0.2.4"), endpoint.enis().get(1).address());
        assertEquals(8080, model.services().get(0).listeners().get(1).targetPort());
        assertEquals(ApplianceModel.IdleStrategyKind.POLL, model.datapath().idleStrategy());
    }

    static Stream<Arguments> badFields()
    {
        return Stream.of(
            Arguments.of("region: us-east-1", "region: mars", "region: 'mars' is not a region name"),
            Arguments.of("role: provider", "role: router", "ports[2].role: 'router' is not one of consumer, provider"),
            Arguments.of("type: afpacket\n    role: consumer\n    availabilityZone: us-east-1a", "type: pcap\n    role: consumer\n    availabilityZone: us-east-1a", "ports[0].type: 'pcap' is not one of afpacket, tap"),
            Arguments.of("addresses: [10.100.0.1/24]", "addresses: [\"10.100.0.300/24\"]", "ports[2].addresses[0]: '10.100.0.300/24' is not an IPv4 CIDR block"),
            Arguments.of("cidr: 10.0.2.0/24", "cidr: 10.1.2.0/24", "subnets[1].cidr: '10.1.2.0/24' is not inside VPC vpc-0a11ce0000000001"),
            Arguments.of("eniAddress: 10.0.1.20", "eniAddress: 10.0.1.3", "endpoints[0].subnets[0].eniAddress: '10.0.1.3' is one of the five addresses AWS reserves"),
            Arguments.of("eniAddress: 10.0.1.20", "eniAddress: 10.0.2.20", "endpoints[0].subnets[0].eniAddress: '10.0.2.20' is not in subnet subnet-0a11ce00000000a1"),
            Arguments.of("targetPort: 8080", "targetPort: 70000", "services[0].listeners[1].targetPort: '70000' is not a TCP port"),
            Arguments.of("targets: [10.100.0.10]", "targets: [192.0.2.1]", "services[0].targets[0]: '192.0.2.1' is not on the provider port's networks"),
            Arguments.of("availabilityZones: [us-east-1a, us-east-1b]", "availabilityZones: [us-east-1a]", "endpoints[0].subnets[1].subnet: 'subnet-0a11ce00000000b1' is in us-east-1b, where"),
            Arguments.of("      - subnet: subnet-0a11ce00000000b1", "      - subnet: subnet-0a11ce00000000a1", "endpoints[0].subnets[1].subnet: 'subnet-0a11ce00000000a1' is a second subnet in us-east-1a"),
            Arguments.of("batchSize: 64", "batchSize: 0", "datapath.batchSize: '0' must be 1..1024"),
            Arguments.of("batchSize: 64", "batchSiz: 64", "datapath.batchSiz: Unrecognized field \"batchSiz\""),
            Arguments.of("batchSize: 64", "batchSize: many", "datapath.batchSize: Cannot deserialize"),
            Arguments.of("    port: az2", "    port: prov", "subnets[1].port: 'prov' is not a consumer port"));
    }

    @ParameterizedTest(name = "{1}")
    @MethodSource("badFields")
    void aBadFieldStopsLoadingWithItsPathAndValue(final String good, final String bad, final String expected) throws Exception
    {
        final String yaml = labConfig();
        final String broken = yaml.replace(good, bad);
        assertTrue(!broken.equals(yaml), "test setup: '" + good + "' not found in the lab config");
        final ConfigException ex = assertThrows(ConfigException.class, () -> ConfigLoader.parse(broken, "test.yaml"));
        assertTrue(ex.getMessage().startsWith("test.yaml: "), ex.getMessage());
        assertTrue(ex.getMessage().contains(expected), "message was: " + ex.getMessage());
    }

    @Test
    void portsMayNameTheirInterfaceAndNamespaceSeparately() throws Exception
    {
        final String tap = labConfig()
            .replace("  - name: az1\n    type: afpacket\n", "  - name: az1\n    type: tap\n    interface: eth0\n    namespace: lab-c1\n")
            .replace("  - name: az2\n    type: afpacket\n", "  - name: az2\n    type: tap\n    interface: eth0\n    namespace: lab-c2\n");
        final ApplianceModel model = ConfigLoader.parse(tap, "tap.yaml");
        assertEquals("eth0", model.port("az1").interfaceName());
        assertEquals("lab-c1", model.port("az1").namespace());
        assertEquals(ApplianceModel.PortType.TAP, model.port("az2").type());
        assertEquals("prov", model.port("prov").interfaceName(), "interface defaults to the port's name");

        final String clash = tap.replace("namespace: lab-c2", "namespace: lab-c1");
        final ConfigException ex = assertThrows(ConfigException.class, () -> ConfigLoader.parse(clash, "clash.yaml"));
        assertTrue(ex.getMessage().contains("ports[1].interface: 'eth0' is used by another port in namespace lab-c1"), ex.getMessage());
    }

    @Test
    void missingFileEmptyFileAndGarbageAreClearErrors(final @org.junit.jupiter.api.io.TempDir Path dir) throws Exception
    {
        assertTrue(assertThrows(ConfigException.class, () -> ConfigLoader.load(dir.resolve("absent.yaml")))
            .getMessage().contains("no such file"));
        final Path empty = Files.writeString(dir.resolve("empty.yaml"), "");
        assertTrue(assertThrows(ConfigException.class, () -> ConfigLoader.load(empty)).getMessage().contains("empty"));
        final Path garbage = Files.writeString(dir.resolve("garbage.yaml"), "ports: [ {name: \"unterminated");
        assertTrue(assertThrows(ConfigException.class, () -> ConfigLoader.load(garbage)).getMessage().contains("garbage.yaml"));
    }

    @Test
    void randomBytesNeverEscapeAsAnythingButConfigException() throws Exception
    {
        final Random random = new Random(42);
        final String yaml = labConfig();
        for (int i = 0; i < 2000; i++)
        {
            final char[] chars = yaml.toCharArray();
            for (int flips = 1 + random.nextInt(4); flips > 0; flips--)
            {
                chars[random.nextInt(chars.length)] = (char)(32 + random.nextInt(95));
            }
            final String mutated = new String(chars);
            try
            {
                ConfigLoader.parse(mutated, "fuzz.yaml");
            }
            catch (final ConfigException expected)
            {
                assertTrue(expected.getMessage().startsWith("fuzz.yaml: "));
            }
        }
    }
}
