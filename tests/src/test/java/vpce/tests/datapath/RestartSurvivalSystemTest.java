package vpce.tests.datapath;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import vpce.appliance.lab.Iperf3Result;
import vpce.appliance.lab.Lab;
import vpce.appliance.lab.LabMode;
import vpce.appliance.lab.LabPlan;
import vpce.appliance.stats.CountersFile;
import vpce.tests.support.RequiresRoot;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Restart survival: a 20 s iperf3 stream through the appliance, the appliance killed with
 * SIGKILL at 5 s and started again; the flow journal gives the new process the connection and
 * its NAT binding, TCP retransmits across the gap, and the same connection completes.
 *
 * <p>The gap is measured from the SIGKILL to the new process having forwarded 1 MB to the
 * service, read from its counters while it starts (its ready file comes later, after the
 * management API). The sender's retransmissions come at about 0.2, 0.6, 1.4, 3.0 s after the
 * kill (RTO 200 ms, doubling): one that arrives after the new process opened its ports waits in
 * the port's ring and goes out as soon as the datapath runs, so the gap is the later of "the
 * datapath runs" and "the first retransmission after the ports opened".
 */
@RequiresRoot
@Timeout(180) // the first lab of a build also trains the appliance's AOT cache (Lab)
class RestartSurvivalSystemTest
{
    /**
     * The gap is reported, not held to the 2 s target here: speed targets are measured (README's
     * restart table), not asserted by timed tests. On an idle 2-core machine the appliance forwards
     * again about 1.1 s after the kill and the gap is TCP's 1.4 s retransmission; a busy machine
     * misses it by a whole backoff step (~3 s). This bound only fails a restart that is broken
     * (two more backoff steps: the restore or the datapath start went badly wrong).
     */
    private static final Duration GAP_BOUND = Duration.ofSeconds(6);
    private static final long FLOWING_BYTES = 1_000_000;

    @Test
    void aKilledApplianceCarriesOnTheSameConnectionAfterRestart() throws Exception
    {
        final String name = "vt" + Long.toString(ThreadLocalRandom.current().nextLong(36L * 36 * 36 * 36), 36);
        final LabPlan plan = LabPlan.defaults(name, Files.createTempDirectory("vpce-restart-" + name));
        // Threads of their own: the common pool has one thread on a 2-core machine.
        try (Lab lab = Lab.up(plan, LabMode.APPLIANCE); ExecutorService threads = Executors.newCachedThreadPool())
        {
            final LabPlan.Consumer consumer = plan.consumers().get(0);
            final CompletableFuture<Iperf3Result> transfer = CompletableFuture.supplyAsync(
                () -> lab.iperf3(consumer.namespace(), consumer.eniAddress(), 5201, 1, 20), threads);
            LockSupport.parkNanos(TimeUnit.SECONDS.toNanos(5));
            final ProcessHandle appliance = ProcessHandle.of(lab.appliancePid().orElseThrow()).orElseThrow();

            final long killedAtNs = System.nanoTime();
            assertTrue(appliance.destroyForcibly(), "SIGKILL sent");
            await(() -> !appliance.isAlive(), "the appliance to die");
            final CompletableFuture<Long> ready = CompletableFuture.supplyAsync(() ->
            {
                lab.restartAppliance();
                return System.nanoTime();
            }, threads);

            final long flowingAtNs;
            try (CountersFile counters = awaitNewCounters(plan.stateDirectory(), appliance.pid()))
            {
                await(() -> counters.value("port.prov.tx_bytes") > FLOWING_BYTES, "traffic to flow again");
                flowingAtNs = System.nanoTime();
                assertEquals(0, counters.value("flows.created"), "no new connection: the journaled one carries on");
            }
            final long readyAtNs = ready.get(60, TimeUnit.SECONDS);
            final Duration gap = Duration.ofNanos(flowingAtNs - killedAtNs);
            System.out.printf("restart survival: data flowing again %.2f s after SIGKILL, appliance ready after %.2f s%n",
                gap.toNanos() / 1e9, (readyAtNs - killedAtNs) / 1e9);
            Files.readAllLines(plan.applianceLog()).stream()
                .filter(line -> line.contains("start-up:"))
                .forEach(line -> System.out.println("  " + line.substring(line.indexOf("start-up:"))));

            final Iperf3Result result = transfer.get(60, TimeUnit.SECONDS);
            assertTrue(result.bytesReceived() > 100_000_000, "the connection completed with " + result.bytesReceived() + " bytes");
            assertTrue(gap.compareTo(GAP_BOUND) < 0, "gap " + gap + " (bound " + GAP_BOUND + "; target 2 s)");
        }
    }

    /** The counters file of the new process, once it has written its header. */
    private static CountersFile awaitNewCounters(final Path stateDirectory, final long killedPid)
    {
        final CountersFile[] opened = {null};
        await(() ->
        {
            try
            {
                final CountersFile counters = CountersFile.open(stateDirectory);
                if (counters.pid() != killedPid)
                {
                    opened[0] = counters;
                    return true;
                }
                counters.close();
                return false;
            }
            catch (final IOException | RuntimeException notYet)
            {
                return false; // between the delete and the new file, or the file not sized and headed yet
            }
        }, "the new process's counters");
        return opened[0];
    }

    private static void await(final BooleanSupplier condition, final String what)
    {
        final long deadlineNs = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!condition.getAsBoolean())
        {
            if (System.nanoTime() - deadlineNs > 0)
            {
                fail("timed out waiting for " + what);
            }
            LockSupport.parkNanos(1_000_000L);
        }
    }
}
