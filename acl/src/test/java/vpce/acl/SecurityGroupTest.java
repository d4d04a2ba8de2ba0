package vpce.acl;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static vpce.acl.Acls.ALL;
import static vpce.acl.Acls.ICMP;
import static vpce.acl.Acls.TCP;
import static vpce.acl.Acls.UDP;
import static vpce.acl.Acls.ip;

class SecurityGroupTest
{
    private static final boolean INBOUND = false;
    private static final boolean OUTBOUND = true;

    @Test
    void allowOnlyUnionAcrossTheEnisGroups()
    {
        final SecurityGroup ssh = new SecurityGroup("sg-ssh", List.of(
            SgRule.cidr("sgr-ssh", INBOUND, TCP, 22, 22, ip("10.0.0.0"), 16)));
        final SecurityGroup https = new SecurityGroup("sg-https", List.of(
            SgRule.cidr("sgr-out", OUTBOUND, ALL, 0, 0, 0, 0),
            SgRule.cidr("sgr-https", INBOUND, TCP, 443, 443, 0, 0)));
        final Acls acls = Acls.groups(List.of(ssh, https), Map.of(),
            List.of(List.of("sg-ssh", "sg-https"), List.of("sg-ssh")));

        assertEquals("sgr-ssh", acls.sgInboundRule(0, "10.0.1.10", TCP, 22, 0));
        assertEquals("sgr-https", acls.sgInboundRule(0, "198.51.100.1", TCP, 443, 0));
        assertEquals("sg-https", acls.compiled.sgGroupId(0, acls.sgInbound(0, "198.51.100.1", TCP, 443, 0)));
        assertEquals("DENY", acls.sgInboundRule(0, "198.51.100.1", TCP, 22, 0), "no group allows ssh from outside");
        assertEquals("DENY", acls.sgInboundRule(1, "198.51.100.1", TCP, 443, 0), "ENI 1 lacks sg-https");
        assertEquals("DENY", acls.sgOutboundRule(1, "198.51.100.1", TCP, 443, 0), "sg-ssh has no outbound rule");
        assertEquals("sgr-out", acls.sgOutboundRule(0, "198.51.100.1", UDP, 53, 0));
    }

    @Test
    void whenSeveralRulesAllowTheFirstInGroupThenRuleOrderIsReported()
    {
        final SecurityGroup first = new SecurityGroup("sg-1", List.of(
            SgRule.cidr("sgr-narrow", INBOUND, TCP, 80, 80, ip("10.0.1.0"), 24)));
        final SecurityGroup second = new SecurityGroup("sg-2", List.of(
            SgRule.cidr("sgr-wide", INBOUND, ALL, 0, 0, 0, 0)));
        final Acls acls = Acls.groups(List.of(first, second), Map.of(), List.of(List.of("sg-2", "sg-1")));

        assertEquals("sgr-wide", acls.sgInboundRule(0, "10.0.1.5", TCP, 80, 0));
        assertEquals(0, acls.sgInbound(0, "10.0.1.5", TCP, 80, 0));
    }

    @Test
    void referencedGroupMatchesItsMembersAndNoOtherAddress()
    {
        final SecurityGroup web = new SecurityGroup("sg-web", List.of(
            SgRule.group("sgr-to-db", OUTBOUND, TCP, 5432, 5432, "sg-db")));
        final SecurityGroup db = new SecurityGroup("sg-db", List.of(
            SgRule.group("sgr-from-web", INBOUND, TCP, 5432, 5432, "sg-web")));
        final Acls acls = Acls.groups(List.of(web, db),
            Map.of("sg-web", new int[]{ ip("10.0.1.10"), ip("10.0.2.11") }, "sg-db", new int[]{ ip("10.0.3.5") }),
            List.of(List.of("sg-db"), List.of("sg-web")));

        assertEquals("sgr-from-web", acls.sgInboundRule(0, "10.0.1.10", TCP, 5432, 0));
        assertEquals("sgr-from-web", acls.sgInboundRule(0, "10.0.2.11", TCP, 5432, 0));
        assertEquals("DENY", acls.sgInboundRule(0, "10.0.1.11", TCP, 5432, 0), "a neighbour, not a member");
        assertEquals("DENY", acls.sgInboundRule(0, "10.0.1.9", TCP, 5432, 0));
        assertEquals("DENY", acls.sgInboundRule(0, "10.0.1.10", TCP, 5433, 0), "member, wrong port");
        assertEquals("sgr-to-db", acls.sgOutboundRule(1, "10.0.3.5", TCP, 5432, 0));
        assertEquals("DENY", acls.sgOutboundRule(1, "10.0.3.6", TCP, 5432, 0));
    }

