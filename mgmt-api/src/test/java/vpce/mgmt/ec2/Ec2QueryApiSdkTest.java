package vpce.mgmt.ec2;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.http.ContentStreamProvider;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4HttpSigner;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.identity.spi.AwsCredentialsIdentity;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ec2.model.AvailabilityZone;
import software.amazon.awssdk.services.ec2.model.CreateVpcResponse;
import software.amazon.awssdk.services.ec2.model.DeleteVpcEndpointsResponse;
import software.amazon.awssdk.services.ec2.model.DescribeAvailabilityZonesResponse;
import software.amazon.awssdk.services.ec2.model.Ec2Exception;
import software.amazon.awssdk.services.ec2.model.IpPermission;
import software.amazon.awssdk.services.ec2.model.IpRange;
import vpce.mgmt.ManagementServer;
import vpce.mgmt.auth.AccessKey;
import vpce.mgmt.auth.AccessKeys;
import vpce.mgmt.auth.SigV4Verifier;

import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The AWS SDK for Java v2's EC2 client, unchanged but for its endpoint, against the server: signing, authorization,
 * DryRun and errors as the SDK sees them; then raw HTTP for what the SDK would never send.
 */
class Ec2QueryApiSdkTest
{
    private static final AccessKey ADMIN = new AccessKey("AKIAADMIN0000000001", "admin-secret/with+chars", List.of("ec2:*"));
    private static final AccessKey READER = new AccessKey("AKIAREADER000000001", "reader-secret", List.of("ec2:Describe*"));
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();

    private static final StubActions STUB = new StubActions();
    private static ManagementServer server;

    @BeforeAll
    static void start() throws Exception
    {
        server = ManagementServer.start(new InetSocketAddress("127.0.0.1", 0), Map.of(),
            new Ec2QueryApi(new SigV4Verifier(AccessKeys.of(ADMIN, READER), InstantSource.system()), STUB.dispatcher()));
    }

    @AfterAll
    static void stop()
    {
        if (server != null)
        {
            server.close();
        }
    }

