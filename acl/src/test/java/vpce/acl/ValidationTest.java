package vpce.acl;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static vpce.acl.Acls.ALL;
import static vpce.acl.Acls.ICMP;
import static vpce.acl.Acls.TCP;
import static vpce.acl.Acls.ip;

/**
 * Quotas and references are enforced with messages that name the field and the value.
 */
class ValidationTest
{
    private static final List<NetworkAcl> NACLS = List.of(NetworkAcl.defaultAllowAll("acl-d"));

    private static String rejected(final Runnable action)
    {
        return assertThrows(IllegalArgumentException.class, action::run).getMessage();
    }

    private static List<SecurityGroup> groups(final int count, final int inboundRulesEach)
    {
        final List<SecurityGroup> groups = new ArrayList<>();
        for (int g = 0; g < count; g++)
        {
            final List<SgRule> rules = new ArrayList<>();
            for (int r = 0; r < inboundRulesEach; r++)
            {
                // A port of its own per rule, so that each rule can be singled out by a packet.
                final int port = 1000 + g * inboundRulesEach + r;
                rules.add(SgRule.cidr("sgr-" + g + "-" + r, false, TCP, port, port, ip("10.0.0.0"), 8));
            }
            groups.add(new SecurityGroup("sg-" + g, rules));
        }
        return groups;
    }

    private static List<String> ids(final List<SecurityGroup> groups)
    {
        return groups.stream().map(SecurityGroup::id).toList();
    }

    @Test
    void groupsPerEniLimitDefaultsToFiveAndIsEnforced()
    {
        final List<SecurityGroup> six = groups(6, 1);
        final AclModel model = new AclModel(NACLS, List.of("acl-d"), six, List.of(ids(six)), Map.of());

        assertEquals("groupsOfEni[0]: 6 security groups exceed maxGroupsPerEni 5",
            rejected(() -> AclCompiler.compile(model)));
    }

    @Test
    void groupsPerEniLimitIsConfigurableUpToSixteen()
    {
        final List<SecurityGroup> sixteen = groups(16, 1);
        final CompiledAcls compiled = AclCompiler.compile(
            new AclModel(NACLS, List.of("acl-d"), sixteen, List.of(ids(sixteen)), Map.of(), 16));
        assertEquals("sgr-15-0", compiled.sgRuleId(0, compiled.sgInbound(0, ip("10.1.1.1"), TCP, 1015, 0)));

        final List<SecurityGroup> seventeen = groups(17, 1);
        assertEquals("groupsOfEni[0]: 17 security groups exceed maxGroupsPerEni 16", rejected(() ->
            AclCompiler.compile(new AclModel(NACLS, List.of("acl-d"), seventeen, List.of(ids(seventeen)),
                Map.of(), 16))));
        assertEquals("maxGroupsPerEni 17 is not in 1..16",
            rejected(() -> new AclModel(NACLS, List.of("acl-d"), sixteen, List.of(), Map.of(), 17)));
    }

    @Test
    void rulesPerEniLimitIsAThousandPerDirection()
    {
        final List<SecurityGroup> thousand = groups(4, 250);
        final CompiledAcls compiled = AclCompiler.compile(
            new AclModel(NACLS, List.of("acl-d"), thousand, List.of(ids(thousand)), Map.of()));
        assertEquals(999, compiled.sgInbound(0, ip("10.9.9.9"), TCP, 1999, 0), "the 1000th rule still matches");
        assertEquals(Verdict.DENY, compiled.sgInbound(0, ip("10.9.9.9"), TCP, 2000, 0));

        final List<SecurityGroup> tooMany = groups(3, 334);
        assertEquals("groupsOfEni[0]: 1002 inbound rules across [sg-0, sg-1, sg-2] exceed the limit of 1000 per " +
            "network interface", rejected(() -> AclCompiler.compile(
            new AclModel(NACLS, List.of("acl-d"), tooMany, List.of(ids(tooMany)), Map.of()))));
    }

    @Test
    void naclEntriesPerDirectionAreLimitedTo255()
    {
        final List<NaclEntry> entries = new ArrayList<>();
        for (int i = 1; i <= 256; i++)
        {
            entries.add(NaclEntry.ports(i, false, TCP, true, 0, 0, i, i));
        }
        final AclModel model = new AclModel(List.of(new NetworkAcl("acl-big", entries)), List.of("acl-big"),
            List.of(SecurityGroup.vpcDefault("sg-d")), List.of(List.of("sg-d")), Map.of());

        assertEquals("network acl acl-big: 256 ingress entries exceed the limit of 255 per direction",
            rejected(() -> AclCompiler.compile(model)));
    }

