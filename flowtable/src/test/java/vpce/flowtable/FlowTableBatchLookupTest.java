package vpce.flowtable;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link FlowTable#lookupForwardBatch} and {@link FlowTable#lookupReverseBatch} must give, key for key, what the
 * single lookups give, including across chunk boundaries, for misses next to hits, and when a bucket's 32-bit tag
 * matches but the key does not.
 */
class FlowTableBatchLookupTest
{
    private static final int TCP = IpProtocol.TCP;
    private static final int UDP = IpProtocol.UDP;

    /**
     * One key per array slot, as a datapath fills them from a receive batch.
     */
    private static final class Keys
    {
        final int[] srcIp;
        final int[] srcPort;
        final int[] dstIp;
        final int[] dstPort;
        final int[] protocol;
        final int[] expected;
        int count;

        Keys(final int capacity)
        {
            srcIp = new int[capacity];
            srcPort = new int[capacity];
            dstIp = new int[capacity];
            dstPort = new int[capacity];
            protocol = new int[capacity];
            expected = new int[capacity];
        }

        void add(final int srcIp, final int srcPort, final int dstIp, final int dstPort, final int protocol,
            final int expected)
        {
            this.srcIp[count] = srcIp;
            this.srcPort[count] = srcPort;
            this.dstIp[count] = dstIp;
            this.dstPort[count] = dstPort;
            this.protocol[count] = protocol;
            this.expected[count] = expected;
            count++;
        }
    }

    @Test
    void randomHitsAndMissesInBothDirectionsMatchSingleLookups()
    {
        final int capacity = 5_000;
        final FlowTable table = new FlowTable(capacity, FlowTimeouts.DEFAULT, 99, capacity);
        final Random random = new Random(7);
        final List<int[]> live = new ArrayList<>();
        final List<int[]> removed = new ArrayList<>();

        // Few client addresses and ports, so keys cluster in the buckets; a third removed, so deletions have
        // shifted entries back.
        while (table.size() < capacity)
        {
            final int[] flow = {
                0x0A000000 | random.nextInt(64), 1024 + random.nextInt(256), 0x0A0000FF, 443,
                0xC0A80A00 | random.nextInt(8), 8443, 0xC0A86400 | random.nextInt(4), 1024 + random.nextInt(60_000),
                random.nextBoolean() ? TCP : UDP, 0 };
            flow[9] = table.create(flow[0], flow[1], flow[2], flow[3], flow[4], flow[5], flow[6], flow[7], flow[8], 0);
            if (flow[9] >= 0)
            {
                live.add(flow);
            }
        }
        for (int i = live.size() - 1; i >= 0; i -= 3)
        {
            final int[] flow = live.remove(i);
            assertTrue(table.remove(flow[9]));
            removed.add(flow);
        }
        table.verifyIntegrity();

        int hits = 0;
        int misses = 0;
        for (final int count : new int[] { 0, 1, 2, 63, 64, 65, 127, 128, 129, 1000 })
        {
            final Keys forward = new Keys(count);
            final Keys reverse = new Keys(count);
            for (int i = 0; i < count; i++)
            {
                final int[] flow = random.nextInt(4) == 0 ?
                    removed.get(random.nextInt(removed.size())) : live.get(random.nextInt(live.size()));
                final boolean isLive = table.isLive(flow[9]) && flow[0] == table.clientIp(flow[9]) &&
                    flow[1] == table.clientPort(flow[9]) && flow[7] == table.natPort(flow[9]);
                final int expected = isLive ? flow[9] : FlowTable.NOT_FOUND;
                switch (random.nextInt(5))
                {
                    case 0 ->
                    {
                        // Right fields, wrong direction: a forward key looked up as a reverse one and vice versa.
                        forward.add(flow[4], flow[5], flow[6], flow[7], flow[8], FlowTable.NOT_FOUND);
                        reverse.add(flow[0], flow[1], flow[2], flow[3], flow[8], FlowTable.NOT_FOUND);
                    }
                    case 1 ->
                    {
                        // One field off.
                        forward.add(flow[0], flow[1] ^ 0x8000, flow[2], flow[3], flow[8], FlowTable.NOT_FOUND);
                        reverse.add(flow[4], flow[5], flow[6], flow[7], flow[8] == TCP ? UDP + 1 : TCP + 1,
                            FlowTable.NOT_FOUND);
                    }
                    case 2 ->
                    {
                        forward.add(random.nextInt(), random.nextInt(65_536), random.nextInt(), random.nextInt(65_536),
                            random.nextInt(256), FlowTable.NOT_FOUND);
                        reverse.add(random.nextInt(), random.nextInt(65_536), random.nextInt(), random.nextInt(65_536),
                            random.nextInt(256), FlowTable.NOT_FOUND);
                    }
                    default ->
                    {
                        forward.add(flow[0], flow[1], flow[2], flow[3], flow[8], expected);
                        reverse.add(flow[4], flow[5], flow[6], flow[7], flow[8], expected);
                    }
                }
            }

            final int[] forwardIds = new int[count];
            final int[] reverseIds = new int[count];
            table.lookupForwardBatch(
                count, forward.srcIp, forward.srcPort, forward.dstIp, forward.dstPort, forward.protocol, forwardIds);
            table.lookupReverseBatch(
                count, reverse.srcIp, reverse.srcPort, reverse.dstIp, reverse.dstPort, reverse.protocol, reverseIds);
            for (int i = 0; i < count; i++)
            {
                assertEquals(forward.expected[i], forwardIds[i], "forward key " + i + " of " + count);
                assertEquals(table.lookupForward(forward.srcIp[i], forward.srcPort[i], forward.dstIp[i],
                    forward.dstPort[i], forward.protocol[i]), forwardIds[i]);
                assertEquals(reverse.expected[i], reverseIds[i], "reverse key " + i + " of " + count);
                assertEquals(table.lookupReverse(reverse.srcIp[i], reverse.srcPort[i], reverse.dstIp[i],
                    reverse.dstPort[i], reverse.protocol[i]), reverseIds[i]);
                hits += (forwardIds[i] >= 0 ? 1 : 0) + (reverseIds[i] >= 0 ? 1 : 0);
                misses += (forwardIds[i] < 0 ? 1 : 0) + (reverseIds[i] < 0 ? 1 : 0);
            }
        }

        assertTrue(hits > 500 && misses > 500, "hits " + hits + " misses " + misses);
    }

