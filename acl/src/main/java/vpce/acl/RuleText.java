package vpce.acl;

/**
 * Short human-readable forms for rules, used in toString, test failure reports and {@code explain}.
 */
final class RuleText
{
    private RuleText()
    {
    }

    static String protocolAndPorts(
        final int protocol, final int fromPort, final int toPort, final int icmpType, final int icmpCode)
    {
        if (IpProtocol.ALL == protocol)
        {
            return "all";
        }
        if (IpProtocol.hasPorts(protocol))
        {
            return (IpProtocol.TCP == protocol ? "tcp " : "udp ") + fromPort + "-" + toPort;
        }
        if (IpProtocol.ICMP == protocol)
        {
            return "icmp type " + icmpType + " code " + icmpCode;
        }
        return "proto " + protocol;
    }
}