    @Test
    void referencedGroupWithoutMembersMatchesNothing()
    {
        final SecurityGroup app = new SecurityGroup("sg-app", List.of(
            SgRule.group("sgr-from-empty", INBOUND, ALL, 0, 0, "sg-empty")));
        final Acls acls = Acls.groups(List.of(app, new SecurityGroup("sg-empty", List.of())), Map.of(),
            List.of(List.of("sg-app")));

        assertEquals("DENY", acls.sgInboundRule(0, "0.0.0.0", TCP, 80, 0));
        assertEquals("DENY", acls.sgInboundRule(0, "10.0.1.10", ICMP, 8, 0));
    }

    @Test
    void defaultSecurityGroupAllowsInboundFromItsMembersAndAllOutbound()
    {
        final Acls acls = Acls.groups(List.of(SecurityGroup.vpcDefault("sg-default")),
            Map.of("sg-default", new int[]{ ip("10.0.1.10"), ip("10.0.1.20") }), List.of(List.of("sg-default")));

        for (final int protocol : new int[]{ TCP, UDP, ICMP, 47 })
        {
            assertEquals("sg-default-ingress-self", acls.sgInboundRule(0, "10.0.1.10", protocol, 80, 0));
            assertEquals("DENY", acls.sgInboundRule(0, "10.0.1.11", protocol, 80, 0));
            assertEquals("sg-default-egress-all", acls.sgOutboundRule(0, "8.8.8.8", protocol, 53, 0));
        }
    }

    @Test
    void inboundMatchesSourceAndOutboundMatchesDestination()
    {
        final SecurityGroup group = new SecurityGroup("sg-1", List.of(
            SgRule.cidr("sgr-in", INBOUND, TCP, 80, 80, ip("10.0.1.0"), 24),
            SgRule.cidr("sgr-out", OUTBOUND, TCP, 8080, 8080, ip("10.100.0.0"), 24)));
        final Acls acls = Acls.groups(List.of(group), Map.of(), List.of(List.of("sg-1")));

        assertEquals("sgr-in", acls.sgInboundRule(0, "10.0.1.10", TCP, 80, 0));
        assertEquals("DENY", acls.sgInboundRule(0, "10.100.0.10", TCP, 80, 0));
        assertEquals("sgr-out", acls.sgOutboundRule(0, "10.100.0.10", TCP, 8080, 0));
        assertEquals("DENY", acls.sgOutboundRule(0, "10.0.1.10", TCP, 8080, 0));
    }

    @Test
    void portRangeAndIcmpTypeCodeApplyToSecurityGroupRules()
    {
        final SecurityGroup group = new SecurityGroup("sg-1", List.of(
            SgRule.cidr("sgr-ephemeral", INBOUND, UDP, 1024, 65535, 0, 0),
            SgRule.icmp("sgr-unreachable", INBOUND, 3, -1, 0, 0),
            SgRule.icmp("sgr-echo", INBOUND, 8, 0, 0, 0)));
        final Acls acls = Acls.groups(List.of(group), Map.of(), List.of(List.of("sg-1")));

        assertEquals("DENY", acls.sgInboundRule(0, "10.0.1.10", UDP, 1023, 0));
        assertEquals("sgr-ephemeral", acls.sgInboundRule(0, "10.0.1.10", UDP, 1024, 0));
        assertEquals("DENY", acls.sgInboundRule(0, "10.0.1.10", TCP, 2000, 0));
        assertEquals("sgr-unreachable", acls.sgInboundRule(0, "10.0.1.10", ICMP, 3, 13));
        assertEquals("sgr-echo", acls.sgInboundRule(0, "10.0.1.10", ICMP, 8, 0));
        assertEquals("DENY", acls.sgInboundRule(0, "10.0.1.10", ICMP, 8, 1));
        assertEquals("DENY", acls.sgInboundRule(0, "10.0.1.10", ICMP, 0, 0));
    }

    @Test
    void enisWithTheSameGroupListShareOneClassifier()
    {
        final Acls acls = Acls.groups(List.of(SecurityGroup.vpcDefault("sg-a"), SecurityGroup.vpcDefault("sg-b")),
            Map.of(), List.of(List.of("sg-a", "sg-b"), List.of("sg-b"), List.of("sg-a", "sg-b")));

        assertSame(acls.compiled.sgInboundClassifier(0), acls.compiled.sgInboundClassifier(2));
        assertEquals("sg-b-egress-all", acls.compiled.sgRuleId(1, acls.sgOutbound(1, "1.1.1.1", TCP, 1, 0)));
        assertEquals(3, acls.compiled.eniCount());
    }
}
