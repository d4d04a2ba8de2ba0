package vpce.perf;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import vpce.appliance.lab.Iperf3Result;
import vpce.appliance.lab.Lab;
import vpce.appliance.lab.LabMode;
import vpce.appliance.lab.LabPorts;
import vpce.appliance.lab.LabPlan;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * End-to-end TCP throughput through the endpoint: iperf3 from the AZ1 client to its ENI address
 * (DNAT to the service, SNAT toward it), with the appliance forwarding and, in the same run, the
 * Linux kernel doing the same job in the same topology. The figure that matters is the ratio
 * appliance/kernel, which survives a noisy or differently sized machine far better than Gbit/s.
 *
 * <p>Labs are brought up one at a time and torn down before the next, so that on a 2-core machine
 * the idle lab's servers do not compete with the measured one. Each (mode, streams) cell is
 * measured {@code runs} times after one warm-up run (JIT for the appliance, TCP autotuning for
 * both) and reported as the median of the received bits per second.
 *
 * <pre>
 *   java -cp perf.jar:lib/* vpce.perf.EndToEndBenchmark --seconds 10 --runs 3 --streams 1,4
 *   java -cp ... vpce.perf.EndToEndBenchmark --smoke --modes kernel
 * </pre>
 */
@Command(
    name = "e2e-benchmark",
    mixinStandardHelpOptions = true,
    description = "iperf3 TCP throughput through the endpoint: appliance vs the Linux kernel.")
public final class EndToEndBenchmark implements Callable<Integer>
{
    @Option(names = "--seconds", description = "Duration of each iperf3 run (default ${DEFAULT-VALUE}).")
    int seconds = 10;

    @Option(names = "--runs", description = "Measured runs per mode and stream count (default ${DEFAULT-VALUE}).")
    int runs = 3;

    @Option(names = "--warmup-seconds", description = "Unmeasured run before each mode, 0 for none (default ${DEFAULT-VALUE}).")
    int warmupSeconds = 2;

    @Option(names = "--streams", split = ",", description = "Parallel stream counts (default ${DEFAULT-VALUE}).")
    List<Integer> streams = List.of(1, 4);

    @Option(names = "--modes", split = ",", converter = ModeConverter.class,
        description = "Lab modes, in order (default ${DEFAULT-VALUE}).")
    List<LabMode> modes = List.of(LabMode.KERNEL, LabMode.APPLIANCE);

    @Option(names = "--ports", converter = PortsConverter.class,
        description = "The appliance's ports: afpacket (veth pairs) or tap (default ${DEFAULT-VALUE}).")
    private LabPorts appliancePorts = LabPorts.AFPACKET;

    @Option(names = "--smoke", description = "Quick check: 2 s, 1 run, 1 s warm-up.")
    boolean smoke;

    @Option(names = "--report", description = "Text report; a .json report is written beside it (default ${DEFAULT-VALUE}).")
    Path report = Path.of("perf", "target", "e2e-report.txt");

    @Option(names = "--run-dir", description = "Parent of the labs' run directories (default ${DEFAULT-VALUE}).")
    Path runDirectory = Path.of("/run/vpce-perf");

    @Option(names = "--lab-prefix", description = "Lab name prefix; labs are <prefix>-k and <prefix>-a (default ${DEFAULT-VALUE}).")
    String labPrefix = "vpce-e2e";

