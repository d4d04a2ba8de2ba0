package vpce.acl;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The compiled classifier against the reference evaluator on random rule sets up to EC2's quotas and random packets
 * aimed at the rules' edges (first and last address of a block and its neighbours, first and last port of a range
 * and its neighbours, members of referenced groups and their neighbours). Any difference fails with the seed and
 * the whole rule set; {@code -Dvpce.acl.seed=N} replays a run.
 */
class DifferentialTest
{
    private static final int MODELS = 240;
    private static final int PACKETS_PER_MODEL = 4_200;
    private static final int[] ANCHORS = {
        Ipv4.parse("10.0.0.0"), Ipv4.parse("10.0.1.0"), Ipv4.parse("10.1.0.0"), Ipv4.parse("172.16.0.0"),
        Ipv4.parse("192.168.0.0"), Ipv4.parse("0.0.0.0"), Ipv4.parse("255.255.255.0") };
    private static final int[] PORTS = { 0, 1, 22, 53, 80, 443, 1023, 1024, 5432, 8080, 32768, 65534, 65535 };
    private static final int[] ICMP_TYPES = { 0, 3, 5, 8, 11, 255 };

    @Test
    void compiledAgreesWithReferenceOnAMillionPackets()
    {
        final long baseSeed = Long.getLong("vpce.acl.seed", 0x5EED_AC1L);
        final long[] outcomes = new long[Outcome.values().length];
        // Models are independent: spread them over the cores so the test stays well under 20 s on two.
        IntStream.range(0, MODELS).parallel().forEach(i ->
        {
            final long[] counts = checkModel(baseSeed + i);
            synchronized (outcomes)
            {
                for (int o = 0; o < counts.length; o++)
                {
                    outcomes[o] += counts[o];
                }
            }
        });

        // A differential test whose packets all miss (or all hit) proves little: the mix must have every outcome.
        final long total = (long)MODELS * PACKETS_PER_MODEL;
        assertEquals(total, outcomes[Outcome.NACL_ALLOW.ordinal()] + outcomes[Outcome.NACL_DENY.ordinal()] +
            outcomes[Outcome.NACL_IMPLICIT_DENY.ordinal()], "ingress verdicts counted");
        for (final Outcome outcome : Outcome.values())
        {
            assertTrue(outcomes[outcome.ordinal()] > total / 20,
                outcome + " seen " + outcomes[outcome.ordinal()] + " times in " + total + " packets");
        }
    }

    private enum Outcome
    {
        NACL_ALLOW, NACL_DENY, NACL_IMPLICIT_DENY, SG_ALLOW, SG_DENY
    }

    private static long[] checkModel(final long seed)
    {
        final long[] outcomes = new long[Outcome.values().length];
        final SplittableRandom random = new SplittableRandom(seed);
        final AclModel model = randomModel(random);
        final CompiledAcls compiled = AclCompiler.compile(model);
        final ReferenceEvaluator reference = new ReferenceEvaluator(model);
        final Probe probe = new Probe(model);

        for (int eni = 0; eni < model.groupsOfEni().size(); eni++)
        {
            if (reference.isUntracked(eni) != compiled.isUntracked(eni))
            {
                fail(report(seed, model, "isUntracked(" + eni + ")", reference.isUntracked(eni),
                    compiled.isUntracked(eni)));
            }
        }

        for (int p = 0; p < PACKETS_PER_MODEL; p++)
        {
            final int subnet = random.nextInt(model.naclOfSubnet().size());
            final int eni = random.nextInt(model.groupsOfEni().size());
            final int protocol = probe.protocol(random);
            final int address = probe.address(random);
            final int port = IpProtocol.ICMP == protocol ? probe.icmpType(random) : probe.port(random);
            final int code = probe.icmpCode(random);
            final String packet = "address " + Ipv4.format(address) + " protocol " + protocol + " port/type " + port +
                " code " + code;

            final int ingress = compiled.naclIngress(subnet, address, protocol, port, code);
            check(seed, model, "naclIngress(" + subnet + ", " + packet + ")",
                reference.naclIngress(subnet, address, protocol, port, code), ingress);
            outcomes[(Verdict.IMPLICIT_DENY == ingress ? Outcome.NACL_IMPLICIT_DENY :
                Verdict.allowed(ingress) ? Outcome.NACL_ALLOW : Outcome.NACL_DENY).ordinal()]++;
            check(seed, model, "naclEgress(" + subnet + ", " + packet + ")",
                reference.naclEgress(subnet, address, protocol, port, code),
                compiled.naclEgress(subnet, address, protocol, port, code));
            final int inbound = compiled.sgInbound(eni, address, protocol, port, code);
            check(seed, model, "sgInbound(" + eni + ", " + packet + ")",
                reference.sgInbound(eni, address, protocol, port, code), inbound);
            outcomes[(Verdict.DENY == inbound ? Outcome.SG_DENY : Outcome.SG_ALLOW).ordinal()]++;
            check(seed, model, "sgOutbound(" + eni + ", " + packet + ")",
                reference.sgOutbound(eni, address, protocol, port, code),
                compiled.sgOutbound(eni, address, protocol, port, code));
        }

        return outcomes;
    }

