package vpce.acl;

/**
 * Validation shared by NACL entries and security group rules: both carry EC2's protocol, port range and ICMP
 * type/code with the same meaning.
 */
final class RuleFields
{
    private RuleFields()
    {
    }

    static void validate(
        final String what,
        final int protocol,
        final int fromPort,
        final int toPort,
        final int icmpType,
        final int icmpCode)
    {
        if (protocol < -1 || protocol > 255)
        {
            throw new IllegalArgumentException(what + ": protocol " + protocol + " is not -1 (all) or 0..255");
        }
        if (IpProtocol.hasPorts(protocol))
        {
            if (fromPort < 0 || fromPort > 65535)
            {
                throw new IllegalArgumentException(what + ": fromPort " + fromPort + " is not in 0..65535");
            }
            if (toPort < fromPort || toPort > 65535)
            {
                throw new IllegalArgumentException(
                    what + ": toPort " + toPort + " is not in fromPort (" + fromPort + ")..65535");
            }
        }
        else if (IpProtocol.ICMP == protocol)
        {
            if (icmpType < -1 || icmpType > 255)
            {
                throw new IllegalArgumentException(what + ": icmpType " + icmpType + " is not -1 (any) or 0..255");
            }
            if (icmpCode < -1 || icmpCode > 255)
            {
                throw new IllegalArgumentException(what + ": icmpCode " + icmpCode + " is not -1 (any) or 0..255");
            }
            // EC2 API (IpPermission): "If you specify all ICMP types, you must specify all ICMP codes."
            if (-1 == icmpType && -1 != icmpCode)
            {
                throw new IllegalArgumentException(
                    what + ": icmpCode " + icmpCode + " with icmpType -1: all types requires all codes (-1)");
            }
        }
    }

    /**
     * The rule's range over the 16-bit key the classifier indexes for its own protocol: the destination port for
     * TCP/UDP, {@code type << 8 | code} for ICMP, the whole space for anything else (EC2 ignores ports there).
     *
     * @return {@code low << 16 | high}.
     */
    static int keyRange(final int protocol, final int fromPort, final int toPort, final int icmpType, final int icmpCode)
    {
        if (IpProtocol.hasPorts(protocol))
        {
            return (fromPort << 16) | toPort;
        }
        if (IpProtocol.ICMP == protocol)
        {
            if (-1 == icmpType)
            {
                return 0xFFFF;
            }
            if (-1 == icmpCode)
            {
                return (icmpType << 24) | (icmpType << 8) | 0xFF;
            }
            final int key = (icmpType << 8) | icmpCode;
            return (key << 16) | key;
        }
        return 0xFFFF;
    }

    /**
     * The documented match on protocol, port range and ICMP type/code, written plainly for the reference evaluator.
     */
    static boolean matchesProtocolAndPorts(
        final int ruleProtocol,
        final int fromPort,
        final int toPort,
        final int icmpType,
        final int icmpCode,
        final int protocol,
        final int destinationPortOrIcmpType,
        final int packetIcmpCode)
    {
        if (IpProtocol.ALL == ruleProtocol)
        {
            return true;
        }
        if (ruleProtocol != protocol)
        {
            return false;
        }
        if (IpProtocol.hasPorts(ruleProtocol))
        {
            return destinationPortOrIcmpType >= fromPort && destinationPortOrIcmpType <= toPort;
        }
        if (IpProtocol.ICMP == ruleProtocol)
        {
            return (-1 == icmpType || icmpType == destinationPortOrIcmpType) &&
                (-1 == icmpCode || icmpCode == packetIcmpCode);
        }
        return true;
    }
}
