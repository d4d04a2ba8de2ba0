package vpce.appliance.config;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ConfigLoaderTest
{
    @Test
    void loadsTheLabConfigurationIntoTheTypedModel() throws Exception
    {
        final ApplianceModel model = ConfigLoader.parse(TestConfigs.labConfig(), "lab-config.yaml");
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
            Arguments.of("addresses: [10.100.0.1/24]", "addresses: [" + java.util.stream.IntStream.rangeClosed(1, 65)
                .mapToObj(i -> "10.100.0." + i + "/24").collect(java.util.stream.Collectors.joining(", ")) + "]",
                "ports[2].addresses: '65 addresses' are more than the 64 NAT can use"),
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
        final String yaml = TestConfigs.labConfig();
        final String broken = yaml.replace(good, bad);
        assertTrue(!broken.equals(yaml), "test setup: '" + good + "' not found in the lab config");
        final ConfigException ex = assertThrows(ConfigException.class, () -> ConfigLoader.parse(broken, "test.yaml"));
        assertTrue(ex.getMessage().startsWith("test.yaml: "), ex.getMessage());
        assertTrue(ex.getMessage().contains(expected), "message was: " + ex.getMessage());
    }

    @Test
    void networkAclsAndSecurityGroupsLoadWithTheDefaultsEveryVpcHas() throws Exception
    {
        final ApplianceModel model = ConfigLoader.parse(TestConfigs.withAppStreamRules(TestConfigs.labConfig()), "appstream.yaml");
        assertEquals("acl-0a11ce00000000f1", model.subnets().get(0).networkAclId());
        assertEquals("acl-0a11ce0000000001", model.subnets().get(1).networkAclId(), "the VPC's default network ACL");
        final ApplianceModel.NetworkAclSpec defaultAcl = model.networkAcls().stream()
            .filter(a -> a.id().equals("acl-0a11ce0000000001")).findFirst().orElseThrow();
        assertEquals(2, defaultAcl.entries().size(), "entry 100 allows all, both ways");
        assertTrue(defaultAcl.entries().stream().allMatch(e -> e.allow() && e.protocol() == -1 && e.ruleNumber() == 100));
        final ApplianceModel.NetworkAclSpec custom = model.networkAcls().stream()
            .filter(a -> a.id().equals("acl-0a11ce00000000f1")).findFirst().orElseThrow();
        final ApplianceModel.NaclEntrySpec icmp = custom.entries().get(3);
        assertEquals(1, icmp.protocol());
        assertEquals(8, icmp.icmpType());
        assertEquals(-1, icmp.icmpCode());
        assertEquals(List.of("sg-0a11ce00000000e1"), model.endpoints().get(0).securityGroupIds());

        final ApplianceModel.SecurityGroupSpec users = model.securityGroups().stream()
            .filter(g -> g.id().equals("sg-0a11ce00000000e1")).findFirst().orElseThrow();
        assertEquals(3, users.rules().size());
        assertTrue(users.rules().get(0).ruleId().matches("sgr-[0-9a-f]{17}"), users.rules().get(0).ruleId());
        assertEquals("sg-0a11ce00000000e2", users.rules().get(2).referencedGroupId());
        // The endpoint's ENIs are members of the endpoint's groups.
        assertEquals(List.of(Ipv4.parseAddress("10.0.1.20"), Ipv4.parseAddress("10.0.2.4")), users.members());
        final ApplianceModel.SecurityGroupSpec vpcDefault = model.securityGroups().stream()
            .filter(g -> g.id().equals("sg-0a11ce0000000001")).findFirst().orElseThrow();
        assertEquals("sg-0a11ce0000000001", vpcDefault.rules().get(0).referencedGroupId(), "inbound from its own members");
        assertEquals(5, model.securityGroupsPerEni());
    }

    @Test
    void anEndpointWithoutGroupsGetsTheDefaultSecurityGroupOfItsVpc() throws Exception
    {
        final ApplianceModel model = ConfigLoader.parse(TestConfigs.labConfig(), "lab.yaml");
        assertEquals(List.of("sg-0a11ce0000000001"), model.endpoints().get(0).securityGroupIds());
        final ApplianceModel.SecurityGroupSpec vpcDefault = model.securityGroups().get(0);
        assertEquals(List.of(Ipv4.parseAddress("10.0.1.20"), Ipv4.parseAddress("10.0.2.4")), vpcDefault.members());
    }

    static Stream<Arguments> badAccessRules()
    {
        return Stream.of(
            Arguments.of("protocol: tcp, ruleAction: allow, cidrBlock: 10.0.0.0/16, portRange: {from: 443",
                "protocol: tcpx, ruleAction: allow, cidrBlock: 10.0.0.0/16, portRange: {from: 443",
                "networkAcls[0].entries[0].protocol: 'tcpx' is not a protocol"),
            Arguments.of("{ruleNumber: 110,", "{ruleNumber: 100,",
                "networkAcls[0].entries[1].ruleNumber: '100' is used twice in the ingress entries"),
            Arguments.of("{ruleNumber: 120,", "{ruleNumber: 40000,",
                "networkAcls[0].entries[3].ruleNumber: '40000' must be 1..32766"),
            Arguments.of("ruleAction: deny", "ruleAction: drop", "networkAcls[0].entries[3].ruleAction: 'drop' is not one of allow, deny"),
            Arguments.of("portRange: {from: 1400, to: 1499}}", "portRange: {from: 1499, to: 1400}}",
                "networkAcls[0].entries[1].portRange: '1499-1400' has from > to"),
            Arguments.of("groupId: sg-0a11ce00000000e2}", "groupId: sg-0a11ce00000000e9}",
                "securityGroups[0].ingress[2].groupId: 'sg-0a11ce00000000e9' names no security group"),
            Arguments.of("fromPort: 443, toPort: 443, cidrIp: 10.0.0.0/16}",
                "fromPort: 443, toPort: 443, cidrIp: 10.0.0.0/16, groupId: sg-0a11ce00000000e2}",
                "securityGroups[0].ingress[0]: give exactly one of cidrIp and groupId"),
            Arguments.of("securityGroups: [sg-0a11ce00000000e1]", "securityGroups: [sg-0a11ce00000000e7]",
                "endpoints[0].securityGroups[0]: 'sg-0a11ce00000000e7' names no security group"),
            Arguments.of("securityGroups: [sg-0a11ce00000000e1]",
                "securityGroups: [sg-0a11ce00000000e1, sg-0a11ce00000000e2, sg-0a11ce00000000e1]",
                "endpoints[0].securityGroups[2]: 'sg-0a11ce00000000e1' is named twice"),
            Arguments.of("networkAcl: acl-0a11ce00000000f1", "networkAcl: acl-0a11ce00000000f5",
                "subnets[0].networkAcl: 'acl-0a11ce00000000f5' names no network ACL"));
    }

    @ParameterizedTest(name = "{1}")
    @MethodSource("badAccessRules")
    void aBadAccessRuleStopsLoadingWithItsPathAndValue(final String good, final String bad, final String expected)
    {
        final String yaml = TestConfigs.withAppStreamRules(TestConfigs.labConfig());
        final String broken = yaml.replace(good, bad);
        assertTrue(!broken.equals(yaml), "test setup: '" + good + "' not found");
        final ConfigException ex = assertThrows(ConfigException.class, () -> ConfigLoader.parse(broken, "test.yaml"));
        assertTrue(ex.getMessage().contains(expected), "message was: " + ex.getMessage());
    }

    @Test
    void flowLogsAreOffByDefaultAndOnForTheListedSubnetsAndEndpoints() throws Exception
    {
        assertEquals(null, ConfigLoader.parse(TestConfigs.labConfig(), "lab.yaml").flowLogs());
        final String on = TestConfigs.labConfig() +
            "flowLogs: {file: /tmp/flow.log, aggregationIntervalSeconds: 600, subnets: [subnet-0a11ce00000000b1]}\n";
        final ApplianceModel.FlowLogsSpec flowLogs = ConfigLoader.parse(on, "on.yaml").flowLogs();
        assertEquals(600_000_000_000L, flowLogs.aggregationIntervalNs());
        assertEquals("123456789012", flowLogs.accountId());

        assertTrue(flowLogs.covers("vpce-0a11ce0000000001", "subnet-0a11ce00000000b1", "eni-x"));
        assertTrue(!flowLogs.covers("vpce-0a11ce0000000001", "subnet-0a11ce00000000a1", "eni-x"));
        final ApplianceModel model = ConfigLoader.parse(on, "on.yaml");
        final String eniId = model.endpoints().get(0).enis().get(0).id("vpce-0a11ce0000000001");
        assertTrue(eniId.matches("eni-[0-9a-f]{17}"), eniId);
        assertTrue(ConfigLoader.parse(on.replace("subnets: [subnet-0a11ce00000000b1]", "networkInterfaces: [" + eniId + "]"), "t.yaml")
            .flowLogs().covers("vpce-other", "subnet-other", eniId));
        assertTrue(assertThrows(ConfigException.class,
            () -> ConfigLoader.parse(on.replace("subnets: [subnet-0a11ce00000000b1]", "networkInterfaces: [eni-00000000000000000]"), "t.yaml"))
            .getMessage().contains("flowLogs.networkInterfaces[0]: 'eni-00000000000000000' names no ENI"));

        assertTrue(assertThrows(ConfigException.class, () -> ConfigLoader.parse(on.replace("600", "300"), "t.yaml"))
            .getMessage().contains("flowLogs.aggregationIntervalSeconds: '300' must be 60 or 600"));
        assertTrue(assertThrows(ConfigException.class, () -> ConfigLoader.parse(on.replace("00b1]", "00c1]"), "t.yaml"))
            .getMessage().contains("flowLogs.subnets[0]: 'subnet-0a11ce00000000c1' names no subnet"));
        assertTrue(assertThrows(ConfigException.class,
            () -> ConfigLoader.parse(on.replace("{file:", "{accountId: '12345', file:"), "t.yaml"))
            .getMessage().contains("flowLogs.accountId: '12345' is not a 12-digit AWS account id"));
    }

    @Test
    void securityGroupsPerEniIsAQuotaWithinTheRangeAwsAllows()
    {
        final String twoGroups = TestConfigs.withAppStreamRules(TestConfigs.labConfig())
            .replace("securityGroups: [sg-0a11ce00000000e1]", "securityGroups: [sg-0a11ce00000000e1, sg-0a11ce00000000e2]");
        assertTrue(assertThrows(ConfigException.class, () -> ConfigLoader.parse(twoGroups + "limits: {securityGroupsPerEni: 1}\n", "t.yaml"))
            .getMessage().contains("endpoints[0].securityGroups: '[sg-0a11ce00000000e1, sg-0a11ce00000000e2]' has 2 groups; limits.securityGroupsPerEni is 1"));
        assertTrue(assertThrows(ConfigException.class, () -> ConfigLoader.parse(twoGroups + "limits: {securityGroupsPerEni: 17}\n", "t.yaml"))
            .getMessage().contains("limits.securityGroupsPerEni: '17' must be 1..16"));
    }

    @Test
    void portsMayNameTheirInterfaceAndNamespaceSeparately() throws Exception
    {
        final String tap = TestConfigs.labConfig()
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
        final String yaml = TestConfigs.labConfig();
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