    /**
     * What to measure.
     *
     * @param seconds       duration of each iperf3 run.
     * @param runs          measured runs per cell.
     * @param warmupSeconds unmeasured warm-up run per mode; 0 for none.
     * @param streams       stream counts.
     * @param modes         modes, measured in this order.
     * @param runDirectory  parent of each lab's run directory.
     * @param labPrefix     lab name prefix.
     * @param appliancePorts the appliance's port kind (the kernel reference always uses veths).
     */
    public record Settings(
        int seconds,
        int runs,
        int warmupSeconds,
        List<Integer> streams,
        List<LabMode> modes,
        Path runDirectory,
        String labPrefix,
        LabPorts appliancePorts)
    {
        public Settings(
            final int seconds,
            final int runs,
            final int warmupSeconds,
            final List<Integer> streams,
            final List<LabMode> modes,
            final Path runDirectory,
            final String labPrefix)
        {
            this(seconds, runs, warmupSeconds, streams, modes, runDirectory, labPrefix, LabPorts.AFPACKET);
        }

        public Settings
        {
            streams = List.copyOf(streams);
            modes = List.copyOf(modes);
            if (seconds < 1 || runs < 1 || warmupSeconds < 0 || streams.isEmpty() || modes.isEmpty())
            {
                throw new IllegalArgumentException("seconds and runs must be >= 1, warmupSeconds >= 0, " +
                    "streams and modes non-empty: " + seconds + ", " + runs + ", " + warmupSeconds + ", " +
                    streams + ", " + modes);
            }
            for (final int count : streams)
            {
                if (count < 1 || count > 128)
                {
                    throw new IllegalArgumentException("streams must be in 1..128: " + count);
                }
            }
        }

        /**
         * @param modes modes to measure.
         * @return the quick settings of {@code --smoke}: 2 s, 1 run, 1 s warm-up, 1 and 4 streams.
         */
        public static Settings smoke(final List<LabMode> modes)
        {
            return new Settings(2, 1, 1, List.of(1, 4), modes, Path.of("/run/vpce-perf"), "vpce-e2e");
        }

        /**
         * @param mode a mode.
         * @return the lab plan the benchmark uses for it.
         */
        public LabPlan plan(final LabMode mode)
        {
            final String suffix = LabMode.KERNEL == mode ? "k" : "a";
            return LabPlan.defaults(labPrefix + "-" + suffix, runDirectory.resolve(mode.label()))
                .withPorts(LabMode.APPLIANCE == mode ? appliancePorts : LabPorts.AFPACKET);
        }
    }

    /**
     * One (mode, streams) cell.
     *
     * @param mode              who forwarded.
     * @param streams           parallel streams.
     * @param gigabitsPerSecond received Gbit/s of each measured run, in order.
     * @param retransmits       sender retransmits of each run.
     * @param medianGigabitsPerSecond median of {@code gigabitsPerSecond}.
     */
    public record Measurement(
        LabMode mode,
        int streams,
        List<Double> gigabitsPerSecond,
        List<Long> retransmits,
        double medianGigabitsPerSecond)
    {
        public Measurement
        {
            gigabitsPerSecond = List.copyOf(gigabitsPerSecond);
            retransmits = List.copyOf(retransmits);
        }
    }

    /**
     * A mode that could not be measured, e.g. the appliance failed to start.
     *
     * @param mode    the mode.
     * @param message why.
     */
    public record Failure(LabMode mode, String message)
    {
    }

    /**
     * Outcome of one benchmark run.
     *
     * @param settings     what was asked for.
     * @param startedAt    wall-clock start.
     * @param measurements one per measured (mode, streams).
     * @param failures     modes that could not be measured.
     */
    public record Result(Settings settings, Instant startedAt, List<Measurement> measurements, List<Failure> failures)
    {
        public Result
        {
            measurements = List.copyOf(measurements);
            failures = List.copyOf(failures);
        }

        /**
         * @param mode    a mode.
         * @param streams a stream count.
         * @return median Gbit/s of that cell, or NaN when it was not measured.
         */
        public double medianGigabitsPerSecond(final LabMode mode, final int streams)
        {
            for (final Measurement measurement : measurements)
            {
                if (measurement.mode() == mode && measurement.streams() == streams)
                {
                    return measurement.medianGigabitsPerSecond();
                }
            }
            return Double.NaN;
        }

        /**
         * @param streams a stream count.
         * @return appliance median / kernel median, or NaN unless both were measured.
         */
        public double applianceOverKernel(final int streams)
        {
            return medianGigabitsPerSecond(LabMode.APPLIANCE, streams) / medianGigabitsPerSecond(LabMode.KERNEL, streams);
        }
    }

