package vpce.flowtable;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class NatPortAllocatorTest
{
    @Test
    void defaultRangeHandsOutPortsInOrder()
    {
        final NatPortAllocator allocator = new NatPortAllocator(2);
        assertEquals(64_512, allocator.portsPerAddress());
        assertEquals(64_512, allocator.available(0));
        assertEquals(1024, allocator.allocate(0));
        assertEquals(1025, allocator.allocate(0));
        assertEquals(1024, allocator.allocate(1));
        assertEquals(64_510, allocator.available(0));
        assertEquals(64_511, allocator.available(1));
        assertEquals(3, allocator.allocatedCount());
    }

    @Test
    void exhaustionReturnsNoPortAndCounts()
    {
        final NatPortAllocator allocator = new NatPortAllocator(1, 5000, 5009);
        final Set<Integer> ports = new HashSet<>();
        for (int i = 0; i < 10; i++)
        {
            final int port = allocator.allocate(0);
            assertTrue(port >= 5000 && port <= 5009, "port " + port);
            assertTrue(ports.add(port), "duplicate port " + port);
        }
        assertEquals(0, allocator.available(0));
        assertEquals(NatPortAllocator.NO_PORT, allocator.allocate(0));
        assertEquals(NatPortAllocator.NO_PORT, allocator.allocate(0));
        assertEquals(2, allocator.exhaustedCount());

        assertTrue(allocator.release(0, 5007));
        assertEquals(5007, allocator.allocate(0));
        assertEquals(NatPortAllocator.NO_PORT, allocator.allocate(0));
        assertEquals(3, allocator.exhaustedCount());
    }

    @Test
    void releasedPortIsReusedOnlyAfterEveryOtherFreePort()
    {
        final NatPortAllocator allocator = new NatPortAllocator(1, 5000, 5009);
        assertEquals(5000, allocator.allocate(0));
        assertEquals(5001, allocator.allocate(0));
        assertEquals(5002, allocator.allocate(0));
        assertTrue(allocator.release(0, 5000));
        assertTrue(allocator.release(0, 5002));

        for (int expected = 5003; expected <= 5009; expected++)
        {
            assertEquals(expected, allocator.allocate(0));
        }
        assertEquals(5000, allocator.allocate(0));
        assertEquals(5002, allocator.allocate(0));
        assertEquals(NatPortAllocator.NO_PORT, allocator.allocate(0));
    }

    @Test
    void rejectsDoubleReleaseForeignPortAndBadIndex()
    {
        final NatPortAllocator allocator = new NatPortAllocator(2, 5000, 5009);
        final int port = allocator.allocate(0);
        assertTrue(allocator.isAllocated(0, port));
        assertFalse(allocator.isAllocated(1, port));

        assertFalse(allocator.release(1, port), "port belongs to address 0");
        assertTrue(allocator.release(0, port));
        assertFalse(allocator.release(0, port), "double release");
        assertFalse(allocator.release(0, 4999));
        assertFalse(allocator.release(0, 5010));
        assertFalse(allocator.release(2, 5000));
        assertFalse(allocator.release(-1, 5000));
        assertEquals(6, allocator.invalidReleaseCount());
        assertEquals(10, allocator.available(0));
        assertEquals(10, allocator.available(1));

        assertEquals(NatPortAllocator.NO_PORT, allocator.allocate(2));
        assertEquals(NatPortAllocator.NO_PORT, allocator.allocate(-1));
        assertEquals(0, allocator.available(7));
        assertEquals(0, allocator.exhaustedCount());
    }

    @Test
    void constructorValidatesRange()
    {
        assertThrows(IllegalArgumentException.class, () -> new NatPortAllocator(0));
        assertThrows(IllegalArgumentException.class, () -> new NatPortAllocator(1, 0, 10));
        assertThrows(IllegalArgumentException.class, () -> new NatPortAllocator(1, 100, 99));
        assertThrows(IllegalArgumentException.class, () -> new NatPortAllocator(1, 100, 65536));
        final NatPortAllocator single = new NatPortAllocator(1, 65535, 65535);
        assertEquals(65535, single.allocate(0));
        assertEquals(NatPortAllocator.NO_PORT, single.allocate(0));
    }

    @Test
    void randomAllocateReleaseMatchesSetModel()
    {
        final int addresses = 3;
        final NatPortAllocator allocator = new NatPortAllocator(addresses, 2000, 2099);
        final List<List<Integer>> held = new ArrayList<>();
        for (int i = 0; i < addresses; i++)
        {
            held.add(new ArrayList<>());
        }
        final Random random = new Random(42);
        long exhausted = 0;

        for (int op = 0; op < 200_000; op++)
        {
            final int address = random.nextInt(addresses);
            final List<Integer> ports = held.get(address);
            if (random.nextInt(100) < 55)
            {
                final int port = allocator.allocate(address);
                if (ports.size() == 100)
                {
                    assertEquals(NatPortAllocator.NO_PORT, port);
                    exhausted++;
                }
                else
                {
                    assertFalse(ports.contains(port), "port handed out twice: " + port);
                    assertTrue(port >= 2000 && port <= 2099);
                    ports.add(port);
                }
            }
            else if (!ports.isEmpty())
            {
                final int port = ports.remove(random.nextInt(ports.size()));
                assertTrue(allocator.release(address, port));
            }
            assertEquals(100 - ports.size(), allocator.available(address));
        }
        assertEquals(exhausted, allocator.exhaustedCount());
        assertEquals(0, allocator.invalidReleaseCount());
        assertTrue(exhausted > 0, "model run should reach exhaustion");
    }
}
