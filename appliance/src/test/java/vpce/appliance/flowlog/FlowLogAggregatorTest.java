package vpce.appliance.flowlog;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static vpce.appliance.flowlog.FlowLogHarness.*;

class FlowLogAggregatorTest
{
    private static final int CLIENT = ip("10.0.1.10");
    private static final int ENI = ip("10.0.1.20");

    @TempDir
    Path dir;

    @Test
    void sumsPacketsOfOneKeyIntoOneLineInTheExactV2Format() throws Exception
    {
        final FlowLogHarness h = new FlowLogHarness(dir, 1024, 64 * 1024, 1024);
        h.aggregator.record(0, CLIENT, ENI, 40000, 443, TCP, true, 60, T0);
        h.aggregator.record(0, CLIENT, ENI, 40000, 443, TCP, true, 60, T0 + 2 * SECOND_NS);
        h.aggregator.record(0, CLIENT, ENI, 40000, 443, TCP, true, 60, T0 + 4 * SECOND_NS + 999_999_999L);

        assertEquals(1, h.flushIfDue(T0 + WINDOW_NS));

        assertEquals(
            List.of("2 123456789012 eni-0a11ce00000000a1 10.0.1.10 10.0.1.20 40000 443 6 3 180 1700000000 1700000004 ACCEPT OK"),
            h.lines());
        assertEquals(1, h.aggregator.recordsPublished());
        assertEquals(1, h.writer.linesWritten());
    }

    @Test
    void differentActionsPortsAndInterfacesAreDifferentRecords() throws Exception
    {
        final FlowLogHarness h = new FlowLogHarness(dir, 1024, 64 * 1024, 1024);
        final int highAddress = ip("255.254.128.1");
        h.aggregator.record(0, CLIENT, ENI, 40000, 443, TCP, true, 100, T0);
        h.aggregator.record(0, CLIENT, ENI, 40000, 443, TCP, false, 40, T0 + SECOND_NS);
        h.aggregator.record(0, CLIENT, ENI, 40001, 443, TCP, true, 52, T0 + 2 * SECOND_NS);
        h.aggregator.record(1, CLIENT, ENI, 40000, 443, TCP, true, 1500, T0 + 3 * SECOND_NS);
        h.aggregator.record(0, CLIENT, ENI, 40000, 443, TCP, false, 40, T0 + 5 * SECOND_NS);
        h.aggregator.record(1, highAddress, ENI, 65535, 80, 17, false, 28, T0 + 6 * SECOND_NS);
        h.aggregator.record(0, CLIENT, ENI, 40000, 443, TCP, true, 100, T0 + 7 * SECOND_NS);

        assertEquals(5, h.flushIfDue(T0 + WINDOW_NS));

        assertEquals(List.of(
            "2 123456789012 eni-0a11ce00000000a1 10.0.1.10 10.0.1.20 40000 443 6 2 200 1700000000 1700000007 ACCEPT OK",
            "2 123456789012 eni-0a11ce00000000a1 10.0.1.10 10.0.1.20 40000 443 6 2 80 1700000001 1700000005 REJECT OK",
            "2 123456789012 eni-0a11ce00000000a1 10.0.1.10 10.0.1.20 40001 443 6 1 52 1700000002 1700000002 ACCEPT OK",
            "2 123456789012 eni-0b0b0b00000000b2 10.0.1.10 10.0.1.20 40000 443 6 1 1500 1700000003 1700000003 ACCEPT OK",
            "2 123456789012 eni-0b0b0b00000000b2 255.254.128.1 10.0.1.20 65535 80 17 1 28 1700000006 1700000006 REJECT OK"),
            h.lines());
    }

