package vpce.mgmt.ec2;

import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import vpce.mgmt.ApiException;
import vpce.mgmt.auth.AccessKey;
import vpce.mgmt.auth.Principal;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class Ec2DispatcherTest
{
    static final Principal ADMIN = new Principal("admin", "us-east-1", new AccessKey("admin", "s", List.of("ec2:*")));
    private static final Principal READER = new Principal("reader", "us-east-1", new AccessKey("reader", "s", List.of("ec2:Describe*")));

    private final StubActions stub = new StubActions();
    private final Ec2Dispatcher dispatcher = stub.dispatcher();

    private Ec2Response dispatch(final String body, final Principal principal)
    {
        return dispatcher.dispatch(FormDecoder.decode(body.getBytes(StandardCharsets.US_ASCII)), principal, "req-1");
    }

    private Ec2Response dispatch(final String body)
    {
        return dispatch(body, ADMIN);
    }

    /** The error document with this status and code, and no state changed. */
    private void assertRefused(final Ec2Response response, final int status, final String code, final long changesBefore) throws Exception
    {
        final String xml = new String(response.body(), StandardCharsets.UTF_8);
        assertEquals(status, response.httpStatus(), xml);
        assertEquals(code, response.errorCode());
        final Document document = Ec2XmlWriterTest.parse(response.body());
        assertEquals("Response", document.getDocumentElement().getTagName());
        assertEquals(code, document.getElementsByTagName("Code").item(0).getTextContent());
        assertEquals("req-1", document.getElementsByTagName("RequestID").item(0).getTextContent());
        assertEquals(changesBefore, stub.changes.get(), "a refused request changed state");
    }

    @Test
    void aValidRequestCommitsAndAnswersWithItsResponseDocument() throws Exception
    {
        final Ec2Response response = dispatch("Action=CreateVpc&Version=2016-11-15&CidrBlock=10.0.0.0%2F16" +
            "&TagSpecification.1.ResourceType=vpc&TagSpecification.1.Tag.1.Key=Name&TagSpecification.1.Tag.1.Value=lab");
        assertEquals(200, response.httpStatus());
        assertEquals("CreateVpc", response.action());
        assertNull(response.errorCode());
        assertEquals(1, stub.changes.get());
        final Document document = Ec2XmlWriterTest.parse(response.body());
        assertEquals("CreateVpcResponse", document.getDocumentElement().getLocalName());
        assertEquals("req-1", document.getDocumentElement().getFirstChild().getTextContent());
        assertEquals(stub.vpcIds.get(0), document.getElementsByTagName("vpcId").item(0).getTextContent());
    }

    @Test
    void actionAndVersionAreChecked() throws Exception
    {
        assertRefused(dispatch("Version=2016-11-15"), 400, "MissingAction", 0);
        assertRefused(dispatch("Action=&Version=2016-11-15"), 400, "MissingAction", 0);
        final Ec2Response invalid = dispatch("Action=TerminateInstances&Version=2016-11-15");
        assertRefused(invalid, 400, "InvalidAction", 0);
        assertTrue(new String(invalid.body(), StandardCharsets.UTF_8).contains("The action TerminateInstances is not valid"));
        assertNull(invalid.action(), "client text is not reported as an action");
        assertRefused(dispatch("Action=CreateVpc&CidrBlock=10.0.0.0%2F16"), 400, "MissingParameter", 0);
        assertRefused(dispatch("Action=CreateVpc&Version=2015-10-01&CidrBlock=10.0.0.0%2F16"), 400, "NoSuchVersion", 0);
    }

    @Test
    void theKeysAllowListIsEnforcedBeforeAnythingElseAboutTheAction() throws Exception
    {
        assertEquals(200, dispatch("Action=DescribeAvailabilityZones&Version=2016-11-15", READER).httpStatus());
        assertRefused(dispatch("Action=CreateVpc&Version=2016-11-15&CidrBlock=10.0.0.0%2F16", READER), 403, "UnauthorizedOperation", 0);
        // even a malformed or dry-run request of a denied action says 403, as EC2 does
        assertRefused(dispatch("Action=CreateVpc&Bogus=1", READER), 403, "UnauthorizedOperation", 0);
        assertRefused(dispatch("Action=CreateVpc&Version=2016-11-15&DryRun=true&CidrBlock=10.0.0.0%2F16", READER), 403,
            "UnauthorizedOperation", 0);
    }

    @Test
    void unknownParametersAndBadValuesAreRefusedWithoutChange() throws Exception
    {
        assertRefused(dispatch("Action=CreateVpc&Version=2016-11-15&CidrBlock=10.0.0.0%2F16&Foo=1"), 400, "UnknownParameter", 0);
        assertRefused(dispatch("Action=CreateVpc&Version=2016-11-15&CidrBlock=10.0.0.0%2F8"), 400, "InvalidVpc.Range", 0);
        assertRefused(dispatch("Action=CreateVpc&Version=2016-11-15&CidrBlock=10.0.0.0%2F16&TagSpecification.1.ResourceType=subnet"),
            400, "InvalidParameterValue", 0);
        assertRefused(dispatch("Action=CreateNetworkAclEntry&Version=2016-11-15&NetworkAclId=acl-1&RuleNumber=100&Protocol=6" +
            "&RuleAction=allow&Egress=false&PortRange.From=443"), 400, "MissingParameter", 0);
        // ignored members of newer clients are accepted
        assertEquals(200, dispatch("Action=CreateVpc&Version=2016-11-15&CidrBlock=10.0.0.0%2F16&VpcEncryptionControl=x").httpStatus());
    }

    @Test
    void aDryRunValidatesFullyThenAnswersDryRunOperationWithoutCommitting() throws Exception
    {
        final Ec2Response dry = dispatch("Action=CreateVpc&Version=2016-11-15&DryRun=true&CidrBlock=10.0.0.0%2F16");
        assertRefused(dry, 412, "DryRunOperation", 0);
        assertTrue(new String(dry.body(), StandardCharsets.UTF_8).contains("Request would have succeeded, but DryRun flag is set."));
        // a dry run of a request that would fail reports the failure, not DryRunOperation
        assertRefused(dispatch("Action=CreateVpc&Version=2016-11-15&DryRun=true&CidrBlock=bad"), 400, "InvalidVpc.Range", 0);
        assertRefused(dispatch("Action=CreateVpc&Version=2016-11-15&DryRun=maybe&CidrBlock=10.0.0.0%2F16"), 400, "InvalidParameterValue", 0);
        assertRefused(dispatch("Action=DeleteVpcEndpoints&Version=2016-11-15&DryRun=true&VpcEndpointId.1=vpce-1"), 412, "DryRunOperation", 0);
        assertEquals(200, dispatch("Action=CreateVpc&Version=2016-11-15&DryRun=false&CidrBlock=10.0.0.0%2F16").httpStatus());
        assertEquals(1, stub.changes.get());
    }

    @Test
    void batchActionsAnswer200WithUnsuccessfulItems() throws Exception
    {
        final Ec2Response response = dispatch("Action=DeleteVpcEndpoints&Version=2016-11-15&VpcEndpointId.1=vpce-1&VpcEndpointId.2=vpce-gone");
        assertEquals(200, response.httpStatus());
        assertEquals(1, stub.changes.get());
        final Document document = Ec2XmlWriterTest.parse(response.body());
        assertEquals(1, document.getElementsByTagName("unsuccessful").item(0).getChildNodes().getLength());
        assertEquals("vpce-gone", document.getElementsByTagName("resourceId").item(0).getTextContent());
        assertEquals("InvalidVpcEndpoint.NotFound", document.getElementsByTagName("code").item(0).getTextContent());
    }

    @Test
    void unexpectedFailuresAreInternalErrorsNeverExceptions() throws Exception
    {
        final AtomicLong committed = new AtomicLong();
        final Ec2Dispatcher broken = new Ec2Dispatcher(
            Ec2Action.of("Explode", ParameterSchema.of(), (params, call) -> { throw new IllegalStateException("boom"); }),
            Ec2Action.of("NoCommit", ParameterSchema.of(), (params, call) -> null),
            Ec2Action.of("Typo", ParameterSchema.of("VpcId"), (params, call) -> { params.optionalString("VpcID"); return Ec2Action.Commit.RETURN_TRUE; }),
            Ec2Action.of("RefuseLate", ParameterSchema.of(), (params, call) -> out ->
            {
                out.text("partial", "x");
                throw new ApiException("InvalidState", "changed its mind");
            }),
            Ec2Action.of("Deep", ParameterSchema.of(), (params, call) -> out -> recurse(committed)));
        for (final String action : List.of("Explode", "NoCommit", "Typo", "Deep"))
        {
            final Ec2Response response = broken.dispatch(QueryParameters.of(java.util.Map.of("Action", action, "Version", "2016-11-15")), ADMIN, "req-1");
            assertEquals(500, response.httpStatus(), action);
            assertEquals("InternalError", response.errorCode(), action);
            Ec2XmlWriterTest.parse(response.body());
        }
        final Ec2Response late = broken.dispatch(QueryParameters.of(java.util.Map.of("Action", "RefuseLate", "Version", "2016-11-15")), ADMIN, "r");
        assertEquals(400, late.httpStatus());
        assertTrue(!new String(late.body(), StandardCharsets.UTF_8).contains("partial"), "a refused commit's partial output is dropped");
    }

    private static long recurse(final AtomicLong depth)
    {
        return depth.incrementAndGet() + recurse(depth);
    }

    @Test
    void actionsAreRegisteredOnce()
    {
        final Ec2Action one = Ec2Action.of("CreateVpc", ParameterSchema.of(), (params, call) -> Ec2Action.Commit.RETURN_TRUE);
        assertThrows(IllegalArgumentException.class, () -> new Ec2Dispatcher(one, one));
        assertThrows(IllegalArgumentException.class, () -> Ec2Action.of("createVpc", ParameterSchema.of(), (params, call) -> null));
        assertEquals("ec2:CreateVpc", one.iamAction());
    }
}
