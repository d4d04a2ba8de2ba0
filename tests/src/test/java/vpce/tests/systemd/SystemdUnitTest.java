package vpce.tests.systemd;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The unit passes {@code systemd-analyze verify} with nothing to say, holds the hardening the service relies on, and
 * the install script stages a distribution whose launcher runs from the installed jars alone.
 */
@Timeout(120)
class SystemdUnitTest
{
    private static final Path SOURCE = Path.of("..").toAbsolutePath().normalize();
    private static final Path UNIT = SOURCE.resolve("systemd/vpce.service");

    @TempDir
    Path directory;

    private record Result(int exitCode, String output)
    {
    }

    @Test
    void theUnitVerifiesCleanly() throws Exception
    {
        // verify checks that ExecStart exists: point it at this checkout's launcher.
        final Path unit = directory.resolve("vpce.service");
        Files.writeString(unit, Files.readString(UNIT).replace("/opt/vpce/vpce", SOURCE.resolve("vpce").toString()));
        final Result verify = run("systemd-analyze", "verify", unit.toString());
        assertEquals(0, verify.exitCode(), verify.output());
        assertEquals("", verify.output().strip(), "systemd-analyze verify has nothing to say");
    }

    @Test
    void theUnitIsANotifyServiceWithTwoCapabilitiesAndNoMore() throws Exception
    {
        final List<String> lines = Files.readAllLines(UNIT).stream().map(String::strip).toList();
        for (final String expected : List.of("Type=notify", "Restart=on-failure", "User=vpce", "NoNewPrivileges=yes",
            "AmbientCapabilities=CAP_NET_RAW CAP_NET_ADMIN", "CapabilityBoundingSet=CAP_NET_RAW CAP_NET_ADMIN",
            "ProtectSystem=strict", "ProtectHome=yes", "PrivateTmp=yes", "StateDirectory=vpce", "ConfigurationDirectory=vpce",
            "LimitMEMLOCK=infinity", "KillMode=mixed"))
        {
            assertTrue(lines.contains(expected), "the unit has " + expected);
        }
        assertTrue(lines.stream().anyMatch(l -> l.matches("WatchdogSec=[1-9][0-9]*s")), "a watchdog");
        assertEquals(1, lines.stream().filter(l -> l.startsWith("AmbientCapabilities=")).count());
        assertEquals(1, lines.stream().filter(l -> l.startsWith("CapabilityBoundingSet=")).count());
    }

    @Test
    void theInstallScriptStagesADistributionThatRunsFromItsJars() throws Exception
    {
        final Path stage = directory.resolve("stage");
        final Result install = run(SOURCE.resolve("systemd/install.sh").toString(), "--destdir", stage.toString(), "--no-build");
        assertEquals(0, install.exitCode(), install.output());
        final Path prefix = stage.resolve("opt/vpce");
        assertTrue(Files.isExecutable(prefix.resolve("vpce")));
        assertTrue(Files.isRegularFile(prefix.resolve("lib/appliance.jar")));
        assertTrue(Files.isRegularFile(stage.resolve("etc/vpce/vpce.yaml")));
        assertEquals("/opt/vpce/vpce", Files.readSymbolicLink(stage.resolve("usr/local/bin/vpce")).toString());

        final Path unit = stage.resolve("etc/systemd/system/vpce.service");
        Files.writeString(unit, Files.readString(unit).replace("/opt/vpce/", prefix + "/"));
        final Result verify = run("systemd-analyze", "verify", unit.toString());
        assertEquals(0, verify.exitCode(), verify.output());
        assertEquals("", verify.output().strip());

        // The installed launcher, from lib/ only (no build, no sources): the default configuration is valid.
        final Result check = run(prefix.resolve("vpce").toString(), "check-config", stage.resolve("etc/vpce/vpce.yaml").toString());
        assertEquals(0, check.exitCode(), check.output());

        // A second install keeps an edited configuration.
        Files.writeString(stage.resolve("etc/vpce/vpce.yaml"), "# edited\n", java.nio.file.StandardOpenOption.APPEND);
        assertEquals(0, run(SOURCE.resolve("systemd/install.sh").toString(), "--destdir", stage.toString(), "--no-build").exitCode());
        assertTrue(Files.readString(stage.resolve("etc/vpce/vpce.yaml")).endsWith("# edited\n"));
    }

    private static Result run(final String... command) throws IOException, InterruptedException
    {
        final Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        process.getOutputStream().close();
        final byte[] output = process.getInputStream().readAllBytes();
        assertTrue(process.waitFor(60, TimeUnit.SECONDS), String.join(" ", command) + " finished");
        return new Result(process.exitValue(), new String(output, StandardCharsets.UTF_8));
    }
}
