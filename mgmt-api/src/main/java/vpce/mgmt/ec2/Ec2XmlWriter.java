package vpce.mgmt.ec2;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayDeque;
import java.util.Collection;
import java.util.Deque;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/**
 * Writes an EC2 Query response the way EC2 does, so strict SDKs (Go, Java, .NET, Terraform) parse it:
 * <pre>{@code
 * <?xml version="1.0" encoding="UTF-8"?>
 * <CreateVpcEndpointResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/">
 *   <requestId>...</requestId>            (always first)
 *   <vpcEndpoint>...<subnetIdSet><item>subnet-a</item></subnetIdSet>...</vpcEndpoint>
 * </CreateVpcEndpointResponse>
 * }</pre>
 * Element names are the model's {@code locationName}s (lower camel case); every list is a container of
 * {@code <item>} children; booleans are {@code true}/{@code false}; timestamps ISO 8601 UTC with milliseconds.
 * Null values are left out (a missing member), so callers can pass optional fields as they are.
 *
 * <p>Text is escaped; a character XML 1.0 cannot carry is written as U+FFFD, so the document is always well-formed.
 * Element names come from code and are checked ({@link IllegalArgumentException}). One writer per response; not
 * thread-safe.
 */
public final class Ec2XmlWriter
{
    public static final String NAMESPACE = "http://ec2.amazonaws.com/doc/2016-11-15/";
    private static final String DECLARATION = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
    private static final DateTimeFormatter TIMESTAMP =
        DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

    private final StringBuilder out = new StringBuilder(512);
    private final Deque<String> open = new ArrayDeque<>();

    private Ec2XmlWriter()
    {
    }

    /**
     * Opens {@code <ActionResponse xmlns=...>} and writes {@code <requestId>}.
     */
    public static Ec2XmlWriter response(final String action, final String requestId)
    {
        final Ec2XmlWriter writer = new Ec2XmlWriter();
        final String root = checkName(action + "Response");
        writer.out.append(DECLARATION).append('<').append(root).append(" xmlns=\"").append(NAMESPACE).append("\">");
        writer.open.push(root);
        writer.text("requestId", requestId);
        return writer;
    }

    /**
     * The error document: {@code <Response><Errors><Error><Code/><Message/></Error></Errors><RequestID/></Response>}
     * (capital {@code ID}, unlike {@code requestId} in successes).
     */
    public static byte[] error(final String code, final String message, final String requestId)
    {
        final Ec2XmlWriter writer = new Ec2XmlWriter();
        writer.out.append(DECLARATION);
        writer.start("Response").start("Errors").start("Error")
            .text("Code", code).text("Message", message)
            .end().end()
            .text("RequestID", requestId);
        return writer.finish();
    }

    /** {@code <name>value</name>}; nothing when value is null. */
    public Ec2XmlWriter text(final String name, final String value)
    {
        if (value != null)
        {
            final String element = checkName(name);
            out.append('<').append(element).append('>');
            escape(value);
            out.append("</").append(element).append('>');
        }
        return this;
    }

    public Ec2XmlWriter bool(final String name, final boolean value)
    {
        return text(name, value ? "true" : "false");
    }

    /** Nothing when value is null. */
    public Ec2XmlWriter bool(final String name, final Boolean value)
    {
        return value == null ? this : bool(name, value.booleanValue());
    }

    public Ec2XmlWriter integer(final String name, final long value)
    {
        return text(name, Long.toString(value));
    }

    /** Nothing when value is null. */
    public Ec2XmlWriter integer(final String name, final Integer value)
    {
        return value == null ? this : integer(name, value.longValue());
    }

    /** {@code 2024-01-02T03:04:05.000Z}; nothing when value is null. */
    public Ec2XmlWriter timestamp(final String name, final Instant value)
    {
        return value == null ? this : text(name, TIMESTAMP.format(value));
    }

    /** Opens {@code <name>}; close it with {@link #end()}. */
    public Ec2XmlWriter start(final String name)
    {
        final String element = checkName(name);
        out.append('<').append(element).append('>');
        open.push(element);
        return this;
    }

