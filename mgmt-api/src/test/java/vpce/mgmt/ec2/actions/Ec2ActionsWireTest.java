package vpce.mgmt.ec2.actions;

import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import vpce.mgmt.ApiException;
import vpce.mgmt.controlplane.ControlPlane;
import vpce.mgmt.controlplane.Fixture;
import vpce.mgmt.controlplane.IdSource;
import vpce.mgmt.controlplane.StateStore;
import vpce.mgmt.controlplane.TestClock;
import vpce.mgmt.ec2.Ec2Action;
import vpce.mgmt.ec2.Ec2Errors;
import vpce.mgmt.ec2.Ec2XmlWriter;
import vpce.mgmt.ec2.QueryParameters;

import javax.xml.parsers.DocumentBuilderFactory;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeSet;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The wire itself: every parameter botocore's model names is accepted, the request bodies captured from the AWS CLI
 * are served, and the XML answers are EC2's (namespace, {@code requestId} first, {@code <item>} lists, state spellings,
 * booleans, timestamps, {@code <return>}, an empty {@code <unsuccessful/>}).
 */
class Ec2ActionsWireTest
{
    private static final String TIMESTAMP = "\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z";

    /**
     * {@code botocore-ec2-parameters.txt}: every request member of these operations in botocore 1.43's model, as it is
     * named on the wire. None may be UnknownParameter: newer clients' members are accepted (and acted on, or refused
     * as unsupported with InvalidParameterValue, never ignored without a word).
     */
    @Test
    void everyParameterOfTheModelIsKnown() throws IOException
    {
        final Map<String, Ec2Action> actions = new LinkedHashMap<>();
        for (final Ec2Action action : Ec2ActionCatalog.actions(controlPlane()))
        {
            actions.put(action.name(), action);
        }
        final Map<String, List<String>> parameters = new LinkedHashMap<>();
        try (InputStream in = Ec2ActionsWireTest.class.getResourceAsStream("botocore-ec2-parameters.txt"))
        {
            assertNotNull(in);
            for (final String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n"))
            {
                if (!line.isBlank() && !line.startsWith("#"))
                {
                    final String[] fields = line.trim().split(" ");
                    parameters.computeIfAbsent(fields[0], op -> new ArrayList<>()).add(fields[1]);
                }
            }
        }
        assertEquals(new TreeSet<>(parameters.keySet()), new TreeSet<>(actions.keySet()), "the catalog serves exactly issue 5's actions");
        assertEquals(41, actions.size());
        int checked = 0;
        for (final Map.Entry<String, List<String>> operation : parameters.entrySet())
        {
            final Ec2Action action = actions.get(operation.getKey());
            for (final String parameter : operation.getValue())
            {
                final Map<String, String> request = new LinkedHashMap<>();
                request.put("Action", operation.getKey());
                request.put("Version", "2016-11-15");
                request.put(parameter, "x");
                try
                {
                    action.parameters().check(QueryParameters.of(request));
                    checked++;
                }
                catch (final ApiException refusal)
                {
                    fail(operation.getKey() + " refuses " + parameter + ": " + refusal.code() + " " + refusal.getMessage());
                }
            }
            final Map<String, String> unknown = Map.of("Action", operation.getKey(), "Version", "2016-11-15", "Colour", "x");
            try
            {
                action.parameters().check(QueryParameters.of(unknown));
                fail(operation.getKey() + " accepts anything");
            }
            catch (final ApiException refusal)
            {
                assertEquals(Ec2Errors.UNKNOWN_PARAMETER, refusal.code());
            }
        }
        assertEquals(367, checked);
    }

    /** The bodies the reference captured from awscli 2.9.19 (section 1, captures/cli-other-requests.txt), with real ids. */
    @Test
    void theCliCapturedRequestsAreServed() throws Exception
    {
        try (Ec2ActionsHarness harness = new Ec2ActionsHarness(StateStore.inMemory()))
        {
            final Document zones = ok(harness, "Action=DescribeAvailabilityZones&Version=2016-11-15");
            assertEquals(3, zones.getElementsByTagName("zoneName").getLength());
            final String vpc = text(ok(harness, "Action=CreateVpc&Version=2016-11-15&CidrBlock=10.0.0.0%2F16"), "vpcId");
            ok(harness, "Action=ModifyVpcAttribute&Version=2016-11-15&EnableDnsHostnames.Value=true&VpcId=" + vpc);
            ok(harness, "Action=ModifyVpcAttribute&Version=2016-11-15&EnableDnsSupport.Value=true&VpcId=" + vpc);
            final String a = text(ok(harness, "Action=CreateSubnet&Version=2016-11-15&AvailabilityZone=us-east-1a&CidrBlock=10.0.1.0%2F24&VpcId=" +
                vpc), "subnetId");
            final String b = text(ok(harness, "Action=CreateSubnet&Version=2016-11-15&AvailabilityZone=us-east-1b&CidrBlock=10.0.2.0%2F24&VpcId=" +
                vpc), "subnetId");
            final String c = text(ok(harness, "Action=CreateSubnet&Version=2016-11-15&AvailabilityZone=us-east-1c&CidrBlock=10.0.3.0%2F24&VpcId=" +
                vpc), "subnetId");
            final String sg1 = text(ok(harness, "Action=CreateSecurityGroup&Version=2016-11-15&GroupName=one&GroupDescription=one&VpcId=" +
                vpc), "groupId");
            final String sg2 = text(ok(harness, "Action=CreateSecurityGroup&Version=2016-11-15&GroupName=two&GroupDescription=two&VpcId=" +
                vpc), "groupId");
            final Document authorized = ok(harness, "Action=AuthorizeSecurityGroupIngress&Version=2016-11-15&GroupId=" + sg1 +
                "&IpPermissions.1.IpProtocol=tcp&IpPermissions.1.FromPort=443&IpPermissions.1.ToPort=443" +
                "&IpPermissions.1.IpRanges.1.CidrIp=203.0.113.0%2F24&IpPermissions.2.IpProtocol=tcp&IpPermissions.2.FromPort=1400" +
                "&IpPermissions.2.ToPort=1499&IpPermissions.2.IpRanges.1.CidrIp=203.0.113.0%2F24");
            assertEquals("true", text(authorized, "return"));
            assertEquals(2, items(authorized, "securityGroupRuleSet").size());
            final String acl = text(ok(harness, "Action=CreateNetworkAcl&Version=2016-11-15&VpcId=" + vpc), "networkAclId");
            ok(harness, "Action=CreateNetworkAclEntry&Version=2016-11-15&CidrBlock=203.0.113.0%2F24&Egress=false&NetworkAclId=" + acl +
                "&PortRange.From=443&PortRange.To=443&Protocol=6&RuleAction=allow&RuleNumber=100");

            final String endpoint = text(ok(harness, "Action=CreateVpcEndpoint&Version=2016-11-15&VpcEndpointType=Interface&VpcId=" + vpc +
                "&ServiceName=" + Fixture.MANUAL.serviceName() + "&SubnetId.1=" + a + "&SubnetId.2=" + b + "&SecurityGroupId.1=" + sg1 +
                "&PrivateDnsEnabled=false"), "vpcEndpointId");
            final Document described = ok(harness, "Action=DescribeVpcEndpoints&Version=2016-11-15&VpcEndpointId.1=" + endpoint +
                "&Filter.1.Name=vpc-id&Filter.1.Value.1=" + vpc + "&Filter.2.Name=vpc-endpoint-state&Filter.2.Value.1=pending" +
                "&Filter.2.Value.2=pendingAcceptance");
            assertEquals(1, items(described, "vpcEndpointSet").size());
            ok(harness, "Action=ModifyVpcEndpoint&Version=2016-11-15&VpcEndpointId=" + endpoint + "&AddSubnetId.1=" + c +
                "&RemoveSubnetId.1=" + a + "&AddSecurityGroupId.1=" + sg2 + "&RemoveSecurityGroupId.1=" + sg1);
            ok(harness, "Action=CreateVpcEndpointConnectionNotification&Version=2016-11-15&VpcEndpointId=" + endpoint +
                "&ConnectionNotificationArn=arn%3Aaws%3Asns%3Aus-east-1%3A123456789012%3At&ConnectionEvents.1=Accept" +
                "&ConnectionEvents.2=Reject");
            final HttpResponse<String> dry = harness.post("Action=DeleteVpcEndpoints&Version=2016-11-15&DryRun=true&VpcEndpointId.1=" +
                endpoint);
            assertEquals(412, dry.statusCode(), dry.body());
            assertTrue(dry.body().contains("<Code>DryRunOperation</Code>"), dry.body());
            final Document after = ok(harness, "Action=DescribeVpcEndpoints&Version=2016-11-15&VpcEndpointId.1=" + endpoint);
            assertEquals(List.of(b, c), texts(after, "subnetIdSet"));
            assertEquals("pendingAcceptance", text(after, "state"));
        }
    }

    @Test
    void answersAreEc2sXml() throws Exception
    {
        try (Ec2ActionsHarness harness = new Ec2ActionsHarness(StateStore.inMemory()))
        {
            final Document created = ok(harness, "Action=CreateVpc&Version=2016-11-15&CidrBlock=10.0.0.0%2F16" +
                "&TagSpecification.1.ResourceType=vpc&TagSpecification.1.Tag.1.Key=Name&TagSpecification.1.Tag.1.Value=" +
                URLEncoder.encode("a & <b>", StandardCharsets.UTF_8));
            final Element root = created.getDocumentElement();
            assertEquals("CreateVpcResponse", root.getLocalName());
            assertEquals(Ec2XmlWriter.NAMESPACE, root.getNamespaceURI());
            assertEquals("requestId", firstElement(root).getLocalName());
            final String vpc = text(created, "vpcId");
            assertEquals("a & <b>", text(created, "value"));
            assertEquals("false", text(created, "isDefault"));
            ok(harness, "Action=ModifyVpcAttribute&Version=2016-11-15&EnableDnsHostnames.Value=true&VpcId=" + vpc);
            final Document attribute = ok(harness, "Action=DescribeVpcAttribute&Version=2016-11-15&Attribute=enableDnsHostnames&VpcId=" + vpc);
            assertEquals("true", text(attribute, "value"));
            assertEquals("enableDnsHostnames", attribute.getElementsByTagNameNS("*", "value").item(0).getParentNode().getLocalName());
            assertEquals(vpc, text(attribute, "vpcId"));
            final String subnet = text(ok(harness, "Action=CreateSubnet&Version=2016-11-15&AvailabilityZone=us-east-1a" +
                "&CidrBlock=10.0.1.0%2F24&VpcId=" + vpc), "subnetId");

            final Document endpoint = ok(harness, "Action=CreateVpcEndpoint&Version=2016-11-15&VpcId=" + vpc + "&ServiceName=" +
                Fixture.AUTO.serviceName() + "&SubnetId.1=" + subnet + "&PrivateDnsEnabled=true");
            assertEquals("pending", text(endpoint, "state"));
            assertEquals("true", text(endpoint, "privateDnsEnabled"));
            assertEquals("false", text(endpoint, "requesterManaged"));
            assertTrue(text(endpoint, "creationTimestamp").matches(TIMESTAMP), text(endpoint, "creationTimestamp"));
            assertEquals(List.of(subnet), texts(endpoint, "subnetIdSet"));
            assertEquals(0, endpoint.getElementsByTagNameNS("*", "routeTableIdSet").item(0).getChildNodes().getLength());
            assertEquals("default", text(endpoint, "groupName"));
            assertEquals(3, items(endpoint, "dnsEntrySet").size());
            final String endpointId = text(endpoint, "vpcEndpointId");
            listsAreItems(endpoint);

            final Document service = ok(harness, "Action=CreateVpcEndpointServiceConfiguration&Version=2016-11-15" +
                "&NetworkLoadBalancerArn.1=" + URLEncoder.encode(Fixture.MANUAL.loadBalancerArn(), StandardCharsets.UTF_8));
            assertEquals("Available", text(service, "serviceState"), "service states are capitalized");
            assertEquals("true", text(service, "acceptanceRequired"));
            assertEquals(List.of("Interface"), texts(service, "serviceType"));
            listsAreItems(service);
            final String serviceId = text(service, "serviceId");
            ok(harness, "Action=CreateVpcEndpoint&Version=2016-11-15&VpcId=" + vpc + "&ServiceName=" + text(service, "serviceName") +
                "&SubnetId.1=" + subnet);
            final Document connections = ok(harness, "Action=DescribeVpcEndpointConnections&Version=2016-11-15" +
                "&Filter.1.Name=service-id&Filter.1.Value.1=" + serviceId);
            assertEquals("pendingAcceptance", text(connections, "vpcEndpointState"), "endpoint states are lower camel case");
            listsAreItems(connections);

            final Document modified = ok(harness, "Action=ModifyVpcEndpoint&Version=2016-11-15&VpcEndpointId=" + endpointId +
                "&PrivateDnsEnabled=false");
            assertEquals("true", text(modified, "return"));
            final Document deleted = ok(harness, "Action=DeleteVpcEndpoints&Version=2016-11-15&VpcEndpointId.1=" + endpointId);
            final Node unsuccessful = deleted.getElementsByTagNameNS("*", "unsuccessful").item(0);
            assertNotNull(unsuccessful, "an empty <unsuccessful/> when every id succeeded");
            assertEquals(0, unsuccessful.getChildNodes().getLength());
            final Document notFound = ok(harness, "Action=DeleteVpcEndpoints&Version=2016-11-15&VpcEndpointId.1=vpce-0123456789abcdef0");
            assertEquals("InvalidVpcEndpoint.NotFound", text(notFound, "code"));
            assertEquals("vpce-0123456789abcdef0", text(notFound, "resourceId"));

            for (final String describe : List.of("DescribeVpcs", "DescribeSubnets", "DescribeSecurityGroups", "DescribeSecurityGroupRules",
                "DescribeNetworkAcls", "DescribeNetworkInterfaces", "DescribeVpcEndpoints", "DescribeVpcEndpointServices",
                "DescribeVpcEndpointServiceConfigurations", "DescribeAvailabilityZones"))
            {
                final Document answer = ok(harness, "Action=" + describe + "&Version=2016-11-15");
                assertEquals(describe + "Response", answer.getDocumentElement().getLocalName());
                listsAreItems(answer);
            }
            final Document error = Ec2ActionsWireTest.parse(harness.post("Action=DescribeVpcs&Version=2016-11-15&VpcId.1=vpc-0123456789abcdef0")
                .body());
            assertEquals("Response", error.getDocumentElement().getLocalName());
            assertEquals("InvalidVpcID.NotFound", text(error, "Code"));
            assertEquals(36, text(error, "RequestID").length());
        }
    }

    /** Every element named like a list holds {@code <item>}s only, and every {@code <item>} sits in such a list. */
    private static void listsAreItems(final Document document)
    {
        final Set<String> lists = new LinkedHashSet<>(List.of("ipPermissions", "ipPermissionsEgress", "ipRanges", "ipv6Ranges",
            "prefixListIds", "groups", "unsuccessful", "serviceType", "connectionEvents"));
        walk(document.getDocumentElement(), element ->
        {
            final String name = element.getLocalName();
            final boolean serviceTypeDetail = name.equals("serviceType") && "item".equals(element.getParentNode().getLocalName());
            if (serviceTypeDetail)
            {
                return null; // ServiceTypeDetail's own member is serviceType too: <serviceType><item><serviceType>Interface
            }
            if (name.endsWith("Set") || name.endsWith("Info") && !name.equals("referencedGroupInfo") || lists.contains(name))
            {
                for (Node child = element.getFirstChild(); child != null; child = child.getNextSibling())
                {
                    assertTrue(child instanceof Element && "item".equals(child.getLocalName()), name + " holds " + child);
                }
            }
            if (name.equals("item"))
            {
                final String parent = element.getParentNode().getLocalName();
                assertTrue(parent.endsWith("Set") || parent.endsWith("Info") || lists.contains(parent), "an item in " + parent);
            }
            return null;
        });
    }

    private static void walk(final Element element, final Function<Element, Void> visit)
    {
        visit.apply(element);
        for (Node child = element.getFirstChild(); child != null; child = child.getNextSibling())
        {
            if (child instanceof Element next)
            {
                walk(next, visit);
            }
        }
    }

    private static Document ok(final Ec2ActionsHarness harness, final String body) throws Exception
    {
        final HttpResponse<String> response = harness.post(body);
        assertEquals(200, response.statusCode(), body + " -> " + response.body());
        return parse(response.body());
    }

    static Document parse(final String xml) throws Exception
    {
        final DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
        factory.setNamespaceAware(true);
        factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
        return factory.newDocumentBuilder().parse(new ByteArrayInputStream(xml.getBytes(StandardCharsets.UTF_8)));
    }

    private static String text(final Document document, final String element)
    {
        final Node node = document.getElementsByTagNameNS("*", element).item(0);
        assertNotNull(node, "no <" + element + ">");
        return node.getTextContent();
    }

    private static List<Element> items(final Document document, final String list)
    {
        final List<Element> items = new ArrayList<>();
        final Node container = document.getElementsByTagNameNS("*", list).item(0);
        assertNotNull(container, "no <" + list + ">");
        for (Node child = container.getFirstChild(); child != null; child = child.getNextSibling())
        {
            if (child instanceof Element item && "item".equals(item.getLocalName()))
            {
                items.add(item);
            }
        }
        return items;
    }

    private static List<String> texts(final Document document, final String list)
    {
        return items(document, list).stream().map(Node::getTextContent).toList();
    }

    private static Element firstElement(final Element parent)
    {
        for (Node child = parent.getFirstChild(); child != null; child = child.getNextSibling())
        {
            if (child instanceof Element element)
            {
                return element;
            }
        }
        return null;
    }

    private static ControlPlane controlPlane()
    {
        return new ControlPlane(Fixture.settings(), StateStore.inMemory(), new TestClock(Fixture.START_MS),
            new IdSource(new SplittableRandom(3)));
    }
}
