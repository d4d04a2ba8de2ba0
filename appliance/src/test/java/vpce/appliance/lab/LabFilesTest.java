package vpce.appliance.lab;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The files and rules a lab derives from its plan, without creating anything.
 */
class LabFilesTest
{
    private final LabPlan plan = LabPlan.defaults("vpce", LabPlan.DEFAULT_RUN_DIRECTORY);

    @Test
    void defaultsMatchTheDocumentedTopology()
    {
        assertEquals(List.of("vpce-app", "vpce-c1", "vpce-c2", "vpce-svc"), plan.namespaces());
        assertEquals(Path.of("/run/vpce-lab/vpce.yaml"), plan.configFile());
        assertEquals(Path.of("/run/vpce-lab/state/ready"), plan.readyFile());
        assertEquals("10.0.1.20", plan.consumer("us-east-1a").eniAddress());
        assertEquals("az2", plan.consumer("us-east-1b").portName());
        assertEquals(8080, plan.httpListener().targetPort());
        assertEquals(80, plan.httpListener().port());
        assertEquals(5201, plan.iperf3Listener().targetPort());
        assertEquals("10.100.0.1", plan.service().providerAddress());
        assertTrue(plan.launch().jvmFlags().contains("-XX:+UseParallelGC"));
    }

    @Test
    void rejectsNamesThatCannotPrefixNamespaces()
    {
        for (final String bad : List.of("", "Vpce", "-x", "a/b", "a b", "x".repeat(25), "../etc"))
        {
            assertThrows(IllegalArgumentException.class, () -> LabPlan.defaults(bad, Path.of("/tmp/x")), bad);
        }
    }

    @Test
    void applianceConfigHasTheSchemaKeys() throws Exception
    {
        final JsonNode yaml = new ObjectMapper(new YAMLFactory()).readTree(LabFiles.applianceConfigYaml(plan));
        assertEquals(
            List.of("region", "stateDirectory", "datapath", "ports", "vpcs", "subnets", "services", "endpoints", "securityGroups", "managementApi", "dns",
                "flowLogs"),
            names(yaml));
        assertEquals("/run/vpce-lab/state", yaml.get("stateDirectory").asText());
        assertEquals(64, yaml.get("datapath").get("batchSize").asInt());
        assertEquals("poll", yaml.get("datapath").get("idleStrategy").asText());

        final JsonNode ports = yaml.get("ports");
        assertEquals(3, ports.size());
        assertEquals(List.of("name", "type", "role", "availabilityZone"), names(ports.get(0)));
        assertEquals("afpacket", ports.get(0).get("type").asText());
        assertEquals(List.of("name", "type", "role", "addresses"), names(ports.get(2)));
        assertEquals("10.100.0.1/24", ports.get(2).get("addresses").get(0).asText());

        assertTrue(yaml.get("vpcs").get(0).get("enableDnsSupport").asBoolean());
        assertEquals(List.of("id", "vpc", "availabilityZone", "cidr", "port"), names(yaml.get("subnets").get(1)));
        assertEquals("az2", yaml.get("subnets").get(1).get("port").asText());

        final JsonNode service = yaml.get("services").get(0);
        assertEquals(
            List.of("serviceName", "availabilityZones", "acceptanceRequired", "privateDnsName", "listeners", "targets"), names(service));
        assertFalse(service.get("acceptanceRequired").asBoolean());
        assertEquals(8080, service.get("listeners").get(1).get("targetPort").asInt());
        assertEquals("10.100.0.10", service.get("targets").get(0).asText());

        final JsonNode endpoint = yaml.get("endpoints").get(0);
        assertEquals(List.of("id", "vpc", "serviceName", "subnets"), names(endpoint));
        assertEquals("10.0.2.20", endpoint.get("subnets").get(1).get("eniAddress").asText());
        assertEquals(service.get("serviceName"), endpoint.get("serviceName"));

        final JsonNode key = yaml.get("managementApi").get("accessKeys").get(0);
        assertEquals(plan.credentials().accessKeyId(), key.get("accessKeyId").asText());
        assertEquals("ec2:*", key.get("allowedActions").get(0).asText());
    }

