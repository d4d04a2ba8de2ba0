package vpce.tests.datapath;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import vpce.appliance.lab.ExecResult;
import vpce.appliance.lab.Lab;
import vpce.appliance.lab.LabFiles;
import vpce.appliance.lab.LabMode;
import vpce.appliance.lab.LabPlan;
import vpce.appliance.stats.CountersFile;
import vpce.tests.support.RequiresRoot;

import java.nio.file.Files;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.locks.LockSupport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * VPC Flow Logs from a running appliance: off in the lab until a reload names the endpoint, then
 * the traffic of its ENIs is aggregated and, at the latest when the appliance stops, appended to
 * the file in the version-2 format.
 */
@RequiresRoot
@Timeout(120)
class FlowLogSystemTest
{
    @Test
    void anEndpointsTrafficIsLoggedOnceEnabledAndFlushedWhenTheApplianceStops() throws Exception
    {
        final String name = "vt" + Long.toString(ThreadLocalRandom.current().nextLong(36L * 36 * 36 * 36), 36);
        final LabPlan plan = LabPlan.defaults(name, Files.createTempDirectory("vpce-flowlog-" + name));
        try (Lab lab = Lab.up(plan, LabMode.APPLIANCE); CountersFile counters = CountersFile.open(plan.stateDirectory()))
        {
            final LabPlan.Consumer consumer = plan.consumers().get(0);
            final ExecResult before = lab.httpGet(consumer.namespace(), "http://" + consumer.eniAddress() + "/");
            assertEquals(0, before.exitCode(), before.describe());

            final ObjectNode config = LabFiles.applianceConfig(plan);
            ((ObjectNode)config.get("flowLogs")).putArray("endpoints").add(plan.endpoint().id());
            Files.writeString(plan.configFile().resolveSibling("next.yaml"), new ObjectMapper(new YAMLFactory()).writeValueAsString(config));
            Files.move(plan.configFile().resolveSibling("next.yaml"), plan.configFile(), StandardCopyOption.ATOMIC_MOVE);
            final long reloads = counters.value("config.reloads");
            final long pid = lab.appliancePid().orElseThrow();
            assertEquals(0, lab.exec(plan.appNamespace(), Duration.ofSeconds(5), "kill", "-HUP", Long.toString(pid)).exitCode());
            await(() -> counters.value("config.reloads") > reloads, "the reload");

            for (int i = 0; i < 3; i++)
            {
                final ExecResult get = lab.httpGet(consumer.namespace(), "http://" + consumer.eniAddress() + "/");
                assertEquals(0, get.exitCode(), get.describe());
            }
            // The window is 60 s: stopping the appliance must hand it to the file.
            assertEquals(0, lab.exec(plan.appNamespace(), Duration.ofSeconds(5), "kill", "-TERM", Long.toString(pid)).exitCode());
            await(() -> ProcessHandle.of(pid).map(p -> !p.isAlive()).orElse(true), "the appliance to stop");

            final List<String> lines = Files.readAllLines(plan.flowLogFile());
            final List<String> toHttp = lines.stream()
                .filter(l -> l.contains(" " + consumer.clientAddress() + " " + consumer.eniAddress() + " ") && l.contains(" 80 6 "))
                .toList();
            assertEquals(3, toHttp.size(), "one record per connection of the three GETs after the reload: " + lines);
            for (final String line : toHttp)
            {
                final String[] fields = line.split(" ");
                assertEquals(14, fields.length, line);
                assertEquals("2", fields[0]);
                assertTrue(fields[2].matches("eni-[0-9a-f]{17}"), line);
                assertTrue(Long.parseLong(fields[8]) >= 5, "packets of one GET: " + line);
                assertTrue(Long.parseLong(fields[11]) >= Long.parseLong(fields[10]), "end >= start: " + line);
                assertEquals("ACCEPT", fields[12]);
                assertEquals("OK", fields[13]);
            }
            assertTrue(lines.stream().anyMatch(l -> l.contains(" " + consumer.eniAddress() + " " + consumer.clientAddress() + " 80 ")),
                "the replies, from the ENI to the client, are logged too: " + lines);
        }
    }

    private static void await(final java.util.function.BooleanSupplier condition, final String what)
    {
        final long deadlineNs = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (!condition.getAsBoolean())
        {
            if (System.nanoTime() - deadlineNs > 0)
            {
                fail("timed out waiting for " + what);
            }
            LockSupport.parkNanos(5_000_000L);
        }
    }
}
