package vpce.mgmt.ec2;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Decodes {@code application/x-www-form-urlencoded} bytes (a POST body or a GET query string) into
 * {@link QueryParameters}, refusing anything a well-behaved client would not send, before any action sees it:
 * <ul>
 *   <li>raw bytes outside printable ASCII (clients percent-encode everything else), a {@code %} not followed by two
 *       hex digits, or escapes that are not UTF-8: {@code MalformedQueryString};</li>
 *   <li>an empty name, a name longer than {@link #MAX_NAME_LENGTH} or with characters other than
 *       {@code [A-Za-z0-9._-]}, a name given twice, more than {@link #MAX_PARAMETERS} parameters:
 *       {@code MalformedQueryString};</li>
 *   <li>a value holding a character XML 1.0 cannot carry (C0 controls but tab, CR, LF; U+FFFE, U+FFFF): it could
 *       never be echoed back in a well-formed response, so {@code InvalidParameterValue}.</li>
 * </ul>
 * Work is linear in the input, which the HTTP server caps ({@code ManagementServer.MAX_REQUEST_BYTES}).
 * List indexes ({@code SubnetId.N}) are checked against each action's schema ({@link ParameterSchema}).
 */
public final class FormDecoder
{
    /**
     * The largest request EC2 clients send is a few hundred parameters (AuthorizeSecurityGroupIngress with many
     * permissions, Describe* with ids and filters); ten times a sane request, a hundredth of a hostile one.
     */
    public static final int MAX_PARAMETERS = 1000;
    /** The longest EC2 name is ~50 characters ({@code IpPermissions.N.Groups.M.VpcPeeringConnectionId}). */
    public static final int MAX_NAME_LENGTH = 128;

    private FormDecoder()
    {
    }

    public static QueryParameters decode(final byte[] bytes)
    {
        return decode(bytes, 0, bytes.length);
    }

    /**
     * @param query a raw query string as it came off the wire (each char one byte, as Netty gives the URI).
     */
    public static QueryParameters decode(final String query)
    {
        return decode(query.getBytes(StandardCharsets.ISO_8859_1));
    }

    /**
     * @throws vpce.mgmt.ApiException {@code MalformedQueryString} or {@code InvalidParameterValue}.
     */
    public static QueryParameters decode(final byte[] bytes, final int offset, final int length)
    {
        final Map<String, String> values = new LinkedHashMap<>();
        final byte[] scratch = new byte[length];
        final CharsetDecoder utf8 = StandardCharsets.UTF_8.newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT);
        final int end = offset + length;
        int start = offset;
        while (start <= end)
        {
            int ampersand = start;
            while (ampersand < end && bytes[ampersand] != '&')
            {
                ampersand++;
            }
            if (ampersand > start) // empty segments ("a=1&&b=2", a trailing '&') carry nothing
            {
                int equals = start;
                while (equals < ampersand && bytes[equals] != '=')
                {
                    equals++;
                }
                final String name = decodeComponent(bytes, start, equals, scratch, utf8, start - offset);
                checkName(name);
                final String value = equals < ampersand ?
                    decodeComponent(bytes, equals + 1, ampersand, scratch, utf8, equals + 1 - offset) : "";
                checkValue(name, value);
                if (values.putIfAbsent(name, value) != null)
                {
                    throw Ec2Errors.malformedQueryString("The parameter " + Ec2Errors.echo(name) + " is given more than once");
                }
                if (values.size() > MAX_PARAMETERS)
                {
                    throw Ec2Errors.malformedQueryString("The request has more than " + MAX_PARAMETERS + " parameters");
                }
            }
            start = ampersand + 1;
        }
        return new QueryParameters(Collections.unmodifiableMap(values));
    }

    private static String decodeComponent(
        final byte[] bytes, final int from, final int to, final byte[] scratch, final CharsetDecoder utf8, final int position)
    {
        int length = 0;
        for (int i = from; i < to; i++)
        {
            final byte b = bytes[i];
            if (b == '%')
            {
                final int high = i + 2 < to ? hex(bytes[i + 1]) : -1;
                final int low = i + 2 < to ? hex(bytes[i + 2]) : -1;
                if (high < 0 || low < 0)
                {
                    throw Ec2Errors.malformedQueryString("Bad percent-encoding at byte " + (position + i - from) +
                        ": '%' must be followed by two hex digits");
                }
                scratch[length++] = (byte)(high << 4 | low);
                i += 2;
            }
            else if (b == '+')
            {
                scratch[length++] = ' ';
            }
            else if (b < 0x21 || b > 0x7e)
            {
                throw Ec2Errors.malformedQueryString("Byte " + (position + i - from) + " (0x" +
                    Integer.toHexString(b & 0xff) + ") must be percent-encoded");
            }
            else
            {
                scratch[length++] = b;
            }
        }
        try
        {
            final CharBuffer chars = utf8.reset().decode(ByteBuffer.wrap(scratch, 0, length));
            return chars.toString();
        }
        catch (final CharacterCodingException ex)
        {
            throw Ec2Errors.malformedQueryString("The percent-encoded bytes near byte " + position + " are not UTF-8");
        }
    }

    private static int hex(final byte b)
    {
        if (b >= '0' && b <= '9')
        {
            return b - '0';
        }
        if (b >= 'a' && b <= 'f')
        {
            return b - 'a' + 10;
        }
        if (b >= 'A' && b <= 'F')
        {
            return b - 'A' + 10;
        }
        return -1;
    }

    private static void checkName(final String name)
    {
        if (name.isEmpty())
        {
            throw Ec2Errors.malformedQueryString("A parameter has an empty name");
        }
        if (name.length() > MAX_NAME_LENGTH)
        {
            throw Ec2Errors.malformedQueryString("The parameter name " + Ec2Errors.echo(name) + " is longer than " +
                MAX_NAME_LENGTH + " characters");
        }
        for (int i = 0; i < name.length(); i++)
        {
            final char c = name.charAt(i);
            if (!(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '_' || c == '-'))
            {
                throw Ec2Errors.malformedQueryString("The parameter name " + Ec2Errors.echo(printable(name)) +
                    " has characters other than [A-Za-z0-9._-]");
            }
        }
    }

    private static void checkValue(final String name, final String value)
    {
        for (int i = 0; i < value.length(); i++)
        {
            final char c = value.charAt(i);
            if (c < 0x20 && c != '\t' && c != '\n' && c != '\r' || c == '\uFFFE' || c == '\uFFFF')
            {
                throw Ec2Errors.invalidParameterValue(name, printable(value),
                    "it contains the control character U+" + String.format("%04X", (int)c));
            }
        }
    }

    /** For messages: controls shown as '?', so an error never carries what the XML writer could not write. */
    private static String printable(final String text)
    {
        final StringBuilder out = new StringBuilder(Math.min(text.length(), Ec2Errors.MAX_ECHO + 1));
        for (int i = 0; i < text.length() && i <= Ec2Errors.MAX_ECHO; i++)
        {
            final char c = text.charAt(i);
            out.append(c < 0x20 || c == '\uFFFE' || c == '\uFFFF' ? '?' : c);
        }
        return out.toString();
    }
}
