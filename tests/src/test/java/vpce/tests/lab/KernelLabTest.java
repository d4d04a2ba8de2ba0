package vpce.tests.lab;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import vpce.appliance.lab.ExecResult;
import vpce.appliance.lab.Iperf3Result;
import vpce.appliance.lab.Lab;
import vpce.appliance.lab.LabMode;
import vpce.appliance.lab.LabPlan;
import vpce.tests.support.RequiresRoot;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * A kernel-mode lab: the topology, lab.json and the service reached through each zone's ENI.
 */
@RequiresRoot
@Timeout(120)
class KernelLabTest
{
    @TempDir
    static Path runDirectory;

    private static LabPlan plan;
    private static Lab lab;

    @BeforeAll
    static void up()
    {
        plan = LabPlan.defaults(LabTestSupport.uniqueLabName(), runDirectory);
        lab = Lab.up(plan, LabMode.KERNEL);
    }

    @AfterAll
    static void down()
    {
        Lab.down(plan.name(), plan.runDirectory());
        assertEquals(List.of(), LabTestSupport.namespacesWithPrefix(plan.name() + "-"));
    }

    @Test
    void everyNamespaceExists()
    {
        final List<String> expected = List.of(
            plan.name() + "-app", plan.name() + "-c1", plan.name() + "-c2", plan.name() + "-svc");
        final List<String> present = LabTestSupport.namespacesWithPrefix(plan.name() + "-");
        assertTrue(present.containsAll(expected), "ip netns list: " + present);
        assertEquals(expected, plan.namespaces());
        assertTrue(lab.status().up(), lab.status().toString());
    }

    @Test
    void appliancePortsExistWithoutIpv6()
    {
        for (final String port : List.of("az1", "az2", "prov"))
        {
            final ExecResult link = lab.exec(plan.appNamespace(), Duration.ofSeconds(5), "ip", "-o", "link", "show", port);
            assertTrue(link.ok(), link.describe());
            assertTrue(link.stdout().contains("state UP") || link.stdout().contains(",UP"), link.stdout());
            final ExecResult ipv6 = lab.exec(
                plan.appNamespace(), Duration.ofSeconds(5), "sysctl", "-n", "net.ipv6.conf." + port + ".disable_ipv6");
            assertEquals("1", ipv6.stdout().strip(), ipv6.describe());
        }
    }

