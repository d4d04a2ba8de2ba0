package vpce.mgmt.rest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.http.ContentStreamProvider;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4HttpSigner;
import software.amazon.awssdk.identity.spi.AwsCredentialsIdentity;
import vpce.mgmt.ManagementServer;
import vpce.mgmt.auth.AccessKey;
import vpce.mgmt.auth.AccessKeys;
import vpce.mgmt.auth.SigV4Verifier;
import vpce.mgmt.controlplane.ControlPlaneState;
import vpce.mgmt.controlplane.Fixture;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.InstantSource;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The REST API over HTTP against a real server and control plane (in-memory store): CRUD of every resource, refusals
 * as problem+json with EC2's codes and the state unchanged, bearer and SigV4 authentication, and the OpenAPI document
 * matching the routes served.
 */
class RestApiTest
{
    private static final String ADMIN_TOKEN = "admin-token-0123456789abcdef";
    private static final String READER_TOKEN = "reader-token-0123456789abcdef";
    private static final AccessKey SIGNER = new AccessKey("AKIAREST000000000001", "rest-secret", List.of("ec2:*"));
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(Duration.ofSeconds(5)).build();
    private static final ObjectMapper JSON = new ObjectMapper();

    private Fixture fixture;
    private RestApi api;
    /** "action error" per answer, from the API thread. */
    private final List<String> answers = new java.util.concurrent.CopyOnWriteArrayList<>();
    private ManagementServer server;

    @BeforeEach
    void start() throws Exception
    {
        fixture = new Fixture();
        api = new RestApi(fixture.controlPlane, new SigV4Verifier(AccessKeys.of(SIGNER), InstantSource.system()),
            List.of(new BearerToken(ADMIN_TOKEN, List.of("ec2:*")), new BearerToken(READER_TOKEN, List.of("ec2:Describe*"))),
            (action, errorCode, latencyNs) -> answers.add(action + " " + errorCode));
        server = ManagementServer.start(new InetSocketAddress("127.0.0.1", 0), Map.of(), null, api);
    }

    @AfterEach
    void stop()
    {
        server.close();
    }

    record Answer(int status, String contentType, JsonNode body)
    {
        String code()
        {
            return body.path("code").asText();
        }
    }

    private Answer send(final String token, final String method, final String path, final String body) throws Exception
    {
        final HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
            .timeout(Duration.ofSeconds(20))
            .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (token != null)
        {
            request.header("Authorization", "Bearer " + token);
        }
        if (body != null)
        {
            request.header("Content-Type", "application/json");
        }
        return answer(HTTP.send(request.build(), HttpResponse.BodyHandlers.ofByteArray()));
    }

    private static Answer answer(final HttpResponse<byte[]> response) throws IOException
    {
        return new Answer(response.statusCode(), response.headers().firstValue("content-type").orElse(""),
            response.body().length == 0 ? JSON.nullNode() : JSON.readTree(response.body()));
    }

    private Answer admin(final String method, final String path, final String body) throws Exception
    {
        return send(ADMIN_TOKEN, method, path, body);
    }

    private Answer ok(final int status, final String method, final String path, final String body) throws Exception
    {
        final Answer answer = admin(method, path, body);
        assertEquals(status, answer.status(), method + " " + path + ": " + answer.body());
        return answer;
    }

    /** The refusal is problem+json with the status and code, and nothing changed. */
    private Answer refused(final int status, final String code, final String token, final String method, final String path,
        final String body) throws Exception
    {
        final ControlPlaneState before = fixture.controlPlane.state();
        final Answer answer = send(token, method, path, body);
        assertEquals(status, answer.status(), method + " " + path + ": " + answer.body());
        assertEquals(RestResponse.PROBLEM_JSON, answer.contentType());
        assertEquals(code, answer.code());
        assertEquals(code, answer.body().path("title").asText());
        assertEquals(status, answer.body().path("status").asInt());
        assertTrue(answer.body().path("type").asText().endsWith("/" + code));
        assertFalse(answer.body().path("detail").asText().isEmpty());
        assertSame(before, fixture.controlPlane.state(), "a refusal changes nothing");
        return answer;
    }

    private String vpc() throws Exception
    {
        return ok(201, "POST", "/v1/vpcs", "{\"cidrBlock\":\"10.0.0.0/16\"}").body().path("vpcId").asText();
    }

    private String subnet(final String vpcId, final String cidr) throws Exception
    {
        return subnet(vpcId, cidr, "us-east-1a");
    }

