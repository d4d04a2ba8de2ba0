package vpce.tests.datapath;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import vpce.appliance.lab.ExecResult;
import vpce.appliance.lab.Iperf3Result;
import vpce.appliance.lab.Lab;
import vpce.appliance.lab.LabFiles;
import vpce.appliance.lab.LabMode;
import vpce.appliance.lab.LabPlan;
import vpce.appliance.stats.CountersFile;
import vpce.tests.support.RequiresRoot;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongPredicate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The AppStream 2.0 streaming-endpoint set-up from the seed document, in a lab: the ENI's group
 * allows TCP 443 and 1400-1499 from the users' range, the subnet's network ACL allows those
 * ports in and the ephemeral ports 1024-65535 out. Rules change at run time through SIGHUP, as an
 * operator would change them, and the tests show AWS's tracking semantics: a network ACL change
 * applies to the very next packet, a security-group change only to new connections.
 */
@RequiresRoot
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(180)
class AccessRulesSystemTest
{
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final String USERS = "10.0.0.0/16";
    private static final String ACL = "acl-0a11ce00000000f1";
    private static final String GROUP = "sg-0a11ce00000000e1";

    private Lab lab;
    private LabPlan plan;
    private LabPlan.Consumer consumer;
    private CountersFile counters;

    @BeforeAll
    void startLab() throws Exception
    {
        final String name = "vt" + Long.toString(ThreadLocalRandom.current().nextLong(36L * 36 * 36 * 36), 36);
        plan = LabPlan.defaults(name, Files.createTempDirectory("vpce-acl-" + name));
        lab = Lab.up(plan, LabMode.APPLIANCE);
        consumer = plan.consumers().get(0);
        counters = CountersFile.open(plan.stateDirectory());
        apply(true, true);
    }

    @AfterAll
    void stopLab()
    {
        if (counters != null)
        {
            counters.close();
        }
        if (lab != null)
        {
            lab.close();
        }
    }

    @Test
    void connectionsToTheStreamingPortsSucceed()
    {
        final ExecResult https = lab.httpGet(consumer.namespace(), "http://" + consumer.eniAddress() + ":443/");
        assertEquals(0, https.exitCode(), https.describe());
        assertEquals(LabPlan.HTTP_BODY, https.stdout());
        final Iperf3Result streaming = lab.iperf3(consumer.namespace(), consumer.eniAddress(), 1450, 1, 1);
        assertTrue(streaming.bytesReceived() > 1_000_000, "1450: " + streaming.bytesReceived() + " bytes");
    }

    @Test
    void aPortTheGroupDoesNotAllowFailsAndSgIngressCountsIt()
    {
        final long sgBefore = counters.value("drop.sg_ingress");
        final ExecResult refused = connect(1500);
        assertNotEquals(0, refused.exitCode(), "port 1500 connected: " + refused.describe());
        awaitCounter("drop.sg_ingress", v -> v > sgBefore);

        final long naclBefore = counters.value("drop.nacl_ingress");
        final ExecResult denied = connect(1600);
        assertNotEquals(0, denied.exitCode(), "port 1600 connected: " + denied.describe());
        awaitCounter("drop.nacl_ingress", v -> v > naclBefore);
    }

    @Test
    void removingTheEgressEphemeralRuleStallsARunningTransferAndRestoringItResumesIt() throws Exception
    {
        final CompletableFuture<Iperf3Result> transfer =
            CompletableFuture.supplyAsync(() -> lab.iperf3(consumer.namespace(), consumer.eniAddress(), 1450, 1, 10));
        awaitCounter("port.prov.tx_bytes", growingFrom(counters.value("port.prov.tx_bytes") + 50_000_000));

        final long egressDropsBefore = counters.value("drop.nacl_egress");
        apply(false, true);
        awaitCounter("drop.nacl_egress", v -> v > egressDropsBefore);
        // No acknowledgement reaches the client: once its window is spent nothing more crosses.
        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(500));
        final long stalledAt = counters.value("port.prov.tx_bytes");
        LockSupport.parkNanos(TimeUnit.SECONDS.toNanos(1));
        assertTrue(counters.value("port.prov.tx_bytes") - stalledAt < 10_000_000,
            "the transfer went on without the egress rule: " + (counters.value("port.prov.tx_bytes") - stalledAt) + " bytes");

