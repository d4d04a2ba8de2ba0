package vpce.tests.datapath;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import vpce.appliance.lab.ExecResult;
import vpce.appliance.lab.Iperf3Result;
import vpce.appliance.lab.Lab;
import vpce.appliance.lab.LabMode;
import vpce.appliance.lab.LabPlan;
import vpce.appliance.stats.CountersFile;
import vpce.tests.support.RequiresRoot;

import java.nio.file.Files;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Restart survival: a 20 s iperf3 stream through the appliance, the appliance killed with
 * SIGKILL at 5 s and started again; the flow journal gives the new process the connection and
 * its NAT binding, TCP retransmits across the gap, and the same connection completes.
 */
@RequiresRoot
@Timeout(120)
class RestartSurvivalSystemTest
{
    @Test
    void aKilledApplianceCarriesOnTheSameConnectionAfterRestart() throws Exception
    {
        final String name = "vt" + Long.toString(ThreadLocalRandom.current().nextLong(36L * 36 * 36 * 36), 36);
        final LabPlan plan = LabPlan.defaults(name, Files.createTempDirectory("vpce-restart-" + name));
        try (Lab lab = Lab.up(plan, LabMode.APPLIANCE))
        {
            final LabPlan.Consumer consumer = plan.consumers().get(0);
            final CompletableFuture<Iperf3Result> transfer =
                CompletableFuture.supplyAsync(() -> lab.iperf3(consumer.namespace(), consumer.eniAddress(), 5201, 1, 20));
            LockSupport.parkNanos(TimeUnit.SECONDS.toNanos(5));
            final long pid = lab.appliancePid().orElseThrow();
            final ExecResult kill = lab.exec(plan.appNamespace(), Duration.ofSeconds(5), "kill", "-KILL", Long.toString(pid));
            assertEquals(0, kill.exitCode(), kill.describe());
            final long killedAtNs = System.nanoTime();
            await(() -> ProcessHandle.of(pid).map(p -> !p.isAlive()).orElse(true), "the appliance to die");

            lab.restartAppliance();
            final long readyAtNs = System.nanoTime();
            final long gapNs;
            try (CountersFile counters = CountersFile.open(plan.stateDirectory()))
            {
                await(() -> counters.value("port.prov.tx_bytes") > 1_000_000, "traffic to flow again");
                gapNs = System.nanoTime() - killedAtNs;
                assertEquals(0, counters.value("flows.created"), "no new connection: the journaled one carries on");
            }
            System.out.printf("restart survival: appliance ready %.2f s after SIGKILL, data flowing again after %.2f s%n",
                (readyAtNs - killedAtNs) / 1e9, gapNs / 1e9);

            final Iperf3Result result = transfer.get(60, TimeUnit.SECONDS);
            assertTrue(result.bytesReceived() > 100_000_000, "the connection completed with " + result.bytesReceived() + " bytes");
        }
    }

    private static void await(final java.util.function.BooleanSupplier condition, final String what)
    {
        final long deadlineNs = System.nanoTime() + Duration.ofSeconds(30).toNanos();
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