    private String subnet(final String vpcId, final String cidr, final String zone) throws Exception
    {
        return ok(201, "POST", "/v1/subnets", "{\"vpcId\":\"" + vpcId + "\",\"cidrBlock\":\"" + cidr + "\",\"availabilityZone\":\"" + zone + "\"}")
            .body().path("subnetId").asText();
    }

    @Test
    void everyAnswerIsReportedWithItsActionAndError() throws Exception
    {
        vpc();
        refused(403, "UnauthorizedOperation", READER_TOKEN, "POST", "/v1/vpcs", "{\"cidrBlock\":\"10.0.0.0/16\"}");
        refused(404, "NotFound", ADMIN_TOKEN, "GET", "/v1/nothing", null);
        assertEquals(List.of("CreateVpc null", "CreateVpc UnauthorizedOperation", "null NotFound"), answers);
    }

    @Test
    void vpcCrud() throws Exception
    {
        final Answer created = ok(201, "POST", "/v1/vpcs", "{\"cidrBlock\":\"10.1.0.0/16\",\"tags\":{\"Name\":\"web\"}}");
        final String vpcId = created.body().path("vpcId").asText();
        assertTrue(vpcId.startsWith("vpc-"));
        assertEquals("web", created.body().path("tags").path("Name").asText());
        assertEquals("10.1.0.0/16", fixture.controlPlane.state().vpc(vpcId).cidrBlock());

        assertEquals(vpcId, ok(200, "GET", "/v1/vpcs/" + vpcId, null).body().path("vpcId").asText());
        assertEquals(1, ok(200, "GET", "/v1/vpcs?tag:Name=web", null).body().path("items").size());
        assertEquals(0, ok(200, "GET", "/v1/vpcs?tag:Name=db", null).body().path("items").size());

        final Answer modified = ok(200, "PATCH", "/v1/vpcs/" + vpcId, "{\"enableDnsHostnames\":false}");
        assertFalse(modified.body().path("enableDnsHostnames").asBoolean(true));
        assertFalse(fixture.controlPlane.state().vpc(vpcId).enableDnsHostnames());

        // The REST API's writer is the API thread: a call the appliance posts there commits too, and REST sees it.
        final java.util.concurrent.CompletableFuture<String> posted = new java.util.concurrent.CompletableFuture<>();
        server.executeOnApiThread(() -> posted.complete(fixture.controlPlane.createVpc("10.2.0.0/16", Map.of(), false).vpcId()));
        final String postedVpc = posted.get(10, java.util.concurrent.TimeUnit.SECONDS);
        assertEquals("10.2.0.0/16", ok(200, "GET", "/v1/vpcs/" + postedVpc, null).body().path("cidrBlock").asText());

        assertEquals(204, ok(204, "DELETE", "/v1/vpcs/" + vpcId, null).status());
        assertEquals(null, fixture.controlPlane.state().vpc(vpcId));
        refused(400, "InvalidVpcID.NotFound", ADMIN_TOKEN, "GET", "/v1/vpcs/" + vpcId, null);
    }

    @Test
    void subnetAndSecurityGroupCrud() throws Exception
    {
        final String vpcId = vpc();
        final String subnetId = subnet(vpcId, "10.0.1.0/24");
        assertEquals(vpcId, ok(200, "GET", "/v1/subnets/" + subnetId, null).body().path("vpcId").asText());
        assertEquals(1, ok(200, "GET", "/v1/subnets?vpc-id=" + vpcId, null).body().path("items").size());

        final String groupId = ok(201, "POST", "/v1/security-groups",
            "{\"vpcId\":\"" + vpcId + "\",\"groupName\":\"web\",\"description\":\"web tier\"}").body().path("groupId").asText();
        final int rulesBefore = fixture.controlPlane.state().securityGroup(groupId).rules().size();
        ok(200, "PATCH", "/v1/security-groups/" + groupId,
            "{\"authorizeIngress\":[{\"ipProtocol\":\"tcp\",\"fromPort\":443,\"toPort\":443,\"ipRanges\":[{\"cidrIp\":\"10.0.0.0/8\"}]}]}");
        assertEquals(rulesBefore + 1, fixture.controlPlane.state().securityGroup(groupId).rules().size());
        assertEquals("web", ok(200, "GET", "/v1/security-groups/" + groupId, null).body().path("groupName").asText());

        ok(204, "DELETE", "/v1/security-groups/" + groupId, null);
        ok(204, "DELETE", "/v1/subnets/" + subnetId, null);
        assertEquals(null, fixture.controlPlane.state().securityGroup(groupId));
        assertEquals(null, fixture.controlPlane.state().subnet(subnetId));
    }

