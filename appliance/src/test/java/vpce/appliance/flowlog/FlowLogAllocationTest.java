package vpce.appliance.flowlog;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.lang.management.ManagementFactory;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static vpce.appliance.flowlog.FlowLogHarness.*;

class FlowLogAllocationTest
{
    private static final int PACKETS = 1_000_000;

    @TempDir
    Path dir;

    @Test
    void recordAndFlushAllocateNothingOnTheCallingThread() throws Exception
    {
        final com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();
        assertTrue(threads.isThreadAllocatedMemorySupported());
        threads.setThreadAllocatedMemoryEnabled(true);
        // Capacity 1,024 with 2,048 keys: both the aggregate and the table-full (skip) paths run.
        final FlowLogHarness h = new FlowLogHarness(dir, 1024, 1 << 20, 4096);
        final long threadId = Thread.currentThread().threadId();

        long nowNs = run(h, T0);
        h.lines();

        final long before = threads.getThreadAllocatedBytes(threadId);
        nowNs = run(h, nowNs);
        final long allocated = threads.getThreadAllocatedBytes(threadId) - before;

        assertTrue(allocated < 1024, "allocated " + allocated + " bytes over " + PACKETS + " packets");
        assertTrue(h.aggregator.packetsSkipped() > 0, "the skip path was exercised");
        assertEquals(0, h.aggregator.recordsSkipped());
        assertTrue(nowNs > T0);
    }

    /** One million packets over 2,048 keys with a window end in the middle. */
    private static long run(final FlowLogHarness h, final long startNs)
    {
        long nowNs = startNs;
        final int client = 0x0A00010A;
        final int eni = 0x0A000114;
        for (int i = 0; i < PACKETS; i++)
        {
            if ((i & 1023) == 0)
            {
                nowNs += SECOND_NS;
                h.aggregator.flushIfDue(nowNs, 1_700_000_000_000L + nowNs / 1_000_000L);
            }
            h.aggregator.record(i & 1, client + (i & 31), eni, 1024 + ((i >> 5) & 63), 443, TCP, (i & 64) == 0, 60, nowNs);
        }
        return nowNs;
    }
}
