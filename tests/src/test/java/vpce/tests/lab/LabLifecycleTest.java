package vpce.tests.lab;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import vpce.appliance.lab.Lab;
import vpce.appliance.lab.LabException;
import vpce.appliance.lab.LabMode;
import vpce.appliance.lab.LabPlan;
import vpce.appliance.lab.LabStatus;
import vpce.tests.support.RequiresRoot;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Up, up again, down, down again: nothing of a lab survives down, and up is safe over leftovers.
 */
@RequiresRoot
@Timeout(120)
class LabLifecycleTest
{
    private static final Duration EXIT_TIMEOUT = Duration.ofSeconds(10);

    @TempDir
    Path runDirectory;

    private LabPlan plan;

    @BeforeEach
    void plan()
    {
        plan = LabPlan.defaults(LabTestSupport.uniqueLabName(), runDirectory);
    }

    @AfterEach
    void down()
    {
        Lab.down(plan.name(), plan.runDirectory());
    }

    @Test
    void upTwiceThenDownRemovesEverything()
    {
        final Lab first = Lab.up(plan, LabMode.KERNEL);
        final List<LabStatus.ProcessState> firstProcesses = first.status().processes();
        assertEquals(2, firstProcesses.size(), firstProcesses.toString());

        // A second up over a running lab of the same name tears the first down and starts afresh.
        final Lab second = Lab.up(plan, LabMode.KERNEL);
        for (final LabStatus.ProcessState process : firstProcesses)
        {
            awaitExit(process.pid());
        }
        final LabStatus status = second.status();
        assertTrue(status.up(), status.toString());
        assertEquals(4, LabTestSupport.namespacesWithPrefix(plan.name() + "-").size());
        assertTrue(second.httpGet(plan.consumers().get(0).namespace(), "http://10.0.1.20/").ok());

        second.close();

        assertEquals(List.of(), LabTestSupport.namespacesWithPrefix(plan.name() + "-"));
        for (final LabStatus.ProcessState process : status.processes())
        {
            awaitExit(process.pid());
        }
        assertFalse(Files.exists(plan.labFile()), "lab.json removed by down");
        final LabStatus after = Lab.status(plan.name(), plan.runDirectory());
        assertTrue(after.down(), after.toString());
        assertTrue(after.processes().isEmpty(), after.toString());

        // Down is idempotent.
        Lab.down(plan.name(), plan.runDirectory());
        assertEquals(List.of(), LabTestSupport.namespacesWithPrefix(plan.name() + "-"));
    }

    @Test
    void applianceModeStartsTheApplianceInItsNamespaceAndWaitsForReady() throws IOException
    {
        final LabPlan fake = plan.withLaunch(new LabPlan.ApplianceLaunch(
            plan.launch().javaCommand(), plan.launch().jvmFlags(), plan.launch().classpath(),
            FakeAppliance.class.getName(), Duration.ofSeconds(30)));

        final long pid;
        try (Lab lab = Lab.up(fake, LabMode.APPLIANCE))
        {
            pid = lab.appliancePid().orElseThrow();
            assertTrue(Files.exists(fake.readyFile()));
            assertTrue(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false));

            final LabStatus status = lab.status();
            assertEquals(LabMode.APPLIANCE, status.mode());
            assertTrue(status.applianceAlive(), status.toString());
            assertEquals(pid, status.appliancePid().orElseThrow());

            final JsonNode json = new ObjectMapper().readTree(fake.labFile().toFile());
            assertEquals("appliance", json.get("mode").asText());
            assertEquals(pid, json.get("appliance").get("pid").asLong());
            assertEquals(fake.applianceLog().toString(), json.get("appliance").get("log").asText());
            assertTrue(Files.readString(fake.applianceLog()).contains("fake appliance ready"));

            // No kernel forwarding in appliance mode: the ports carry no addresses.
            final String addresses = lab.exec(fake.appNamespace(), Duration.ofSeconds(5), "ip", "-4", "-o", "addr")
                .stdout();
            assertFalse(addresses.contains("10.0.1.20"), addresses);
            assertFalse(addresses.contains("10.100.0.1/"), addresses);
        }

        awaitExit(pid);
        assertEquals(List.of(), LabTestSupport.namespacesWithPrefix(plan.name() + "-"));
    }

    @Test
    void applianceThatDiesBeforeReadyFailsUpWithItsLogAndLeavesNothing()
    {
        final LabPlan broken = plan.withLaunch(new LabPlan.ApplianceLaunch(
            plan.launch().javaCommand(), plan.launch().jvmFlags(), plan.launch().classpath(),
            "vpce.tests.lab.NoSuchAppliance", Duration.ofSeconds(30)));

        final LabException ex = assertThrows(LabException.class, () -> Lab.up(broken, LabMode.APPLIANCE));
        assertTrue(ex.getMessage().contains("before it was ready"), ex.getMessage());
        assertTrue(ex.getMessage().contains("NoSuchAppliance"), "log tail in the message: " + ex.getMessage());
        assertEquals(List.of(), LabTestSupport.namespacesWithPrefix(plan.name() + "-"));
        assertTrue(Lab.status(plan.name(), plan.runDirectory()).down());
    }

    private static void awaitExit(final long pid)
    {
        LabTestSupport.awaitTrue("pid " + pid + " to exit", EXIT_TIMEOUT, () ->
        {
            final Optional<ProcessHandle> handle = ProcessHandle.of(pid);
            return handle.isEmpty() || !handle.get().isAlive();
        });
    }
}