    /** Closes the innermost element opened with {@link #start}; the root is closed by {@link #finish()}. */
    public Ec2XmlWriter end()
    {
        if (open.size() <= 1)
        {
            throw new IllegalStateException("end() without a matching start()");
        }
        out.append("</").append(open.pop()).append('>');
        return this;
    }

    /** {@code <name>...</name>} around what {@code body} writes. */
    public Ec2XmlWriter struct(final String name, final Consumer<Ec2XmlWriter> body)
    {
        start(name);
        body.accept(this);
        return end();
    }

    /**
     * {@code <name><item>...</item>...</name>}, each item written by {@code item}; {@code <name/>} when empty (boto3
     * then returns {@code []}). Nothing when items is null.
     */
    public <T> Ec2XmlWriter list(final String name, final Iterable<T> items, final BiConsumer<Ec2XmlWriter, T> item)
    {
        if (items == null)
        {
            return this;
        }
        final String element = checkName(name);
        final int before = out.length();
        start(element);
        boolean any = false;
        for (final T value : items)
        {
            any = true;
            start("item");
            item.accept(this, value);
            end();
        }
        if (!any)
        {
            out.setLength(before);
            open.pop();
            out.append('<').append(element).append("/>");
            return this;
        }
        return end();
    }

    /** {@code <name><item>a</item><item>b</item></name>}: lists of strings are item lists too. */
    public Ec2XmlWriter stringList(final String name, final Collection<String> values)
    {
        return list(name, values, (writer, value) -> writer.escape(value));
    }

    /** {@code <return>true</return>}: the answer of Modify*, Authorize*, and actions without an output shape. */
    public Ec2XmlWriter returnTrue()
    {
        return bool("return", true);
    }

    /**
     * {@code <unsuccessful>} of a batch action: one item per id that failed, {@code <unsuccessful/>} when all
     * succeeded (EC2 still answers 200).
     */
    public Ec2XmlWriter unsuccessful(final Collection<UnsuccessfulItem> items)
    {
        return list("unsuccessful", items, (writer, item) -> writer
            .start("error").text("code", item.code()).text("message", item.message()).end()
            .text("resourceId", item.resourceId()));
    }

    /**
     * Closes the root and returns the UTF-8 bytes.
     *
     * @throws IllegalStateException when an element other than the root is still open.
     */
    public byte[] finish()
    {
        if (open.size() != 1)
        {
            throw new IllegalStateException("unclosed elements: " + open);
        }
        out.append("</").append(open.pop()).append('>');
        return out.toString().getBytes(StandardCharsets.UTF_8);
    }

    private void escape(final String value)
    {
        for (int i = 0; i < value.length(); i++)
        {
            final char c = value.charAt(i);
            switch (c)
            {
                case '&' -> out.append("&amp;");
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '"' -> out.append("&quot;");
                case '\r' -> out.append("&#13;"); // a raw CR would be normalised away by the parser
                default ->
                {
                    if (c < 0x20 && c != '\t' && c != '\n' || c == '\uFFFE' || c == '\uFFFF')
                    {
                        out.append('\uFFFD');
                    }
                    else if (Character.isHighSurrogate(c) && i + 1 < value.length() && Character.isLowSurrogate(value.charAt(i + 1)))
                    {
                        out.append(c).append(value.charAt(++i));
                    }
                    else if (Character.isSurrogate(c))
                    {
                        out.append('\uFFFD'); // unpaired: not representable in UTF-8
                    }
                    else
                    {
                        out.append(c);
                    }
                }
            }
        }
    }

    private static String checkName(final String name)
    {
        if (name == null || name.isEmpty() || !(name.charAt(0) >= 'a' && name.charAt(0) <= 'z' || name.charAt(0) >= 'A' && name.charAt(0) <= 'Z'))
        {
            throw new IllegalArgumentException("bad element name " + name);
        }
        for (int i = 1; i < name.length(); i++)
        {
            final char c = name.charAt(i);
            if (!(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'))
            {
                throw new IllegalArgumentException("bad element name " + name);
            }
        }
        return name;
    }
}
