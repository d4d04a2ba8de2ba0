package vpce.appliance.config;

/**
 * IPv4 addresses as ints (10.0.1.2 == 0x0A000102) and CIDR blocks, parsed strictly: the
 * configuration and the datapath agree on one representation, and a typo is an error, not a
 * silently different address.
 */
public final class Ipv4
{
    private Ipv4()
    {
    }

    /** Parses dotted-quad notation; throws IllegalArgumentException naming the bad text. */
    public static int parseAddress(final String text)
    {
        if (text == null)
        {
            throw new IllegalArgumentException("missing IPv4 address");
        }
        final String[] parts = text.trim().split("\\.", -1);
        if (parts.length != 4)
        {
            throw new IllegalArgumentException("'" + text + "' is not an IPv4 address");
        }
        int address = 0;
        for (final String part : parts)
        {
            if (part.isEmpty() || part.length() > 3 || !part.chars().allMatch(Character::isDigit))
            {
                throw new IllegalArgumentException("'" + text + "' is not an IPv4 address");
            }
            final int octet = Integer.parseInt(part);
            if (octet > 255)
            {
                throw new IllegalArgumentException("'" + text + "' is not an IPv4 address");
            }
            address = (address << 8) | octet;
        }
        return address;
    }

    public static String format(final int address)
    {
        return ((address >>> 24) & 0xFF) + "." + ((address >>> 16) & 0xFF) + "." +
            ((address >>> 8) & 0xFF) + "." + (address & 0xFF);
    }

    /** An IPv4 prefix; {@code address} is the given address (host bits kept, as in "10.0.1.1/24"). */
    public record Cidr(int address, int prefixLength)
    {
        public static Cidr parse(final String text)
        {
            if (text == null)
            {
                throw new IllegalArgumentException("missing CIDR block");
            }
            final int slash = text.indexOf('/');
            if (slash < 0)
            {
                throw new IllegalArgumentException("'" + text + "' is not a CIDR block (a.b.c.d/n)");
            }
            final int address = parseAddress(text.substring(0, slash));
            final String lengthText = text.substring(slash + 1).trim();
            if (lengthText.isEmpty() || lengthText.length() > 2 || !lengthText.chars().allMatch(Character::isDigit))
            {
                throw new IllegalArgumentException("'" + text + "' has a bad prefix length");
            }
            final int prefixLength = Integer.parseInt(lengthText);
            if (prefixLength > 32)
            {
                throw new IllegalArgumentException("'" + text + "' has a bad prefix length");
            }
            return new Cidr(address, prefixLength);
        }

        public int mask()
        {
            return prefixLength == 0 ? 0 : -1 << (32 - prefixLength);
        }

        public int network()
        {
            return address & mask();
        }

        public int broadcast()
        {
            return network() | ~mask();
        }

        public boolean contains(final int candidate)
        {
            return (candidate & mask()) == network();
        }

        public boolean contains(final Cidr other)
        {
            return other.prefixLength >= prefixLength && contains(other.network());
        }

        public boolean overlaps(final Cidr other)
        {
            return contains(other.network()) || other.contains(network());
        }

        @Override
        public String toString()
        {
            return format(address) + "/" + prefixLength;
        }
    }
}