    @Test
    void unknownReferencesAreRejected()
    {
        final List<SecurityGroup> groups = List.of(SecurityGroup.vpcDefault("sg-d"),
            new SecurityGroup("sg-x", List.of(SgRule.group("sgr-1", false, ALL, 0, 0, "sg-missing"))));

        assertEquals("naclOfSubnet[1]: unknown network acl 'acl-nope'", rejected(() -> AclCompiler.compile(
            new AclModel(NACLS, List.of("acl-d", "acl-nope"), groups.subList(0, 1), List.of(), Map.of()))));
        assertEquals("groupsOfEni[0]: unknown security group 'sg-nope'", rejected(() -> AclCompiler.compile(
            new AclModel(NACLS, List.of(), groups.subList(0, 1), List.of(List.of("sg-nope")), Map.of()))));
        assertEquals("security group sg-x rule sgr-1: referencedGroupId 'sg-missing' is not a known security group",
            rejected(() -> AclCompiler.compile(new AclModel(NACLS, List.of(), groups, List.of(), Map.of()))));
        assertEquals("members: 'sg-ghost' is not a known security group", rejected(() -> new ReferenceEvaluator(
            new AclModel(NACLS, List.of(), groups.subList(0, 1), List.of(), Map.of("sg-ghost", new int[]{ 1 })))));
        assertEquals("groupsOfEni[0]: security group 'sg-d' appears twice", rejected(() -> AclCompiler.compile(
            new AclModel(NACLS, List.of(), groups.subList(0, 1), List.of(List.of("sg-d", "sg-d")), Map.of()))));
        assertEquals("groupsOfEni[0]: an ENI has at least one security group", rejected(() -> AclCompiler.compile(
            new AclModel(NACLS, List.of(), groups.subList(0, 1), List.of(List.of()), Map.of()))));
    }

    @Test
    void naclEntryFieldsAreValidatedWithTheirNameAndValue()
    {
        assertEquals("nacl entry 0 (ingress): ruleNumber 0 is not in 1..32766",
            rejected(() -> NaclEntry.allTraffic(0, false, true, 0, 0)));
        assertEquals("nacl entry 32767 (egress): ruleNumber 32767 is not in 1..32766",
            rejected(() -> NaclEntry.allTraffic(32767, true, true, 0, 0)));
        assertEquals("nacl entry 100 (ingress): protocol 256 is not -1 (all) or 0..255",
            rejected(() -> new NaclEntry(100, false, 256, true, 0, 0, 0, 0, -1, -1)));
        assertEquals("nacl entry 100 (ingress): toPort 79 is not in fromPort (80)..65535",
            rejected(() -> NaclEntry.ports(100, false, TCP, true, 0, 0, 80, 79)));
        assertEquals("nacl entry 100 (ingress): fromPort 70000 is not in 0..65535",
            rejected(() -> NaclEntry.ports(100, false, TCP, true, 0, 0, 70000, 70000)));
        assertEquals("nacl entry 100 (ingress): icmpCode 3 with icmpType -1: all types requires all codes (-1)",
            rejected(() -> NaclEntry.icmp(100, false, true, 0, 0, -1, 3)));
        assertEquals("nacl entry 100 (ingress): icmpType 256 is not -1 (any) or 0..255",
            rejected(() -> new NaclEntry(100, false, ICMP, true, 0, 0, 0, 0, 256, 0)));
        assertEquals("nacl entry 100 (ingress): cidr: '10.0.1.7/24' has host bits set; the block is 10.0.1.0/24",
            rejected(() -> NaclEntry.allTraffic(100, false, true, ip("10.0.1.7"), 24)));
        assertEquals("nacl entry 100 (ingress): cidr: prefix length 33 is not in 0..32",
            rejected(() -> NaclEntry.allTraffic(100, false, true, 0, 33)));
        assertEquals("network acl acl-1: ruleNumber 100 appears twice in the ingress entries",
            rejected(() -> new NetworkAcl("acl-1", List.of(NaclEntry.allTraffic(100, false, true, 0, 0),
                NaclEntry.allTraffic(100, true, true, 0, 0), NaclEntry.allTraffic(100, false, false, 0, 0)))));
    }

    @Test
    void securityGroupRuleFieldsAreValidatedWithTheirNameAndValue()
    {
        assertEquals("security group rule sgr-1: names group sg-a and cidr 10.0.0.0/8; a rule has one or the other",
            rejected(() -> new SgRule("sgr-1", false, ALL, 0, 0, -1, -1, ip("10.0.0.0"), 8, "sg-a")));
        assertEquals("security group rule sgr-1: toPort 65536 is not in fromPort (0)..65535",
            rejected(() -> SgRule.cidr("sgr-1", false, TCP, 0, 65536, 0, 0)));
        assertEquals("security group sg-1: ruleId sgr-1 appears twice", rejected(() -> new SecurityGroup("sg-1",
            List.of(SgRule.cidr("sgr-1", false, ALL, 0, 0, 0, 0), SgRule.cidr("sgr-1", true, ALL, 0, 0, 0, 0)))));
        assertEquals("not an IPv4 address: '10.0.1'", rejected(() -> Ipv4.parse("10.0.1")));
        assertEquals("not an IPv4 address: '10.0.1.256'", rejected(() -> Ipv4.parse("10.0.1.256")));
    }
}
