package vpce.mgmt.controlplane;

/**
 * An IPv4 prefix in canonical form (host bits zero), addresses as ints (10.0.1.2 == 0x0A000102). The control plane
 * keeps CIDRs as text in its records (that is what both APIs show and what the store writes) and parses them here
 * when it needs arithmetic. mgmt-api cannot use the appliance's parser (dependencies point appliance -> mgmt-api).
 */
public record Ipv4Cidr(int network, int prefixLength)
{
    public Ipv4Cidr
    {
        if (prefixLength < 0 || prefixLength > 32)
        {
            throw new IllegalArgumentException("prefix length " + prefixLength);
        }
        if ((network & ~mask(prefixLength)) != 0)
        {
            throw new IllegalArgumentException("host bits set");
        }
    }

    /**
     * @return the parsed block, or null when the text is not a canonical IPv4 CIDR ("10.0.0.0/16"; "10.0.0.1/16",
     * "10.0.0.0", " 10.0.0.0/16" and leading zeros are not).
     */
    public static Ipv4Cidr parseOrNull(final String text)
    {
        if (text == null)
        {
            return null;
        }
        final int slash = text.indexOf('/');
        if (slash < 0)
        {
            return null;
        }
        final long address = parseAddressOrMinusOne(text.substring(0, slash));
        final String lengthText = text.substring(slash + 1);
        if (address < 0 || lengthText.isEmpty() || lengthText.length() > 2 || !isDigits(lengthText) ||
            (lengthText.length() == 2 && lengthText.charAt(0) == '0'))
        {
            return null;
        }
        final int prefixLength = Integer.parseInt(lengthText);
        if (prefixLength > 32 || (((int)address) & ~mask(prefixLength)) != 0)
        {
            return null;
        }
        return new Ipv4Cidr((int)address, prefixLength);
    }

    /**
     * @return the address as an unsigned value in a long, or -1 when the text is not a dotted quad without leading
     * zeros.
     */
    public static long parseAddressOrMinusOne(final String text)
    {
        if (text == null)
        {
            return -1;
        }
        final String[] parts = text.split("\\.", -1);
        if (parts.length != 4)
        {
            return -1;
        }
        long address = 0;
        for (final String part : parts)
        {
            if (part.isEmpty() || part.length() > 3 || !isDigits(part) || (part.length() > 1 && part.charAt(0) == '0'))
            {
                return -1;
            }
            final int octet = Integer.parseInt(part);
            if (octet > 255)
            {
                return -1;
            }
            address = (address << 8) | octet;
        }
        return address;
    }

    public static String formatAddress(final int address)
    {
        return ((address >>> 24) & 0xFF) + "." + ((address >>> 16) & 0xFF) + "." + ((address >>> 8) & 0xFF) + "." +
            (address & 0xFF);
    }

    public static int mask(final int prefixLength)
    {
        return prefixLength == 0 ? 0 : -1 << (32 - prefixLength);
    }

    public int mask()
    {
        return mask(prefixLength);
    }

    /** @return the number of addresses in the block (2^(32-prefix)). */
    public long size()
    {
        return 1L << (32 - prefixLength);
    }

    public int broadcast()
    {
        return network | ~mask();
    }

    public boolean contains(final int address)
    {
        return (address & mask()) == network;
    }

    public boolean contains(final Ipv4Cidr other)
    {
        return other.prefixLength >= prefixLength && contains(other.network);
    }

    public boolean overlaps(final Ipv4Cidr other)
    {
        return contains(other.network) || other.contains(network);
    }

    /**
     * The five addresses AWS keeps in every subnet: the network address, +1 (router), +2 (DNS), +3 (reserved) and the
     * broadcast address.
     */
    public boolean isReservedByAws(final int address)
    {
        final int offset = address - network;
        return offset >= 0 && offset <= 3 || address == broadcast();
    }

    @Override
    public String toString()
    {
        return formatAddress(network) + "/" + prefixLength;
    }

    private static boolean isDigits(final String text)
    {
        for (int i = 0; i < text.length(); i++)
        {
            final char c = text.charAt(i);
            if (c < '0' || c > '9')
            {
                return false;
            }
        }
        return true;
    }
}