    @Test
    void labFileHasTheDocumentedKeys() throws IOException
    {
        final JsonNode json = new ObjectMapper().readTree(plan.labFile().toFile());
        assertEquals(
            List.of("name", "mode", "endpoints", "runDirectory", "configFile", "region", "appliance", "consumers", "service",
                "endpoint", "managementApi", "dns"),
            fieldNames(json));
        assertTrue(json.get("dns").get("resolvers").isEmpty(), "no resolver in kernel mode");
        assertEquals(plan.name(), json.get("name").asText());
        assertEquals("kernel", json.get("mode").asText());
        assertEquals("config", json.get("endpoints").asText());
        assertEquals(plan.runDirectory().toString(), json.get("runDirectory").asText());
        assertEquals(plan.configFile().toString(), json.get("configFile").asText());
        assertTrue(Files.exists(Path.of(json.get("configFile").asText())));
        assertEquals("us-east-1", json.get("region").asText());

        final JsonNode appliance = json.get("appliance");
        assertEquals(List.of("namespace", "pid", "log", "portType", "ports"), fieldNames(appliance));
        assertEquals(plan.name() + "-app", appliance.get("namespace").asText());
        assertTrue(appliance.get("pid").isNull(), "no appliance process in kernel mode");
        assertEquals("afpacket", appliance.get("portType").asText());
        assertEquals(3, appliance.get("ports").size());
        for (final JsonNode port : appliance.get("ports"))
        {
            assertEquals(List.of("name", "role", "availabilityZone"), fieldNames(port));
        }
        assertEquals("az1", appliance.get("ports").get(0).get("name").asText());
        assertEquals("consumer", appliance.get("ports").get(0).get("role").asText());
        assertEquals("us-east-1a", appliance.get("ports").get(0).get("availabilityZone").asText());
        assertEquals("provider", appliance.get("ports").get(2).get("role").asText());

        final JsonNode consumers = json.get("consumers");
        assertEquals(2, consumers.size());
        for (final JsonNode consumer : consumers)
        {
            assertEquals(
                List.of("availabilityZone", "namespace", "interface", "address", "subnetCidr", "subnetId", "eniAddress"),
                fieldNames(consumer));
        }
        assertEquals("10.0.1.10", consumers.get(0).get("address").asText());
        assertEquals("10.0.1.20", consumers.get(0).get("eniAddress").asText());
        assertEquals("us-east-1b", consumers.get(1).get("availabilityZone").asText());
        assertEquals(plan.name() + "-c2", consumers.get(1).get("namespace").asText());
        assertEquals("10.0.2.20", consumers.get(1).get("eniAddress").asText());

        final JsonNode service = json.get("service");
        assertEquals(List.of("namespace", "address", "serviceName", "privateDnsName", "listeners"), fieldNames(service));
        assertEquals("10.100.0.10", service.get("address").asText());
        assertEquals(80, service.get("listeners").get(1).get("port").asInt());
        assertEquals(8080, service.get("listeners").get(1).get("targetPort").asInt());
        assertEquals("http", service.get("listeners").get(1).get("application").asText());

        final JsonNode endpoint = json.get("endpoint");
        assertEquals(List.of("id", "serviceName", "vpcId"), fieldNames(endpoint));
        assertEquals("vpce-0a11ce0000000001", endpoint.get("id").asText());

        final JsonNode api = json.get("managementApi");
        assertEquals(List.of("namespace", "url", "region", "accessKeyId", "secretAccessKey"), fieldNames(api));
        assertTrue(api.get("accessKeyId").isNull(), "no management API in kernel mode");
    }

    @Test
    void iperf3ThroughEachZonesEni()
    {
        for (final LabPlan.Consumer consumer : plan.consumers())
        {
            final Iperf3Result result = lab.iperf3(
                consumer.namespace(), consumer.eniAddress(), plan.iperf3Listener().port(), 1, 2);
            assertTrue(result.bytesReceived() > 0, consumer.availabilityZone() + ": " + result);
            assertTrue(result.bitsPerSecondReceived() > 0, consumer.availabilityZone() + ": " + result);
        }
    }

    @Test
    void httpThroughTheEniReturnsTheServiceBody()
    {
        for (final LabPlan.Consumer consumer : plan.consumers())
        {
            final ExecResult curl = lab.httpGet(consumer.namespace(), "http://" + consumer.eniAddress() + "/");
            assertTrue(curl.ok(), curl.describe());
            assertEquals(LabPlan.HTTP_BODY, curl.stdout());
        }
    }

    @Test
    void serviceCannotOpenAConnectionIntoTheVpc()
    {
        // The client has no listener on 5201 either: had the SYN been forwarded, the client would
        // answer RST and curl would fail at once with "connection refused" (7). A timeout (28)
        // means the forwarder dropped it.
        final LabPlan.Consumer consumer = plan.consumers().get(0);
        final ExecResult curl = lab.exec(
            plan.service().namespace(), Duration.ofSeconds(10),
            "curl", "-sS", "--max-time", "1", "http://" + consumer.clientAddress() + ":5201/");
        assertEquals(28, curl.exitCode(), curl.describe());
    }

    @Test
    void execRefusesNamespacesOutsideTheLab()
    {
        try
        {
            lab.exec("not-" + plan.name() + "-app", Duration.ofSeconds(1), "true");
            fail("exec outside the lab must be refused");
        }
        catch (final IllegalArgumentException expected)
        {
            assertTrue(expected.getMessage().contains("not a namespace"), expected.getMessage());
        }
        assertFalse(plan.namespaces().contains("not-" + plan.name() + "-app"));
    }

    private static List<String> fieldNames(final JsonNode node)
    {
        final List<String> names = new ArrayList<>();
        for (final Iterator<String> it = node.fieldNames(); it.hasNext(); )
        {
            names.add(it.next());
        }
        return names;
    }
}
