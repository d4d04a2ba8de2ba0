package vpce.appliance.journal;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import vpce.flowtable.FlowTable;
import vpce.flowtable.FlowTimeouts;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FlowJournalTest
{
    @Test
    void anEstablishedFlowSurvivesCloseAndReopenAndARemovalForgetsIt(@TempDir final Path dir) throws Exception
    {
        final FlowTable flows = new FlowTable(1024, FlowTimeouts.DEFAULT);
        final int flow = flows.restoreEstablished(0x0A00010A, 40000, 0x0A000114, 443, 0x0A64000A, 8080, 0x0A640001, 20001, 0);
        flows.consumerMac(flow, 0x0200_0000_0a10L);
        flows.consumerPortIndex(flow, 1);
        final int other = flows.restoreEstablished(0x0A00010B, 40001, 0x0A000114, 443, 0x0A64000A, 8080, 0x0A640001, 20002, 0);

        try (FlowJournal journal = FlowJournal.open(dir, 1024))
        {
            assertTrue(journal.onEstablished(flows, flow));
            assertTrue(journal.onEstablished(flows, other));
            assertTrue(journal.onRemoved(0x0A640001, 20002));
            journal.agent().doWork();
            assertEquals(1, journal.size());
        }

        final List<FlowJournal.JournaledFlow> read = new ArrayList<>();
        try (FlowJournal journal = FlowJournal.open(dir, 1024))
        {
            journal.forEach(read::add);
        }
        assertEquals(List.of(new FlowJournal.JournaledFlow(
            0x0A00010A, 40000, 0x0A000114, 443, 0x0A64000A, 8080, 0x0A640001, 20001, 1, 0x0200_0000_0a10L)), read);
    }

    @Test
    void aFullRingDropsAndCountsInsteadOfWaiting(@TempDir final Path dir) throws Exception
    {
        final FlowTable flows = new FlowTable(1024, FlowTimeouts.DEFAULT);
        final int flow = flows.restoreEstablished(0x0A00010A, 40000, 0x0A000114, 443, 0x0A64000A, 8080, 0x0A640001, 20001, 0);
        try (FlowJournal journal = FlowJournal.open(dir, 1024))
        {
            int accepted = 0;
            while (journal.onEstablished(flows, flow))
            {
                accepted++;
            }
            assertTrue(accepted > 1000, "the ring holds many events: " + accepted);
            assertEquals(1, journal.eventsDropped());
            assertTrue(journal.agent().doWork() > 0);
        }
    }
}
