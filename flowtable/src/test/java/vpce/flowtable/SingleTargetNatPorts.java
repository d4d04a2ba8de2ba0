package vpce.flowtable;

/**
 * NAT ports for the flow table's tests, which need unique ports per NAT address and nothing more: one
 * {@link NatPortAllocator} with one declared target per address, behind the per-address calls those tests make.
 */
final class SingleTargetNatPorts
{
    private static final int TARGET_IP = 0x0A64_0100;
    private static final int TARGET_PORT = 8080;

    private final NatPortAllocator allocator;

    SingleTargetNatPorts(final int natAddressCount)
    {
        this(natAddressCount, NatPortAllocator.DEFAULT_MIN_PORT, NatPortAllocator.DEFAULT_MAX_PORT);
    }

    SingleTargetNatPorts(final int natAddressCount, final int minPort, final int maxPort)
    {
        allocator = new NatPortAllocator(natAddressCount, minPort, maxPort);
        allocator.beginTargets();
        for (int address = 0; address < natAddressCount; address++)
        {
            allocator.target(TARGET_IP + address, TARGET_PORT, 1L << address);
        }
        allocator.endTargets();
    }

    int allocate(final int natAddressIndex)
    {
        final int allocation = allocator.allocate(TARGET_IP + natAddressIndex, TARGET_PORT);
        return allocation == NatPortAllocator.NO_PORT ? NatPortAllocator.NO_PORT : NatPortAllocator.portOf(allocation);
    }

    boolean release(final int natAddressIndex, final int port)
    {
        return allocator.release(natAddressIndex, TARGET_IP + natAddressIndex, TARGET_PORT, port);
    }

    int claim(final int natAddressIndex, final int[] ports, final int count)
    {
        int claimed = 0;
        for (int i = 0; i < count; i++)
        {
            if (allocator.claim(natAddressIndex, TARGET_IP + natAddressIndex, TARGET_PORT, ports[i]))
            {
                claimed++;
            }
        }
        allocator.claimsDone();
        return claimed;
    }

    int available(final int natAddressIndex)
    {
        return allocator.available(natAddressIndex, TARGET_IP + natAddressIndex, TARGET_PORT);
    }

    long allocatedCount()
    {
        return allocator.allocatedCount();
    }
}
