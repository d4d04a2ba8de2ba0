package vpce.perf.acl;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import vpce.acl.AclCompiler;
import vpce.acl.AclModel;
import vpce.acl.CompiledAcls;
import vpce.acl.IpProtocol;
import vpce.acl.NaclEntry;
import vpce.acl.NetworkAcl;
import vpce.acl.SecurityGroup;
import vpce.acl.SgRule;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * The admission decision for a new inbound flow to an ENI: the subnet's network ACL (40 ingress entries) and the
 * union of the ENI's security groups (1, 60, 300 or 1000 inbound rules, up to 16 groups, some rules referencing a
 * group of 64 members). The claim under test: the cost does not grow with the number of rules, and nothing is
 * allocated ({@code -prof gc} shows ~0 B/op).
 *
 * <p>Both lookups run for every packet (no short cut on a NACL deny), over 4096 pre-generated packets whose
 * addresses and ports mix rule hits and misses, so branch predictors cannot learn one path.
 *
 * <pre>
 *   java -cp perf.jar:lib/* vpce.perf.acl.AclClassifierBenchmark -wi 2 -i 3 -r 1s -prof gc
 * </pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(value = 1, jvmArgsAppend = { "-XX:+UseParallelGC" })
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class AclClassifierBenchmark
{
    private static final int PACKETS = 4096;
    private static final int NACL_ENTRIES = 40;
    private static final int MEMBERS = 64;

    @Param({ "1", "60", "300", "1000" })
    public int sgRules;

    private CompiledAcls acls;
    private final int[] sourceIp = new int[PACKETS];
    private final int[] protocol = new int[PACKETS];
    private final int[] port = new int[PACKETS];
    private int next;

    @Setup
    public void setup()
    {
        final SplittableRandom random = new SplittableRandom(42);

        final List<NaclEntry> entries = new ArrayList<>();
        for (int n = 1; n < NACL_ENTRIES; n++)
        {
            final int prefix = 16 + random.nextInt(13);
            final int from = random.nextInt(60000);
            entries.add(NaclEntry.ports(n * 10, false, n % 4 == 0 ? IpProtocol.UDP : IpProtocol.TCP, n % 5 != 0,
                randomVpcAddress(random) & mask(prefix), prefix, from, from + random.nextInt(2000)));
        }
        entries.add(NaclEntry.allTraffic(32000, false, true, 0x0A000000, 8));
        final NetworkAcl nacl = new NetworkAcl("acl-bench", entries);

        // As many groups as EC2 needs for the rule count at 60 rules per group, capped at 16 groups.
        final int groupCount = Math.min(16, Math.max(1, (sgRules + 59) / 60));
        final List<List<SgRule>> rulesOfGroup = new ArrayList<>();
        for (int g = 0; g < groupCount; g++)
        {
            rulesOfGroup.add(new ArrayList<>());
        }
        final List<String> groupIds = new ArrayList<>();
        for (int g = 0; g < groupCount; g++)
        {
            groupIds.add("sg-" + g);
        }
        for (int r = 0; r < sgRules; r++)
        {
            final String ruleId = "sgr-" + r;
            final int from = random.nextInt(60000);
            final int to = from + random.nextInt(100);
            final SgRule rule;
            if (r % 10 == 9)
            {
                rule = SgRule.group(ruleId, false, IpProtocol.TCP, from, to, groupIds.get(r % groupCount));
            }
            else
            {
                final int prefix = 16 + random.nextInt(17);
                rule = SgRule.cidr(ruleId, false, IpProtocol.TCP, from, to, randomVpcAddress(random) & mask(prefix),
                    prefix);
            }
            rulesOfGroup.get(r % groupCount).add(rule);
        }
        final List<SecurityGroup> groups = new ArrayList<>();
        final Map<String, int[]> members = new HashMap<>();
        for (int g = 0; g < groupCount; g++)
        {
            groups.add(new SecurityGroup(groupIds.get(g), rulesOfGroup.get(g)));
            final int[] addresses = new int[MEMBERS];
            Arrays.setAll(addresses, i -> randomVpcAddress(random));
            members.put(groupIds.get(g), addresses);
        }

        acls = AclCompiler.compile(new AclModel(
            List.of(nacl), List.of(nacl.id()), groups, List.of(groupIds), members,
            AclModel.MAX_GROUPS_PER_ENI_LIMIT));

        int allowed = 0;
        for (int i = 0; i < PACKETS; i++)
        {
            final SgRule target = sgRules > 0 && random.nextBoolean() ?
                groups.get(random.nextInt(groupCount)).rules().get(0) : null;
            sourceIp[i] = null != target && null == target.referencedGroupId() ?
                target.cidrAddress() | (random.nextInt() & ~mask(target.cidrPrefixLength())) :
                randomVpcAddress(random);
            protocol[i] = random.nextInt(8) == 0 ? IpProtocol.UDP : IpProtocol.TCP;
            port[i] = null != target ? target.fromPort() : random.nextInt(65536);
            allowed += acls.sgInbound(0, sourceIp[i], protocol[i], port[i], 0) >= 0 ? 1 : 0;
        }
        if (sgRules > 0 && 0 == allowed)
        {
            throw new IllegalStateException("no packet is allowed: the benchmark would only measure misses");
        }
    }

    @Benchmark
    public int naclIngressThenSgInbound()
    {
        final int i = next++ & (PACKETS - 1);
        final int source = sourceIp[i];
        final int verdict = acls.naclIngress(0, source, protocol[i], port[i], 0);
        final int rule = acls.sgInbound(0, source, protocol[i], port[i], 0);
        return verdict ^ rule;
    }

    private static int randomVpcAddress(final SplittableRandom random)
    {
        return 0x0A000000 | random.nextInt(1 << 20);
    }

    private static int mask(final int prefixLength)
    {
        return 0 == prefixLength ? 0 : -1 << (32 - prefixLength);
    }

    public static void main(final String[] args) throws Exception
    {
        final String[] withInclude = Arrays.copyOf(args, args.length + 1);
        withInclude[args.length] = AclClassifierBenchmark.class.getName();
        org.openjdk.jmh.Main.main(withInclude);
    }
}
