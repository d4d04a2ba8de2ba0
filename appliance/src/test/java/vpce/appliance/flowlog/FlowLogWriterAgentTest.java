package vpce.appliance.flowlog;

import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.channels.ClosedChannelException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static vpce.appliance.flowlog.FlowLogHarness.*;

class FlowLogWriterAgentTest
{
    @TempDir
    Path dir;

    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS)
    void writerAgentOnItsOwnThreadAppendsParseableV2Lines() throws Exception
    {
        final Path file = dir.resolve("flow.log");
        Files.writeString(file, "line from a previous run\n");
        final List<Throwable> errors = new CopyOnWriteArrayList<>();
        final FlowLogs flowLogs = new FlowLogs(
            file, ACCOUNT, new String[]{ ENI_A, ENI_B }, 1024, WINDOW_NS, 4096, 4, 64, 16, errors::add);
        final FlowLogAggregator aggregator = flowLogs.aggregator();
        aggregator.enabledInterfaces(new boolean[]{ true, true });
        final AgentRunner runner = new AgentRunner(
            new BackoffIdleStrategy(), errors::add, null, flowLogs.writerAgent());
        AgentRunner.startOnThread(runner);

        // This thread plays the datapath agent: 300 flows in one window, several times what the 4 KiB ring holds.
        final int flows = 300;
        for (int i = 0; i < flows; i++)
        {
            aggregator.record(i & 1, ip("10.0.1.10"), ip("10.0.1.20"), 30000 + i, 443, TCP, (i % 3) != 0, 40 + i, T0 + i);
        }
        final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        long nowNs = T0 + WINDOW_NS;
        while (aggregator.hasPendingRecords() || flowLogs.recordsWritten() < flows)
        {
            aggregator.flushIfDue(nowNs, epochMs(nowNs));
            nowNs += 1_000_000L;
            if (System.nanoTime() - deadlineNs > 0)
            {
                fail("written " + flowLogs.recordsWritten() + " of " + flows + ", errors " + errors);
            }
            Thread.onSpinWait();
        }
        runner.close();

        final List<String> lines = Files.readAllLines(file);
        assertEquals("line from a previous run", lines.get(0), "append mode keeps the file");
        assertEquals(flows + 1, lines.size());
        final List<Integer> srcPorts = new ArrayList<>();
        for (final String line : lines.subList(1, lines.size()))
        {
            final String[] f = line.split(" ");
            assertEquals(14, f.length, line);
            final int i = Integer.parseInt(f[5]) - 30000;
            srcPorts.add(i);
            assertEquals("2", f[0]);
            assertEquals(ACCOUNT, f[1]);
            assertEquals((i & 1) == 0 ? ENI_A : ENI_B, f[2]);
            assertEquals("10.0.1.10", f[3]);
            assertEquals("10.0.1.20", f[4]);
            assertEquals("443", f[6]);
            assertEquals("6", f[7]);
            assertEquals("1", f[8]);
            assertEquals(Integer.toString(40 + i), f[9]);
            assertEquals(Long.toString(EPOCH_AT_T0_S), f[10]);
            assertEquals(Long.toString(EPOCH_AT_T0_S), f[11]);
            assertEquals((i % 3) != 0 ? "ACCEPT" : "REJECT", f[12]);
            assertEquals("OK", f[13]);
        }
        for (int i = 0; i < flows; i++)
        {
            assertEquals(i, srcPorts.get(i), "records in creation order");
        }
        assertEquals(flows, flowLogs.recordsWritten());
        assertEquals(0, flowLogs.recordsSkipped());
        assertEquals(0, flowLogs.packetsSkipped());
        assertEquals(0, flowLogs.skipDataWritten());
        assertEquals(0, flowLogs.linesLost());
        assertEquals(List.of(), errors);
    }

    @Test
    void interfaceIdsAreReplacedAsAWholeAndUnknownIndicesStillGiveFourteenFields() throws Exception
    {
        final FlowLogHarness h = new FlowLogHarness(dir, 1024, 64 * 1024, 1024);
        h.aggregator.enabledInterfaces(new boolean[]{ true, true, true });
        h.aggregator.record(2, ip("10.0.1.10"), ip("10.0.1.20"), 1, 2, TCP, true, 40, T0);
        h.flushIfDue(T0 + WINDOW_NS);
        assertEquals(
            List.of("2 123456789012 - 10.0.1.10 10.0.1.20 1 2 6 1 40 1700000000 1700000000 ACCEPT OK"),
            h.lines());

        final String[] ids = { ENI_A, ENI_B, "eni-0c0c0c00000000c3" };
        h.writer.interfaceIds(ids);
        ids[2] = "changed-after-the-call";
        h.aggregator.record(2, ip("192.168.255.1"), ip("0.0.0.0"), 65535, 0, 255, false, 0, T0 + 100 * SECOND_NS);
        h.flushIfDue(T0 + 160 * SECOND_NS);
        assertEquals(
            "2 123456789012 eni-0c0c0c00000000c3 192.168.255.1 0.0.0.0 65535 0 255 1 0 1700000100 1700000100 REJECT OK",
            h.lines().get(1));

        assertThrows(IllegalArgumentException.class, () -> h.writer.interfaceIds(new String[]{ "eni 1" }));
        assertThrows(IllegalArgumentException.class,
            () -> new FlowLogWriterAgent(dir.resolve("x"), h.ring, "1234 5678", new String[0], 1, Throwable::printStackTrace));
    }

    @Test
    void aFailedWriteIsReportedAndCountedAndTheAgentCarriesOn() throws IOException
    {
        final FlowLogHarness h = new FlowLogHarness(dir, 1024, 64 * 1024, 1024);
        h.writer.onClose();
        h.aggregator.record(0, ip("10.0.1.10"), ip("10.0.1.20"), 1, 2, TCP, true, 40, T0);
        h.aggregator.record(0, ip("10.0.1.10"), ip("10.0.1.20"), 1, 3, TCP, true, 40, T0);
        assertEquals(2, h.flushIfDue(T0 + WINDOW_NS));

        assertEquals(2, h.writer.doWork());
        assertEquals(2, h.writer.linesLost());
        assertEquals(0, h.writer.linesWritten());
        assertEquals(1, h.errors.size());
        assertInstanceOf(ClosedChannelException.class, h.errors.get(0));
        assertEquals(0, h.writer.doWork());
        assertFalse(h.aggregator.hasPendingRecords());
        assertTrue(Files.readAllLines(h.file).isEmpty());
    }
}