    private static void check(
        final long seed, final AclModel model, final String query, final int expected, final int actual)
    {
        if (expected != actual)
        {
            fail(report(seed, model, query, expected, actual));
        }
    }

    private static String report(
        final long seed, final AclModel model, final String query, final Object expected, final Object actual)
    {
        final StringBuilder text = new StringBuilder()
            .append("seed ").append(seed).append(" (replay with -Dvpce.acl.seed=").append(seed).append(")\n")
            .append(query).append(": reference ").append(expected).append(", compiled ").append(actual).append('\n');
        for (final NetworkAcl nacl : model.nacls())
        {
            text.append("nacl ").append(nacl.id()).append('\n');
            nacl.entries(false).forEach(entry -> text.append("  ").append(entry).append('\n'));
            nacl.entries(true).forEach(entry -> text.append("  ").append(entry).append('\n'));
        }
        text.append("naclOfSubnet ").append(model.naclOfSubnet()).append('\n');
        for (final SecurityGroup group : model.groups())
        {
            text.append("group ").append(group.id()).append('\n');
            group.rules().forEach(rule -> text.append("  ").append(rule).append('\n'));
        }
        text.append("groupsOfEni ").append(model.groupsOfEni()).append('\n');
        model.members().forEach((groupId, members) -> text.append("members ").append(groupId).append(' ')
            .append(IntStream.of(members).mapToObj(Ipv4::format).toList()).append('\n'));
        return text.toString();
    }

    private static AclModel randomModel(final SplittableRandom random)
    {
        final List<NetworkAcl> nacls = new ArrayList<>();
        final int naclCount = 1 + random.nextInt(3);
        for (int n = 0; n < naclCount; n++)
        {
            nacls.add(randomNacl(random, "acl-" + n));
        }
        final List<String> naclOfSubnet = new ArrayList<>();
        for (int s = 0; s < 4; s++)
        {
            naclOfSubnet.add("acl-" + random.nextInt(naclCount));
        }

        // Size classes so that most models are quick to judge by the reference and some hit the limits.
        final int sizeClass = random.nextInt(10);
        final int maxRulesPerDirection = sizeClass < 6 ? 1 + random.nextInt(30) :
            sizeClass < 9 ? 30 + random.nextInt(300) : AclModel.MAX_RULES_PER_ENI - random.nextInt(50);
        final int groupCount = 1 + random.nextInt(AclModel.MAX_GROUPS_PER_ENI_LIMIT);
        final List<String> groupIds = new ArrayList<>();
        for (int g = 0; g < groupCount; g++)
        {
            groupIds.add("sg-" + g);
        }

        final Map<String, int[]> members = new HashMap<>();
        for (final String groupId : groupIds)
        {
            if (random.nextInt(4) != 0)
            {
                final int[] addresses = new int[random.nextInt(25)];
                for (int i = 0; i < addresses.length; i++)
                {
                    addresses[i] = randomAddress(random);
                }
                members.put(groupId, addresses);
            }
        }

        // The rule budget holds across all groups, so any subset an ENI picks stays within the quota.
        final List<List<SgRule>> rulesOfGroup = new ArrayList<>();
        for (int g = 0; g < groupCount; g++)
        {
            rulesOfGroup.add(new ArrayList<>());
        }
        int ruleId = 0;
        for (final boolean egress : new boolean[]{ false, true })
        {
            final int count = random.nextInt(maxRulesPerDirection + 1);
            for (int r = 0; r < count; r++)
            {
                rulesOfGroup.get(random.nextInt(groupCount)).add(randomSgRule(random, "sgr-" + ruleId++, egress,
                    groupIds));
            }
        }
        final List<SecurityGroup> groups = new ArrayList<>();
        for (int g = 0; g < groupCount; g++)
        {
            groups.add(new SecurityGroup(groupIds.get(g), rulesOfGroup.get(g)));
        }

        final List<List<String>> groupsOfEni = new ArrayList<>();
        for (int e = 0; e < 3; e++)
        {
            final List<String> shuffled = new ArrayList<>(groupIds);
            java.util.Collections.shuffle(shuffled, new java.util.Random(random.nextLong()));
            groupsOfEni.add(shuffled.subList(0, 1 + random.nextInt(groupCount)));
        }

        return new AclModel(nacls, naclOfSubnet, groups, groupsOfEni, members, AclModel.MAX_GROUPS_PER_ENI_LIMIT);
    }

