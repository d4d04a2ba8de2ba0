package vpce.perf.stress;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A stress harness for the project's cross-thread publication protocols (jcstress does not
 * resolve from Maven Central here). Each scenario runs the real classes on one writer thread and
 * several reader threads for a while, checks invariants that a missing or misplaced
 * release/acquire would break, and ends with an exact count after every thread is joined.
 *
 * <pre>
 * java -cp "perf/target/perf.jar:perf/target/lib/*" vpce.perf.stress.PublicationStress \
 *     [--seconds 10] [--readers 3] [--seed N] [--scenario all|snapshot|flow-counters|counters-file|flow-journal|flow-log-reload]
 * </pre>
 *
 * Exit status 0 when every invariant held, 1 otherwise. The unit test
 * {@code vpce.tests.stress.PublicationStressTest} runs each scenario for a second or two; a long
 * run here (minutes, more readers than cores) is what finds the rare interleavings. On x86 the
 * hardware keeps stores in order and loads in order, so what these runs can catch there is the
 * JIT reordering or hoisting plain accesses; an ARM machine also exercises the hardware.
 */
public final class PublicationStress
{
    public static final List<String> SCENARIOS =
        List.of("snapshot", "flow-counters", "counters-file", "flow-journal", "flow-log-reload");

    private PublicationStress()
    {
    }

    /** Runs one scenario for {@code durationNs} with {@code readers} reader threads. */
    public static StressReport run(final String scenario, final long durationNs, final int readers, final long seed)
        throws Exception
    {
        if (readers < 1)
        {
            throw new IllegalArgumentException("readers must be at least 1: " + readers);
        }
        return switch (scenario)
        {
            case "snapshot" -> SnapshotScenario.run(durationNs, readers, seed);
            case "flow-counters" -> FlowCountersScenario.run(durationNs, readers, seed);
            case "counters-file" -> CountersFileScenario.run(durationNs, readers, seed);
            case "flow-journal" -> FlowJournalScenario.run(durationNs, readers, seed);
            case "flow-log-reload" -> FlowLogReloadScenario.run(durationNs, readers, seed);
            default -> throw new IllegalArgumentException("unknown scenario " + scenario + "; one of " + SCENARIOS);
        };
    }

    public static void main(final String[] args) throws Exception
    {
        final Map<String, String> options = new LinkedHashMap<>(Map.of(
            "--seconds", "10", "--readers", "3", "--seed", Long.toString(System.nanoTime()), "--scenario", "all"));
        for (int i = 0; i < args.length; i += 2)
        {
            if (!options.containsKey(args[i]) || i + 1 == args.length)
            {
                System.err.println("usage: PublicationStress [--seconds N] [--readers N] [--seed N] [--scenario all|" +
                    String.join("|", SCENARIOS) + "]");
                System.exit(2);
            }
            options.put(args[i], args[i + 1]);
        }
        final double seconds = Double.parseDouble(options.get("--seconds"));
        final int readers = Integer.parseInt(options.get("--readers"));
        final long seed = Long.parseLong(options.get("--seed"));
        final List<String> scenarios = "all".equals(options.get("--scenario")) ?
            SCENARIOS : List.of(options.get("--scenario").split(","));
        System.out.printf("publication stress: %.1f s per scenario, %d readers, seed %d, %d cores%n",
            seconds, readers, seed, Runtime.getRuntime().availableProcessors());
        final List<StressReport> reports = new ArrayList<>();
        for (final String scenario : scenarios)
        {
            final StressReport report = run(scenario, (long)(seconds * 1e9), readers, seed);
            System.out.println(report);
            reports.add(report);
        }
        System.exit(reports.stream().allMatch(StressReport::passed) ? 0 : 1);
    }
}
