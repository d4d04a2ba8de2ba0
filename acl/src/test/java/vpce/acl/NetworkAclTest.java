package vpce.acl;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static vpce.acl.Acls.ALL;
import static vpce.acl.Acls.ICMP;
import static vpce.acl.Acls.TCP;
import static vpce.acl.Acls.UDP;
import static vpce.acl.Acls.ip;

class NetworkAclTest
{
    private static final boolean INGRESS = false;
    private static final boolean EGRESS = true;

    @Test
    void lowestNumberWinsWhateverTheListOrder()
    {
        // Listed highest first on purpose: evaluation order is by number, not by position.
        final Acls acls = Acls.nacl(
            NaclEntry.ports(200, INGRESS, TCP, true, 0, 0, 80, 80),
            NaclEntry.ports(110, INGRESS, TCP, false, ip("10.0.9.0"), 24, 0, 65535),
            NaclEntry.ports(100, INGRESS, TCP, true, ip("10.0.9.7"), 32, 80, 80));

        assertEquals(Verdict.nacl(true, 100), acls.naclIngress("10.0.9.7", TCP, 80, 0));
        assertEquals(Verdict.nacl(false, 110), acls.naclIngress("10.0.9.8", TCP, 80, 0));
        assertEquals(Verdict.nacl(true, 200), acls.naclIngress("10.0.10.8", TCP, 80, 0));
    }

    @Test
    void implicitDenyWhenNoEntryMatches()
    {
        final Acls acls = Acls.nacl(NaclEntry.ports(100, INGRESS, TCP, true, 0, 0, 443, 443));

        final int verdict = acls.naclIngress("10.0.1.10", TCP, 80, 0);
        assertEquals(Verdict.IMPLICIT_DENY, verdict);
        assertFalse(Verdict.allowed(verdict));
        assertEquals(0, Verdict.ruleNumber(verdict));
        assertEquals("deny by rule *", Verdict.toString(verdict));
        assertTrue(Verdict.allowed(acls.naclIngress("10.0.1.10", TCP, 443, 0)));
    }

    @Test
    void defaultNaclAllowsAllInBothDirections()
    {
        final Acls acls = Acls.nacl(NetworkAcl.defaultAllowAll("acl-default"));

        for (final int protocol : new int[]{ TCP, UDP, ICMP, 0, 47, 255 })
        {
            assertEquals(Verdict.nacl(true, 100), acls.naclIngress("203.0.113.9", protocol, 65535, 7));
            assertEquals(Verdict.nacl(true, 100), acls.naclEgress("0.0.0.0", protocol, 0, 0));
            assertEquals(Verdict.nacl(true, 100), acls.naclEgress("255.255.255.255", protocol, 1, 255));
        }
        assertEquals("acl-default", acls.compiled.naclId(0));
    }

    @Test
    void customNaclDeniesAllInBothDirections()
    {
        final Acls acls = Acls.nacl(NetworkAcl.denyAll("acl-custom"));

        for (final int protocol : new int[]{ TCP, UDP, ICMP, 50 })
        {
            assertEquals(Verdict.IMPLICIT_DENY, acls.naclIngress("10.0.1.10", protocol, 80, 0));
            assertEquals(Verdict.IMPLICIT_DENY, acls.naclEgress("10.0.1.10", protocol, 80, 0));
        }
    }

    @Test
    void portRangeAppliesToTheDestinationPortOfItsOwnProtocol()
    {
        final Acls acls = Acls.nacl(NaclEntry.ports(100, INGRESS, TCP, true, 0, 0, 1024, 65535));

        assertEquals(Verdict.IMPLICIT_DENY, acls.naclIngress("10.0.1.10", TCP, 1023, 0));
        assertEquals(Verdict.nacl(true, 100), acls.naclIngress("10.0.1.10", TCP, 1024, 0));
        assertEquals(Verdict.nacl(true, 100), acls.naclIngress("10.0.1.10", TCP, 65535, 0));
        assertEquals(Verdict.nacl(true, 100), acls.naclIngress("10.0.1.10", TCP, 5000, 99));
        assertEquals(Verdict.IMPLICIT_DENY, acls.naclIngress("10.0.1.10", UDP, 5000, 0), "a TCP entry is not UDP");
    }