    private static NetworkAcl randomNacl(final SplittableRandom random, final String id)
    {
        final List<NaclEntry> entries = new ArrayList<>();
        for (final boolean egress : new boolean[]{ false, true })
        {
            final int count = random.nextInt(41);
            final Set<Integer> numbers = new HashSet<>();
            while (numbers.size() < count)
            {
                numbers.add(random.nextInt(4) == 0 ? 1 + random.nextInt(NaclEntry.MAX_RULE_NUMBER) :
                    1 + random.nextInt(200));
            }
            for (final int number : numbers)
            {
                final int protocol = randomProtocol(random);
                final int[] ports = randomPortRange(random);
                final int[] icmp = randomIcmp(random);
                final int prefix = randomPrefixLength(random);
                entries.add(new NaclEntry(number, egress, protocol, random.nextBoolean(),
                    randomAddress(random) & Ipv4.mask(prefix), prefix, ports[0], ports[1], icmp[0], icmp[1]));
            }
        }
        return new NetworkAcl(id, entries);
    }

    private static SgRule randomSgRule(
        final SplittableRandom random, final String ruleId, final boolean egress, final List<String> groupIds)
    {
        final int protocol = randomProtocol(random);
        final int[] ports = randomPortRange(random);
        final int[] icmp = randomIcmp(random);
        if (random.nextInt(6) == 0)
        {
            return new SgRule(ruleId, egress, protocol, ports[0], ports[1], icmp[0], icmp[1], 0, 0,
                groupIds.get(random.nextInt(groupIds.size())));
        }
        final int prefix = randomPrefixLength(random);
        return new SgRule(ruleId, egress, protocol, ports[0], ports[1], icmp[0], icmp[1],
            randomAddress(random) & Ipv4.mask(prefix), prefix, null);
    }

    private static int randomProtocol(final SplittableRandom random)
    {
        final int dice = random.nextInt(20);
        return dice < 3 ? IpProtocol.ALL : dice < 10 ? IpProtocol.TCP : dice < 14 ? IpProtocol.UDP :
            dice < 18 ? IpProtocol.ICMP : random.nextInt(256);
    }

    private static int[] randomPortRange(final SplittableRandom random)
    {
        final int from = random.nextInt(3) == 0 ? random.nextInt(65536) : PORTS[random.nextInt(PORTS.length)];
        final int dice = random.nextInt(4);
        final int to = 0 == dice ? from : 1 == dice ? Math.min(65535, from + random.nextInt(16)) :
            2 == dice ? 65535 : from + random.nextInt(65536 - from);
        return new int[]{ from, to };
    }

    private static int[] randomIcmp(final SplittableRandom random)
    {
        final int dice = random.nextInt(5);
        if (0 == dice)
        {
            return new int[]{ -1, -1 };
        }
        final int type = random.nextInt(3) == 0 ? random.nextInt(256) : ICMP_TYPES[random.nextInt(ICMP_TYPES.length)];
        return new int[]{ type, dice < 3 ? -1 : random.nextInt(4) == 0 ? random.nextInt(256) : random.nextInt(4) };
    }

