package vpce.appliance.datapath;

import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.status.CountersManager;
import org.agrona.concurrent.status.CountersReader;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;

class EniCountersTest
{
    private static final int PER_ENI = 4 + EniCounters.REASONS.length;

    @Test
    void aFullCountersFileLeavesFurtherEnisWithoutCountersInsteadOfFailing()
    {
        final int capacity = 1 + 2 * PER_ENI + PER_ENI - 1; // the overflow counter, two ENIs, and not quite a third
        final CountersManager manager = new CountersManager(
            new UnsafeBuffer(ByteBuffer.allocateDirect(capacity * CountersReader.METADATA_LENGTH)),
            new UnsafeBuffer(ByteBuffer.allocateDirect(capacity * CountersReader.COUNTER_LENGTH)));
        final EniCounters.Registry registry = new EniCounters.Registry(manager);

        final EniCounters first = registry.countersFor("eni-1");
        final EniCounters second = registry.countersFor("eni-2");
        final EniCounters third = registry.countersFor("eni-3");
        assertNotSame(EniCounters.DISCARD, first);
        assertNotSame(EniCounters.DISCARD, second);
        assertSame(EniCounters.DISCARD, third, "no room for a third ENI's counters");
        assertSame(first, registry.countersFor("eni-1"), "an ENI seen before keeps its counters");
        assertSame(EniCounters.DISCARD, registry.countersFor("eni-4"));

        first.toServicePackets.increment();
        final Map<String, Long> values = new HashMap<>();
        manager.forEach((id, type, key, label) -> values.put(label, manager.getCounterValue(id)));
        assertEquals(2L, values.get("eni_counters.unavailable"));
        assertEquals(1L, values.get("eni.eni-1.to_service_packets"));
        assertEquals(2 * PER_ENI + 1, values.size(), "no half-allocated ENI");
    }
}