        apply(true, true);
        awaitCounter("port.prov.tx_bytes", growingFrom(stalledAt + 50_000_000));
        final Iperf3Result result = transfer.get(60, TimeUnit.SECONDS);
        assertTrue(result.bytesReceived() > 100_000_000, "after the stall: " + result.bytesReceived() + " bytes");
    }

    @Test
    void removingTheSecurityGroupRuleKeepsTheRunningTransferButBlocksNewConnections() throws Exception
    {
        final CompletableFuture<Iperf3Result> transfer =
            CompletableFuture.supplyAsync(() -> lab.iperf3(consumer.namespace(), consumer.eniAddress(), 1450, 1, 6));
        awaitCounter("port.prov.tx_bytes", growingFrom(counters.value("port.prov.tx_bytes") + 50_000_000));
        try
        {
            apply(true, false);
            // Tracked: the flow admitted before the change keeps flowing.
            awaitCounter("port.prov.tx_bytes", growingFrom(counters.value("port.prov.tx_bytes") + 100_000_000));
            final long sgBefore = counters.value("drop.sg_ingress");
            final ExecResult fresh = connect(1450);
            assertNotEquals(0, fresh.exitCode(), "a new connection to 1450 passed without the rule: " + fresh.describe());
            awaitCounter("drop.sg_ingress", v -> v > sgBefore);
            final Iperf3Result result = transfer.get(60, TimeUnit.SECONDS);
            assertTrue(result.bytesReceived() > 100_000_000, result.toString());
        }
        finally
        {
            apply(true, true);
        }
    }

    @Test
    void explainOverTheManagementApiNamesTheDecidingRules() throws Exception
    {
        final com.fasterxml.jackson.databind.JsonNode reachable = explain(1450);
        assertTrue(reachable.get("allowed").asBoolean(), reachable.toString());
        assertEquals(ACL, reachable.get("networkAclId").asText());
        assertEquals(110, reachable.get("ingressEntry").asInt());
        assertEquals(GROUP, reachable.get("securityGroupId").asText());
        assertEquals(100, reachable.get("egressEntry").asInt());

        final com.fasterxml.jackson.databind.JsonNode refused = explain(1500);
        assertTrue(!refused.get("allowed").asBoolean(), refused.toString());
        assertEquals(120, refused.get("ingressEntry").asInt(), "the network ACL lets 1500 in");
        assertTrue(refused.get("securityGroupRuleId").isNull(), "no group rule allows 1500: " + refused);
    }

    private com.fasterxml.jackson.databind.JsonNode explain(final int port) throws Exception
    {
        final ExecResult result = lab.exec(plan.appNamespace(), Duration.ofSeconds(10), "curl", "-sS", "--max-time", "5",
            "http://127.0.0.1:8787/v1/explain?eni=" + consumer.eniAddress() + "&source=" + consumer.clientAddress() +
            "&port=" + port + "&sourcePort=50000");
        assertEquals(0, result.exitCode(), result.describe());
        return new ObjectMapper().readTree(result.stdout());
    }

    /** A TCP connection attempt from the client, bounded to 3 s (bash's /dev/tcp). */
    private ExecResult connect(final int port)
    {
        return lab.exec(consumer.namespace(), Duration.ofSeconds(10),
            "timeout", "3", "bash", "-c", "exec 3<>/dev/tcp/" + consumer.eniAddress() + "/" + port);
    }

    /**
     * Writes the lab's configuration with the AppStream rules and reloads the appliance (SIGHUP),
     * waiting until it applied the file.
     */
    private void apply(final boolean egressEphemeralRule, final boolean streamingPortsRule) throws Exception
    {
        final ObjectNode config = LabFiles.applianceConfig(plan);
        final ArrayNode listeners = (ArrayNode)config.get("services").get(0).get("listeners");
        for (final int port : new int[] {443, 1450, 1500, 1600})
        {
            listeners.addObject().put("port", port).put("targetPort", port == 1450 ? 5201 : 8080);
        }
        // The ENI's subnet is a /28 the users are outside of: only then does its network ACL see
        // their traffic (ACLs filter what crosses a subnet's boundary); the link stays shared.
        ((ObjectNode)config.get("subnets").get(0)).put("networkAcl", ACL).put("cidr", "10.0.1.16/28");
        ((ObjectNode)config.get("endpoints").get(0)).putArray("securityGroups").add(GROUP);

        final ObjectNode acl = config.putArray("networkAcls").addObject()
            .put("id", ACL).put("vpc", plan.vpc().id());
        final ArrayNode entries = acl.putArray("entries");
        entry(entries, 100, false, 443, 443);
        entry(entries, 110, false, 1400, 1499);
        // 1500 passes the network ACL so that the security group's refusal shows; 1600 does not.
        entry(entries, 120, false, 1500, 1500);
        if (egressEphemeralRule)
        {
            entry(entries, 100, true, 1024, 65535);
        }

        final ObjectNode group = config.putArray("securityGroups").addObject()
            .put("id", GROUP).put("vpc", plan.vpc().id());
        final ArrayNode ingress = group.putArray("ingress");
        ingress.addObject().put("protocol", "tcp").put("fromPort", 443).put("toPort", 443).put("cidrIp", USERS);
        if (streamingPortsRule)
        {
            ingress.addObject().put("protocol", "tcp").put("fromPort", 1400).put("toPort", 1499).put("cidrIp", USERS);
        }

        final Path file = plan.configFile();
        final Path temporary = file.resolveSibling(file.getFileName() + ".tmp");
        Files.writeString(temporary, YAML.writeValueAsString(config));
        Files.move(temporary, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE);

        final long reloadsBefore = counters.value("config.reloads");
        final ExecResult hup = lab.exec(plan.appNamespace(), Duration.ofSeconds(5),
            "kill", "-HUP", Long.toString(lab.appliancePid().orElseThrow()));
        assertEquals(0, hup.exitCode(), hup.describe());
        awaitCounter("config.reloads", v -> v > reloadsBefore);
    }

    private static void entry(final ArrayNode entries, final int number, final boolean egress, final int from, final int to)
    {
        final ObjectNode entry = entries.addObject().put("ruleNumber", number).put("egress", egress)
            .put("protocol", "tcp").put("ruleAction", "allow").put("cidrBlock", USERS);
        entry.putObject("portRange").put("from", from).put("to", to);
    }

    private static LongPredicate growingFrom(final long threshold)
    {
        return value -> value > threshold;
    }

    private void awaitCounter(final String label, final LongPredicate condition)
    {
        final long deadlineNs = System.nanoTime() + Duration.ofSeconds(15).toNanos();
        long value;
        while (!condition.test(value = counters.value(label)))
        {
            if (System.nanoTime() - deadlineNs > 0)
            {
                fail("counter " + label + " stayed at " + value + "\n" + counters.snapshot() + "\nreload failures: " +
                    counters.value("config.reload_failures"));
            }
            LockSupport.parkNanos(1_000_000L);
        }
    }
}
