package vpce.acl;

import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The lookups run per packet and must not allocate. HotSpot counts bytes allocated per thread: run a million
 * lookups of each kind on this thread after warm-up and compare the counter. JMH with -prof gc in perf/ is the real
 * proof; this keeps a regression from reaching it.
 */
class AllocationTest
{
    @Test
    void lookupsAllocateNothing()
    {
        final List<SgRule> rules = new ArrayList<>();
        for (int r = 0; r < 990; r++)
        {
            rules.add(SgRule.cidr("sgr-" + r, r % 2 == 0, r % 3 == 0 ? IpProtocol.UDP : IpProtocol.TCP, r * 50,
                r * 50 + 7, (0x0A000000 + (r << 8)), 24));
        }
        rules.add(SgRule.group("sgr-self", false, IpProtocol.ALL, 0, 0, "sg-big"));
        final List<NaclEntry> entries = new ArrayList<>();
        for (int n = 1; n <= 40; n++)
        {
            entries.add(NaclEntry.ports(n * 10, n % 2 == 0, IpProtocol.TCP, n % 3 != 0, 0x0A000000 + (n << 12), 20,
                n * 1000, n * 1000 + 999));
        }
        final CompiledAcls acls = AclCompiler.compile(new AclModel(
            List.of(new NetworkAcl("acl-1", entries)), List.of("acl-1"),
            List.of(new SecurityGroup("sg-big", rules)), List.of(List.of("sg-big")),
            Map.of("sg-big", new int[]{ 0x0A000105, 0x0A000206 })));

        final com.sun.management.ThreadMXBean threads =
            (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();
        final long threadId = Thread.currentThread().threadId();

        long sink = lookups(acls, 300_000);
        threads.getThreadAllocatedBytes(threadId);
        threads.getThreadAllocatedBytes(threadId);
        final long beforeBytes = threads.getThreadAllocatedBytes(threadId);
        sink += lookups(acls, 1_000_000);
        final long allocatedBytes = threads.getThreadAllocatedBytes(threadId) - beforeBytes;

        assertTrue(sink != 0, "the lookups found matches");
        assertTrue(allocatedBytes < 1024, allocatedBytes + " bytes allocated by 1,000,000 rounds of 4 lookups");
    }

    private static long lookups(final CompiledAcls acls, final int rounds)
    {
        long sink = 0;
        int address = 0x0A000000;
        for (int i = 0; i < rounds; i++)
        {
            address += 0x9E3779B1 >>> 20;
            final int port = i & 0xFFFF;
            final int protocol = 0 == (i & 3) ? IpProtocol.UDP : IpProtocol.TCP;
            sink += acls.naclIngress(0, address, protocol, port, 0);
            sink += acls.naclEgress(0, address, IpProtocol.ICMP, 8, 0);
            sink += acls.sgInbound(0, address, protocol, port, 0);
            sink += acls.sgOutbound(0, address, protocol, port, 0);
        }
        return sink;
    }
}
