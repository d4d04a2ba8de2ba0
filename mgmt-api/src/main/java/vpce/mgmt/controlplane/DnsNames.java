package vpce.mgmt.controlplane;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The DNS names EC2 gives interface endpoints (reference section 4):
 * <ul>
 * <li>a service's base name: {@code vpce-svc-<hex>.<region>.vpce.amazonaws.com} for a customer service
 * ({@code com.amazonaws.vpce.<region>.vpce-svc-<hex>}), {@code <service part reversed by dots>.<region>.vpce.amazonaws.com}
 * for an AWS service ({@code com.amazonaws.<region>.ecr.api} -> {@code api.ecr.<region>.vpce.amazonaws.com}), and
 * for any other name the service id in place of the service part;</li>
 * <li>an endpoint's regional name {@code vpce-<17hex>-<8 random>.<base>}, one zonal name per subnet zone
 * {@code vpce-<17hex>-<8 random>-<az>.<base>} (same random part), and the service's private DNS name when
 * private DNS is enabled.</li>
 * </ul>
 */
public final class DnsNames
{
    /** The hosted zone of {@code vpce.amazonaws.com} names in us-east-1, as EC2 reports it. */
    public static final String US_EAST_1_VPCE_ZONE_ID = "Z7HUB22UULQXV";
    private static final String ZONE_ID_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

    private DnsNames()
    {
    }

    public static String baseEndpointDnsName(final String serviceName, final String serviceId, final String region)
    {
        final String suffix = "." + region + ".vpce.amazonaws.com";
        final Matcher customer = Pattern.compile("com\\.amazonaws\\.vpce\\." + Pattern.quote(region) + "\\.(vpce-svc-[0-9a-f]+)")
            .matcher(serviceName);
        if (customer.matches())
        {
            return customer.group(1) + suffix;
        }
        final String awsPrefix = "com.amazonaws." + region + ".";
        if (serviceName.startsWith(awsPrefix) && serviceName.length() > awsPrefix.length())
        {
            final String[] parts = serviceName.substring(awsPrefix.length()).split("\\.");
            final List<String> reversed = new ArrayList<>(List.of(parts));
            java.util.Collections.reverse(reversed);
            return String.join(".", reversed) + suffix;
        }
        return serviceId + suffix;
    }

    /** @return the hosted zone id of the region's {@code vpce.amazonaws.com} names (stable; real for us-east-1). */
    public static String vpceHostedZoneId(final String region)
    {
        return "us-east-1".equals(region) ? US_EAST_1_VPCE_ZONE_ID : zoneId("vpce:" + region);
    }

    /** @return the id of the private hosted zone that holds {@code privateDnsName} inside {@code vpcId}. */
    public static String privateHostedZoneId(final String vpcId, final String privateDnsName)
    {
        return zoneId("private:" + vpcId + ":" + privateDnsName);
    }

    /**
     * @return the endpoint's DNS entries: regional, then one zonal name per zone in {@code zones}' order, then the
     * private name if {@code privateDnsName} is not null.
     */
    public static List<DnsEntry> endpointEntries(final String dnsLabel, final String baseName, final String region,
        final List<String> zones, final String vpcId, final String privateDnsName)
    {
        final String zoneId = vpceHostedZoneId(region);
        final List<DnsEntry> entries = new ArrayList<>(zones.size() + 2);
        entries.add(new DnsEntry(dnsLabel + "." + baseName, zoneId, null, false));
        for (final String zone : zones)
        {
            entries.add(new DnsEntry(dnsLabel + "-" + zone + "." + baseName, zoneId, zone, false));
        }
        if (privateDnsName != null)
        {
            entries.add(new DnsEntry(privateDnsName, privateHostedZoneId(vpcId, privateDnsName), null, true));
        }
        return entries;
    }

    /** @return {@code length} lower-case hex digits of SHA-256(text): stable ids for things that are not stored. */
    static String hashHex(final String text, final int length)
    {
        final byte[] digest = sha256(text);
        final StringBuilder hex = new StringBuilder(length);
        for (int i = 0; hex.length() < length; i++)
        {
            hex.append(Character.forDigit((digest[i / 2] >>> (i % 2 == 0 ? 4 : 0)) & 0xF, 16));
        }
        return hex.toString();
    }

    static byte[] sha256(final String text)
    {
        try
        {
            return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
        }
        catch (final NoSuchAlgorithmException ex)
        {
            throw new IllegalStateException(ex);
        }
    }

    private static String zoneId(final String seed)
    {
        final byte[] digest = sha256(seed);
        final StringBuilder id = new StringBuilder("Z");
        for (int i = 0; i < 12; i++)
        {
            id.append(ZONE_ID_ALPHABET.charAt((digest[i] & 0xFF) % ZONE_ID_ALPHABET.length()));
        }
        return id.toString();
    }
}
