package vpce.perf.dns;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import vpce.appliance.io.NetworkNamespace;
import vpce.dns.DnsCounters;
import vpce.dns.DnsResponderConfig;
import vpce.dns.DnsServer;
import vpce.dns.DnsZoneHolder;
import vpce.dns.DnsZoneSnapshot;

import java.io.File;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code dnsperf} (Debian) against the DNS responder (one I/O thread) and, in the same run, against NSD (Debian
 * {@code nsd}, one server process) serving the same records: queries per second, latency, and the ratio
 * responder/NSD, which survives a noisy machine better than either figure. Both listen on the loopback of a network
 * namespace made for the run (deleted after), and take turns, several rounds each (medians reported).
 *
 * <p>The query mix: the endpoint's regional name (two A records), a zonal name (one), the private DNS name (two),
 * AAAA of the regional name (no data, SOA) and an unknown name in the zone (NXDOMAIN, SOA). Throughput: dnsperf as fast
 * as the server answers. Latency percentiles: a second pass per server at a fixed offered rate ({@code --latency-qps},
 * below both servers' capacity), dnsperf {@code -v} printing each response's latency (dnsperf 2.10 reports only the
 * average and standard deviation itself).
 *
 * <pre>
 *   java -cp perf.jar:lib/* vpce.perf.dns.DnsBenchmark --seconds 10 --runs 3
 * </pre>
 */
@Command(name = "dns-benchmark", mixinStandardHelpOptions = true,
    description = "dnsperf against the DNS responder and NSD serving the same records.")
public final class DnsBenchmark implements Callable<Integer>
{
    static final String ZONE = "us-east-1.vpce.amazonaws.com";
    static final String REGIONAL = "vpce-0a11ce0000000001-abcdefgh.vpce-svc-0a11ce0000000001." + ZONE;
    static final String ZONAL = "vpce-0a11ce0000000001-abcdefgh-us-east-1a.vpce-svc-0a11ce0000000001." + ZONE;
    static final String PRIVATE = "lab-service.example.com";
    static final String[] ENIS = {"10.0.1.20", "10.0.2.20"};
    static final int RESPONDER_PORT = 5353;
    static final int NSD_PORT = 5354;

    @Option(names = "--seconds", description = "Length of each dnsperf run (default ${DEFAULT-VALUE}).")
    int seconds = 10;

    @Option(names = "--runs", description = "Rounds; each measures both servers (default ${DEFAULT-VALUE}).")
    int runs = 3;

    @Option(names = "--clients", description = "dnsperf clients (sockets) (default ${DEFAULT-VALUE}).")
    int clients = 4;

    @Option(names = "--outstanding", description = "dnsperf queries outstanding (default ${DEFAULT-VALUE}).")
    int outstanding = 200;

    @Option(names = "--latency-qps", description = "Offered rate of the latency pass (default ${DEFAULT-VALUE}).")
    int latencyQps = 20_000;

    /** One dnsperf run. */
    public record Measurement(String server, double queriesPerSecond, long completed, long lost, double averageLatencyUs,
        double latencyStdDevUs)
    {
    }

    /** Latency of every response at a fixed offered rate, from dnsperf -v. */
    public record Latency(String server, int offeredQps, int samples, long timeouts, double p50Us, double p99Us, double p999Us,
        double maxUs)
    {
    }

    public record Result(List<Measurement> measurements, List<Latency> latencies)
    {
        public double medianQueriesPerSecond(final String server)
        {
            final double[] values = measurements.stream().filter(m -> m.server().equals(server))
                .mapToDouble(Measurement::queriesPerSecond).sorted().toArray();
            return values.length == 0 ? Double.NaN : values[values.length / 2];
        }

        public double medianLatencyUs(final String server)
        {
            final double[] values = measurements.stream().filter(m -> m.server().equals(server))
                .mapToDouble(Measurement::averageLatencyUs).sorted().toArray();
            return values.length == 0 ? Double.NaN : values[values.length / 2];
        }

        public double ratio()
        {
            return medianQueriesPerSecond("responder") / medianQueriesPerSecond("nsd");
        }
    }

    public static void main(final String[] args)
    {
        System.exit(new CommandLine(new DnsBenchmark()).execute(args));
    }

    @Override
    public Integer call() throws Exception
    {
        final Result result = run(seconds, runs, clients, outstanding, latencyQps, System.out::println);
        System.out.printf("responder: %.0f queries/s (median), avg latency %.0f us; NSD: %.0f queries/s, avg latency %.0f us; " +
            "ratio responder/NSD %.2f%n", result.medianQueriesPerSecond("responder"), result.medianLatencyUs("responder"),
            result.medianQueriesPerSecond("nsd"), result.medianLatencyUs("nsd"), result.ratio());
        result.latencies().forEach(latency -> System.out.printf(
            "%s at %d queries/s: p50 %.0f us, p99 %.0f us, p99.9 %.0f us, max %.0f us (%d responses, %d timeouts)%n",
            latency.server(), latency.offeredQps(), latency.p50Us(), latency.p99Us(), latency.p999Us(), latency.maxUs(),
            latency.samples(), latency.timeouts()));
        return 0;
    }

    /** Builds the namespace, starts both servers, measures, and removes everything, failure or not. */
    public static Result run(final int seconds, final int runs, final int clients, final int outstanding, final int latencyQps,
        final Consumer<String> progress) throws Exception
    {
        final String namespace = "vpce-dnsbench-" + Long.toString(ThreadLocalRandom.current().nextLong(36L * 36 * 36 * 36), 36);
        final Path dir = Files.createTempDirectory("vpce-dnsbench");
        Process nsd = null;
        DnsServer responder = null;
        exec(List.of("ip", "netns", "add", namespace), 10);
        try
        {
            exec(List.of("ip", "netns", "exec", namespace, "ip", "link", "set", "lo", "up"), 10);
            final Path queries = writeFiles(dir);
            nsd = new ProcessBuilder("ip", "netns", "exec", namespace, "nsd", "-d", "-c", dir.resolve("nsd.conf").toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("nsd.log").toFile()).start();
            final DnsZoneHolder zones = new DnsZoneHolder();
            zones.publish(zones());
            final DnsResponderConfig config = new DnsResponderConfig(List.of(new InetSocketAddress("127.0.0.1", RESPONDER_PORT)), null,
                0, DnsResponderConfig.DEFAULT_MAX_UDP_PAYLOAD, DnsResponderConfig.DEFAULT_UPSTREAM_TIMEOUT_MS);
            // The sockets are made on this thread, so in the namespace (see NetworkNamespace).
            responder = NetworkNamespace.call(namespace, () -> new DnsServer(config, zones, new DnsCounters()).start());
            progress.accept("responder on " + responder.transport() + "; NSD " + version());
            awaitAnswer(namespace, NSD_PORT, dir);
            awaitAnswer(namespace, RESPONDER_PORT, dir);

            // Warm-up: JIT for the responder, caches for both.
            dnsperf(namespace, "responder", RESPONDER_PORT, queries, Math.min(2, seconds), clients, outstanding);
            dnsperf(namespace, "nsd", NSD_PORT, queries, 1, clients, outstanding);
            final List<Measurement> measurements = new ArrayList<>();
            for (int run = 0; run < runs; run++)
            {
                // Alternating who goes first, so that neither always runs on a machine just warmed by the other.
                final boolean responderFirst = run % 2 == 0;
                {
                    final Measurement a = responderFirst ?
                        dnsperf(namespace, "responder", RESPONDER_PORT, queries, seconds, clients, outstanding) :
                        dnsperf(namespace, "nsd", NSD_PORT, queries, seconds, clients, outstanding);
                    final Measurement b = responderFirst ?
                        dnsperf(namespace, "nsd", NSD_PORT, queries, seconds, clients, outstanding) :
                        dnsperf(namespace, "responder", RESPONDER_PORT, queries, seconds, clients, outstanding);
                    measurements.add(a);
                    measurements.add(b);
                    progress.accept(a.toString());
                    progress.accept(b.toString());
                }
            }
            final int latencySeconds = Math.max(1, seconds / 2);
            final List<Latency> latencies = List.of(
                latency(namespace, "responder", RESPONDER_PORT, queries, latencySeconds, latencyQps),
                latency(namespace, "nsd", NSD_PORT, queries, latencySeconds, latencyQps));
            latencies.forEach(latency -> progress.accept(latency.toString()));
            return new Result(List.copyOf(measurements), latencies);
        }
        finally
        {
            if (responder != null)
            {
                responder.close();
            }
            if (nsd != null)
            {
                nsd.destroy();
                if (!nsd.waitFor(5, TimeUnit.SECONDS))
                {
                    nsd.destroyForcibly();
                }
            }
            // nsd forks its server processes: whatever is left in the namespace goes with it.
            final String pids = exec(List.of("ip", "netns", "pids", namespace), 10);
            for (final String pid : pids.split("\\s+"))
            {
                if (!pid.isBlank())
                {
                    ProcessHandle.of(Long.parseLong(pid)).ifPresent(ProcessHandle::destroyForcibly);
                }
            }
            exec(List.of("ip", "netns", "del", namespace), 10);
            try (var paths = Files.walk(dir))
            {
                for (final Path path : paths.sorted(java.util.Comparator.reverseOrder()).toList())
                {
                    Files.deleteIfExists(path);
                }
            }
        }
    }

    static DnsZoneSnapshot zones()
    {
        final DnsZoneSnapshot.Builder builder = new DnsZoneSnapshot.Builder()
            .vpc("vpc-0a11ce0000000001", 0x7F00_0000, 8, 0x7F00_0002) // the loopback stands in for the VPC
            .sharedZone(ZONE).privateZone("vpc-0a11ce0000000001", PRIVATE);
        for (final String eni : ENIS)
        {
            final int address = address(eni);
            builder.sharedAddress(REGIONAL, address).privateAddress("vpc-0a11ce0000000001", PRIVATE, address);
        }
        builder.sharedAddress(ZONAL, address(ENIS[0]));
        return builder.build(1);
    }

    private static int address(final String dotted)
    {
        int address = 0;
        for (final String part : dotted.split("\\."))
        {
            address = (address << 8) | Integer.parseInt(part);
        }
        return address;
    }

    /** NSD's configuration and the two zones, with the same records and SOA as the responder's; the query file. */
    private static Path writeFiles(final Path dir) throws IOException
    {
        final String soa = "@ 60 IN SOA ns.@ hostmaster.@ 1 3600 600 86400 60\n";
        Files.writeString(dir.resolve("vpce.zone"), "$ORIGIN " + ZONE + ".\n" + soa.replace("@", ZONE + ".") +
            ZONE + ". 60 IN NS ns." + ZONE + ".\n" +
            REGIONAL + ". 60 IN A " + ENIS[0] + "\n" + REGIONAL + ". 60 IN A " + ENIS[1] + "\n" +
            ZONAL + ". 60 IN A " + ENIS[0] + "\n");
        Files.writeString(dir.resolve("private.zone"), "$ORIGIN " + PRIVATE + ".\n" + soa.replace("@", PRIVATE + ".") +
            PRIVATE + ". 60 IN NS ns." + PRIVATE + ".\n" +
            PRIVATE + ". 60 IN A " + ENIS[0] + "\n" + PRIVATE + ". 60 IN A " + ENIS[1] + "\n");
        // One server process, as the responder has one I/O thread; no chroot, no privilege drop, files in this run's
        // directory only; no response rate limiting (Debian's NSD limits a source to 200 queries/s by default), as the
        // responder runs with rateLimitPerSecond 0.
        Files.writeString(dir.resolve("nsd.conf"), """
            server:
              ip-address: 127.0.0.1@%d
              server-count: 1
              username: ""
              chroot: ""
              zonesdir: "%s"
              database: ""
              zonelistfile: "%s/zone.list"
              xfrdfile: "%s/xfrd.state"
              pidfile: "%s/nsd.pid"
              logfile: "%s/nsd.log"
              minimal-responses: yes
              refuse-any: no
              rrl-ratelimit: 0
              rrl-whitelist-ratelimit: 0
            remote-control:
              control-enable: no
            zone:
              name: %s
              zonefile: vpce.zone
            zone:
              name: %s
              zonefile: private.zone
            """.formatted(NSD_PORT, dir, dir, dir, dir, dir, ZONE, PRIVATE));
        final Path queries = dir.resolve("queries.txt");
        Files.writeString(queries, REGIONAL + " A\n" + ZONAL + " A\n" + PRIVATE + " A\n" + REGIONAL + " AAAA\n" +
            "vpce-nothing." + ZONE + " A\n");
        return queries;
    }

    private static void awaitAnswer(final String namespace, final int port, final Path dir) throws Exception
    {
        final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (true)
        {
            final String out = exec(List.of("ip", "netns", "exec", namespace, "dig", "@127.0.0.1", "-p", Integer.toString(port),
                "+time=1", "+tries=1", "+short", REGIONAL), 10);
            if (out.contains(ENIS[0]) && out.contains(ENIS[1]))
            {
                return;
            }
            if (System.nanoTime() - deadlineNs > 0)
            {
                final File log = dir.resolve("nsd.log").toFile();
                throw new IllegalStateException("no answer on port " + port + ": " + out +
                    (log.exists() ? "; nsd.log: " + Files.readString(log.toPath()) : ""));
            }
            Thread.sleep(100); // a server process starting, not an effect of ours: no clock to advance
        }
    }

    private static Measurement dnsperf(final String namespace, final String server, final int port, final Path queries,
        final int seconds, final int clients, final int outstanding) throws Exception
    {
        final String out = exec(List.of("ip", "netns", "exec", namespace, "dnsperf", "-s", "127.0.0.1", "-p", Integer.toString(port),
            "-d", queries.toString(), "-l", Integer.toString(seconds), "-c", Integer.toString(clients), "-T", "1",
            "-q", Integer.toString(outstanding), "-t", "2"), seconds + 30);
        return new Measurement(server, number(out, "Queries per second:\\s+([0-9.]+)"), (long)number(out, "Queries completed:\\s+(\\d+)"),
            (long)number(out, "Queries lost:\\s+(\\d+)"), number(out, "Average Latency \\(s\\):\\s+([0-9.]+)") * 1e6,
            number(out, "Latency StdDev \\(s\\):\\s+([0-9.]+)") * 1e6);
    }

    private static Latency latency(final String namespace, final String server, final int port, final Path queries,
        final int seconds, final int qps) throws Exception
    {
        final String out = exec(List.of("ip", "netns", "exec", namespace, "dnsperf", "-s", "127.0.0.1", "-p", Integer.toString(port),
            "-d", queries.toString(), "-l", Integer.toString(seconds), "-c", "1", "-T", "1", "-Q", Integer.toString(qps),
            "-t", "2", "-v"), seconds + 30);
        // "> NOERROR name A 0.000123" per response; "> T name A" for a timeout
        final Matcher matcher = Pattern.compile("(?m)^> (\\S+) \\S+ \\S+(?: ([0-9.]+))?$").matcher(out);
        long[] latenciesNs = new long[1 << 16];
        int samples = 0;
        long timeouts = 0;
        while (matcher.find())
        {
            if (matcher.group(2) == null)
            {
                timeouts++;
                continue;
            }
            if (samples == latenciesNs.length)
            {
                latenciesNs = java.util.Arrays.copyOf(latenciesNs, samples * 2);
            }
            latenciesNs[samples++] = Math.round(Double.parseDouble(matcher.group(2)) * 1e9);
        }
        if (samples == 0)
        {
            throw new IllegalStateException("dnsperf -v printed no latencies:\n" + out.lines().limit(20).toList());
        }
        final long[] sorted = java.util.Arrays.copyOf(latenciesNs, samples);
        java.util.Arrays.sort(sorted);
        return new Latency(server, qps, samples, timeouts, percentileUs(sorted, 0.50), percentileUs(sorted, 0.99),
            percentileUs(sorted, 0.999), sorted[samples - 1] / 1e3);
    }

    private static double percentileUs(final long[] sorted, final double fraction)
    {
        return sorted[Math.min(sorted.length - 1, (int)Math.ceil(fraction * sorted.length) - 1)] / 1e3;
    }

    private static double number(final String text, final String pattern)
    {
        final Matcher matcher = Pattern.compile(pattern).matcher(text);
        if (!matcher.find())
        {
            throw new IllegalStateException("dnsperf printed no '" + pattern + "':\n" + text);
        }
        return Double.parseDouble(matcher.group(1));
    }

    private static String version() throws Exception
    {
        final String out = exec(List.of("nsd", "-v"), 10);
        return out.lines().findFirst().orElse("?").trim();
    }

    private static String exec(final List<String> command, final int timeoutSeconds) throws Exception
    {
        final Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        final byte[] out = process.getInputStream().readAllBytes();
        if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS))
        {
            process.destroyForcibly();
            throw new IllegalStateException("timed out: " + command);
        }
        return new String(out, StandardCharsets.UTF_8) + (process.exitValue() == 0 ? "" : " [exit " + process.exitValue() + "]");
    }
}
