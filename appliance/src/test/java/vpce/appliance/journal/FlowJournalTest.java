package vpce.appliance.journal;

import net.openhft.chronicle.map.ChronicleMap;
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
        // The same NAT address and port toward other targets (or target ports): other bindings.
        final int otherTarget = flows.restoreEstablished(0x0A00010B, 40001, 0x0A000114, 443, 0x0A64000B, 8080, 0x0A640001, 20001, 0);
        final int otherPort = flows.restoreEstablished(0x0A00010C, 40002, 0x0A000114, 443, 0x0A64000A, 8443, 0x0A640001, 20001, 0);

        try (FlowJournal journal = FlowJournal.open(dir, 1024))
        {
            assertTrue(journal.onEstablished(flows, flow));
            assertTrue(journal.onEstablished(flows, otherTarget));
            assertTrue(journal.onEstablished(flows, otherPort));
            journal.agent().doWork();
            assertEquals(3, journal.size());
            assertTrue(journal.onRemoved(0x0A640001, 20001, 0x0A64000B, 8080));
            assertTrue(journal.onRemoved(0x0A640001, 20001, 0x0A64000A, 8443));
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
    void aJournalKeyedByNatAddressAndPortOnlyIsRekeyedWhenOpened(@TempDir final Path dir) throws Exception
    {
        // A record as the journal writes it, under the key the previous format used.
        final byte[] record = new byte[FlowJournal.RECORD_LENGTH];
        final java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(record).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        b.putInt(0, 0x0A00010A).putShort(4, (short)40000).putShort(6, (short)443).putInt(8, 0x0A000114)
            .putShort(12, (short)8080).putShort(14, (short)20001).putInt(16, 0x0A64000A).putInt(20, 1)
            .putLong(24, 0x0200_0000_0a10L).putInt(32, 0x0A640001);
        try (ChronicleMap<Long, byte[]> old = ChronicleMap.of(Long.class, byte[].class).name("vpce-flows").entries(1024)
            .constantValueSizeBySample(new byte[FlowJournal.RECORD_LENGTH])
            .createPersistedTo(dir.resolve(FlowJournal.FILE_NAME).toFile()))
        {
            old.put((0x0A640001L << 16) | 20001, record);
        }

        final List<FlowJournal.JournaledFlow> read = new ArrayList<>();
        try (FlowJournal journal = FlowJournal.open(dir, 1024))
        {
            journal.forEach(read::add);
            journal.forget(0x0A640001, 20001, 0x0A64000A, 8080);
            assertEquals(0, journal.size(), "found by its new key");
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