    /**
     * Run the benchmark: for each mode bring its lab up, measure, tear it down.
     *
     * @param settings what to measure.
     * @param progress receives one line per finished run, e.g. System.out::println.
     * @return the measurements; a mode whose lab fails is recorded in {@link Result#failures()}.
     */
    public static Result run(final Settings settings, final java.util.function.Consumer<String> progress)
    {
        final Instant startedAt = Instant.now();
        final List<Measurement> measurements = new ArrayList<>();
        final List<Failure> failures = new ArrayList<>();

        for (final LabMode mode : settings.modes())
        {
            final LabPlan plan = settings.plan(mode);
            final LabPlan.Consumer client = plan.consumers().get(0);
            final int port = plan.iperf3Listener().port();
            try (Lab lab = Lab.up(plan, mode))
            {
                if (settings.warmupSeconds() > 0)
                {
                    lab.iperf3(client.namespace(), client.eniAddress(), port, 1, settings.warmupSeconds());
                }

                final double[][] gbps = new double[settings.streams().size()][settings.runs()];
                final long[][] retransmits = new long[settings.streams().size()][settings.runs()];
                // Runs outermost so that a slow drift of the machine spreads over every cell.
                for (int run = 0; run < settings.runs(); run++)
                {
                    for (int i = 0; i < settings.streams().size(); i++)
                    {
                        final int streams = settings.streams().get(i);
                        final Iperf3Result result = lab.iperf3(
                            client.namespace(), client.eniAddress(), port, streams, settings.seconds());
                        gbps[i][run] = result.gigabitsPerSecondReceived();
                        retransmits[i][run] = result.retransmits();
                        progress.accept(String.format(Locale.ROOT, "%-9s streams=%d run=%d/%d %8.2f Gbit/s retransmits=%d",
                            mode.label(), streams, run + 1, settings.runs(), gbps[i][run], result.retransmits()));
                    }
                }

                for (int i = 0; i < settings.streams().size(); i++)
                {
                    measurements.add(new Measurement(
                        mode,
                        settings.streams().get(i),
                        Arrays.stream(gbps[i]).boxed().toList(),
                        Arrays.stream(retransmits[i]).boxed().toList(),
                        median(gbps[i])));
                }
            }
            catch (final RuntimeException ex)
            {
                failures.add(new Failure(mode, ex.getMessage()));
                progress.accept(mode.label() + " failed: " + ex.getMessage());
            }
        }

        return new Result(settings, startedAt, measurements, failures);
    }

    static double median(final double[] values)
    {
        final double[] sorted = values.clone();
        Arrays.sort(sorted);
        final int n = sorted.length;
        return 0 == (n & 1) ? (sorted[n / 2 - 1] + sorted[n / 2]) / 2 : sorted[n / 2];
    }

    /**
     * @param result a benchmark result.
     * @return the human-readable table.
     */
    public static String table(final Result result)
    {
        final Settings settings = result.settings();
        final LabPlan plan = settings.plan(settings.modes().get(0));
        final LabPlan.Consumer client = plan.consumers().get(0);
        final StringBuilder text = new StringBuilder();
        text.append(String.format(Locale.ROOT,
            "vpce end-to-end throughput: iperf3 TCP %s (%s) -> ENI %s:%d -> %s:%d; appliance ports: %s%n",
            client.clientAddress(), client.availabilityZone(), client.eniAddress(), plan.iperf3Listener().port(),
            plan.service().address(), plan.iperf3Listener().targetPort(), settings.appliancePorts().label()));
        text.append(String.format(Locale.ROOT,
            "%d s x %d runs per cell (median of received bits/s), %d s warm-up; %s; %d CPUs; Linux %s; Java %s%n%n",
            settings.seconds(), settings.runs(), settings.warmupSeconds(), result.startedAt(),
            Runtime.getRuntime().availableProcessors(), System.getProperty("os.version"),
            System.getProperty("java.version")));
        text.append(String.format(Locale.ROOT, "%-8s %-14s %-17s %-16s %s%n",
            "streams", "kernel Gbit/s", "appliance Gbit/s", "appliance/kernel", "runs (Gbit/s)"));
        for (final int streams : settings.streams())
        {
            final StringBuilder runs = new StringBuilder();
            for (final Measurement measurement : result.measurements())
            {
                if (measurement.streams() == streams)
                {
                    runs.append(measurement.mode().label()).append(' ');
                    for (final double gbps : measurement.gigabitsPerSecond())
                    {
                        runs.append(String.format(Locale.ROOT, "%.2f ", gbps));
                    }
                }
            }
            text.append(String.format(Locale.ROOT, "%-8d %-14s %-17s %-16s %s%n",
                streams,
                format(result.medianGigabitsPerSecond(LabMode.KERNEL, streams), "%.2f"),
                format(result.medianGigabitsPerSecond(LabMode.APPLIANCE, streams), "%.2f"),
                format(result.applianceOverKernel(streams), "%.3f"),
                runs.toString().strip()));
        }
        for (final Failure failure : result.failures())
        {
            text.append(System.lineSeparator()).append(failure.mode().label()).append(" not measured: ")
                .append(failure.message()).append(System.lineSeparator());
        }
        return text.toString();
    }