    @Test
    void icmpTypeAndCodeMatchWithMinusOneAsAny()
    {
        final Acls acls = Acls.nacl(
            NaclEntry.icmp(100, INGRESS, true, 0, 0, 8, 0),
            NaclEntry.icmp(110, INGRESS, true, 0, 0, 3, -1),
            NaclEntry.icmp(120, INGRESS, false, 0, 0, -1, -1),
            NaclEntry.allTraffic(130, INGRESS, true, 0, 0));

        assertEquals(Verdict.nacl(true, 100), acls.naclIngress("10.0.1.10", ICMP, 8, 0), "echo request");
        assertEquals(Verdict.nacl(false, 120), acls.naclIngress("10.0.1.10", ICMP, 8, 1), "type 8 with code 1");
        assertEquals(Verdict.nacl(true, 110), acls.naclIngress("10.0.1.10", ICMP, 3, 4), "any code of type 3");
        assertEquals(Verdict.nacl(true, 110), acls.naclIngress("10.0.1.10", ICMP, 3, 255));
        assertEquals(Verdict.nacl(false, 120), acls.naclIngress("10.0.1.10", ICMP, 0, 0), "echo reply");
        assertEquals(Verdict.nacl(true, 130), acls.naclIngress("10.0.1.10", TCP, 8, 0), "ICMP entries are ICMP only");
    }

    @Test
    void protocolMinusOneMatchesEveryProtocolAndOtherProtocolsIgnorePorts()
    {
        final Acls acls = Acls.nacl(
            new NaclEntry(100, INGRESS, 47, true, 0, 0, 5, 5, -1, -1),
            NaclEntry.allTraffic(200, INGRESS, false, ip("10.0.0.0"), 8));

        assertEquals(Verdict.nacl(true, 100), acls.naclIngress("10.0.1.10", 47, 9999, 0),
            "GRE: EC2 ignores ports for protocols other than TCP/UDP");
        for (final int protocol : new int[]{ 0, ICMP, TCP, UDP, 50, 255 })
        {
            assertEquals(Verdict.nacl(false, 200), acls.naclIngress("10.0.1.10", protocol, 80, 0));
        }
        assertEquals(Verdict.IMPLICIT_DENY, acls.naclIngress("11.0.0.1", TCP, 80, 0));
    }

    @Test
    void ingressMatchesSourceAndEgressMatchesDestinationCidr()
    {
        final Acls acls = Acls.nacl(
            NaclEntry.allTraffic(100, INGRESS, true, ip("10.0.1.0"), 24),
            NaclEntry.allTraffic(100, EGRESS, true, ip("10.100.0.0"), 24));

        assertEquals(Verdict.nacl(true, 100), acls.naclIngress("10.0.1.10", TCP, 80, 0));
        assertEquals(Verdict.IMPLICIT_DENY, acls.naclIngress("10.0.2.10", TCP, 80, 0));
        assertEquals(Verdict.IMPLICIT_DENY, acls.naclIngress("10.100.0.10", TCP, 80, 0),
            "the egress list does not apply to ingress");
        assertEquals(Verdict.nacl(true, 100), acls.naclEgress("10.100.0.10", TCP, 8080, 0));
        assertEquals(Verdict.IMPLICIT_DENY, acls.naclEgress("10.0.1.10", TCP, 8080, 0),
            "the ingress list does not apply to egress");
    }

    @Test
    void subnetsSharingANaclShareItsCompiledForm()
    {
        final NetworkAcl nacl = NetworkAcl.defaultAllowAll("acl-shared");
        final AclModel model = new AclModel(
            List.of(nacl, NetworkAcl.denyAll("acl-closed")),
            List.of("acl-shared", "acl-closed", "acl-shared"),
            List.of(SecurityGroup.vpcDefault("sg-d")),
            List.of(List.of("sg-d")),
            Map.of());
        final CompiledAcls compiled = AclCompiler.compile(model);

        assertTrue(compiled.naclIngressClassifier(0) == compiled.naclIngressClassifier(2));
        assertTrue(Verdict.allowed(compiled.naclIngress(2, ip("1.2.3.4"), TCP, 80, 0)));
        assertFalse(Verdict.allowed(compiled.naclIngress(1, ip("1.2.3.4"), TCP, 80, 0)));
        assertEquals("acl-closed", compiled.naclId(1));
        assertEquals(3, compiled.subnetCount());
    }

    @Test
    void allProtocolEntryIgnoresPortFieldsAndIcmpFields()
    {
        final Acls acls = Acls.nacl(new NaclEntry(100, EGRESS, ALL, true, 0, 0, 7, 7, 3, 3));

        assertEquals(Verdict.nacl(true, 100), acls.naclEgress("10.0.1.10", TCP, 80, 0));
        assertEquals(Verdict.nacl(true, 100), acls.naclEgress("10.0.1.10", ICMP, 8, 0));
    }
}
