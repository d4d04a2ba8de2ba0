package vpce.acl;

/**
 * IPv4 addresses as ints (10.0.1.2 == 0x0A000102) and CIDR blocks as (address, prefix length) pairs.
 */
public final class Ipv4
{
    private Ipv4()
    {
    }

    /**
     * @param dotted e.g. {@code "10.0.1.2"}.
     * @return the address as an int, most significant octet first.
     * @throws IllegalArgumentException if it is not four decimal octets.
     */
    public static int parse(final String dotted)
    {
        final String[] octets = dotted.split("\\.", -1);
        if (4 != octets.length)
        {
            throw new IllegalArgumentException("not an IPv4 address: '" + dotted + "'");
        }

        int address = 0;
        for (final String octet : octets)
        {
            final int value;
            try
            {
                value = octet.isEmpty() || octet.length() > 3 ? -1 : Integer.parseInt(octet);
            }
            catch (final NumberFormatException ex)
            {
                throw new IllegalArgumentException("not an IPv4 address: '" + dotted + "'", ex);
            }
            if (value < 0 || value > 255)
            {
                throw new IllegalArgumentException("not an IPv4 address: '" + dotted + "'");
            }
            address = (address << 8) | value;
        }

        return address;
    }

    public static String format(final int address)
    {
        return (address >>> 24) + "." + ((address >>> 16) & 0xFF) + "." + ((address >>> 8) & 0xFF) + "." +
            (address & 0xFF);
    }

    /**
     * @param prefixLength 0..32.
     * @return the network mask; a shift by 32 is a shift by 0 in Java, hence the special case for /0.
     */
    public static int mask(final int prefixLength)
    {
        return 0 == prefixLength ? 0 : -1 << (32 - prefixLength);
    }

    public static boolean contains(final int cidrAddress, final int prefixLength, final int address)
    {
        return ((cidrAddress ^ address) & mask(prefixLength)) == 0;
    }

    /**
     * Checks a CIDR block as EC2 does: prefix length 0..32 and no host bits set (EC2 rejects 10.0.0.1/16).
     *
     * @param field the name to put in the message.
     */
    static void validateCidr(final String field, final int cidrAddress, final int prefixLength)
    {
        if (prefixLength < 0 || prefixLength > 32)
        {
            throw new IllegalArgumentException(field + ": prefix length " + prefixLength + " is not in 0..32");
        }
        if ((cidrAddress & ~mask(prefixLength)) != 0)
        {
            throw new IllegalArgumentException(field + ": '" + format(cidrAddress) + "/" + prefixLength +
                "' has host bits set; the block is " + format(cidrAddress & mask(prefixLength)) + "/" + prefixLength);
        }
    }
}