    /**
     * @param result a benchmark result.
     * @return the same figures as JSON, for CI to compare across runs.
     */
    public static ObjectNode json(final Result result)
    {
        final ObjectMapper mapper = new ObjectMapper();
        final ObjectNode root = mapper.createObjectNode();
        root.put("startedAt", result.startedAt().toString());
        root.put("seconds", result.settings().seconds());
        root.put("runs", result.settings().runs());
        root.put("warmupSeconds", result.settings().warmupSeconds());
        root.put("appliancePorts", result.settings().appliancePorts().label());
        root.put("cpus", Runtime.getRuntime().availableProcessors());
        root.put("kernel", System.getProperty("os.version"));
        root.put("java", System.getProperty("java.version"));
        final ArrayNode cells = root.putArray("measurements");
        for (final Measurement measurement : result.measurements())
        {
            final ObjectNode cell = cells.addObject();
            cell.put("mode", measurement.mode().label());
            cell.put("streams", measurement.streams());
            cell.put("medianGigabitsPerSecond", measurement.medianGigabitsPerSecond());
            final ArrayNode runs = cell.putArray("gigabitsPerSecond");
            measurement.gigabitsPerSecond().forEach(runs::add);
            final ArrayNode retransmits = cell.putArray("retransmits");
            measurement.retransmits().forEach(retransmits::add);
        }
        final ArrayNode ratios = root.putArray("applianceOverKernel");
        for (final int streams : result.settings().streams())
        {
            final double ratio = result.applianceOverKernel(streams);
            final ObjectNode entry = ratios.addObject().put("streams", streams);
            if (Double.isNaN(ratio))
            {
                entry.putNull("ratio");
            }
            else
            {
                entry.put("ratio", ratio);
            }
        }
        final ArrayNode failures = root.putArray("failures");
        for (final Failure failure : result.failures())
        {
            failures.addObject().put("mode", failure.mode().label()).put("message", failure.message());
        }
        return root;
    }

    /**
     * Write the text report and, beside it, the JSON report (same name, .json).
     *
     * @param result a benchmark result.
     * @param report text report path.
     * @return the JSON report's path.
     * @throws IOException when a file cannot be written.
     */
    public static Path writeReports(final Result result, final Path report) throws IOException
    {
        final Path absolute = report.toAbsolutePath();
        Files.createDirectories(absolute.getParent());
        Files.writeString(absolute, table(result));
        final String fileName = absolute.getFileName().toString();
        final int dot = fileName.lastIndexOf('.');
        final Path jsonReport = absolute.resolveSibling((dot > 0 ? fileName.substring(0, dot) : fileName) + ".json");
        Files.writeString(jsonReport, new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
            .writeValueAsString(json(result)) + "\n");
        return jsonReport;
    }

    private static String format(final double value, final String pattern)
    {
        return Double.isNaN(value) ? "-" : String.format(Locale.ROOT, pattern, value);
    }

    @Override
    public Integer call() throws IOException
    {
        final Settings settings = smoke ?
            new Settings(2, 1, 1, streams, modes, runDirectory, labPrefix, appliancePorts) :
            new Settings(seconds, runs, warmupSeconds, streams, modes, runDirectory, labPrefix, appliancePorts);

        final Result result = run(settings, System.out::println);
        final String table = table(result);
        System.out.println();
        System.out.print(table);
        final Path jsonReport = writeReports(result, report);
        System.out.println();
        System.out.println("report: " + report.toAbsolutePath() + " and " + jsonReport);

        return result.failures().isEmpty() ? 0 : 1;
    }

    /** Parses "afpacket" / "tap" for --ports. */
    static final class PortsConverter implements CommandLine.ITypeConverter<LabPorts>
    {
        @Override
        public LabPorts convert(final String value)
        {
            return LabPorts.parse(value);
        }
    }

    /**
     * Parses "kernel" / "appliance" for --modes.
     */
    static final class ModeConverter implements CommandLine.ITypeConverter<LabMode>
    {
        @Override
        public LabMode convert(final String value)
        {
            return LabMode.parse(value);
        }
    }

    public static void main(final String[] args)
    {
        System.exit(new CommandLine(new EndToEndBenchmark()).execute(args));
    }
}