    @Test
    void aTagCollisionIsResolvedByTheRecordInBatchAndSingleLookupsAndCreate()
    {
        final FlowTable table = new FlowTable(16, FlowTimeouts.DEFAULT, 5);
        // Birthday search: ~2^17 keys make a 32-bit tag collision very likely; the seed is fixed, so this is
        // deterministic.
        final Map<Integer, Integer> portByTag = new HashMap<>();
        int portA = -1;
        int portB = -1;
        for (int i = 0; i < 1 << 20 && portA < 0; i++)
        {
            final int clientIp = 0x0A000000 | (i >>> 4);
            final int clientPort = 1024 + (i & 15);
            final Integer previous = portByTag.putIfAbsent(table.forwardTag(clientIp, clientPort, 0x0A0000FF, 443, TCP), i);
            if (previous != null)
            {
                portA = previous;
                portB = i;
            }
        }
        assertTrue(portA >= 0, "no tag collision found");
        final int ipA = 0x0A000000 | (portA >>> 4);
        final int ipB = 0x0A000000 | (portB >>> 4);
        final int clientPortA = 1024 + (portA & 15);
        final int clientPortB = 1024 + (portB & 15);
        assertEquals(table.forwardTag(ipA, clientPortA, 0x0A0000FF, 443, TCP),
            table.forwardTag(ipB, clientPortB, 0x0A0000FF, 443, TCP));

        final int flowA = table.create(ipA, clientPortA, 0x0A0000FF, 443, 0xC0A80A05, 8443, 0xC0A86401, 2000, TCP, 0);
        assertTrue(flowA >= 0);
        final int[] srcIp = { ipA, ipB };
        final int[] srcPort = { clientPortA, clientPortB };
        final int[] dstIp = { 0x0A0000FF, 0x0A0000FF };
        final int[] dstPort = { 443, 443 };
        final int[] protocol = { TCP, TCP };
        final int[] ids = new int[2];

        table.lookupForwardBatch(2, srcIp, srcPort, dstIp, dstPort, protocol, ids);
        assertEquals(flowA, ids[0]);
        assertEquals(FlowTable.NOT_FOUND, ids[1], "same tag, different key: not A's flow");
        assertEquals(FlowTable.NOT_FOUND, table.lookupForward(ipB, clientPortB, 0x0A0000FF, 443, TCP));

        // Not a duplicate: the create probes past A's entry to a free bucket.
        final int flowB = table.create(ipB, clientPortB, 0x0A0000FF, 443, 0xC0A80A05, 8443, 0xC0A86401, 2001, TCP, 0);
        assertTrue(flowB >= 0);
        assertNotEquals(flowA, flowB);
        table.verifyIntegrity();

        table.lookupForwardBatch(2, srcIp, srcPort, dstIp, dstPort, protocol, ids);
        assertEquals(flowA, ids[0]);
        assertEquals(flowB, ids[1]);
        assertEquals(flowB, table.lookupForward(ipB, clientPortB, 0x0A0000FF, 443, TCP));

        // B's entry sits after A's; with A gone it shifts back and is still found.
        assertTrue(table.remove(flowA));
        table.verifyIntegrity();
        table.lookupForwardBatch(2, srcIp, srcPort, dstIp, dstPort, protocol, ids);
        assertEquals(FlowTable.NOT_FOUND, ids[0]);
        assertEquals(flowB, ids[1]);
    }
}
