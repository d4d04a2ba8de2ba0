package vpce.dns;

/**
 * RFC 1035 message layout and the few helpers the responder needs on byte arrays (big-endian).
 *
 * <pre>
 *   0  1  2  3  4  5  6  7  8  9 10 11 12 13 14 15
 * +-----------------------------------------------+
 * |                      ID                       |  0
 * |QR|  Opcode   |AA|TC|RD|RA| Z|AD|CD|  RCODE    |  2
 * |                    QDCOUNT                    |  4
 * |                    ANCOUNT                    |  6
 * |                    NSCOUNT                    |  8
 * |                    ARCOUNT                    | 10
 * +-----------------------------------------------+
 * </pre>
 */
public final class DnsWire
{
    public static final int HEADER_LENGTH = 12;
    public static final int ID_OFFSET = 0;
    public static final int FLAGS_OFFSET = 2;
    public static final int QDCOUNT_OFFSET = 4;
    public static final int ANCOUNT_OFFSET = 6;
    public static final int NSCOUNT_OFFSET = 8;
    public static final int ARCOUNT_OFFSET = 10;

    public static final int FLAG_QR = 0x8000;
    public static final int OPCODE_MASK = 0x7800;
    public static final int FLAG_AA = 0x0400;
    public static final int FLAG_TC = 0x0200;
    public static final int FLAG_RD = 0x0100;
    public static final int FLAG_RA = 0x0080;
    public static final int FLAG_CD = 0x0010;
    public static final int RCODE_MASK = 0x000F;

    public static final int RCODE_NOERROR = 0;
    public static final int RCODE_FORMERR = 1;
    public static final int RCODE_SERVFAIL = 2;
    public static final int RCODE_NXDOMAIN = 3;
    public static final int RCODE_NOTIMP = 4;
    public static final int RCODE_REFUSED = 5;
    /** Extended (RFC 6891): upper 8 bits in the OPT TTL, lower 4 in the header. */
    public static final int RCODE_BADVERS = 16;

    public static final int TYPE_A = 1;
    public static final int TYPE_NS = 2;
    public static final int TYPE_SOA = 6;
    public static final int TYPE_AAAA = 28;
    public static final int TYPE_OPT = 41;
    public static final int TYPE_IXFR = 251;
    public static final int TYPE_AXFR = 252;
    public static final int TYPE_ANY = 255;
    public static final int CLASS_IN = 1;

    /** Without EDNS0 (RFC 1035 section 4.2.1). */
    public static final int CLASSIC_UDP_PAYLOAD = 512;
    public static final int MAX_NAME_LENGTH = 255;
    public static final int MAX_LABEL_LENGTH = 63;
    public static final int MAX_MESSAGE_LENGTH = 65_535;

    private DnsWire()
    {
    }

    public static int getShort(final byte[] buffer, final int offset)
    {
        return ((buffer[offset] & 0xFF) << 8) | (buffer[offset + 1] & 0xFF);
    }

    public static void putShort(final byte[] buffer, final int offset, final int value)
    {
        buffer[offset] = (byte)(value >>> 8);
        buffer[offset + 1] = (byte)value;
    }

    public static int getInt(final byte[] buffer, final int offset)
    {
        return (getShort(buffer, offset) << 16) | getShort(buffer, offset + 2);
    }

    public static void putInt(final byte[] buffer, final int offset, final int value)
    {
        putShort(buffer, offset, value >>> 16);
        putShort(buffer, offset + 2, value);
    }

    /** ASCII case folding only (RFC 4343): other bytes compare as they are. */
    public static int lower(final int b)
    {
        return b >= 'A' && b <= 'Z' ? b + ('a' - 'A') : b;
    }

    /** FNV-1a of the case-folded bytes {@code [offset, offset+length)} (a wire-format name or suffix). */
    public static int hash(final byte[] buffer, final int offset, final int length)
    {
        int hash = 0x811C9DC5;
        for (int i = offset; i < offset + length; i++)
        {
            hash = (hash ^ lower(buffer[i] & 0xFF)) * 0x01000193;
        }
        return hash;
    }

    /**
     * @param name a dotted name, with or without the final dot.
     * @return its wire form, case-folded; throws for an empty label or a label or name too long.
     */
    public static byte[] encodeName(final String name)
    {
        final String trimmed = name.endsWith(".") ? name.substring(0, name.length() - 1) : name;
        if (trimmed.isEmpty())
        {
            return new byte[] {0};
        }
        final byte[] wire = new byte[trimmed.length() + 2];
        int at = 0;
        for (final String label : trimmed.split("\\.", -1))
        {
            if (label.isEmpty() || label.length() > MAX_LABEL_LENGTH)
            {
                throw new IllegalArgumentException("bad DNS name: " + name);
            }
            wire[at++] = (byte)label.length();
            for (int i = 0; i < label.length(); i++)
            {
                final char c = label.charAt(i);
                if (c > 0x7E || c <= ' ')
                {
                    throw new IllegalArgumentException("bad DNS name: " + name);
                }
                wire[at++] = (byte)lower(c);
            }
        }
        wire[at] = 0;
        if (wire.length > MAX_NAME_LENGTH)
        {
            throw new IllegalArgumentException("DNS name longer than 255 octets: " + name);
        }
        return wire;
    }
}
