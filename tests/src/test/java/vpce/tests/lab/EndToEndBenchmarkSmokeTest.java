package vpce.tests.lab;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import vpce.appliance.lab.LabMode;
import vpce.perf.EndToEndBenchmark;
import vpce.tests.support.RequiresRoot;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A short run of the end-to-end benchmark harness: the kernel reference and the appliance are
 * both measured, the ratio is computed, and both reports are written.
 */
@RequiresRoot
@Timeout(120)
class EndToEndBenchmarkSmokeTest
{
    @Test
    void smokeRunMeasuresKernelAndApplianceAndLeavesNoLab(@TempDir final Path dir) throws Exception
    {
        final String prefix = LabTestSupport.uniqueLabName();
        final EndToEndBenchmark.Settings settings = new EndToEndBenchmark.Settings(
            1, 1, 0, List.of(1, 2), List.of(LabMode.KERNEL, LabMode.APPLIANCE), dir.resolve("run"), prefix);
        final List<String> progress = new ArrayList<>();

        final EndToEndBenchmark.Result result = EndToEndBenchmark.run(settings, progress::add);

        assertEquals(List.of(), result.failures());
        assertEquals(4, result.measurements().size());
        for (final int streams : List.of(1, 2))
        {
            assertTrue(result.medianGigabitsPerSecond(LabMode.KERNEL, streams) > 0, result.toString());
            assertTrue(result.medianGigabitsPerSecond(LabMode.APPLIANCE, streams) > 0, result.toString());
            final double ratio = result.applianceOverKernel(streams);
            assertTrue(ratio > 0 && Double.isFinite(ratio), "ratio " + ratio);
        }
        assertEquals(4, progress.size(), progress.toString());
        assertEquals(List.of(), LabTestSupport.namespacesWithPrefix(prefix + "-"));

        final Path report = dir.resolve("e2e-report.txt");
        final Path jsonReport = EndToEndBenchmark.writeReports(result, report);
        assertTrue(Files.readString(report).contains("kernel Gbit/s"));
        final JsonNode json = new ObjectMapper().readTree(jsonReport.toFile());
        assertEquals(dir.resolve("e2e-report.json"), jsonReport);
        assertEquals(4, json.get("measurements").size());
        assertEquals("kernel", json.get("measurements").get(0).get("mode").asText());
        assertTrue(json.get("measurements").get(1).get("medianGigabitsPerSecond").asDouble() > 0);
    }
}