    @Test
    void networkAclCrud() throws Exception
    {
        final String vpcId = vpc();
        final String subnetId = subnet(vpcId, "10.0.1.0/24");
        final String aclId = ok(201, "POST", "/v1/network-acls", "{\"vpcId\":\"" + vpcId + "\"}").body().path("networkAclId").asText();
        ok(200, "PATCH", "/v1/network-acls/" + aclId, "{\"createEntries\":[{\"ruleNumber\":100,\"egress\":false,\"protocol\":\"tcp\"," +
            "\"ruleAction\":\"allow\",\"cidrBlock\":\"10.0.0.0/8\",\"portFrom\":443,\"portTo\":443}],\"associateSubnetIds\":[\"" + subnetId + "\"]}");
        assertTrue(fixture.controlPlane.state().networkAcl(aclId).entries().stream().anyMatch(entry -> entry.ruleNumber() == 100));
        assertEquals(aclId, fixture.controlPlane.state().networkAclAssociationOf(subnetId).networkAclId());
        // In use by a subnet: EC2's DependencyViolation, nothing changed.
        refused(400, "DependencyViolation", ADMIN_TOKEN, "DELETE", "/v1/network-acls/" + aclId, null);

        ok(200, "PATCH", "/v1/network-acls/" + aclId, "{\"deleteEntries\":[{\"ruleNumber\":100,\"egress\":false}]}");
        assertTrue(fixture.controlPlane.state().networkAcl(aclId).entries().stream().noneMatch(entry -> entry.ruleNumber() == 100));
        final String defaultAcl = fixture.controlPlane.state().vpc(vpcId).defaultNetworkAclId();
        ok(200, "PATCH", "/v1/network-acls/" + defaultAcl, "{\"associateSubnetIds\":[\"" + subnetId + "\"]}");
        ok(204, "DELETE", "/v1/network-acls/" + aclId, null);
        assertEquals(null, fixture.controlPlane.state().networkAcl(aclId));
    }

    @Test
    void serviceCrud() throws Exception
    {
        final Answer created = ok(201, "POST", "/v1/services", "{\"acceptanceRequired\":true,\"networkLoadBalancerArns\":[\"" +
            Fixture.AUTO.loadBalancerArn() + "\"]}");
        final String serviceId = created.body().path("serviceId").asText();
        assertFalse(created.body().has("requestFingerprint"), "internal fields stay internal");
        assertTrue(fixture.controlPlane.state().service(serviceId).acceptanceRequired());
        ok(200, "PATCH", "/v1/services/" + serviceId, "{\"acceptanceRequired\":false}");
        assertFalse(fixture.controlPlane.state().service(serviceId).acceptanceRequired());
        assertEquals(serviceId, ok(200, "GET", "/v1/services/" + serviceId, null).body().path("serviceId").asText());
        ok(204, "DELETE", "/v1/services/" + serviceId, null);
        final var service = fixture.controlPlane.state().service(serviceId);
        assertTrue(service == null || !"Available".equals(service.state().wireName()));
    }

