package vpce.appliance.config;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/** The {@code dns} section: see {@link ApplianceConfig.Dns}. */
final class DnsConfigValidator
{
    private static final Pattern VPC_ID = Pattern.compile("vpc-[0-9a-f]{8,17}");

    private DnsConfigValidator()
    {
    }

    static ApplianceModel.DnsSpec dns(final ApplianceConfig.Dns dns) throws ConfigException
    {
        if (dns == null)
        {
            return null;
        }
        final List<String> listenText = dns.listen() == null || dns.listen().isEmpty() ?
            List.of(ApplianceModel.DnsSpec.DEFAULT_LISTEN) : dns.listen();
        final List<InetSocketAddress> listen = new ArrayList<>();
        for (int i = 0; i < listenText.size(); i++)
        {
            listen.add(socketAddress(listenText.get(i), "dns.listen[" + i + "]", -1));
        }
        final InetSocketAddress upstream = dns.upstream() == null ? null : socketAddress(dns.upstream(), "dns.upstream", 53);
        final int rate = dns.rateLimitPerSecond() == null ? ApplianceModel.DnsSpec.DEFAULT_RATE_LIMIT_PER_SECOND : dns.rateLimitPerSecond();
        if (rate < 0)
        {
            throw ConfigValidator.bad("dns.rateLimitPerSecond", rate, "must be 0 (no limit) or more");
        }
        final int payload = dns.maxUdpPayload() == null ? ApplianceModel.DnsSpec.DEFAULT_MAX_UDP_PAYLOAD : dns.maxUdpPayload();
        if (payload < 512 || payload > 65_535)
        {
            throw ConfigValidator.bad("dns.maxUdpPayload", payload, "must be 512..65535");
        }
        final int timeout = dns.upstreamTimeoutMs() == null ? ApplianceModel.DnsSpec.DEFAULT_UPSTREAM_TIMEOUT_MS : dns.upstreamTimeoutMs();
        if (timeout < 10 || timeout > 60_000)
        {
            throw ConfigValidator.bad("dns.upstreamTimeoutMs", timeout, "must be 10..60000");
        }
        final Map<String, Integer> resolvers = new LinkedHashMap<>();
        final List<ApplianceConfig.DnsResolver> given = dns.resolvers() == null ? List.of() : dns.resolvers();
        for (int i = 0; i < given.size(); i++)
        {
            final String at = "dns.resolvers[" + i + "]";
            final String vpc = ConfigValidator.required(given.get(i).vpc(), at + ".vpc").trim();
            if (!VPC_ID.matcher(vpc).matches())
            {
                throw ConfigValidator.bad(at + ".vpc", vpc, "is not a VPC id");
            }
            if (resolvers.put(vpc, ConfigValidator.address(given.get(i).address(), at + ".address")) != null)
            {
                throw ConfigValidator.bad(at + ".vpc", vpc, "has a resolver address already");
            }
        }
        return new ApplianceModel.DnsSpec(List.copyOf(listen), upstream, rate, payload, timeout, Map.copyOf(resolvers));
    }

    /** "a.b.c.d:port", or "a.b.c.d" when a default port is given. */
    private static InetSocketAddress socketAddress(final String text, final String at, final int defaultPort) throws ConfigException
    {
        final String trimmed = text.trim();
        final int colon = trimmed.lastIndexOf(':');
        if (colon < 0 && defaultPort < 0)
        {
            throw ConfigValidator.bad(at, text, "is not address:port");
        }
        final int address;
        try
        {
            address = Ipv4.parseAddress(colon < 0 ? trimmed : trimmed.substring(0, colon));
        }
        catch (final IllegalArgumentException ex)
        {
            throw ConfigValidator.bad(at, text, "is not an IPv4 address");
        }
        final int port;
        try
        {
            port = colon < 0 ? defaultPort : Integer.parseInt(trimmed.substring(colon + 1));
        }
        catch (final NumberFormatException ex)
        {
            throw ConfigValidator.bad(at, text, "has no port number");
        }
        if (port < 0 || port > 65_535 || (port == 0 && defaultPort > 0))
        {
            throw ConfigValidator.bad(at, text, "has a port out of range");
        }
        try
        {
            return new InetSocketAddress(InetAddress.getByAddress(new byte[] {
                (byte)(address >>> 24), (byte)(address >>> 16), (byte)(address >>> 8), (byte)address}), port);
        }
        catch (final UnknownHostException ex)
        {
            throw new IllegalStateException(ex);
        }
    }
}
