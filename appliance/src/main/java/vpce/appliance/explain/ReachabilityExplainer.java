package vpce.appliance.explain;

import vpce.acl.CompiledAcls;
import vpce.acl.Verdict;
import vpce.appliance.config.Ipv4;
import vpce.appliance.datapath.DatapathSnapshot;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * What AWS's Reachability Analyzer tells for this hop: for a consumer's packet to an ENI, which
 * network ACL entry and which security-group rule decide it, in both directions, using the very
 * classifier the datapath uses. Off the packet path; allocates freely.
 */
public final class ReachabilityExplainer
{
    private static final int PROTOCOL_ICMP = 1;
    private static final int PROTOCOL_TCP = 6;
    private static final int PROTOCOL_UDP = 17;
    /** The rule number reported when no network ACL applies (client and ENI in one subnet). */
    private static final int NOT_APPLICABLE = 32767;

    /**
     * @param allowed whether a new connection (and its replies) would pass.
     * @param eniId the ENI, null when the address is none.
     * @param networkAclId the network ACL of the ENI's subnet.
     * @param ingressEntry the deciding inbound entry's number (0: the final '*' entry; 32767: no
     *     network ACL applies, client and ENI share a subnet).
     * @param ingressAllowed what it decides.
     * @param securityGroupRuleId the inbound rule that allows the connection, null when none does.
     * @param securityGroupId that rule's group.
     * @param egressEntry the deciding outbound entry for the replies (0: '*'; 32767: same subnet;
     *     -1: not TCP/UDP).
     * @param egressAllowed what it decides.
     * @param lines the explanation for people, one finding a line.
     */
    public record Explanation(
        boolean allowed,
        String eniId,
        String networkAclId,
        int ingressEntry,
        boolean ingressAllowed,
        String securityGroupRuleId,
        String securityGroupId,
        int egressEntry,
        boolean egressAllowed,
        List<String> lines)
    {
        @com.fasterxml.jackson.annotation.JsonIgnore
        public String text()
        {
            return String.join(System.lineSeparator(), lines);
        }
    }

    private ReachabilityExplainer()
    {
    }