    @Test
    void publishesOnlyWhenTheWindowEndsAndTheNextWindowStartsFresh() throws Exception
    {
        final FlowLogHarness h = new FlowLogHarness(dir, 1024, 64 * 1024, 1024);
        assertEquals(0, h.flushIfDue(T0), "nothing recorded, no window");
        h.aggregator.record(0, CLIENT, ENI, 40000, 443, TCP, true, 60, T0);
        h.aggregator.record(0, CLIENT, ENI, 40000, 443, TCP, true, 60, T0 + 30 * SECOND_NS);

        assertFalse(h.aggregator.isFlushDue(T0 + WINDOW_NS - 1));
        assertEquals(0, h.flushIfDue(T0 + WINDOW_NS - 1));
        assertEquals(List.of(), h.lines());

        assertTrue(h.aggregator.isFlushDue(T0 + WINDOW_NS));
        assertEquals(1, h.flushIfDue(T0 + WINDOW_NS));
        assertEquals(0, h.flushIfDue(T0 + WINDOW_NS + 1), "published once");
        assertEquals(0, h.aggregator.currentRecordCount());
        assertFalse(h.aggregator.hasPendingRecords());

        // The second window opens with its first packet, 61 s after T0, and counts from zero.
        final long second = T0 + 61 * SECOND_NS;
        h.aggregator.record(0, CLIENT, ENI, 40000, 443, TCP, true, 70, second);
        assertEquals(0, h.flushIfDue(second + WINDOW_NS - 1));
        assertEquals(1, h.flushIfDue(second + WINDOW_NS));

        assertEquals(List.of(
            "2 123456789012 eni-0a11ce00000000a1 10.0.1.10 10.0.1.20 40000 443 6 2 120 1700000000 1700000030 ACCEPT OK",
            "2 123456789012 eni-0a11ce00000000a1 10.0.1.10 10.0.1.20 40000 443 6 1 70 1700000061 1700000061 ACCEPT OK"),
            h.lines());
    }

    @Test
    void disabledInterfacesProduceNothing() throws Exception
    {
        final FlowLogHarness h = new FlowLogHarness(dir, 1024, 64 * 1024, 1024);
        h.aggregator.enabledInterfaces(new boolean[]{ false, true });
        assertFalse(h.aggregator.isEnabled(0));
        assertTrue(h.aggregator.isEnabled(1));
        assertFalse(h.aggregator.isEnabled(2));
        assertFalse(h.aggregator.isEnabled(-1));

        h.aggregator.record(0, CLIENT, ENI, 40000, 443, TCP, true, 60, T0);
        h.aggregator.record(2, CLIENT, ENI, 40000, 443, TCP, true, 60, T0);
        h.aggregator.record(-1, CLIENT, ENI, 40000, 443, TCP, true, 60, T0);
        assertFalse(h.aggregator.hasPendingRecords(), "disabled traffic opens no window");
        h.aggregator.record(1, CLIENT, ENI, 40000, 443, TCP, true, 60, T0);

        assertEquals(1, h.flushIfDue(T0 + WINDOW_NS));
        assertEquals(List.of(
            "2 123456789012 eni-0b0b0b00000000b2 10.0.1.10 10.0.1.20 40000 443 6 1 60 1700000000 1700000000 ACCEPT OK"),
            h.lines());

        // Off by default: a fresh aggregator logs nothing until told which interfaces to log.
        h.aggregator.enabledInterfaces(new boolean[0]);
        h.aggregator.record(1, CLIENT, ENI, 40000, 443, TCP, true, 60, T0 + WINDOW_NS);
        assertFalse(h.aggregator.hasPendingRecords());
        assertThrows(IllegalArgumentException.class, () -> h.aggregator.enabledInterfaces(new boolean[9]));
    }