    @Test
    void endpointLifecycleWithConnectionsAndNotifications() throws Exception
    {
        final String vpcId = vpc();
        final String subnetA = subnet(vpcId, "10.0.1.0/24");
        final String subnetB = subnet(vpcId, "10.0.2.0/24", "us-east-1b");
        final Answer created = ok(201, "POST", "/v1/endpoints", "{\"vpcId\":\"" + vpcId + "\",\"serviceName\":\"" +
            Fixture.MANUAL.serviceName() + "\",\"subnetIds\":[\"" + subnetA + "\"]}");
        final String endpointId = created.body().path("vpcEndpointId").asText();
        assertEquals("pendingAcceptance", created.body().path("state").asText());
        assertFalse(created.body().has("stateSequence"));

        ok(200, "PATCH", "/v1/endpoints/" + endpointId, "{\"addSubnetIds\":[\"" + subnetB + "\"]}");
        assertEquals(List.of(subnetA, subnetB).stream().sorted().toList(),
            fixture.controlPlane.state().vpcEndpoint(endpointId).subnetIds().stream().sorted().toList());

        final Answer connections = ok(200, "GET", "/v1/endpoints/" + endpointId + "/connections", null);
        assertEquals("pendingAcceptance", connections.body().path("items").get(0).path("vpcEndpointState").asText());
        refused(400, "InvalidParameterValue", ADMIN_TOKEN, "POST", "/v1/endpoints/" + endpointId + "/connections", "{\"action\":\"maybe\"}");
        final Answer accepted = ok(200, "POST", "/v1/endpoints/" + endpointId + "/connections", "{\"action\":\"accept\"}");
        assertEquals("pending", accepted.body().path("items").get(0).path("vpcEndpointState").asText());
        assertEquals("pending", fixture.controlPlane.state().vpcEndpoint(endpointId).state().wireName());

        final String arn = "arn:aws:sns:us-east-1:123456789012:endpoint-events";
        final String notificationId = ok(201, "POST", "/v1/endpoints/" + endpointId + "/notifications",
            "{\"connectionNotificationArn\":\"" + arn + "\",\"connectionEvents\":[\"Accept\",\"Reject\"]}")
            .body().path("connectionNotificationId").asText();
        assertEquals(1, ok(200, "GET", "/v1/endpoints/" + endpointId + "/notifications", null).body().path("items").size());
        final Answer modified = ok(200, "PATCH", "/v1/endpoints/" + endpointId + "/notifications/" + notificationId,
            "{\"connectionEvents\":[\"Delete\"]}");
        assertEquals("Delete", modified.body().path("connectionEvents").get(0).asText());
        ok(204, "DELETE", "/v1/endpoints/" + endpointId + "/notifications/" + notificationId, null);
        assertEquals(null, fixture.controlPlane.state().connectionNotification(notificationId));

        assertEquals("deleting", ok(200, "DELETE", "/v1/endpoints/" + endpointId, null).body().path("state").asText());
        assertEquals("deleting", fixture.controlPlane.state().vpcEndpoint(endpointId).state().wireName());
    }

    @Test
    void refusalsCarryEc2CodesAndChangeNothing() throws Exception
    {
        final String vpcId = vpc();
        subnet(vpcId, "10.0.1.0/24");
        refused(400, "InvalidParameterValue", ADMIN_TOKEN, "POST", "/v1/vpcs", "{\"cidrBlock\":\"10.0.0.0/33\"}");
        refused(400, "MissingParameter", ADMIN_TOKEN, "POST", "/v1/vpcs", "{}");
        refused(400, "UnknownParameter", ADMIN_TOKEN, "POST", "/v1/vpcs", "{\"cidrBlock\":\"10.0.0.0/16\",\"colour\":\"red\"}");
        refused(400, "InvalidRequest", ADMIN_TOKEN, "POST", "/v1/vpcs", "{\"cidrBlock\":");
        refused(412, "DryRunOperation", ADMIN_TOKEN, "POST", "/v1/vpcs?dryRun=true", "{\"cidrBlock\":\"10.0.0.0/16\"}");
        refused(400, "DependencyViolation", ADMIN_TOKEN, "DELETE", "/v1/vpcs/" + vpcId, null);
        refused(400, "InvalidSubnet.Conflict", ADMIN_TOKEN, "POST", "/v1/subnets",
            "{\"vpcId\":\"" + vpcId + "\",\"cidrBlock\":\"10.0.1.0/25\",\"availabilityZone\":\"us-east-1a\"}");
        refused(400, "InvalidServiceName", ADMIN_TOKEN, "POST", "/v1/endpoints",
            "{\"vpcId\":\"" + vpcId + "\",\"serviceName\":\"com.amazonaws.vpce.us-east-1.vpce-svc-0000000000000bad\"}");
        refused(400, "InvalidVpcEndpointId.NotFound", ADMIN_TOKEN, "GET", "/v1/endpoints/vpce-0123456789abcdef0", null);
        refused(404, "NotFound", ADMIN_TOKEN, "GET", "/v1/routers", null);
        refused(405, "MethodNotAllowed", ADMIN_TOKEN, "PUT", "/v1/vpcs/" + vpcId, "{}");
        refused(413, "RequestEntityTooLarge", ADMIN_TOKEN, "POST", "/v1/vpcs",
            "{\"cidrBlock\":\"10.0.0.0/16\",\"tags\":{\"Name\":\"" + "x".repeat(ManagementServer.MAX_REQUEST_BYTES) + "\"}}");
    }

