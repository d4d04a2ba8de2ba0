package vpce.tests.perf;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import vpce.perf.dns.DnsBenchmark;
import vpce.tests.support.RequiresRoot;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A short run of the DNS benchmark: dnsperf measures the responder and NSD, and the namespace is gone after. */
@RequiresRoot
@Timeout(120)
class DnsBenchmarkSmokeTest
{
    @Test
    void smokeRunMeasuresTheResponderAndNsdAndLeavesNoNamespace() throws Exception
    {
        final List<String> progress = new ArrayList<>();
        final DnsBenchmark.Result result = DnsBenchmark.run(1, 1, 2, 50, 2_000, progress::add);
        assertEquals(2, result.measurements().size(), progress.toString());
        for (final DnsBenchmark.Measurement measurement : result.measurements())
        {
            assertTrue(measurement.queriesPerSecond() > 100, measurement.toString());
            assertTrue(measurement.completed() > 0 && measurement.lost() * 100 <= measurement.completed(), measurement.toString());
        }
        assertEquals(List.of("responder", "nsd"), result.latencies().stream().map(DnsBenchmark.Latency::server).toList());
        for (final DnsBenchmark.Latency latency : result.latencies())
        {
            assertTrue(latency.samples() > 500 && latency.p50Us() > 0 && latency.p50Us() <= latency.p99Us(), latency.toString());
        }
        assertTrue(result.ratio() > 0 && Double.isFinite(result.ratio()), "ratio " + result.ratio());
        final Process list = new ProcessBuilder("ip", "netns", "list").redirectErrorStream(true).start();
        final String namespaces = new String(list.getInputStream().readAllBytes());
        list.waitFor();
        assertTrue(!namespaces.contains("vpce-dnsbench-"), namespaces);
    }
}
