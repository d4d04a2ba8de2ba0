package vpce.mgmt.ec2;

import org.w3c.dom.Element;
import vpce.mgmt.ApiException;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * What must hold for any bytes sent as a form body to the decoder and then the dispatcher (with an allow-all key):
 * the decoder refuses only with its two codes; the dispatcher never throws and always answers well-formed XML; a
 * refusal or a dry run leaves the stub state unchanged; no input makes a correct handler fail with InternalError.
 */
final class Ec2FuzzProperty
{
    /** Seeds: the captured AWS CLI bodies and a few more shapes, for Jazzer and the mutation test alike. */
    static final List<String> SEEDS = List.of(
        "Action=CreateVpc&Version=2016-11-15&CidrBlock=10.0.0.0%2F16&TagSpecification.1.ResourceType=vpc" +
            "&TagSpecification.1.Tag.1.Key=conformance&TagSpecification.1.Tag.1.Value=a18e8a7e",
        "Action=CreateVpc&Version=2016-11-15&DryRun=true&CidrBlock=10.0.0.0%2F16&InstanceTenancy=default",
        "Action=DescribeAvailabilityZones&Version=2016-11-15",
        "Action=DescribeAvailabilityZones&Version=2016-11-15&ZoneName.1=us-east-1a&Filter.1.Name=state&Filter.1.Value.1=available",
        "Action=ModifyVpcAttribute&Version=2016-11-15&EnableDnsHostnames.Value=true&VpcId=vpc-1",
        "Action=AuthorizeSecurityGroupIngress&Version=2016-11-15&GroupId=sg-1&IpPermissions.1.IpProtocol=tcp" +
            "&IpPermissions.1.FromPort=443&IpPermissions.1.ToPort=443&IpPermissions.1.IpRanges.1.CidrIp=203.0.113.0%2F24" +
            "&IpPermissions.2.IpProtocol=tcp&IpPermissions.2.FromPort=1400&IpPermissions.2.ToPort=1499" +
            "&IpPermissions.2.IpRanges.1.CidrIp=203.0.113.0%2F24",
        "Action=CreateNetworkAclEntry&Version=2016-11-15&CidrBlock=203.0.113.0%2F24&Egress=false&NetworkAclId=acl-1" +
            "&PortRange.From=443&PortRange.To=443&Protocol=6&RuleAction=allow&RuleNumber=100",
        "Action=DeleteVpcEndpoints&Version=2016-11-15&DryRun=true&VpcEndpointId.1=vpce-1",
        "Action=DeleteVpcEndpoints&Version=2016-11-15&VpcEndpointId.1=vpce-1&VpcEndpointId.2=vpce-gone",
        "Action=CreateVpcEndpoint&Version=2016-11-15&VpcEndpointType=Interface&VpcId=vpc-1" +
            "&ServiceName=com.amazonaws.us-east-1.s3&SubnetId.1=subnet-a&SubnetId.2=subnet-b&SecurityGroupId.1=sg-1&PrivateDnsEnabled=true");

    /** Tokens worth splicing in: names, indexes, escapes, values at the edges of the accessors' rules. */
    static final List<String> TOKENS = List.of("&", "=", "%", "%2F", "%00", "%C3%A9", "%FF", "+", ".", ".1", ".0", ".01", ".1000",
        ".1001", "Action=", "Version=2016-11-15", "DryRun=true", "DryRun=True", "CidrBlock=", "IpPermissions.1.", "IpRanges.1.CidrIp=",
        "FromPort=", "ToPort=", "-1", "65536", "99999999999", "Filter.1.Name=", "Filter.1.Value.1=", "TagSpecification.1.Tag.1.Key=",
        "VpcEndpointId.1=", "PortRange.From=", "EnableDnsSupport.Value=", "true", "false", "vpc-1", "&&", "CreateVpc", "ModifyVpcAttribute");

    private static final Set<String> DECODER_CODES = Set.of(Ec2Errors.MALFORMED_QUERY_STRING, Ec2Errors.INVALID_PARAMETER_VALUE);
    /** One stub state, reset per input (inputs run one at a time). */
    private static final StubActions STUB = new StubActions();
    private static final Ec2Dispatcher DISPATCHER = STUB.dispatcher();

    private Ec2FuzzProperty()
    {
    }

    /**
     * @return the response, or null when the decoder refused the input.
     */
    static Ec2Response check(final byte[] input)
    {
        return check(input, STUB, DISPATCHER);
    }

    /**
     * @param dispatcher runs over {@code stub} (tests plant a faulty handler with it); the stub is reset first.
     */
    static Ec2Response check(final byte[] input, final StubActions stub, final Ec2Dispatcher dispatcher)
    {
        stub.reset();
        final QueryParameters parameters;
        try
        {
            parameters = FormDecoder.decode(input);
        }
        catch (final ApiException refusal)
        {
            assertTrue(DECODER_CODES.contains(refusal.code()) && refusal.httpStatus() == 400, refusal.code());
            return null;
        }
        final Ec2Response response = dispatcher.dispatch(parameters, Ec2DispatcherTest.ADMIN, "fuzz");
        final Element root;
        try
        {
            root = Ec2XmlWriterTest.parse(response.body()).getDocumentElement();
        }
        catch (final Exception ex)
        {
            throw new AssertionError("not well-formed XML: " + new String(response.body(), StandardCharsets.UTF_8), ex);
        }
        assertNotEquals(500, response.httpStatus(), () -> "InternalError for " + parameters);
        if (response.httpStatus() == 200)
        {
            assertEquals(parameters.get("Action") + "Response", root.getLocalName());
            assertEquals(Ec2XmlWriter.NAMESPACE, root.getNamespaceURI());
            if ("true".equals(parameters.get("DryRun")))
            {
                fail("a dry run committed: " + parameters);
            }
        }
        else
        {
            assertEquals("Response", root.getTagName());
            assertEquals(response.errorCode(), root.getElementsByTagName("Code").item(0).getTextContent());
            assertEquals(0, stub.changes.get(), () -> response.errorCode() + " after a change for " + parameters);
            assertTrue(stub.vpcIds.isEmpty(), () -> response.errorCode() + " after a change for " + parameters);
        }
        return response;
    }
}
