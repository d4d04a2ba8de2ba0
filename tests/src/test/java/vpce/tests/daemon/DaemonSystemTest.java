package vpce.tests.daemon;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import vpce.appliance.config.Ipv4;
import vpce.appliance.daemon.UnixDatagramSocket;
import vpce.appliance.journal.FlowJournal;
import vpce.appliance.lab.ExecResult;
import vpce.appliance.lab.Iperf3Result;
import vpce.appliance.lab.Lab;
import vpce.appliance.lab.LabFiles;
import vpce.appliance.lab.LabMode;
import vpce.appliance.lab.LabPlan;
import vpce.appliance.stats.CountersFile;
import vpce.tests.support.PrometheusText;
import vpce.tests.support.RequiresRoot;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The appliance as a systemd service would run it, in a lab: a test {@code NOTIFY_SOCKET} (bound before the
 * appliance starts) gets READY=1 only once the ports are open and the management API listens, WATCHDOG=1 at half
 * of WATCHDOG_USEC, and STOPPING=1 on SIGTERM; SIGHUP applies a good file and refuses a bad one (the running
 * configuration stays); SIGTERM refuses new flows, drains, keeps the open flow in the journal and exits 0.
 *
 * <p>The appliance's java is a small wrapper script that sets the environment systemd would, and records the JVM's
 * exit status (the lab's pid is then the script's; it passes HUP and TERM on).
 */
@RequiresRoot
@Timeout(240)
class DaemonSystemTest
{
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final long WATCHDOG_USEC = 400_000;

    /** A datagram received, and whether the appliance's ready marker existed when it came. */
    private record Notification(String text, long atNs, boolean readyFileExisted)
    {
    }

