package vpce.tests.stress;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import vpce.perf.stress.PublicationStress;
import vpce.perf.stress.StressReport;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Each publication protocol under a short stress run (vpce.perf.stress.PublicationStress; the
 * invariants are in each scenario's javadoc). A pass here is a smoke-level pass: a run of minutes
 * with more threads than cores is what finds rare interleavings (perf/README.md). The coverage
 * floors are low on purpose: other builds share the machine, and a scenario that did almost
 * nothing proves nothing, so each asserts that its interesting events happened at all.
 */
@Timeout(60)
class PublicationStressTest
{
    private static final long RUN_NS = 1_500_000_000L;
    private static final int READERS = 2;

    private static StressReport run(final String scenario, final int readers) throws Exception
    {
        final StressReport report = PublicationStress.run(scenario, RUN_NS, readers, System.nanoTime());
        System.out.println(report);
        assertTrue(report.passed(), report::toString);
        return report;
    }

    private static void atLeast(final StressReport report, final String operation, final long floor)
    {
        assertTrue(report.operation(operation) >= floor, () -> operation + " below " + floor + ": " + report);
    }

    @Test
    void datapathSnapshotsAreWholeInOrderAndNeverChangeAfterPublication() throws Exception
    {
        // Three readers: two as the datapath agent, one as the management API's explain.
        final StressReport report = run("snapshot", 3);
        atLeast(report, "published", 10);
        atLeast(report, "changesSeen", 3);
        atLeast(report, "explains", 1);
        atLeast(report, "replacedRechecked", 1);
    }

    @Test
    void flowTableAndNatPoolCountersStayConsistentForReadersAndExactAfterTheJoin() throws Exception
    {
        final StressReport report = run("flow-counters", READERS);
        atLeast(report, "created", 1000);
        atLeast(report, "expired", 1);
        atLeast(report, "evicted", 1);
        atLeast(report, "readerSnapshots", 100);
    }

    @Test
    void countersFileReadersSeeOrderedCountsAndWholeLabels() throws Exception
    {
        final StressReport report = run("counters-file", READERS);
        atLeast(report, "rxPackets", 1000);
        atLeast(report, "countersAllocated", 1);
        atLeast(report, "labelScans", 1);
    }

    @Test
    void flowJournalHoldsExactlyTheLastAcceptedEventOfEveryBinding() throws Exception
    {
        final StressReport report = run("flow-journal", READERS);
        atLeast(report, "eventsAccepted", 100);
        atLeast(report, "entriesVerified", 1);
    }

    @Test
    void flowLogLinesAreWholeCorrectlyLabelledAndAllAccountedFor() throws Exception
    {
        final StressReport report = run("flow-log-reload", READERS);
        atLeast(report, "reloads", 2);
        atLeast(report, "windows", 10);
        atLeast(report, "lines", 10);
    }
}