    private static int randomPrefixLength(final SplittableRandom random)
    {
        final int dice = random.nextInt(10);
        return 0 == dice ? 0 : dice < 3 ? 8 * random.nextInt(5) : random.nextInt(33);
    }

    private static int randomAddress(final SplittableRandom random)
    {
        final int anchor = ANCHORS[random.nextInt(ANCHORS.length)];
        final int dice = random.nextInt(4);
        return 0 == dice ? random.nextInt() : 1 == dice ? anchor + random.nextInt(256) :
            anchor + random.nextInt(1 << 16);
    }

    /**
     * Packet fields biased toward the places where a classifier can be off by one: the edges of the model's ranges.
     */
    private static final class Probe
    {
        private final int[] edges;
        private final int[] portEdges;
        private final int[] typeEdges;
        private final int[] protocols;

        Probe(final AclModel model)
        {
            final List<Integer> addresses = new ArrayList<>();
            final List<Integer> ports = new ArrayList<>();
            final List<Integer> types = new ArrayList<>();
            final Set<Integer> protocolSet = new HashSet<>(List.of(IpProtocol.TCP, IpProtocol.UDP, IpProtocol.ICMP));
            for (final NetworkAcl nacl : model.nacls())
            {
                for (final NaclEntry entry : nacl.entries())
                {
                    addBlock(addresses, entry.cidrAddress(), entry.cidrPrefixLength());
                    addRange(ports, entry.fromPort(), entry.toPort());
                    addRange(types, entry.icmpType(), entry.icmpType());
                    protocolSet.add(entry.protocol());
                }
            }
            for (final SecurityGroup group : model.groups())
            {
                for (final SgRule rule : group.rules())
                {
                    if (null == rule.referencedGroupId())
                    {
                        addBlock(addresses, rule.cidrAddress(), rule.cidrPrefixLength());
                    }
                    addRange(ports, rule.fromPort(), rule.toPort());
                    addRange(types, rule.icmpType(), rule.icmpType());
                    protocolSet.add(rule.protocol());
                }
            }
            for (final int[] members : model.members().values())
            {
                for (final int member : members)
                {
                    addBlock(addresses, member, 32);
                }
            }
            protocolSet.remove(IpProtocol.ALL);
            edges = addresses.stream().mapToInt(Integer::intValue).toArray();
            portEdges = ports.stream().mapToInt(Integer::intValue).filter(p -> p >= 0 && p <= 65535).toArray();
            typeEdges = types.stream().mapToInt(Integer::intValue).filter(t -> t >= 0 && t <= 255).toArray();
            protocols = protocolSet.stream().mapToInt(Integer::intValue).toArray();
        }

        private static void addBlock(final List<Integer> addresses, final int cidr, final int prefix)
        {
            final int last = cidr | ~Ipv4.mask(prefix);
            addresses.add(cidr);
            addresses.add(cidr - 1);
            addresses.add(last);
            addresses.add(last + 1);
        }

        private static void addRange(final List<Integer> values, final int from, final int to)
        {
            values.add(from);
            values.add(from - 1);
            values.add(to);
            values.add(to + 1);
        }

        int address(final SplittableRandom random)
        {
            return 0 == edges.length || random.nextInt(4) == 0 ? randomAddress(random) :
                edges[random.nextInt(edges.length)];
        }

        int protocol(final SplittableRandom random)
        {
            return random.nextInt(8) == 0 ? random.nextInt(256) : protocols[random.nextInt(protocols.length)];
        }

        int port(final SplittableRandom random)
        {
            return 0 == portEdges.length || random.nextInt(4) == 0 ? random.nextInt(65536) :
                portEdges[random.nextInt(portEdges.length)];
        }

        int icmpType(final SplittableRandom random)
        {
            return 0 == typeEdges.length || random.nextInt(4) == 0 ? random.nextInt(256) :
                typeEdges[random.nextInt(typeEdges.length)];
        }

        int icmpCode(final SplittableRandom random)
        {
            return random.nextInt(2) == 0 ? random.nextInt(4) : random.nextInt(256);
        }
    }
}