    @Test
    void notifiesReloadsAndDrainsAsADaemon() throws Exception
    {
        final String name = "vt" + Long.toString(ThreadLocalRandom.current().nextLong(36L * 36 * 36 * 36), 36);
        final Path run = Files.createTempDirectory("vpce-daemon-" + name);
        final LabPlan defaults = LabPlan.defaults(name, run);
        final Path socketPath = run.resolve("notify.sock");
        final Path exitStatus = run.resolve("appliance.exit");
        final LabPlan.ApplianceLaunch current = LabPlan.ApplianceLaunch.current();
        final Path java = writeJavaWrapper(run, current.javaCommand(), socketPath, exitStatus);
        // No AOT cache: a training run would be a second appliance telling the socket it is ready.
        final LabPlan plan = defaults.withLaunch(new LabPlan.ApplianceLaunch(
            java.toString(), current.jvmFlags(), current.classpath(), current.mainClass(), Duration.ofSeconds(90)));

        final ConcurrentLinkedQueue<Notification> received = new ConcurrentLinkedQueue<>();
        final AtomicBoolean listening = new AtomicBoolean(true);
        try (UnixDatagramSocket socket = UnixDatagramSocket.bind(socketPath.toString());
            ExecutorService threads = Executors.newCachedThreadPool())
        {
            threads.execute(() ->
            {
                while (listening.get())
                {
                    try
                    {
                        final byte[] datagram = socket.receive(50);
                        if (datagram != null)
                        {
                            received.add(new Notification(new String(datagram, StandardCharsets.UTF_8), System.nanoTime(),
                                Files.exists(plan.readyFile())));
                        }
                    }
                    catch (final IOException ex)
                    {
                        received.add(new Notification("receive failed: " + ex, System.nanoTime(), false));
                        return;
                    }
                }
            });
            try (Lab lab = Lab.up(plan, LabMode.APPLIANCE); CountersFile counters = CountersFile.open(plan.stateDirectory()))
            {
                // READY: once, and only after the ready marker (written once the ports are open, the datapath runs
                // and the management API listens).
                await(() -> texts(received).stream().anyMatch(t -> t.startsWith("READY=1")), "READY=1");
                final List<Notification> before = List.copyOf(received);
                final Notification ready = before.stream().filter(n -> n.text().startsWith("READY=1")).findFirst().orElseThrow();
                assertTrue(ready.readyFileExisted(), "READY=1 came before the ports and the API were up: " + before);
                assertTrue(before.get(0).text().startsWith("STATUS=starting"), "the first word is the start-up status: " + before);
                final ExecResult api = lab.exec(plan.appNamespace(), Duration.ofSeconds(10), "curl", "-sS", "-o", "/dev/null",
                    "-w", "%{http_code}", "http://" + LabFiles.MANAGEMENT_API_LISTEN + "/v1/explain");
                assertEquals("400", api.stdout().trim(), "the API answers (a query without parameters): " + api.describe());

                // WATCHDOG: every half of WATCHDOG_USEC (200 ms), a noisy machine's jitter allowed for.
                final long windowStartNs = System.nanoTime();
                LockSupport.parkNanos(TimeUnit.SECONDS.toNanos(3));
                final List<Long> pings = received.stream()
                    .filter(n -> n.text().equals("WATCHDOG=1") && n.atNs() >= windowStartNs).map(Notification::atNs).toList();
                assertTrue(pings.size() >= 9 && pings.size() <= 17, pings.size() + " WATCHDOG=1 in 3 s at a 200 ms interval");
                final List<Long> gapsMs = new ArrayList<>();
                for (int i = 1; i < pings.size(); i++)
                {
                    gapsMs.add(TimeUnit.NANOSECONDS.toMillis(pings.get(i) - pings.get(i - 1)));
                }
                final long medianMs = gapsMs.stream().sorted().toList().get(gapsMs.size() / 2);
                assertTrue(medianMs >= 150 && medianMs <= 260, "median gap " + medianMs + " ms: " + gapsMs);

                // SIGHUP with a good file: applied (a 3 s drain from now on), RELOADING=1 then READY=1.
                final ObjectNode good = LabFiles.applianceConfig(plan);
                good.putObject("shutdown").put("drainSeconds", 3);
                writeConfig(plan, YAML.writeValueAsString(good));
                hup(lab, plan);
                await(() -> counters.value("config.reloads") == 1, "the good file applied");
                await(() -> texts(received).stream().filter(t -> t.startsWith("READY=1")).count() == 2, "READY=1 after the reload");
                assertTrue(texts(received).stream().anyMatch(t -> t.startsWith("RELOADING=1\nMONOTONIC_USEC=")), texts(received).toString());

                // SIGHUP with a bad file: refused, counted and logged; the running configuration still forwards.
                writeConfig(plan, YAML.writeValueAsString(good).replace("us-east-1a", "us-east-9z"));
                hup(lab, plan);
                await(() -> counters.value("config.reload_failures") == 1, "the bad file refused");
                assertEquals(1, counters.value("config.reloads"));
                assertTrue(Files.readString(plan.applianceLog()).contains("refused, the running configuration stays"));
                final LabPlan.Consumer consumer = plan.consumers().get(0);
                final ExecResult http = lab.httpGet(consumer.namespace(), "http://" + consumer.eniAddress() + ":80/");
                assertEquals(0, http.exitCode(), "still forwarding after the refused reload: " + http.describe());

                // /metrics: strict Prometheus text, and its values move with traffic.
                final String rx = "vpce_port_rx_packets_total{availability_zone=\"" + consumer.availabilityZone() +
                    "\",port=\"" + portOf(plan, consumer) + "\",role=\"consumer\"}";
                final Map<String, Double> metricsBefore = scrape(lab, plan);
                assertTrue(metricsBefore.containsKey(rx), rx + " in " + metricsBefore.keySet());
                assertEquals(1.0, metricsBefore.get("vpce_config_reload_failures_total"));
                for (int i = 0; i < 3; i++)
                {
                    assertEquals(0, lab.httpGet(consumer.namespace(), "http://" + consumer.eniAddress() + ":80/").exitCode());
                }
                final ExecResult unauthenticated = lab.exec(plan.appNamespace(), Duration.ofSeconds(10), "curl", "-sS", "-o",
                    "/dev/null", "-w", "%{http_code}", "http://" + LabFiles.MANAGEMENT_API_LISTEN + "/v1/vpcs");
                assertEquals("401", unauthenticated.stdout().trim(), unauthenticated.describe());
                final Map<String, Double> metricsAfter = scrape(lab, plan);
                assertTrue(metricsAfter.get(rx) >= metricsBefore.get(rx) + 3 * 5, "3 GETs are 5+ frames each: " +
                    metricsBefore.get(rx) + " -> " + metricsAfter.get(rx));
                assertEquals(1.0, metricsAfter.get("vpce_api_requests_total{action=\"unknown\",api=\"rest\",error=\"AuthFailure\"}"),
                    metricsAfter.keySet().toString());
                // Per endpoint ENI, in its zone and each direction: each GET is 3+ packets each way (handshake, request or
                // answer, close), and the other direction's bytes do not count as these.
                for (final String direction : List.of("to_service", "to_consumer"))
                {
                    final String labels = "{availability_zone=\"" + consumer.availabilityZone() + "\",direction=\"" + direction +
                        "\",endpoint=\"" + plan.endpoint().id() + "\",eni=\"" + consumer.eniAddress() + "\",";
                    final double packetsBefore = seriesStartingWith(metricsBefore, "vpce_endpoint_packets_total" + labels);
                    final double packetsAfter = seriesStartingWith(metricsAfter, "vpce_endpoint_packets_total" + labels);
                    assertTrue(packetsAfter >= packetsBefore + 3 * 3, direction + ": " + packetsBefore + " -> " + packetsAfter);
                    final double bytesAfter = seriesStartingWith(metricsAfter, "vpce_endpoint_bytes_total" + labels);
                    assertTrue(bytesAfter >= seriesStartingWith(metricsBefore, "vpce_endpoint_bytes_total" + labels) + 3 * 3 * 54,
                        direction + " bytes");
                }
                assertTrue(metricsAfter.get("vpce_flows_created_total") >= metricsBefore.get("vpce_flows_created_total") + 3);

                // SIGTERM with a transfer running: STOPPING=1, new connections refused while it drains, the open flow
                // left in the journal, exit 0.
                final CompletableFuture<Iperf3Result> transfer = CompletableFuture.supplyAsync(
                    () -> lab.iperf3(consumer.namespace(), consumer.eniAddress(), 5201, 1, 25), threads);
                final long txBefore = counters.value("port.prov.tx_bytes");
                await(() -> counters.value("port.prov.tx_bytes") > txBefore + 5_000_000, "the transfer to flow");

                // The operator commands, against the running appliance's API (from its namespace, where it listens).
                final ExecResult top = vpce(lab, plan, current, "flows", "--top", "1", "--json");
                assertEquals(0, top.exitCode(), top.describe());
                final JsonNode topFlow = JSON.readTree(top.stdout()).get(0);
                assertEquals(consumer.eniAddress() + ":5201", topFlow.get("eni").asText(), "the transfer is the top flow: " + top.stdout());
                assertTrue(topFlow.get("bytes").asLong() > 5_000_000, top.stdout());
                assertEquals(plan.endpoint().id(), topFlow.get("endpoint").asText());
                final ExecResult status = vpce(lab, plan, current, "status");
                assertEquals(0, status.exitCode(), status.describe());
                assertTrue(status.stdout().contains("1 endpoints") && status.stdout().contains("1 refused"), status.stdout());
                final ExecResult endpoints = vpce(lab, plan, current, "endpoints");
                assertEquals(0, endpoints.exitCode(), endpoints.describe());
                assertTrue(endpoints.stdout().contains(plan.endpoint().id()) && endpoints.stdout().contains(consumer.eniAddress()),
                    endpoints.stdout());
                final ExecResult zones = vpce(lab, plan, current, "stats", "--by", "az");
                assertEquals(0, zones.exitCode(), zones.describe());
                assertTrue(zones.stdout().contains(consumer.availabilityZone()) && zones.stdout().contains("rx_packets"), zones.stdout());
                final ExecResult perEndpoint = vpce(lab, plan, current, "stats", "--by", "endpoint");
                assertEquals(0, perEndpoint.exitCode(), perEndpoint.describe());
                assertTrue(perEndpoint.stdout().matches("(?s).*active_flows +[1-9].*"), perEndpoint.stdout());
                // The transfer's bytes are the ENI's counters' (the ENI is the one in this zone).
                assertTrue(perEndpoint.stdout().matches("(?s).*to_service_bytes +[0-9]{1,3}(,[0-9]{3}){2,}\\n.*"), perEndpoint.stdout());
                assertTrue(zones.stdout().matches("(?s).*endpoint_to_service_bytes +[0-9]{1,3}(,[0-9]{3}){2,}\\n.*"), zones.stdout());
                final ExecResult explain = vpce(lab, plan, current, "explain", "--eni", consumer.eniAddress(), "--source",
                    consumer.clientAddress(), "--port", "5201");
                assertEquals(0, explain.exitCode(), "allowed: " + explain.describe());
                assertTrue(explain.stdout().contains("ENI ") && explain.stdout().contains(consumer.eniAddress()), explain.stdout());

                final ExecResult term = lab.exec(plan.appNamespace(), Duration.ofSeconds(5),
                    "kill", "-TERM", Long.toString(lab.appliancePid().orElseThrow()));
                assertEquals(0, term.exitCode(), term.describe());
                await(() -> texts(received).stream().anyMatch(t -> t.startsWith("STOPPING=1")), "STOPPING=1");
                final ExecResult refused = lab.exec(consumer.namespace(), Duration.ofSeconds(10),
                    "timeout", "2", "bash", "-c", "exec 3<>/dev/tcp/" + consumer.eniAddress() + "/80");
                assertNotEquals(0, refused.exitCode(), "a new connection while draining: " + refused.describe());
                assertTrue(counters.value("drop.draining") > 0, "drop.draining counts the refused SYNs");
                await(() -> Files.exists(exitStatus), "the appliance to exit");
                assertEquals("0", Files.readString(exitStatus).trim(), "exit status; log:\n" + Files.readString(plan.applianceLog()));
                transfer.exceptionally(ex -> null).get(60, TimeUnit.SECONDS);

                final String log = Files.readString(plan.applianceLog());
                assertTrue(Pattern.compile("drained: [1-9][0-9]* flows still active \\(kept in the flow journal\\)").matcher(log).find(), log);
                final List<FlowJournal.JournaledFlow> journaled = new ArrayList<>();
                try (FlowJournal journal = FlowJournal.open(plan.stateDirectory(), 1 << 20))
                {
                    journal.forEach(journaled::add);
                }
                assertTrue(journaled.stream().anyMatch(f -> f.eniPort() == 5201 &&
                    f.eniIp() == Ipv4.parseAddress(consumer.eniAddress())), "the transfer's flow is in the journal: " + journaled);
            }
            finally
            {
                listening.set(false);
            }
        }
    }

