package vpce.appliance;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * What the appliance does to the host before it takes a port, so that the kernel stays out of
 * the way: the port must carry no IPv4 address (checked: start-up refuses a port that has one),
 * IPv6 is switched off on it (no link-local address, no router or neighbour solicitations),
 * and the kernel is told not to answer ARP on it (arp_ignore=8). Failures are logged, not
 * fatal: a port in a namespace without those sysctls still forwards.
 */
final class HostSetup
{
    private static final Logger LOG = LoggerFactory.getLogger(HostSetup.class);

    private HostSetup()
    {
    }

    /**
     * @throws IOException when the interface carries an IPv4 address: the kernel would answer ARP
     *     and TCP for it behind the appliance's back.
     */
    static void preparePort(final String interfaceName) throws IOException
    {
        preparePort(interfaceName, false);
    }

    /**
     * @param hostAddresses whether the port may carry /32 addresses of the host's own (a consumer port with the DNS
     *                      responder on: the VPCs' resolver addresses, which the kernel answers ARP for and delivers
     *                      to the responder's sockets, see README "The resolver in the lab"); ARP is then answered
     *                      for those only (arp_ignore=1).
     */
    static void preparePort(final String interfaceName, final boolean hostAddresses) throws IOException
    {
        // The JDK lists only interfaces that have an address: null means none, as wanted (a
        // missing interface is reported when the port opens).
        final NetworkInterface netdev = NetworkInterface.getByName(interfaceName);
        boolean hasHostAddress = false;
        if (netdev != null)
        {
            for (final java.net.InterfaceAddress interfaceAddress : netdev.getInterfaceAddresses())
            {
                final InetAddress address = interfaceAddress.getAddress();
                if (address instanceof Inet4Address && hostAddresses && interfaceAddress.getNetworkPrefixLength() == 32)
                {
                    hasHostAddress = true;
                    continue;
                }
                if (address instanceof Inet4Address)
                {
                    throw new IOException("interface " + interfaceName + " carries the kernel address " +
                        address.getHostAddress() + "; an appliance port must have none" + (hostAddresses ? " but /32 resolver addresses" : "") +
                        " (ip addr flush dev " + interfaceName + ")");
                }
            }
        }
        write("/proc/sys/net/ipv6/conf/" + interfaceName + "/disable_ipv6", "1");
        // 8: do not reply to any ARP request on this interface (Documentation/networking/ip-sysctl.rst).
        // 1: only for an address configured on this interface, the resolver's.
        write("/proc/sys/net/ipv4/conf/" + interfaceName + "/arp_ignore", hasHostAddress ? "1" : "8");
    }

    private static void write(final String file, final String value)
    {
        final Path path = Path.of(file);
        try
        {
            if (Files.exists(path) && !Files.readString(path).trim().equals(value))
            {
                Files.writeString(path, value);
            }
        }
        catch (final IOException | SecurityException ex)
        {
            LOG.warn("could not set {} to {}: {}", file, value, ex.getMessage());
        }
    }
}
