package vpce.acl;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Small fixtures for the behaviour tests: every query is asked of both the compiled classifier and the reference
 * evaluator, which must agree, and the agreed answer is returned for the test to assert.
 */
final class Acls
{
    static final int TCP = IpProtocol.TCP;
    static final int UDP = IpProtocol.UDP;
    static final int ICMP = IpProtocol.ICMP;
    static final int ALL = IpProtocol.ALL;

    final CompiledAcls compiled;
    final ReferenceEvaluator reference;

    Acls(final AclModel model)
    {
        compiled = AclCompiler.compile(model);
        reference = new ReferenceEvaluator(model);
    }

    static int ip(final String dotted)
    {
        return Ipv4.parse(dotted);
    }

    /** One subnet with this NACL, one ENI in the VPC default group. */
    static Acls nacl(final NaclEntry... entries)
    {
        return nacl(new NetworkAcl("acl-1", List.of(entries)));
    }

    static Acls nacl(final NetworkAcl nacl)
    {
        return new Acls(new AclModel(List.of(nacl), List.of(nacl.id()), List.of(SecurityGroup.vpcDefault("sg-d")),
            List.of(List.of("sg-d")), Map.of()));
    }

    /** A default NACL and these groups, one ENI per list of group ids. */
    static Acls groups(
        final List<SecurityGroup> groups, final Map<String, int[]> members, final List<List<String>> groupsOfEni)
    {
        return new Acls(new AclModel(List.of(NetworkAcl.defaultAllowAll("acl-d")), List.of("acl-d"), groups,
            groupsOfEni, members));
    }

    int naclIngress(final String source, final int protocol, final int port, final int code)
    {
        final int compiledVerdict = compiled.naclIngress(0, ip(source), protocol, port, code);
        assertEquals(reference.naclIngress(0, ip(source), protocol, port, code), compiledVerdict,
            "compiled vs reference, ingress from " + source);
        return compiledVerdict;
    }

    int naclEgress(final String destination, final int protocol, final int port, final int code)
    {
        final int compiledVerdict = compiled.naclEgress(0, ip(destination), protocol, port, code);
        assertEquals(reference.naclEgress(0, ip(destination), protocol, port, code), compiledVerdict,
            "compiled vs reference, egress to " + destination);
        return compiledVerdict;
    }

    int sgInbound(final int eni, final String source, final int protocol, final int port, final int code)
    {
        final int rule = compiled.sgInbound(eni, ip(source), protocol, port, code);
        assertEquals(reference.sgInbound(eni, ip(source), protocol, port, code), rule,
            "compiled vs reference, inbound from " + source);
        return rule;
    }

    int sgOutbound(final int eni, final String destination, final int protocol, final int port, final int code)
    {
        final int rule = compiled.sgOutbound(eni, ip(destination), protocol, port, code);
        assertEquals(reference.sgOutbound(eni, ip(destination), protocol, port, code), rule,
            "compiled vs reference, outbound to " + destination);
        return rule;
    }

    /** The id of the rule that allowed, or "DENY". */
    String sgInboundRule(final int eni, final String source, final int protocol, final int port, final int code)
    {
        final int rule = sgInbound(eni, source, protocol, port, code);
        return Verdict.DENY == rule ? "DENY" : compiled.sgRuleId(eni, rule);
    }

    String sgOutboundRule(final int eni, final String destination, final int protocol, final int port, final int code)
    {
        final int rule = sgOutbound(eni, destination, protocol, port, code);
        return Verdict.DENY == rule ? "DENY" : compiled.sgRuleId(eni, rule);
    }
}
