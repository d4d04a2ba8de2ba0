package vpce.flowtable;

import org.junit.jupiter.api.Test;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class NatPortAllocatorTest
{
    private static final int A = 0x0A64_000A;
    private static final int B = 0x0A64_000B;
    private static final int C = 0x0A64_000C;

    @Test
    void theSamePortServesDifferentTargetsAndTargetPortsAtOnce()
    {
        final NatPortAllocator allocator = new NatPortAllocator(1);
        declare(allocator, new int[] {A, B, A}, new int[] {80, 80, 443}, 0b1);

        assertEquals(1024, allocator.allocate(A, 80), "address 0, port 1024");
        assertEquals(1024, allocator.allocate(B, 80), "another target: the same port");
        assertEquals(1024, allocator.allocate(A, 443), "another target port: the same port");
        assertEquals(1025, allocator.allocate(A, 80));
        assertTrue(allocator.isAllocated(0, A, 80, 1024));
        assertTrue(allocator.isAllocated(0, B, 80, 1024));
        assertEquals(64_512, allocator.portsPerPool());
        assertEquals(64_510, allocator.available(0, A, 80));
        assertEquals(64_511, allocator.available(0, B, 80));
        assertEquals(4, allocator.allocatedCount());
        assertEquals(3, allocator.poolCount());
    }

    @Test
    void anExhaustedAddressMovesTheTargetOnToItsNextCandidateAndBackWhenAPortIsFree()
    {
        final NatPortAllocator allocator = new NatPortAllocator(3, 5000, 5003);
        allocator.beginTargets();
        assertTrue(allocator.target(A, 80, 0b101), "addresses 0 and 2 reach A");
        assertTrue(allocator.target(B, 80, 0b001));
        allocator.endTargets();
        assertFalse(allocator.hasPool(1, A, 80), "address 1 is no candidate: no pool");

        for (int port = 5000; port <= 5003; port++)
        {
            assertEquals(port, allocator.allocate(A, 80), "address 0 first");
        }
        for (int port = 5000; port <= 5003; port++)
        {
            final int allocation = allocator.allocate(A, 80);
            assertEquals(2, NatPortAllocator.natAddressIndexOf(allocation), "then address 2");
            assertEquals(port, NatPortAllocator.portOf(allocation));
        }
        assertEquals(4, allocator.spilledCount());
        assertEquals(5000, allocator.allocate(B, 80), "B's pool on address 0 is its own");

        assertEquals(NatPortAllocator.NO_PORT, allocator.allocate(A, 80));
        assertEquals(1, allocator.exhaustedCount());
        assertTrue(allocator.release(0, A, 80, 5002));
        assertEquals(5002, allocator.allocate(A, 80), "the first candidate again as soon as it has a port");
        assertEquals(4, allocator.spilledCount());
    }

    @Test
    void exhaustionAndUnknownTargetsAreCountedNoPortsNeverExceptions()
    {
        final NatPortAllocator allocator = new NatPortAllocator(2, 5000, 5001);
        declare(allocator, new int[] {A}, new int[] {80}, 0b11);
        for (int i = 0; i < 4; i++)
        {
            assertNotEquals(NatPortAllocator.NO_PORT, allocator.allocate(A, 80));
        }
        assertEquals(NatPortAllocator.NO_PORT, allocator.allocate(A, 80));
        assertEquals(NatPortAllocator.NO_PORT, allocator.allocate(A, 80));
        assertEquals(2, allocator.exhaustedCount());

        assertEquals(NatPortAllocator.NO_PORT, allocator.allocate(B, 80), "never declared");
        assertEquals(NatPortAllocator.NO_PORT, allocator.allocate(A, 81));
        assertEquals(NatPortAllocator.NO_PORT, allocator.allocate(A, -1));
        assertEquals(NatPortAllocator.NO_PORT, allocator.allocate(A, 65536));
        assertEquals(4, allocator.unknownTargetCount());
        assertEquals(2, allocator.exhaustedCount());
        assertEquals(4, allocator.allocatedCount());
    }

    @Test
    void aReleasedPortIsReusedOnlyAfterEveryOtherFreePortOfItsPool()
    {
        final NatPortAllocator allocator = new NatPortAllocator(1, 5000, 5009);
        declare(allocator, new int[] {A, B}, new int[] {80, 80}, 0b1);
        assertEquals(5000, allocator.allocate(A, 80));
        assertEquals(5001, allocator.allocate(A, 80));
        assertEquals(5002, allocator.allocate(A, 80));
        assertTrue(allocator.release(0, A, 80, 5002));
        assertTrue(allocator.release(0, A, 80, 5000));
        // Another target's traffic does not move A's queue.
        assertEquals(5000, allocator.allocate(B, 80));
        assertTrue(allocator.release(0, B, 80, 5000));

        for (int expected = 5003; expected <= 5009; expected++)
        {
            assertEquals(expected, allocator.allocate(A, 80));
        }
        assertEquals(5002, allocator.allocate(A, 80), "then in release order");
        assertEquals(5000, allocator.allocate(A, 80));
        assertEquals(NatPortAllocator.NO_PORT, allocator.allocate(A, 80));

        // Round again: the queue keeps release order across the wrap of the ring.
        for (final int port : new int[] {5007, 5001, 5009, 5004})
        {
            assertTrue(allocator.release(0, A, 80, port));
        }
        assertEquals(5007, allocator.allocate(A, 80));
        assertTrue(allocator.release(0, A, 80, 5003));
        assertEquals(5001, allocator.allocate(A, 80));
        assertEquals(5009, allocator.allocate(A, 80));
        assertEquals(5004, allocator.allocate(A, 80));
        assertEquals(5003, allocator.allocate(A, 80));
        assertEquals(NatPortAllocator.NO_PORT, allocator.allocate(A, 80));
    }

    @Test
    void doubleAndForeignReleasesAreRejectedAndCounted()
    {
        final NatPortAllocator allocator = new NatPortAllocator(2, 5000, 5009);
        declare(allocator, new int[] {A, B}, new int[] {80, 80}, 0b11);
        final int port = NatPortAllocator.portOf(allocator.allocate(A, 80));

        assertFalse(allocator.release(1, A, 80, port), "another address's pool");
        assertFalse(allocator.release(0, B, 80, port), "another target's pool");
        assertFalse(allocator.release(0, A, 81, port), "another target port");
        assertTrue(allocator.release(0, A, 80, port));
        assertFalse(allocator.release(0, A, 80, port), "double release");
        assertFalse(allocator.release(0, A, 80, 4999));
        assertFalse(allocator.release(0, A, 80, 5010));
        assertFalse(allocator.release(2, A, 80, 5000));
        assertFalse(allocator.release(-1, A, 80, 5000));
        assertEquals(8, allocator.invalidReleaseCount());
        assertEquals(10, allocator.available(0, A, 80));
        assertEquals(0, allocator.allocatedCount());

        // The double release did not queue the port twice: ten allocations give ten different ports.
        final java.util.Set<Integer> ports = new java.util.HashSet<>();
        for (int i = 0; i < 10; i++)
        {
            assertTrue(ports.add(allocator.allocate(A, 80)));
        }
        assertEquals(0, allocator.available(0, A, 80));
    }

    @Test
    void aClaimHoldsExactlyItsBindingAndQueuesBehindEveryFreePortWhenReleased()
    {
        final NatPortAllocator allocator = new NatPortAllocator(2, 5000, 5003);
        assertTrue(allocator.claim(0, A, 80, 5001));
        assertTrue(allocator.claim(1, A, 80, 5000));
        assertTrue(allocator.claim(0, B, 80, 5002));
        assertFalse(allocator.claim(0, A, 80, 5001), "claimed twice");
        assertFalse(allocator.claim(0, A, 80, 5004), "out of range");
        assertFalse(allocator.claim(2, A, 80, 5000), "no such address");
        allocator.claimsDone();
        assertEquals(3, allocator.allocatedCount());
        declare(allocator, new int[] {A, B}, new int[] {80, 80}, 0b01);

        assertTrue(allocator.isAllocated(0, A, 80, 5001));
        assertFalse(allocator.isAllocated(0, A, 80, 5000), "the claim on address 1 is not address 0's");
        assertFalse(allocator.isAllocated(0, A, 81, 5001), "nor another target port's");
        assertTrue(allocator.release(0, A, 80, 5001));
        assertEquals(5000, allocator.allocate(A, 80));
        assertEquals(5002, allocator.allocate(A, 80));
        assertEquals(5003, allocator.allocate(A, 80));
        assertEquals(5001, allocator.allocate(A, 80), "the released claim comes last");
        assertEquals(5000, allocator.allocate(B, 80));
        assertEquals(5001, allocator.allocate(B, 80));
        assertEquals(5003, allocator.allocate(B, 80), "B's claimed 5002 is held");

        assertFalse(allocator.claim(0, A, 80, 5001), "no claim into a pool that has handed out ports");
    }

    @Test
    void aTargetLeftOutOfARoundGoesWithItsLastPortAndKeepsItsPoolsUntilThen()
    {
        final NatPortAllocator allocator = new NatPortAllocator(2, 5000, 5009);
        declare(allocator, new int[] {A, B}, new int[] {80, 80}, 0b11);
        assertEquals(4, allocator.poolCount());
        final int held = NatPortAllocator.portOf(allocator.allocate(A, 80));

        allocator.beginTargets();
        allocator.target(B, 80, 0b11);
        assertEquals(4, allocator.endTargets(), "A still holds a port");
        assertTrue(allocator.hasPool(0, A, 80));
        assertEquals(held + 1, allocator.allocate(A, 80), "its flows' ports stay unique while it retires");
        assertTrue(allocator.release(0, A, 80, held + 1));
        assertTrue(allocator.release(0, A, 80, held));
        assertFalse(allocator.hasPool(0, A, 80), "retired with its last port");
        assertEquals(2, allocator.poolCount());
        assertEquals(1, allocator.targetCount());
        assertEquals(NatPortAllocator.NO_PORT, allocator.allocate(A, 80));
        assertEquals(1, allocator.unknownTargetCount());

        // A target that returns while it still holds ports keeps its pools and their order.
        final int b1 = NatPortAllocator.portOf(allocator.allocate(B, 80));
        allocator.beginTargets();
        allocator.endTargets();
        assertTrue(allocator.hasPool(0, B, 80));
        allocator.beginTargets();
        allocator.target(B, 80, 0b11);
        allocator.endTargets();
        assertTrue(allocator.release(0, B, 80, b1));
        assertTrue(allocator.hasPool(0, B, 80), "declared again: stays with no port held");
        assertEquals(b1 + 1, allocator.allocate(B, 80), "the same pool: its cursor moved on");

        // An empty target left out goes at the end of the round; a claim nobody declares goes with its port.
        allocator.beginTargets();
        assertTrue(allocator.claim(1, C, 443, 5005));
        assertEquals(3, allocator.endTargets(), "B holds a port, C holds its claim");
        assertTrue(allocator.release(1, C, 443, 5005));
        assertFalse(allocator.hasPool(1, C, 443));
        assertEquals(2, allocator.poolCount(), "B's two pools are left");
    }

    @Test
    void declarationsIgnoreAddressesBeyondTheCountAndRefuseAnEmptySet()
    {
        final NatPortAllocator allocator = new NatPortAllocator(2, 5000, 5001);
        allocator.beginTargets();
        assertFalse(allocator.target(A, 80, 0b100), "address 2 does not exist");
        assertFalse(allocator.target(A, 80, 0));
        assertFalse(allocator.target(A, 65536, 0b1));
        assertTrue(allocator.target(B, 80, 0b110));
        allocator.endTargets();
        assertEquals(1, allocator.poolCount());
        assertEquals(1, NatPortAllocator.natAddressIndexOf(allocator.allocate(B, 80)));
    }

    @Test
    void poolMemoryIsBoundedByBitmapAndSixteenBitRing()
    {
        final NatPortAllocator allocator = new NatPortAllocator(4);
        assertEquals(1008 * 8 + 64_512 * 2, allocator.bytesPerPool());
        final int[] targets = new int[100];
        final int[] ports = new int[100];
        for (int t = 0; t < 100; t++)
        {
            targets[t] = A + t;
            ports[t] = 443;
        }
        declare(allocator, targets, ports, 0b1111);
        assertEquals(400, allocator.poolCount());
        assertTrue(allocator.poolCount() * allocator.bytesPerPool() < 55_000_000L, "100 targets x 4 addresses under 55 MB");
    }

    @Test
    void constructorValidatesRangeAndAddressCount()
    {
        assertThrows(IllegalArgumentException.class, () -> new NatPortAllocator(0));
        assertThrows(IllegalArgumentException.class, () -> new NatPortAllocator(65));
        assertThrows(IllegalArgumentException.class, () -> new NatPortAllocator(1, 0, 10));
        assertThrows(IllegalArgumentException.class, () -> new NatPortAllocator(1, 100, 99));
        assertThrows(IllegalArgumentException.class, () -> new NatPortAllocator(1, 100, 65536));
        final NatPortAllocator single = new NatPortAllocator(64, 65535, 65535);
        declare(single, new int[] {A}, new int[] {80}, 1L << 63);
        assertEquals(63 << 16 | 65535, single.allocate(A, 80));
        assertEquals(NatPortAllocator.NO_PORT, single.allocate(A, 80));
    }

    /**
     * Against a model: per pool a queue of free ports, filled in port order, appended to on release; an allocation
     * takes the head of the first candidate's non-empty queue. Checks uniqueness and FIFO order at every step.
     */
    @Test
    void randomAllocateReleaseMatchesAQueueModel()
    {
        final int addresses = 3;
        final int ports = 50;
        final NatPortAllocator allocator = new NatPortAllocator(addresses, 2000, 2000 + ports - 1);
        final int[] targetIps = {A, B, C, A};
        final int[] targetPorts = {80, 80, 80, 443};
        final long[] candidates = {0b011, 0b110, 0b001, 0b111};
        allocator.beginTargets();
        for (int t = 0; t < targetIps.length; t++)
        {
            allocator.target(targetIps[t], targetPorts[t], candidates[t]);
        }
        allocator.endTargets();

        final Map<Integer, ArrayDeque<Integer>> free = new HashMap<>();
        final List<List<int[]>> held = new ArrayList<>();
        for (int t = 0; t < targetIps.length; t++)
        {
            held.add(new ArrayList<>());
            for (int a = 0; a < addresses; a++)
            {
                final ArrayDeque<Integer> queue = new ArrayDeque<>();
                for (int p = 2000; p < 2000 + ports; p++)
                {
                    queue.add(p);
                }
                free.put(t * addresses + a, queue);
            }
        }
        final Random random = new Random(42);
        long exhausted = 0;
        long spilled = 0;
        for (int op = 0; op < 300_000; op++)
        {
            final int t = random.nextInt(targetIps.length);
            final List<int[]> mine = held.get(t);
            if (random.nextInt(100) < 55)
            {
                int expectedAddress = -1;
                boolean first = true;
                for (long c = candidates[t]; c != 0; c &= c - 1)
                {
                    final int a = Long.numberOfTrailingZeros(c);
                    if (!free.get(t * addresses + a).isEmpty())
                    {
                        expectedAddress = a;
                        break;
                    }
                    first = false;
                }
                final int allocation = allocator.allocate(targetIps[t], targetPorts[t]);
                if (expectedAddress < 0)
                {
                    assertEquals(NatPortAllocator.NO_PORT, allocation);
                    exhausted++;
                }
                else
                {
                    final int expectedPort = free.get(t * addresses + expectedAddress).poll();
                    assertEquals(expectedAddress, NatPortAllocator.natAddressIndexOf(allocation), "op " + op);
                    assertEquals(expectedPort, NatPortAllocator.portOf(allocation), "op " + op);
                    mine.add(new int[] {expectedAddress, expectedPort});
                    spilled += first ? 0 : 1;
                }
            }
            else if (!mine.isEmpty())
            {
                final int[] binding = mine.remove(random.nextInt(mine.size()));
                assertTrue(allocator.release(binding[0], targetIps[t], targetPorts[t], binding[1]));
                free.get(t * addresses + binding[0]).add(binding[1]);
            }
        }
        assertEquals(exhausted, allocator.exhaustedCount());
        assertEquals(spilled, allocator.spilledCount());
        assertEquals(0, allocator.invalidReleaseCount());
        assertTrue(exhausted > 0 && spilled > 0, "the run should reach spills and exhaustion");
    }

    private static void declare(final NatPortAllocator allocator, final int[] targets, final int[] ports, final long candidates)
    {
        allocator.beginTargets();
        for (int i = 0; i < targets.length; i++)
        {
            assertTrue(allocator.target(targets[i], ports[i], candidates));
        }
        allocator.endTargets();
    }
}