    /**
     * @param portOrIcmpType destination port on the ENI (TCP/UDP), or the ICMP type.
     * @param sourcePortOrIcmpCode the client's port (the replies' destination), or the ICMP code.
     */
    public static Explanation explain(
        final DatapathSnapshot snapshot,
        final int eniAddress,
        final int sourceAddress,
        final int protocol,
        final int sourcePortOrIcmpCode,
        final int portOrIcmpType)
    {
        final List<String> lines = new ArrayList<>();
        final int eni = snapshot.eniByAddress(eniAddress);
        if (eni == DatapathSnapshot.NOT_FOUND)
        {
            lines.add(Ipv4.format(eniAddress) + " is not an ENI address of this appliance");
            return new Explanation(false, null, null, 0, false, null, null, -1, false, lines);
        }
        final CompiledAcls acls = snapshot.acls();
        final int subnet = snapshot.eniSubnetIndex(eni);
        final boolean ports = protocol == PROTOCOL_TCP || protocol == PROTOCOL_UDP;
        final int icmpCode = protocol == PROTOCOL_ICMP ? sourcePortOrIcmpCode : 0;
        lines.add("ENI " + snapshot.eniIds()[eni] + " " + Ipv4.format(eniAddress) + " (" + snapshot.eniDescription(eni) +
            ", network ACL " + acls.naclId(subnet) + ")");

        final String inbound = ports ?
            Ipv4.format(sourceAddress) + ":" + sourcePortOrIcmpCode + " -> " + Ipv4.format(eniAddress) + ":" + portOrIcmpType :
            Ipv4.format(sourceAddress) + " -> " + Ipv4.format(eniAddress);
        lines.add("inbound  " + inbound + " " + protocolName(protocol) +
            (protocol == PROTOCOL_ICMP ? " type " + portOrIcmpType + " code " + icmpCode : ""));
        // Network ACLs filter what crosses a subnet's boundary: the client's subnet on the way
        // out, the ENI's on the way in; nothing inside one subnet.
        final int clientSubnet = snapshot.subnetOf(sourceAddress, subnet);
        final boolean crossing = clientSubnet != subnet;
        boolean clientSideAllowed = true;
        if (!crossing)
        {
            lines.add("  network ACLs: client and ENI share " + snapshot.subnetId(subnet) + ": no boundary, no network ACL");
        }
        else if (clientSubnet != DatapathSnapshot.NOT_FOUND)
        {
            final int naclOut = acls.naclEgress(clientSubnet, eniAddress, protocol, portOrIcmpType, icmpCode);
            lines.add("  network ACL " + acls.naclId(clientSubnet) + " of the client's " + snapshot.subnetId(clientSubnet) +
                ", egress: " + naclText(naclOut));
            clientSideAllowed = Verdict.allowed(naclOut);
        }
        final int naclIn = crossing ?
            acls.naclIngress(subnet, sourceAddress, protocol, portOrIcmpType, icmpCode) : Verdict.nacl(true, NOT_APPLICABLE);
        if (crossing)
        {
            lines.add("  network ACL ingress: " + naclText(naclIn));
        }
        final int sgIn = acls.sgInbound(eni, sourceAddress, protocol, portOrIcmpType, icmpCode);
        lines.add("  security groups inbound: " + (sgIn == Verdict.DENY ?
            "no rule allows it (deny)" : "allowed by " + acls.sgRuleId(eni, sgIn) + " of " + acls.sgGroupId(eni, sgIn)));

        boolean allowed = clientSideAllowed && Verdict.allowed(naclIn) && sgIn != Verdict.DENY;
        final int targetPort = snapshot.targetPort(eni, portOrIcmpType);
        if (protocol == PROTOCOL_TCP)
        {
            lines.add("  endpoint service: " + (targetPort == DatapathSnapshot.NOT_FOUND ?
                "port " + portOrIcmpType + " is not offered (port_not_offered)" : "port " + portOrIcmpType + " is offered"));
            allowed &= targetPort != DatapathSnapshot.NOT_FOUND;
        }
        if (protocol != PROTOCOL_TCP)
        {
            lines.add("  endpoint: interface endpoints carry TCP only: dropped (non_tcp_to_eni)");
            allowed = false;
        }

        int egressEntry = -1;
        boolean egressAllowed = false;
        if (ports)
        {
            lines.add("replies  " + Ipv4.format(eniAddress) + ":" + portOrIcmpType + " -> " +
                Ipv4.format(sourceAddress) + ":" + sourcePortOrIcmpCode + " " + protocolName(protocol));
            final int naclOut = crossing ?
                acls.naclEgress(subnet, sourceAddress, protocol, sourcePortOrIcmpCode, 0) : Verdict.nacl(true, NOT_APPLICABLE);
            if (crossing)
            {
                lines.add("  network ACL egress: " + naclText(naclOut) + " (stateless: replies need their own entry)");
                if (clientSubnet != DatapathSnapshot.NOT_FOUND)
                {
                    final int clientIn = acls.naclIngress(clientSubnet, eniAddress, protocol, sourcePortOrIcmpCode, 0);
                    lines.add("  network ACL " + acls.naclId(clientSubnet) + " of the client's subnet, ingress: " + naclText(clientIn));
                    allowed &= Verdict.allowed(clientIn);
                }
            }
            final int sgOut = acls.sgOutbound(eni, sourceAddress, protocol, sourcePortOrIcmpCode, 0);
            lines.add("  security groups: replies of an admitted flow pass whatever the outbound rules say (outbound rules: " +
                (sgOut == Verdict.DENY ? "none would allow it" : acls.sgRuleId(eni, sgOut) + " of " + acls.sgGroupId(eni, sgOut)) + ")");
            allowed &= Verdict.allowed(naclOut);
            egressEntry = Verdict.ruleNumber(naclOut);
            egressAllowed = Verdict.allowed(naclOut);
        }
        lines.add("verdict: " + (allowed ? "reachable" : "not reachable"));
        return new Explanation(allowed, snapshot.eniIds()[eni], acls.naclId(subnet),
            Verdict.ruleNumber(naclIn), Verdict.allowed(naclIn),
            sgIn == Verdict.DENY ? null : acls.sgRuleId(eni, sgIn), sgIn == Verdict.DENY ? null : acls.sgGroupId(eni, sgIn),
            egressEntry, egressAllowed, List.copyOf(lines));
    }

    private static String naclText(final int verdict)
    {
        return Verdict.ruleNumber(verdict) == Verdict.IMPLICIT_DENY ?
            "no entry matches: the final '*' entry denies" :
            "entry " + Verdict.ruleNumber(verdict) + " " + (Verdict.allowed(verdict) ? "allows" : "denies");
    }

    public static int parseProtocol(final String text)
    {
        return switch (text.trim().toLowerCase(Locale.ROOT))
        {
            case "tcp" -> PROTOCOL_TCP;
            case "udp" -> PROTOCOL_UDP;
            case "icmp" -> PROTOCOL_ICMP;
            default -> Integer.parseInt(text.trim());
        };
    }

    private static String protocolName(final int protocol)
    {
        return switch (protocol)
        {
            case PROTOCOL_TCP -> "tcp";
            case PROTOCOL_UDP -> "udp";
            case PROTOCOL_ICMP -> "icmp";
            default -> "protocol " + protocol;
        };
    }
}