    @Test
    void tableFullGivesSkipDataForThatInterfaceAndKeepsTheOtherRecordsExact() throws Exception
    {
        final FlowLogHarness h = new FlowLogHarness(dir, 4, 64 * 1024, 1024);
        for (int port = 1; port <= 4; port++)
        {
            h.aggregator.record(0, CLIENT, ENI, 40000 + port, 443, TCP, true, 100, T0);
        }
        // Table now full: new keys of interface 1 are skipped, existing keys still aggregate.
        h.aggregator.record(1, CLIENT, ENI, 50000, 443, TCP, true, 100, T0 + SECOND_NS);
        h.aggregator.record(1, CLIENT, ENI, 50001, 443, TCP, true, 100, T0 + 2 * SECOND_NS);
        h.aggregator.record(0, CLIENT, ENI, 40001, 443, TCP, true, 100, T0 + 2 * SECOND_NS);
        h.aggregator.record(1, CLIENT, ENI, 50000, 443, TCP, true, 100, T0 + 3 * SECOND_NS);
        assertEquals(3, h.aggregator.packetsSkipped());

        assertEquals(5, h.flushIfDue(T0 + WINDOW_NS));

        final List<String> lines = h.lines();
        assertEquals(List.of(
            "2 123456789012 eni-0a11ce00000000a1 10.0.1.10 10.0.1.20 40001 443 6 2 200 1700000000 1700000002 ACCEPT OK",
            "2 123456789012 eni-0a11ce00000000a1 10.0.1.10 10.0.1.20 40002 443 6 1 100 1700000000 1700000000 ACCEPT OK",
            "2 123456789012 eni-0a11ce00000000a1 10.0.1.10 10.0.1.20 40003 443 6 1 100 1700000000 1700000000 ACCEPT OK",
            "2 123456789012 eni-0a11ce00000000a1 10.0.1.10 10.0.1.20 40004 443 6 1 100 1700000000 1700000000 ACCEPT OK",
            "2 123456789012 eni-0b0b0b00000000b2 - - - - - - - 1700000001 1700000003 - SKIPDATA"),
            lines);
        for (final String line : lines)
        {
            assertEquals(14, line.split(" ").length, line);
        }
        assertEquals(1, h.aggregator.skipRecordsPublished());
        assertEquals(1, h.writer.skipLinesWritten());

        // The next window has the whole table again.
        final long next = T0 + 100 * SECOND_NS;
        h.aggregator.record(1, CLIENT, ENI, 50000, 443, TCP, true, 100, next);
        assertEquals(1, h.flushIfDue(next + WINDOW_NS));
        assertEquals(
            "2 123456789012 eni-0b0b0b00000000b2 10.0.1.10 10.0.1.20 50000 443 6 1 100 1700000100 1700000100 ACCEPT OK",
            h.lines().get(5));
        assertEquals(3, h.aggregator.packetsSkipped());
    }

    @Test
    void aFullRingPausesTheDrainWhichResumesWithoutLoss() throws Exception
    {
        // 1 KiB of ring: room for about 16 records of 64 bytes (50-byte body + 8-byte header, 8-aligned).
        final FlowLogHarness h = new FlowLogHarness(dir, 1024, 1024, 1024);
        for (int i = 0; i < 100; i++)
        {
            h.aggregator.record(0, CLIENT, ENI, 10000 + i, 443, TCP, true, 40, T0);
        }

        int published = h.flushIfDue(T0 + WINDOW_NS);
        assertTrue(published > 0 && published <= 16, "the ring takes what fits: " + published);
        assertTrue(h.aggregator.hasPendingRecords());
        assertEquals(0, h.flushIfDue(T0 + WINDOW_NS + 1), "ring still full");
        long nowNs = T0 + WINDOW_NS + 1;
        int rounds = 0;
        while (h.aggregator.hasPendingRecords())
        {
            h.lines();
            nowNs += 1_000_000L;
            published += h.flushIfDue(nowNs);
            assertTrue(++rounds < 100);
        }

        assertEquals(100, published);
        final List<String> lines = h.lines();
        assertEquals(100, lines.size());
        for (int i = 0; i < 100; i++)
        {
            assertEquals(Integer.toString(10000 + i), lines.get(i).split(" ")[5]);
        }
        assertEquals(0, h.aggregator.recordsSkipped());
        assertEquals(100, h.aggregator.recordsPublished());
    }

    @Test
    void aRingFullForAWholeWindowGivesTheRestUpAsSkipData() throws Exception
    {
        final FlowLogHarness h = new FlowLogHarness(dir, 1024, 1024, 1024);
        for (int i = 0; i < 60; i++)
        {
            h.aggregator.record(0, CLIENT, ENI, 10000 + i, 443, TCP, true, 40, T0 + i * SECOND_NS / 2);
        }
        for (int i = 0; i < 40; i++)
        {
            h.aggregator.record(1, CLIENT, ENI, 20000 + i, 443, TCP, false, 40, T0 + 40 * SECOND_NS);
        }
        final int taken = h.flushIfDue(T0 + WINDOW_NS);
        assertTrue(taken > 0 && taken < 60, "the ring takes what fits: " + taken);

        // The writer is stuck for the whole next window.
        final long second = T0 + 70 * SECOND_NS;
        h.aggregator.record(0, CLIENT, ENI, 30000, 443, TCP, true, 40, second);
        assertEquals(0, h.flushIfDue(second + WINDOW_NS - 1));
        assertEquals(0, h.flushIfDue(second + WINDOW_NS), "ring still full: second window waits, first given up");
        assertEquals(100 - taken, h.aggregator.recordsSkipped());

        long nowNs = second + WINDOW_NS;
        while (h.aggregator.hasPendingRecords())
        {
            h.lines();
            nowNs += 1_000_000L;
            h.flushIfDue(nowNs);
        }
        final List<String> lines = h.lines();
        assertEquals(taken + 1 + 2, lines.size());
        for (int i = 0; i < taken; i++)
        {
            assertEquals(Integer.toString(10000 + i), lines.get(i).split(" ")[5]);
        }
        // Records taken..59 of interface 0 were given up (the first at T0 + taken / 2 s), and all of interface 1.
        assertEquals(List.of(
            "2 123456789012 eni-0a11ce00000000a1 10.0.1.10 10.0.1.20 30000 443 6 1 40 1700000070 1700000070 ACCEPT OK",
            "2 123456789012 eni-0a11ce00000000a1 - - - - - - - " + (EPOCH_AT_T0_S + taken / 2) + " 1700000029 - SKIPDATA",
            "2 123456789012 eni-0b0b0b00000000b2 - - - - - - - 1700000040 1700000040 - SKIPDATA"),
            lines.subList(taken, taken + 3));
        assertEquals(taken + 1, h.aggregator.recordsPublished());
        assertEquals(2, h.aggregator.skipRecordsPublished());
        assertEquals(2, h.writer.skipLinesWritten());
        assertEquals(taken + 1, h.writer.linesWritten());
    }