    private static Ec2Client client(final String accessKeyId, final String secret)
    {
        return Ec2Client.builder()
            .endpointOverride(URI.create("http://127.0.0.1:" + server.port()))
            .region(Region.US_EAST_1)
            .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(accessKeyId, secret)))
            .httpClient(UrlConnectionHttpClient.create())
            .overrideConfiguration(o -> o.retryStrategy(AwsRetryStrategy.doNotRetry()))
            .build();
    }

    private static Ec2Client admin()
    {
        return client(ADMIN.accessKeyId(), ADMIN.secretAccessKey());
    }

    private static Ec2Exception refusal(final Runnable call, final int status, final String code)
    {
        final Ec2Exception refusal = assertThrows(Ec2Exception.class, call::run);
        assertEquals(status, refusal.statusCode(), refusal.getMessage());
        assertEquals(code, refusal.awsErrorDetails().errorCode(), refusal.getMessage());
        assertTrue(refusal.requestId() != null && refusal.requestId().length() == 36, "request id " + refusal.requestId());
        return refusal;
    }

    @Test
    void aTaskGivenToTheApiThreadRunsThereInTurnWithRequests() throws Exception
    {
        final CompletableFuture<String> ranOn = new CompletableFuture<>();
        server.executeOnApiThread(() -> ranOn.complete(Thread.currentThread().getName()));
        assertEquals(ManagementServer.EC2_THREAD_NAME, ranOn.get(5, TimeUnit.SECONDS));
        try (Ec2Client ec2 = admin())
        {
            // The API thread still answers requests after running the task.
            assertEquals(StubActions.ZONES.size(), ec2.describeAvailabilityZones().availabilityZones().size());
        }
    }

    @Test
    void theSdkCallsActionsAndParsesTheirAnswers()
    {
        try (Ec2Client ec2 = admin())
        {
            final DescribeAvailabilityZonesResponse zones = ec2.describeAvailabilityZones();
            assertEquals(StubActions.ZONES, zones.availabilityZones().stream().map(AvailabilityZone::zoneName).toList());
            assertEquals("available", zones.availabilityZones().get(0).stateAsString());
            assertEquals("use1-az2", zones.availabilityZones().get(1).zoneId());
            assertEquals(36, zones.responseMetadata().requestId().length());
            assertEquals(List.of("us-east-1b"), ec2.describeAvailabilityZones(r -> r.zoneNames("us-east-1b")
                .filters(f -> f.name("state").values("available"))).availabilityZones().stream().map(AvailabilityZone::zoneName).toList());

            final long before = STUB.changes.get();
            final CreateVpcResponse vpc = ec2.createVpc(r -> r.cidrBlock("10.1.0.0/16")
                .tagSpecifications(t -> t.resourceType("vpc").tags(tag -> tag.key("Name").value("lab & <test>"))));
            assertEquals(before + 1, STUB.changes.get());
            assertTrue(STUB.vpcIds.contains(vpc.vpc().vpcId()));
            assertEquals("10.1.0.0/16", vpc.vpc().cidrBlock());
            assertEquals(false, vpc.vpc().isDefault());

            ec2.modifyVpcAttribute(r -> r.vpcId(vpc.vpc().vpcId()).enableDnsHostnames(v -> v.value(true)));
            assertEquals(before + 2, STUB.changes.get());
            ec2.authorizeSecurityGroupIngress(r -> r.groupId("sg-1").ipPermissions(
                IpPermission.builder().ipProtocol("tcp").fromPort(443).toPort(443)
                    .ipRanges(IpRange.builder().cidrIp("203.0.113.0/24").build(), IpRange.builder().cidrIp("198.51.100.0/24").build()).build(),
                IpPermission.builder().ipProtocol("udp").fromPort(53).toPort(53).ipRanges(IpRange.builder().cidrIp("10.0.0.0/8").build()).build()));
            assertEquals(before + 5, STUB.changes.get());

            final DeleteVpcEndpointsResponse deleted = ec2.deleteVpcEndpoints(r -> r.vpcEndpointIds("vpce-1", "vpce-gone1", "vpce-2"));
            assertEquals(before + 7, STUB.changes.get());
            assertEquals(1, deleted.unsuccessful().size());
            assertEquals("vpce-gone1", deleted.unsuccessful().get(0).resourceId());
            assertEquals("InvalidVpcEndpoint.NotFound", deleted.unsuccessful().get(0).error().code());
        }
    }

    @Test
    void badCredentialsAreAuthFailure() throws Exception
    {
        final long before = STUB.changes.get();
        try (Ec2Client wrongSecret = client(ADMIN.accessKeyId(), "not-the-secret");
             Ec2Client unknownKey = client("AKIAUNKNOWN00000001", ADMIN.secretAccessKey()))
        {
            // HttpURLConnection (the SDK's url-connection client) drops the body of any 401 on a streamed POST, as it
            // would against EC2 itself; the status is what the SDK reports, the document is checked below.
            assertEquals(401, assertThrows(Ec2Exception.class, () -> wrongSecret.createVpc(r -> r.cidrBlock("10.2.0.0/16"))).statusCode());
            assertEquals(401, assertThrows(Ec2Exception.class, unknownKey::describeAvailabilityZones).statusCode());
        }
        final String create = "Action=CreateVpc&Version=2016-11-15&CidrBlock=10.2.0.0%2F16";
        final Document bad = assertXmlError(HTTP.send(signed(signedRequest(server.port(), "application/x-www-form-urlencoded"), create,
            AwsCredentialsIdentity.create(ADMIN.accessKeyId(), "not-the-secret")), HttpResponse.BodyHandlers.ofString()), 401, "AuthFailure");
        assertTrue(bad.getElementsByTagName("Message").item(0).getTextContent().contains("signature we calculated does not match"));
        final Document unknown = assertXmlError(HTTP.send(signed(signedRequest(server.port(), "application/x-www-form-urlencoded"), create,
            AwsCredentialsIdentity.create("AKIAUNKNOWN00000001", "x")), HttpResponse.BodyHandlers.ofString()), 401, "AuthFailure");
        assertTrue(unknown.getElementsByTagName("Message").item(0).getTextContent().contains("AKIAUNKNOWN00000001"));
        assertEquals(before, STUB.changes.get());
    }

    @Test
    void aKeyCallsOnlyTheActionsItsAllowListCovers()
    {
        final long before = STUB.changes.get();
        try (Ec2Client reader = client(READER.accessKeyId(), READER.secretAccessKey()))
        {
            assertEquals(3, reader.describeAvailabilityZones().availabilityZones().size());
            refusal(() -> reader.createVpc(r -> r.cidrBlock("10.3.0.0/16")), 403, "UnauthorizedOperation");
            refusal(() -> reader.createVpc(r -> r.cidrBlock("10.3.0.0/16").dryRun(true)), 403, "UnauthorizedOperation");
        }
        assertEquals(before, STUB.changes.get());
    }

    @Test
    void dryRunAndRefusalsChangeNothing()
    {
        final long before = STUB.changes.get();
        final int vpcs = STUB.vpcIds.size();
        try (Ec2Client ec2 = admin())
        {
            final Ec2Exception dry = refusal(() -> ec2.createVpc(r -> r.cidrBlock("10.4.0.0/16").dryRun(true)), 412, "DryRunOperation");
            assertTrue(dry.awsErrorDetails().errorMessage().contains("Request would have succeeded"));
            refusal(() -> ec2.describeAvailabilityZones(r -> r.dryRun(true)), 412, "DryRunOperation");
            refusal(() -> ec2.createVpc(r -> r.cidrBlock("10.4.0.0/8")), 400, "InvalidVpc.Range");
            refusal(() -> ec2.createVpc(r -> r.cidrBlock("10.4.0.0/8").dryRun(true)), 400, "InvalidVpc.Range");
            refusal(() -> ec2.modifyVpcAttribute(r -> r.vpcId("vpc-none").enableDnsSupport(v -> v.value(true))), 400, "InvalidVpcID.NotFound");
            refusal(() -> ec2.describeAvailabilityZones(r -> r.filters(f -> f.name("bogus").values("x"))), 400, "InvalidFilter");
            // a member this action does not know, as a newer client might send
            refusal(() -> ec2.describeAvailabilityZones(r -> r.zoneNames("us-east-1a").overrideConfiguration(o -> o.putRawQueryParameter("Shiny", "1"))),
                400, "UnknownParameter");
        }
        assertEquals(before, STUB.changes.get());
        assertEquals(vpcs, STUB.vpcIds.size());
    }

    @Test
    void rawRequestsTheSdkWouldNeverSend() throws Exception
    {
        final long before = STUB.changes.get();
        // unknown action, signed: InvalidAction in the XML error document, request id in header and body alike
        final HttpResponse<String> invalid = HTTP.send(signedPost("Action=TerminateInstances&Version=2016-11-15&InstanceId.1=i-1",
            "application/x-www-form-urlencoded; charset=utf-8"), HttpResponse.BodyHandlers.ofString());
        final Document error = assertXmlError(invalid, 400, "InvalidAction");
        assertEquals(invalid.headers().firstValue("x-amzn-RequestId").orElseThrow(),
            error.getElementsByTagName("RequestID").item(0).getTextContent());
        assertEquals("text/xml;charset=UTF-8", invalid.headers().firstValue("content-type").orElseThrow());

        // unsigned: AuthFailure before anything else is looked at
        assertXmlError(HTTP.send(HttpRequest.newBuilder(base()).POST(HttpRequest.BodyPublishers.ofString("Action=CreateVpc&Version=2016-11-15&CidrBlock=10.9.0.0%2F16"))
            .header("Content-Type", "application/x-www-form-urlencoded").build(), HttpResponse.BodyHandlers.ofString()), 401, "AuthFailure");
        assertXmlError(HTTP.send(HttpRequest.newBuilder(URI.create(base() + "?Action=DescribeAvailabilityZones&Version=2016-11-15")).GET().build(),
            HttpResponse.BodyHandlers.ofString()), 401, "AuthFailure");

        // signed GET /?Action=...
        final HttpResponse<String> get = HTTP.send(signedGet(Map.of("Action", "DescribeAvailabilityZones", "Version", "2016-11-15",
            "ZoneName.1", "us-east-1c")), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, get.statusCode(), get.body());
        final Document zones = Ec2XmlWriterTest.parse(get.body().getBytes(StandardCharsets.UTF_8));
        assertEquals("DescribeAvailabilityZonesResponse", zones.getDocumentElement().getLocalName());
        assertEquals("us-east-1c", zones.getElementsByTagName("zoneName").item(0).getTextContent());

        // a body that is not a form, duplicate parameters, bad escapes: refused after authentication
        assertXmlError(HTTP.send(signedPost("Action=DescribeAvailabilityZones&Version=2016-11-15", "application/json"),
            HttpResponse.BodyHandlers.ofString()), 400, "MalformedQueryString");
        assertXmlError(HTTP.send(signedPost("Action=CreateVpc&Version=2016-11-15&CidrBlock=10.9.0.0%2F16&CidrBlock=10.8.0.0%2F16",
            "application/x-www-form-urlencoded"), HttpResponse.BodyHandlers.ofString()), 400, "MalformedQueryString");
        assertXmlError(HTTP.send(signedPost("Action=CreateVpc&Version=2016-11-15&CidrBlock=10.9.0.0%2", "application/x-www-form-urlencoded"),
            HttpResponse.BodyHandlers.ofString()), 400, "MalformedQueryString");
        assertXmlError(HTTP.send(signedPost("Version=2016-11-15", "application/x-www-form-urlencoded"),
            HttpResponse.BodyHandlers.ofString()), 400, "MissingAction");

        // too large: an XML 413 and the connection closed
        final HttpResponse<String> huge = HTTP.send(HttpRequest.newBuilder(base())
            .POST(HttpRequest.BodyPublishers.ofString("X=" + "a".repeat(ManagementServer.MAX_REQUEST_BYTES))).build(), HttpResponse.BodyHandlers.ofString());
        assertXmlError(huge, 413, "RequestEntityTooLarge");
        assertEquals(before, STUB.changes.get());

        // other methods
        assertXmlError(HTTP.send(HttpRequest.newBuilder(base()).PUT(HttpRequest.BodyPublishers.ofString("x")).build(),
            HttpResponse.BodyHandlers.ofString()), 405, "MethodNotAllowed");
        // the server is still there
        try (Ec2Client ec2 = admin())
        {
            assertEquals(3, ec2.describeAvailabilityZones().availabilityZones().size());
        }
    }

    @Test
    void whenTheApiThreadIsBackedUpRequestsAreThrottledNotQueuedForever() throws Exception
    {
        final CountDownLatch release = new CountDownLatch(1);
        final CountDownLatch blocked = new CountDownLatch(1);
        final Ec2Action block = Ec2Action.of("DescribeAvailabilityZones", ParameterSchema.of(), (params, call) -> out ->
        {
            blocked.countDown();
            try
            {
                release.await(20, TimeUnit.SECONDS);
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
            }
            out.list("availabilityZoneInfo", List.<String>of(), (w, z) -> { });
        });
        try (ManagementServer slow = ManagementServer.start(new InetSocketAddress("127.0.0.1", 0), Map.of(),
            new Ec2QueryApi(new SigV4Verifier(AccessKeys.of(ADMIN), InstantSource.system()), new Ec2Dispatcher(block))))
        {
            final List<CompletableFuture<HttpResponse<String>>> answers = new ArrayList<>();
            answers.add(HTTP.sendAsync(signedPost(slow.port(), "Action=DescribeAvailabilityZones&Version=2016-11-15"), HttpResponse.BodyHandlers.ofString()));
            assertTrue(blocked.await(10, TimeUnit.SECONDS), "the first request reached the action");
            // one running, EC2_QUEUE_CAPACITY waiting, the rest refused
            final int extra = ManagementServer.EC2_QUEUE_CAPACITY + 6;
            final List<CompletableFuture<HttpResponse<String>>> more = new ArrayList<>();
            for (int i = 0; i < extra; i++)
            {
                more.add(HTTP.sendAsync(signedPost(slow.port(), "Action=DescribeAvailabilityZones&Version=2016-11-15"), HttpResponse.BodyHandlers.ofString()));
            }
            // the refusals come back while the action is still blocked
            int throttled = 0;
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
            while (throttled < 6 && System.nanoTime() < deadline)
            {
                throttled = (int)more.stream().filter(f -> f.isDone() && f.join().statusCode() == 503).count();
                Thread.onSpinWait();
            }
            assertEquals(6, throttled, "requests beyond the queue are refused at once");
            release.countDown();
            answers.addAll(more);
            int ok = 0;
            for (final CompletableFuture<HttpResponse<String>> answer : answers)
            {
                final HttpResponse<String> response = answer.get(20, TimeUnit.SECONDS);
                if (response.statusCode() == 503)
                {
                    assertXmlError(response, 503, "RequestLimitExceeded");
                }
                else
                {
                    assertEquals(200, response.statusCode(), response.body());
                    ok++;
                }
            }
            assertEquals(1 + ManagementServer.EC2_QUEUE_CAPACITY, ok);
        }
    }

    private static URI base()
    {
        return URI.create("http://127.0.0.1:" + server.port() + "/");
    }

    private static Document assertXmlError(final HttpResponse<String> response, final int status, final String code) throws Exception
    {
        assertEquals(status, response.statusCode(), response.body());
        final Document document = Ec2XmlWriterTest.parse(response.body().getBytes(StandardCharsets.UTF_8));
        assertEquals("Response", document.getDocumentElement().getTagName());
        assertEquals(code, document.getElementsByTagName("Code").item(0).getTextContent(), response.body());
        return document;
    }

    private static SdkHttpRequest signedRequest(final int port, final String contentType)
    {
        return SdkHttpRequest.builder().method(SdkHttpMethod.POST).protocol("http").host("127.0.0.1").port(port)
            .encodedPath("/").putHeader("Content-Type", contentType).build();
    }

    private static HttpRequest signedPost(final String body, final String contentType)
    {
        return signed(signedRequest(server.port(), contentType), body);
    }

    private static HttpRequest signedPost(final int port, final String body)
    {
        return signed(signedRequest(port, "application/x-www-form-urlencoded"), body);
    }

    private static HttpRequest signedGet(final Map<String, String> query)
    {
        final SdkHttpRequest.Builder request = SdkHttpRequest.builder().method(SdkHttpMethod.GET).protocol("http").host("127.0.0.1")
            .port(server.port()).encodedPath("/");
        query.forEach(request::putRawQueryParameter);
        return signed(request.build(), "");
    }

    private static HttpRequest signed(final SdkHttpRequest request, final String body)
    {
        return signed(request, body, AwsCredentialsIdentity.create(ADMIN.accessKeyId(), ADMIN.secretAccessKey()));
    }

    /** Signs with the SDK's public signer and sends with the JDK client (which sets the same Host header). */
    private static HttpRequest signed(final SdkHttpRequest request, final String body, final AwsCredentialsIdentity identity)
    {
        final byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        final SdkHttpRequest signed = AwsV4HttpSigner.create().sign(r -> r
            .request(request)
            .payload(ContentStreamProvider.fromByteArray(bytes))
            .identity(identity)
            .putProperty(AwsV4HttpSigner.REGION_NAME, "us-east-1")
            .putProperty(AwsV4HttpSigner.SERVICE_SIGNING_NAME, "ec2")).request();
        final HttpRequest.Builder builder = HttpRequest.newBuilder(signed.getUri()).timeout(Duration.ofSeconds(20))
            .method(signed.method().name(), bytes.length == 0 ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(bytes));
        signed.forEachHeader((name, values) ->
        {
            if (!name.equalsIgnoreCase("host"))
            {
                values.forEach(value -> builder.header(name, value));
            }
        });
        return builder.build();
    }
}
