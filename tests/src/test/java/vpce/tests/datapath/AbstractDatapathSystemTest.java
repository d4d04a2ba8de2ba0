package vpce.tests.datapath;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.extension.TestWatcher;
import vpce.appliance.lab.ExecResult;
import vpce.appliance.lab.Iperf3Result;
import vpce.appliance.lab.Lab;
import vpce.appliance.lab.LabMode;
import vpce.appliance.lab.LabPlan;
import vpce.appliance.lab.LabPorts;
import vpce.appliance.stats.CountersFile;
import vpce.tests.support.BackgroundCommand;
import vpce.tests.support.RequiresRoot;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.LongPredicate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The vertical slice end to end: the real kernel TCP stack in client and service namespaces,
 * the appliance in between on the port kind a subclass names, in a lab of its own that is
 * removed afterwards.
 */
@RequiresRoot
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(120)
abstract class AbstractDatapathSystemTest
{
    /** The appliance's port kind under test. */
    abstract LabPorts ports();

    Lab lab;
    LabPlan plan;
    private CountersFile counters;

    /** On failure: the counters and the appliance's log, the first things anyone debugging asks for. */
    @RegisterExtension
    final TestWatcher dumpOnFailure = new TestWatcher()
    {
        @Override
        public void testFailed(final ExtensionContext context, final Throwable cause)
        {
            System.err.println("=== " + context.getDisplayName() + " failed; counters: " + (counters == null ? "n/a" : counters.snapshot()));
            try
            {
                final java.util.List<String> log = Files.readAllLines(plan.runDirectory().resolve("appliance.log"));
                System.err.println("=== appliance.log (tail):\n" + String.join("\n", log.subList(Math.max(0, log.size() - 40), log.size())));
            }
            catch (final Exception ex)
            {
                System.err.println("=== no appliance.log: " + ex);
            }
        }
    };

    @BeforeAll
    void startLab() throws Exception
    {
        final String name = "vt" + Long.toString(ThreadLocalRandom.current().nextLong(36L * 36 * 36 * 36), 36);
        final Path runDirectory = Files.createTempDirectory("vpce-lab-" + name);
        plan = LabPlan.defaults(name, runDirectory).withPorts(ports());
        lab = Lab.up(plan, LabMode.APPLIANCE);
        counters = CountersFile.open(runDirectory.resolve("state"));
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
            final ExecResult namespaces = exec("ip", "netns", "list");
            assertTrue(!namespaces.stdout().contains(plan.name() + "-"), "lab namespaces left behind: " + namespaces.stdout());
        }
    }

    @Test
    void iperf3FromEachAvailabilityZoneReachesTheServiceThroughItsEni()
    {
        final long flowsBefore = counters.value("flows.created");
        for (final LabPlan.Consumer consumer : plan.consumers())
        {
            final long providerTxBefore = counters.value("port.prov.tx_bytes");
            final Iperf3Result result = lab.iperf3(consumer.namespace(), consumer.eniAddress(), 5201, 1, 2);
            assertTrue(result.bytesReceived() > 1_000_000,
                consumer.availabilityZone() + ": only " + result.bytesReceived() + " bytes arrived");
            assertTrue(counters.value("port.prov.tx_bytes") - providerTxBefore >= result.bytesReceived(),
                "the bytes iperf3 counted did not cross the appliance's provider port");
        }
        // iperf3 opens a control and a data connection per test.
        assertTrue(counters.value("flows.created") - flowsBefore >= 4, "each test's connections are tracked flows");
    }

    @Test
    void httpGetThroughTheEniReturnsTheServiceBody()
    {
        for (final LabPlan.Consumer consumer : plan.consumers())
        {
            final ExecResult result = lab.httpGet(consumer.namespace(), "http://" + consumer.eniAddress() + "/");
            assertEquals(0, result.exitCode(), result.describe());
            assertEquals(LabPlan.HTTP_BODY, result.stdout());
        }
    }

    @Test
    void theServiceCannotOpenAConnectionIntoTheVpc()
    {
        final long before = counters.value("drop.provider_unsolicited");
        final LabPlan.Consumer consumer = plan.consumers().get(0);
        // A client-side listener would accept if anything got through.
        try (BackgroundCommand listener = new BackgroundCommand(consumer.namespace(),
            "python3", "-m", "http.server", "8088", "--bind", consumer.clientAddress()))
        {
            listener.awaitListening(lab, consumer.namespace(), 8088);
            final ExecResult connect = lab.exec(plan.service().namespace(), Duration.ofSeconds(10),
                "curl", "-sS", "--max-time", "3", "http://" + consumer.clientAddress() + ":8088/");
            assertNotEquals(0, connect.exitCode(), "the service reached a consumer: " + connect.describe());
        }
        awaitCounter("drop.provider_unsolicited", v -> v > before);
    }

    @Test
    void arpIsAnsweredForEniAddressesOnly()
    {
        final LabPlan.Consumer consumer = plan.consumers().get(0);
        final ExecResult forEni = lab.exec(consumer.namespace(), Duration.ofSeconds(10),
            "arping", "-c", "1", "-w", "3", "-I", consumer.clientInterface(), consumer.eniAddress());
        assertEquals(0, forEni.exitCode(), "no ARP answer for the ENI: " + forEni.describe());

        final long before = counters.value("drop.arp_not_for_us");
        final String notAnEni = consumer.clientAddress().substring(0, consumer.clientAddress().lastIndexOf('.')) + ".77";
        final ExecResult forOther = lab.exec(consumer.namespace(), Duration.ofSeconds(10),
            "arping", "-c", "2", "-w", "2", "-I", consumer.clientInterface(), notAnEni);
        assertNotEquals(0, forOther.exitCode(), "someone answered ARP for " + notAnEni + ": " + forOther.describe());
        awaitCounter("drop.arp_not_for_us", v -> v >= before + 2);
    }

    @Test
    void udpAndIcmpToTheEniAreDroppedAndCounted()
    {
        final LabPlan.Consumer consumer = plan.consumers().get(0);
        final long before = counters.value("drop.non_tcp_to_eni");
        final ExecResult udp = lab.exec(consumer.namespace(), Duration.ofSeconds(10),
            "bash", "-c", "for i in 1 2 3; do echo probe > /dev/udp/" + consumer.eniAddress() + "/5201; done");
        assertEquals(0, udp.exitCode(), udp.describe());
        awaitCounter("drop.non_tcp_to_eni", v -> v >= before + 3);

        final ExecResult ping = lab.exec(consumer.namespace(), Duration.ofSeconds(10),
            "ping", "-c", "1", "-W", "1", consumer.eniAddress());
        // ping exits 1 when no reply came (2 would mean it could not even send).
        assertEquals(1, ping.exitCode(), "the ENI answered ping, or ping failed: " + ping.describe());
        awaitCounter("drop.non_tcp_to_eni", v -> v >= before + 4);
    }

    private void awaitCounter(final String label, final LongPredicate condition)
    {
        final long deadlineNs = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        long value;
        while (!condition.test(value = counters.value(label)))
        {
            if (System.nanoTime() - deadlineNs > 0)
            {
                fail("counter " + label + " stayed at " + value + "\n" + counters.snapshot());
            }
            LockSupport.parkNanos(1_000_000L);
        }
    }

    private static ExecResult exec(final String... command)
    {
        try
        {
            final Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
            final String output = new String(process.getInputStream().readAllBytes());
            return new ExecResult(java.util.List.of(command), process.waitFor(), output, "", false);
        }
        catch (final Exception ex)
        {
            throw new IllegalStateException(ex);
        }
    }
}