    /** The CLI in the appliance's namespace, told where the API is. */
    private static ExecResult vpce(final Lab lab, final LabPlan plan, final LabPlan.ApplianceLaunch launch, final String... arguments)
    {
        final List<String> command = new ArrayList<>();
        command.add(launch.javaCommand());
        command.addAll(launch.jvmFlags());
        command.addAll(List.of("-cp", launch.classpath(), launch.mainClass()));
        command.addAll(List.of(arguments));
        command.addAll(List.of("--api", LabFiles.MANAGEMENT_API_LISTEN));
        return lab.exec(plan.appNamespace(), Duration.ofSeconds(30), command.toArray(String[]::new));
    }

    /** The value of the one series whose name and first labels are these (the rest, e.g. the ENI id, vary). */
    private static double seriesStartingWith(final Map<String, Double> metrics, final String prefix)
    {
        final List<Double> values = metrics.entrySet().stream().filter(e -> e.getKey().startsWith(prefix)).map(Map.Entry::getValue).toList();
        assertEquals(1, values.size(), prefix + " in " + metrics.keySet());
        return values.get(0);
    }

    private static Map<String, Double> scrape(final Lab lab, final LabPlan plan)
    {
        final ExecResult metrics = lab.exec(plan.appNamespace(), Duration.ofSeconds(10), "curl", "-sS", "--fail",
            "http://" + LabFiles.MANAGEMENT_API_LISTEN + "/metrics");
        assertEquals(0, metrics.exitCode(), metrics.describe());
        return PrometheusText.parse(metrics.stdout());
    }

