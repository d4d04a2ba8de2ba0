package vpce.mgmt.controlplane;

import vpce.mgmt.ApiException;

import java.util.Locale;

/** Protocol and port rules of security groups and network ACLs, normalized as EC2 stores them. */
final class SecurityGroupRules
{
    private SecurityGroupRules()
    {
    }

    /** @return true for the protocols whose rules carry ports (tcp, udp) or ICMP type/code (icmp). */
    static boolean hasPorts(final String ipProtocol)
    {
        return "tcp".equals(ipProtocol) || "udp".equals(ipProtocol) || "icmp".equals(ipProtocol);
    }

    /** @return {@code tcp|udp|icmp|-1} or another protocol number as text; IPv6-only protocols are refused. */
    static String securityGroupProtocol(final String text)
    {
        if (text == null || text.isEmpty())
        {
            throw Refusals.missing("IpProtocol");
        }
        final String lower = text.toLowerCase(Locale.ROOT);
        final int number = switch (lower)
        {
            case "tcp" -> 6;
            case "udp" -> 17;
            case "icmp" -> 1;
            case "icmpv6" -> 58;
            case "all", "-1" -> -1;
            default -> protocolNumber(text);
        };
        if (number == 58)
        {
            throw Refusals.invalidValue("IpProtocol", text, "ICMPv6 needs IPv6, which this appliance does not carry.");
        }
        return switch (number)
        {
            case 6 -> "tcp";
            case 17 -> "udp";
            case 1 -> "icmp";
            case -1 -> "-1";
            default -> Integer.toString(number);
        };
    }

    /** @return the network ACL spelling: the protocol number as text ({@code -1} for all). */
    static String networkAclProtocol(final String text)
    {
        return switch (securityGroupProtocol(text))
        {
            case "tcp" -> "6";
            case "udp" -> "17";
            case "icmp" -> "1";
            case String other -> other;
        };
    }

    private static int protocolNumber(final String text)
    {
        try
        {
            final int number = Integer.parseInt(text);
            if (number >= 0 && number <= 255)
            {
                return number;
            }
        }
        catch (final NumberFormatException ignored)
        {
            // falls through to the refusal
        }
        throw new ApiException("InvalidParameterValue", "Invalid value '" + text + "' for IP protocol. Unknown protocol.");
    }

    /** @return {from, to}: ports for tcp/udp (both required, 0..65535, from <= to), type/code for icmp, else -1/-1. */
    static int[] ports(final String protocol, final Integer from, final Integer to)
    {
        switch (protocol)
        {
            case "tcp", "udp" ->
            {
                if (from == null || to == null)
                {
                    throw new ApiException("InvalidParameterValue",
                        "Invalid value for portRange. Must specify both from and to ports with TCP/UDP.");
                }
                if (from < 0 || to > 65535 || from > to)
                {
                    throw new ApiException("InvalidParameterValue",
                        "Invalid port range " + from + "-" + to + ": ports are 0..65535 and from <= to.");
                }
                return new int[]{from, to};
            }
            case "icmp" ->
            {
                final int type = from == null ? -1 : from;
                final int code = to == null ? -1 : to;
                if (type < -1 || type > 255 || code < -1 || code > 255)
                {
                    throw new ApiException("InvalidParameterValue", "Invalid ICMP type " + type + " or code " + code + ".");
                }
                return new int[]{type, code};
            }
            default ->
            {
                return new int[]{-1, -1};
            }
        }
    }
}
