package vpce.flowtable;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The table's records and buckets live in its own mappings: on transparent huge pages when large enough, resident
 * from the constructor on, and unmapped by {@link FlowTable#close()}.
 */
class FlowTableMemoryTest
{
    private static final Path THP_ENABLED = Path.of("/sys/kernel/mm/transparent_hugepage/enabled");

    @Test
    void aLargeTableIsResidentOnHugePagesAndCloseReturnsTheMemory() throws IOException
    {
        // 100,000 flows: 9.6 MB of records and 3.2 MB of buckets, each spanning whole 2 MiB pages.
        final long residentBefore = smapsRollupKb("Rss:");
        final long hugeBefore = smapsRollupKb("AnonHugePages:");
        final FlowTable table = new FlowTable(100_000, FlowTimeouts.DEFAULT, 3);
        final long residentKb = smapsRollupKb("Rss:") - residentBefore;
        final long hugeKb = smapsRollupKb("AnonHugePages:") - hugeBefore;

        // Touched in the constructor, so no page fault waits for the first packets.
        assertTrue(residentKb >= 12_000, "resident after construction: " + residentKb + " kB");
        if (Files.readString(THP_ENABLED).contains("[never]"))
        {
            assertFalse(table.hugePagesAdvised() && hugeKb > 0, "THP off, yet " + hugeKb + " kB on huge pages");
        }
        else
        {
            assertTrue(table.hugePagesAdvised());
            // Whole 2 MiB pages inside the two areas: 4 of records and 1 of buckets.
            assertTrue(hugeKb >= 8 * 1024, "on huge pages: " + hugeKb + " kB");
        }

        final int flowId = table.create(0x0A000001, 1000, 0x0A0000FF, 443, 0xC0A80A05, 8443, 0xC0A86401, 2000,
            IpProtocol.UDP, 0);
        assertEquals(flowId, table.lookupForward(0x0A000001, 1000, 0x0A0000FF, 443, IpProtocol.UDP));

        final long residentBeforeClose = smapsRollupKb("Rss:");
        table.close();
        table.close();
        assertTrue(residentBeforeClose - smapsRollupKb("Rss:") >= 12_000, "close unmaps the table");
        // Counters stay readable by other threads; a stray call finds nothing or throws instead of faulting.
        assertEquals(1, table.size());
        assertEquals(1, table.createdCount());
        assertEquals(FlowTable.NOT_FOUND, table.lookupForward(0x0A000001, 1000, 0x0A0000FF, 443, IpProtocol.UDP));
        final int[] one = { 0x0A000001 };
        final int[] ids = { 0 };
        table.lookupForwardBatch(1, one, new int[] { 1000 }, new int[] { 0x0A0000FF }, new int[] { 443 },
            new int[] { IpProtocol.UDP }, ids);
        assertEquals(FlowTable.NOT_FOUND, ids[0]);
        assertThrows(IndexOutOfBoundsException.class, () -> table.natPort(flowId));
        assertThrows(IndexOutOfBoundsException.class, () -> table.remove(flowId));
        assertThrows(IndexOutOfBoundsException.class, () -> table.create(0x0A000002, 1000, 0x0A0000FF, 443,
            0xC0A80A05, 8443, 0xC0A86401, 2001, IpProtocol.UDP, 0));
    }

    @Test
    void aSmallTableStaysOnSmallPages()
    {
        try (FlowTable table = new FlowTable(1_000, FlowTimeouts.DEFAULT, 3))
        {
            // 96 kB + 32 kB: a huge page each would waste nearly all of it.
            assertFalse(table.hugePagesAdvised());
            assertEquals(128_000, table.allocatedBytes());
        }
    }

    private static long smapsRollupKb(final String field) throws IOException
    {
        for (final String line : Files.readAllLines(Path.of("/proc/self/smaps_rollup")))
        {
            if (line.startsWith(field))
            {
                return Long.parseLong(line.substring(field.length()).replace("kB", "").trim());
            }
        }
        throw new IllegalStateException(field + " not in smaps_rollup");
    }
}