    @Test
    void authentication() throws Exception
    {
        refused(401, "AuthFailure", null, "GET", "/v1/vpcs", null);
        refused(401, "AuthFailure", null, "POST", "/v1/vpcs", "{\"cidrBlock\":\"10.0.0.0/16\"}");
        refused(401, "AuthFailure", "not-a-configured-token-000", "GET", "/v1/vpcs", null);
        // The reader may list but not create; the refusal names the IAM action.
        assertEquals(200, send(READER_TOKEN, "GET", "/v1/vpcs", null).status());
        final Answer forbidden = refused(403, "UnauthorizedOperation", READER_TOKEN, "POST", "/v1/vpcs", "{\"cidrBlock\":\"10.0.0.0/16\"}");
        assertTrue(forbidden.body().path("detail").asText().contains("ec2:CreateVpc"));
        assertFalse(forbidden.body().toString().contains(READER_TOKEN), "the token is never echoed");
        // The document needs no credentials.
        final Answer document = send(null, "GET", RestApi.OPENAPI_PATH, null);
        assertEquals(200, document.status());
        assertEquals("3.0.3", document.body().path("openapi").asText());
    }

    @Test
    void sigV4SignedRequestsAreAcceptedAndTamperedOnesRefused() throws Exception
    {
        final String body = "{\"cidrBlock\":\"10.9.0.0/16\"}";
        final HttpRequest signed = signed(SdkHttpMethod.POST, "/v1/vpcs", body, body);
        final Answer created = answer(HTTP.send(signed, HttpResponse.BodyHandlers.ofByteArray()));
        assertEquals(201, created.status(), created.body().toString());
        assertTrue(fixture.controlPlane.state().vpc(created.body().path("vpcId").asText()) != null);

        // Signed over one body, sent with another: the body hash no longer matches.
        final HttpRequest tampered = signed(SdkHttpMethod.POST, "/v1/vpcs", body, "{\"cidrBlock\":\"10.8.0.0/16\"}");
        final ControlPlaneState before = fixture.controlPlane.state();
        final Answer refused = answer(HTTP.send(tampered, HttpResponse.BodyHandlers.ofByteArray()));
        assertEquals(401, refused.status());
        assertEquals("AuthFailure", refused.code());
        assertSame(before, fixture.controlPlane.state());
    }

    private HttpRequest signed(final SdkHttpMethod method, final String path, final String signedBody, final String sentBody)
    {
        final SdkHttpRequest request = SdkHttpRequest.builder().method(method).protocol("http").host("127.0.0.1")
            .port(server.port()).encodedPath(path).putHeader("Content-Type", "application/json").build();
        final SdkHttpRequest signed = AwsV4HttpSigner.create().sign(r -> r
            .request(request)
            .payload(ContentStreamProvider.fromByteArray(signedBody.getBytes(StandardCharsets.UTF_8)))
            .identity(AwsCredentialsIdentity.create(SIGNER.accessKeyId(), SIGNER.secretAccessKey()))
            .putProperty(AwsV4HttpSigner.REGION_NAME, "us-east-1")
            .putProperty(AwsV4HttpSigner.SERVICE_SIGNING_NAME, "ec2")).request();
        final HttpRequest.Builder builder = HttpRequest.newBuilder(signed.getUri()).timeout(Duration.ofSeconds(20))
            .method(method.name(), HttpRequest.BodyPublishers.ofString(sentBody));
        signed.forEachHeader((name, values) ->
        {
            if (!name.equalsIgnoreCase("host"))
            {
                values.forEach(value -> builder.header(name, value));
            }
        });
        return builder.build();
    }

    /** Every route served is in the checked-in document and every documented operation is served. */
    @Test
    void openApiDocumentMatchesTheRoutes() throws Exception
    {
        final JsonNode document = send(null, "GET", RestApi.OPENAPI_PATH, null).body();
        final Set<String> documented = new TreeSet<>();
        for (final Iterator<Map.Entry<String, JsonNode>> paths = document.path("paths").fields(); paths.hasNext(); )
        {
            final Map.Entry<String, JsonNode> path = paths.next();
            path.getValue().fieldNames().forEachRemaining(method -> documented.add(method.toUpperCase() + " " + path.getKey()));
        }
        assertEquals(new TreeSet<>(api.routeNames()), documented);
        // And the server really routes each of them (a routing miss is NotFound/MethodNotAllowed, not an EC2 code).
        for (final String operation : documented)
        {
            final String method = operation.substring(0, operation.indexOf(' '));
            final String path = operation.substring(operation.indexOf(' ') + 1).replaceAll("\\{[^}]+}", "x-1");
            final Answer answer = admin(method, path, "POST".equals(method) || "PATCH".equals(method) ? "{}" : null);
            assertNotEquals("NotFound", answer.code(), operation);
            assertNotEquals("MethodNotAllowed", answer.code(), operation);
            assertNotEquals(500, answer.status(), operation + ": " + answer.body());
        }
    }
}