    /** The consumer's port: the one in its Availability Zone. */
    private static String portOf(final LabPlan plan, final LabPlan.Consumer consumer) throws IOException
    {
        final ObjectNode config = LabFiles.applianceConfig(plan);
        for (final var port : config.get("ports"))
        {
            if (consumer.availabilityZone().equals(port.path("availabilityZone").asText()))
            {
                return port.get("name").asText();
            }
        }
        throw new AssertionError("no port in " + consumer.availabilityZone());
    }

    private static List<String> texts(final ConcurrentLinkedQueue<Notification> received)
    {
        return received.stream().map(Notification::text).toList();
    }

    private static void hup(final Lab lab, final LabPlan plan)
    {
        final ExecResult hup = lab.exec(plan.appNamespace(), Duration.ofSeconds(5),
            "kill", "-HUP", Long.toString(lab.appliancePid().orElseThrow()));
        assertEquals(0, hup.exitCode(), hup.describe());
    }

    private static void writeConfig(final LabPlan plan, final String yaml) throws IOException
    {
        final Path temporary = plan.configFile().resolveSibling(plan.configFile().getFileName() + ".tmp");
        Files.writeString(temporary, yaml);
        Files.move(temporary, plan.configFile(), StandardCopyOption.ATOMIC_MOVE);
    }

    /** Sets what systemd would set, passes HUP and TERM on, and writes the JVM's exit status when it ends. */
    private static Path writeJavaWrapper(final Path directory, final String java, final Path socket, final Path exitStatus)
        throws IOException
    {
        final Path script = directory.resolve("java-as-a-service");
        Files.writeString(script, """
            #!/bin/bash
            export NOTIFY_SOCKET='%s' WATCHDOG_USEC=%d
            '%s' "$@" &
            child=$!
            trap 'kill -TERM "$child"' TERM
            trap 'kill -HUP "$child"' HUP
            while kill -0 "$child" 2>/dev/null; do wait "$child" || true; done
            status=0
            wait "$child" || status=$?
            echo "$status" > '%s'
            exit "$status"
            """.formatted(socket, WATCHDOG_USEC, java, exitStatus));
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
        return script;
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
