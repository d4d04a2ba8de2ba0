package vpce.flowtable;

import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The packet-path operations must not allocate. HotSpot counts bytes allocated per thread, so run a steady-state
 * workload on this thread and compare the counter before and after. JMH with -prof gc in perf/ is the real proof;
 * this keeps a regression from reaching it.
 */
class FlowTableAllocationTest
{
    private final SingleTargetNatPorts ports = new SingleTargetNatPorts(1);
    private final FlowExpiryHandler releasePort = (table, flowId) -> ports.release(0, table.natPort(flowId));

    @Test
    void steadyStateOperationsAllocateNothing()
    {
        final FlowTable table = new FlowTable(4096, FlowTimeouts.DEFAULT, 1);
        final com.sun.management.ThreadMXBean threads =
            (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();
        final long threadId = Thread.currentThread().threadId();

        long nowNs = 0;
        nowNs = churn(table, nowNs, 20_000);
        // The first calls of the counter itself may allocate (lazy initialisation): not the table's.
        threads.getThreadAllocatedBytes(threadId);
        threads.getThreadAllocatedBytes(threadId);
        final long evictedBefore = table.embryonicEvictedCount();
        final long beforeBytes = threads.getThreadAllocatedBytes(threadId);
        nowNs = churn(table, nowNs, 50_000);
        final long allocatedBytes = threads.getThreadAllocatedBytes(threadId) - beforeBytes;

        assertTrue(nowNs > 0);
        // The table fills with established flows, so flood SYNs and new legitimate SYNs take turns evicting.
        final long evicted = table.embryonicEvictedCount() - evictedBefore;
        assertTrue(evicted > 1_000, "the eviction path ran in the measured window: " + evicted);
        // One object per round would be >= 16 B x 50,000. A few hundred bytes once in a while come from
        // the JIT swapping compiled code under load (seen: 224 B), not from the table.
        assertTrue(allocatedBytes < 1024, allocatedBytes + " bytes allocated by 50,000 rounds of create/lookup/packet/expire/remove");
    }

    private long churn(final FlowTable table, final long startNs, final int rounds)
    {
        long nowNs = startNs;
        for (int i = 0; i < rounds; i++)
        {
            nowNs += 1_000_000;
            // A spoofed SYN that never completes: once the embryonic limit is reached each one evicts the oldest.
            final int floodPort = ports.allocate(0);
            if (table.create(0x0B000000 + i, 1024 + (i & 0x7FFF), 0x0A000002, 443, 0x0A000003, 443, 0x0A000004,
                floodPort, IpProtocol.TCP, nowNs, releasePort) < 0)
            {
                ports.release(0, floodPort);
            }

            // 4096 clients for 4096 records: legitimate SYNs and the flood keep competing for records, so creates
            // keep evicting in the steady state, not only while the table fills.
            final int clientPort = 1024 + (i & 0xFFF);
            int flowId = table.lookupForward(0x0A000001, clientPort, 0x0A000002, 443, IpProtocol.TCP);
            if (FlowTable.NOT_FOUND == flowId)
            {
                final int natPort = ports.allocate(0);
                flowId = table.create(0x0A000001, clientPort, 0x0A000002, 443, 0x0A000003, 443, 0x0A000004, natPort,
                    IpProtocol.TCP, nowNs, releasePort);
                if (flowId < 0)
                {
                    ports.release(0, natPort);
                    continue;
                }
            }
            Segments.forward(table, flowId, TcpFlags.SYN, 60, nowNs);
            final int replyId = table.lookupReverse(0x0A000003, 443, 0x0A000004, table.natPort(flowId), IpProtocol.TCP);
            Segments.reverse(table, replyId, TcpFlags.SYN | TcpFlags.ACK, 60, nowNs);
            Segments.forward(table, flowId, TcpFlags.ACK, 60, nowNs);
            if ((i & 7) == 0)
            {
                ports.release(0, table.natPort(flowId));
                table.remove(flowId);
            }
            table.expire(nowNs, 64, releasePort);
        }

        return nowNs;
    }
}