    @Test
    void aSmallFlushBudgetSpreadsAWindowOverHousekeepingCalls() throws Exception
    {
        final FlowLogHarness h = new FlowLogHarness(dir, 1024, 64 * 1024, 10);
        for (int i = 0; i < 25; i++)
        {
            h.aggregator.record(0, CLIENT, ENI, 10000 + i, 443, TCP, true, 40, T0);
        }
        assertEquals(10, h.flushIfDue(T0 + WINDOW_NS));
        // Packets of the new window go to the other table while the old one drains.
        h.aggregator.record(0, CLIENT, ENI, 10000, 443, TCP, true, 40, T0 + WINDOW_NS + 1);
        assertEquals(1, h.aggregator.currentRecordCount());
        assertEquals(10, h.flushIfDue(T0 + WINDOW_NS + 2));
        assertEquals(5, h.flushIfDue(T0 + WINDOW_NS + 3));
        assertEquals(0, h.flushIfDue(T0 + WINDOW_NS + 4));
        assertEquals(25, h.lines().size());
        assertTrue(h.aggregator.hasPendingRecords(), "the second window is still open");
    }

    @Test
    void drainNowPublishesThePartialWindowAtShutdown() throws Exception
    {
        final FlowLogHarness h = new FlowLogHarness(dir, 1024, 64 * 1024, 1024);
        h.aggregator.record(0, CLIENT, ENI, 40000, 443, TCP, true, 60, T0);
        h.aggregator.record(0, CLIENT, ENI, 40000, 443, TCP, true, 60, T0 + 9 * SECOND_NS);
        final long stopNs = T0 + 10 * SECOND_NS;
        assertEquals(1, h.aggregator.drainNow(stopNs, epochMs(stopNs)));
        assertFalse(h.aggregator.hasPendingRecords());
        assertEquals(List.of(
            "2 123456789012 eni-0a11ce00000000a1 10.0.1.10 10.0.1.20 40000 443 6 2 120 1700000000 1700000009 ACCEPT OK"),
            h.lines());
    }

    @Test
    void manyFlowsSurviveProbingAndClearing() throws Exception
    {
        final FlowLogHarness h = new FlowLogHarness(dir, 4096, 1 << 20, 8192);
        long nowNs = T0;
        for (int window = 0; window < 3; window++)
        {
            for (int round = 0; round < 2; round++)
            {
                for (int i = 0; i < 4096; i++)
                {
                    h.aggregator.record(i & 1, CLIENT + (i >> 6), ENI, 1024 + (i & 63), 443, TCP, true, 10 + window, nowNs);
                }
            }
            nowNs += WINDOW_NS;
            assertEquals(4096, h.flushIfDue(nowNs));
            final List<String> lines = h.lines();
            assertEquals(4096 * (window + 1), lines.size());
            for (int i = 0; i < 4096; i++)
            {
                final String[] fields = lines.get(4096 * window + i).split(" ");
                assertEquals("2", fields[8], lines.get(i));
                assertEquals(Integer.toString(2 * (10 + window)), fields[9]);
            }
            nowNs += SECOND_NS;
        }
        assertEquals(0, h.aggregator.packetsSkipped());
    }
}
