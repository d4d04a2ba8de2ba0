package vpce.dns;

import java.net.InetSocketAddress;
import java.util.List;

/**
 * @param listen             UDP and TCP listeners; an address of 0.0.0.0 takes queries on every address, and the
 *                           VPC is then decided by the source address (see {@link DnsZoneSnapshot#vpcOf}).
 * @param upstream           where names we do not own go; null: they are REFUSED.
 * @param rateLimitPerSecond packets per second per source; 0: no limit.
 * @param maxUdpPayload      the largest UDP answer, advertised in OPT (RFC 6891; 1232 by the 2020 DNS flag day).
 * @param upstreamTimeoutMs  how long a forwarded query waits before the client gets SERVFAIL.
 */
public record DnsResponderConfig(List<InetSocketAddress> listen, InetSocketAddress upstream, int rateLimitPerSecond,
    int maxUdpPayload, long upstreamTimeoutMs)
{
    public static final int DEFAULT_MAX_UDP_PAYLOAD = 1232;
    public static final long DEFAULT_UPSTREAM_TIMEOUT_MS = 2_000;

    public DnsResponderConfig
    {
        listen = List.copyOf(listen);
    }
}
