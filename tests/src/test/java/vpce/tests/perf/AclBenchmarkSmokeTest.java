package vpce.tests.perf;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;
import vpce.perf.acl.AclClassifierBenchmark;

import java.util.Collection;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A smoke run of the classifier benchmark: the harness builds its rule sets at the largest size
 * and measures something. Figures come from the full run (README), never from a test.
 */
@Timeout(120)
class AclBenchmarkSmokeTest
{
    @Test
    void theClassifierBenchmarkRunsAtTheLargestRuleSet() throws Exception
    {
        // JMH's /tmp/jmh.lock keeps two measurements apart; a smoke run measures nothing, so a benchmark
        // someone runs on the same host must not fail the test command.
        System.setProperty("jmh.ignoreLock", "true");
        final Options options = new OptionsBuilder()
            .include(AclClassifierBenchmark.class.getName())
            .param("sgRules", "1000")
            .forks(0)
            .warmupIterations(0)
            .measurementIterations(1)
            .measurementTime(TimeValue.milliseconds(200))
            .build();
        final Collection<RunResult> results = new Runner(options).run();
        assertEquals(1, results.size());
        final double nsPerOp = results.iterator().next().getPrimaryResult().getScore();
        assertTrue(nsPerOp > 0 && Double.isFinite(nsPerOp), "score " + nsPerOp);
    }
}