    @Test
    void anApiLabDeclaresNoVpcOrEndpointAndPublishesTheCredentials() throws Exception
    {
        final LabPlan api = plan.withEndpoints(LabEndpoints.API);
        final JsonNode yaml = new ObjectMapper(new YAMLFactory()).readTree(LabFiles.applianceConfigYaml(api));
        assertEquals(List.of("region", "stateDirectory", "datapath", "ports", "services", "managementApi", "dns", "flowLogs"), names(yaml));
        // The file still validates: the EC2 API on, no VPC needed.
        final var model = vpce.appliance.config.ConfigLoader.parse(LabFiles.applianceConfigYaml(api), "lab.yaml");
        assertTrue(model.vpcs().isEmpty() && model.endpoints().isEmpty());
        assertTrue(model.managementApi().ec2Enabled());

        final JsonNode lab = LabFiles.labDocument(api, LabMode.APPLIANCE, 1L);
        assertEquals("api", lab.get("endpoints").asText());
        assertTrue(lab.get("endpoint").get("id").isNull());
        assertTrue(lab.get("consumers").get(0).get("eniAddress").isNull());
        assertEquals("10.0.1.0/24", lab.get("consumers").get(0).get("subnetCidr").asText());
        final JsonNode managementApi = lab.get("managementApi");
        assertEquals("http://127.0.0.1:8787", managementApi.get("url").asText());
        assertEquals("us-east-1", managementApi.get("region").asText());
        assertEquals(api.credentials().accessKeyId(), managementApi.get("accessKeyId").asText());
        assertEquals(api.credentials().secretAccessKey(), managementApi.get("secretAccessKey").asText());
        assertTrue(managementApi.get("accessKeyId").asText().matches("AKIA[A-Z2-7]{16}"));
        assertEquals(40, managementApi.get("secretAccessKey").asText().length());

        assertTrue(LabFiles.labDocument(api, LabMode.KERNEL, null).get("managementApi").get("secretAccessKey").isNull());
        assertThrows(LabException.class, () -> Lab.up(api, LabMode.KERNEL));
        assertEquals(LabEndpoints.API, LabEndpoints.parse(" API "));
    }

    @Test
    void labDocumentRecordsTheAppliancePidOnlyInApplianceMode()
    {
        final JsonNode kernel = LabFiles.labDocument(plan, LabMode.KERNEL, null);
        assertTrue(kernel.get("appliance").get("pid").isNull());
        assertEquals("kernel", kernel.get("mode").asText());

        final JsonNode appliance = LabFiles.labDocument(plan, LabMode.APPLIANCE, 4242L);
        assertEquals(4242, appliance.get("appliance").get("pid").asLong());
        assertEquals("/run/vpce-lab/appliance.log", appliance.get("appliance").get("log").asText());
        assertEquals(List.of("vpce-app", "vpce-c1", "vpce-c2", "vpce-svc"), LabFiles.recordedNamespaces(appliance));
    }

    @Test
    void labDocumentPublishesTheResolverOnlyWhereTheClientsReachIt()
    {
        final JsonNode resolvers = LabFiles.labDocument(plan, LabMode.APPLIANCE, 1L).get("dns").get("resolvers");
        assertEquals(1, resolvers.size());
        assertEquals("10.0.0.2", resolvers.get(0).get("address").asText());
        assertEquals("10.0.0.0/16", resolvers.get(0).get("vpcCidr").asText());
        assertEquals("127.0.0.1:5300", LabFiles.labDocument(plan, LabMode.APPLIANCE, 1L).get("dns").get("upstream").asText());
        assertTrue(LabFiles.labDocument(plan, LabMode.KERNEL, null).get("dns").get("resolvers").isEmpty());
        assertTrue(LabFiles.labDocument(plan.withPorts(LabPorts.TAP), LabMode.APPLIANCE, 1L).get("dns").get("resolvers").isEmpty());
    }

    @Test
    void kernelRulesetTranslatesEveryListenerOfEveryEni()
    {
        final String rules = Lab.kernelRuleset(plan);
        assertTrue(rules.contains("iifname \"az1\" ip daddr 10.0.1.20 tcp dport 80 dnat to 10.100.0.10:8080"), rules);
        assertTrue(rules.contains("iifname \"az2\" ip daddr 10.0.2.20 tcp dport 5201 dnat to 10.100.0.10:5201"), rules);
        assertTrue(rules.contains("oifname \"prov\" snat to 10.100.0.1"), rules);
        assertTrue(rules.contains("policy drop"), rules);
    }

    @Test
    void modeParsesCaseInsensitively()
    {
        assertEquals(LabMode.KERNEL, LabMode.parse("Kernel"));
        assertEquals(LabMode.APPLIANCE, LabMode.parse(" appliance "));
        assertThrows(IllegalArgumentException.class, () -> LabMode.parse("bridge"));
    }

    private static List<String> names(final JsonNode node)
    {
        final List<String> names = new ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }
}
