package vpce.mgmt.ec2;

import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;

import javax.xml.parsers.DocumentBuilderFactory;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class Ec2XmlWriterTest
{
    private static final DocumentBuilderFactory FACTORY = factory();

    private static DocumentBuilderFactory factory()
    {
        try
        {
            final DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
            factory.setNamespaceAware(true);
            factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
            return factory;
        }
        catch (final Exception ex)
        {
            throw new IllegalStateException(ex);
        }
    }

    /** A strict, namespace-aware parse: what the SDKs do with the answer. */
    static Document parse(final byte[] xml) throws Exception
    {
        final javax.xml.parsers.DocumentBuilder builder = FACTORY.newDocumentBuilder();
        builder.setErrorHandler(null);
        return builder.parse(new ByteArrayInputStream(xml));
    }

    @Test
    void aResponseHasTheNamespaceRequestIdFirstAndItemLists() throws Exception
    {
        final Ec2XmlWriter writer = Ec2XmlWriter.response("CreateVpcEndpoint", "11111111-2222-3333-4444-555555555555");
        writer.struct("vpcEndpoint", endpoint -> endpoint
            .text("vpcEndpointId", "vpce-0123456789abcdef0")
            .text("state", "pending")
            .text("policyDocument", null)
            .stringList("routeTableIdSet", List.of())
            .stringList("subnetIdSet", List.of("subnet-a", "subnet-b"))
            .list("groupSet", List.of("sg-1"), (group, id) -> group.text("groupId", id).text("groupName", "default"))
            .bool("privateDnsEnabled", true)
            .bool("requesterManaged", false)
            .bool("missing", (Boolean)null)
            .integer("count", 7)
            .timestamp("creationTimestamp", Instant.parse("2024-01-02T03:04:05Z")));
        final String xml = new String(writer.finish(), StandardCharsets.UTF_8);
        assertEquals("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n" +
            "<CreateVpcEndpointResponse xmlns=\"http://ec2.amazonaws.com/doc/2016-11-15/\">" +
            "<requestId>11111111-2222-3333-4444-555555555555</requestId>" +
            "<vpcEndpoint><vpcEndpointId>vpce-0123456789abcdef0</vpcEndpointId><state>pending</state>" +
            "<routeTableIdSet/><subnetIdSet><item>subnet-a</item><item>subnet-b</item></subnetIdSet>" +
            "<groupSet><item><groupId>sg-1</groupId><groupName>default</groupName></item></groupSet>" +
            "<privateDnsEnabled>true</privateDnsEnabled><requesterManaged>false</requesterManaged><count>7</count>" +
            "<creationTimestamp>2024-01-02T03:04:05.000Z</creationTimestamp></vpcEndpoint></CreateVpcEndpointResponse>", xml);
        final Element root = parse(xml.getBytes(StandardCharsets.UTF_8)).getDocumentElement();
        assertEquals(Ec2XmlWriter.NAMESPACE, root.getNamespaceURI());
        assertEquals("requestId", root.getFirstChild().getLocalName());
    }

    @Test
    void textIsEscapedAndCharactersXmlCannotCarryAreReplaced() throws Exception
    {
        final String hostile = "<a href=\"x\">&amp;</a>]]>\r\n\t\u0000\u001b\uFFFE\uD800x\uD83D\uDE00\u00e9";
        final byte[] xml = Ec2XmlWriter.response("DescribeVpcs", "r").text("description", hostile).finish();
        final String parsed = parse(xml).getDocumentElement().getElementsByTagName("description").item(0).getTextContent();
        assertEquals("<a href=\"x\">&amp;</a>]]>\r\n\t\uFFFD\uFFFD\uFFFD\uFFFDx\uD83D\uDE00\u00e9", parsed);
    }

    @Test
    void theErrorDocumentUsesCapitalRequestId() throws Exception
    {
        final byte[] xml = Ec2XmlWriter.error("InvalidVpcEndpointId.NotFound", "The Vpc Endpoint Id 'vpce-404' <does not> exist", "r-1");
        assertEquals("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Response><Errors><Error><Code>InvalidVpcEndpointId.NotFound</Code>" +
            "<Message>The Vpc Endpoint Id 'vpce-404' &lt;does not&gt; exist</Message></Error></Errors><RequestID>r-1</RequestID></Response>",
            new String(xml, StandardCharsets.UTF_8));
        parse(xml);
    }

    @Test
    void returnAndUnsuccessfulShapes() throws Exception
    {
        assertEquals("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<ModifyVpcEndpointResponse xmlns=\"" + Ec2XmlWriter.NAMESPACE +
            "\"><requestId>r</requestId><return>true</return></ModifyVpcEndpointResponse>",
            new String(Ec2XmlWriter.response("ModifyVpcEndpoint", "r").returnTrue().finish(), StandardCharsets.UTF_8));
        final String none = new String(Ec2XmlWriter.response("DeleteVpcEndpoints", "r").unsuccessful(List.of()).finish(), StandardCharsets.UTF_8);
        assertEquals(true, none.endsWith("<requestId>r</requestId><unsuccessful/></DeleteVpcEndpointsResponse>"), none);
        final String some = new String(Ec2XmlWriter.response("DeleteVpcEndpoints", "r").unsuccessful(List.of(
            new UnsuccessfulItem("vpce-1", "InvalidVpcEndpoint.NotFound", "gone"))).finish(), StandardCharsets.UTF_8);
        assertEquals(true, some.endsWith("<unsuccessful><item><error><code>InvalidVpcEndpoint.NotFound</code><message>gone</message></error>" +
            "<resourceId>vpce-1</resourceId></item></unsuccessful></DeleteVpcEndpointsResponse>"), some);
    }

    @Test
    void misuseIsCaught()
    {
        assertThrows(IllegalArgumentException.class, () -> Ec2XmlWriter.response("DescribeVpcs", "r").text("bad name", "x"));
        assertThrows(IllegalArgumentException.class, () -> Ec2XmlWriter.response("DescribeVpcs", "r").text("a<b", "x"));
        assertThrows(IllegalArgumentException.class, () -> Ec2XmlWriter.response("Describe Vpcs", "r"));
        assertThrows(IllegalStateException.class, () -> Ec2XmlWriter.response("DescribeVpcs", "r").start("vpcSet").finish());
        assertThrows(IllegalStateException.class, () -> Ec2XmlWriter.response("DescribeVpcs", "r").end());
    }
}
