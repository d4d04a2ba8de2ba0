package vpce.mgmt.auth;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.http.ContentStreamProvider;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4HttpSigner;
import software.amazon.awssdk.http.auth.spi.signer.HttpSigner;
import software.amazon.awssdk.identity.spi.AwsCredentialsIdentity;
import software.amazon.awssdk.identity.spi.AwsSessionCredentialsIdentity;
import vpce.mgmt.ApiException;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Requests captured from the AWS CLI (v1 and v2) and boto3 (signed with key "test", secret "test"), and requests signed
 * here by the SDK's public {@link AwsV4HttpSigner}, all verified; then each way a signature can be wrong.
 */
class SigV4VerifierTest
{
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Instant NOW = Instant.parse("2026-11-23T08:20:16Z");
    private static final AccessKey TEST = new AccessKey("test", "test", List.of("ec2:*"));
    private static final AccessKey TEST_WITH_TOKEN = new AccessKey("test", "test", List.of("ec2:*"), "tok");

    record Captured(Instant at, Map<String, List<String>> headers, byte[] body)
    {
        SignableRequest request()
        {
            return new SignableRequest("POST", "/", Map.of(), headers, body);
        }

        SignableRequest with(final UnaryOperator<Map<String, List<String>>> headerEdit, final byte[] newBody)
        {
            return new SignableRequest("POST", "/", Map.of(), headerEdit.apply(new HashMap<>(headers)), newBody);
        }
    }

    private static List<Captured> captured() throws Exception
    {
        final List<Captured> requests = new ArrayList<>();
        try (BufferedReader in = new BufferedReader(new InputStreamReader(
            SigV4VerifierTest.class.getResourceAsStream("captured-requests.jsonl"), StandardCharsets.UTF_8)))
        {
            for (String line = in.readLine(); line != null; line = in.readLine())
            {
                final JsonNode node = JSON.readTree(line);
                final Map<String, List<String>> headers = new LinkedHashMap<>();
                node.get("headers").properties().forEach(e -> headers.put(e.getKey(), List.of(e.getValue().asText())));
                requests.add(new Captured(Instant.ofEpochMilli((long)(node.get("t").asDouble() * 1000)), headers,
                    node.get("body").asText().getBytes(StandardCharsets.UTF_8)));
            }
        }
        return requests;
    }

    private static SigV4Verifier verifier(final Instant now, final AccessKey... keys)
    {
        return new SigV4Verifier(AccessKeys.of(keys), InstantSource.fixed(now));
    }

    private static void assertAuthFailure(final SigV4Verifier verifier, final SignableRequest request, final String messagePart)
    {
        final ApiException refusal = assertThrows(ApiException.class, () -> verifier.verify(request));
        assertEquals("AuthFailure", refusal.code(), refusal.getMessage());
        assertEquals(401, refusal.httpStatus());
        assertTrue(refusal.getMessage().contains(messagePart), refusal.getMessage());
    }

    @Test
    void everyCapturedCliAndBoto3RequestVerifies() throws Exception
    {
        final List<Captured> requests = captured();
        assertEquals(40, requests.size());
        int withToken = 0;
        for (final Captured request : requests)
        {
            final boolean token = request.headers().containsKey("X-Amz-Security-Token");
            withToken += token ? 1 : 0;
            final Principal principal = verifier(request.at(), token ? TEST_WITH_TOKEN : TEST).verify(request.request());
            assertEquals("test", principal.accessKeyId());
            assertEquals("us-east-1", principal.region());
            // the same request with the other kind of key is refused
            assertAuthFailure(verifier(request.at(), token ? TEST : TEST_WITH_TOKEN), request.request(), "security token");
        }
        assertEquals(1, withToken);
    }

    @Test
    void anyChangeToASignedPartBreaksTheSignature() throws Exception
    {
        final Captured request = captured().get(0);
        final SigV4Verifier verifier = verifier(request.at(), TEST);
        final byte[] body = request.body().clone();
        body[body.length - 1] ^= 1;
        assertAuthFailure(verifier, request.with(h -> h, body), "does not match");
        assertAuthFailure(verifier, request.with(h -> { h.put("Host", List.of("127.0.0.1:1")); return h; }, request.body()), "does not match");
        assertAuthFailure(verifier, request.with(h -> { h.put("Content-Type", List.of("text/plain")); return h; }, request.body()), "does not match");
        assertAuthFailure(verifier, new SignableRequest("POST", "/", Map.of("Action", List.of("DeleteVpcs")), request.headers(), request.body()),
            "does not match");
        assertAuthFailure(verifier, new SignableRequest("PUT", "/", Map.of(), request.headers(), request.body()), "does not match");
        // unsigned headers may change freely
        verifier.verify(request.with(h -> { h.put("User-Agent", List.of("other")); h.put("X-Extra", List.of("1")); return h; }, request.body()));
    }

    @Test
    void wrongSecretUnknownKeyAndClockSkew() throws Exception
    {
        final Captured request = captured().get(0);
        assertAuthFailure(verifier(request.at(), new AccessKey("test", "wrong", List.of("ec2:*"))), request.request(), "does not match");
        assertAuthFailure(verifier(request.at(), new AccessKey("other", "test", List.of("ec2:*"))), request.request(), "unknown access key test");
        final Instant signedAt = NOW; // its X-Amz-Date
        assertEquals("20261123T082016Z", request.headers().get("X-Amz-Date").get(0));
        verifier(signedAt.plus(Duration.ofMinutes(15)), TEST).verify(request.request());
        verifier(signedAt.minus(Duration.ofMinutes(15)), TEST).verify(request.request());
        assertAuthFailure(verifier(signedAt.plus(Duration.ofMinutes(15)).plusSeconds(1), TEST), request.request(), "more than 15 minutes");
        assertAuthFailure(verifier(signedAt.minus(Duration.ofMinutes(15)).minusSeconds(1), TEST), request.request(), "more than 15 minutes");
    }

    @Test
    void malformedAuthorizationHeadersAreRefusedWithAReason() throws Exception
    {
        final Captured request = captured().get(0);
        final SigV4Verifier verifier = verifier(request.at(), TEST);
        final String good = request.headers().get("Authorization").get(0);
        final Map<String, String> cases = new LinkedHashMap<>();
        cases.put("", "must start with AWS4-HMAC-SHA256");
        cases.put("AWS4-HMAC-SHA1 Credential=x", "must start with AWS4-HMAC-SHA256");
        cases.put("AWS4-HMAC-SHA256 Credential=test/20261123/us-east-1/ec2/aws4_request", "must have Credential, SignedHeaders and Signature");
        cases.put(good.replace("/ec2/", "/s3/"), "service must be ec2");
        cases.put(good.replace("/aws4_request", "/aws5_request"), "Credential must be");
        cases.put(good.replace("test/20261123", "test/2026-11-23"), "Credential must be");
        cases.put(good.replace("test/20261123", "test/20261124"), "scope date");
        cases.put(good.replace("us-east-1", "US_EAST"), "Credential must be");
        cases.put(good.replace("Signature=", "Signature=0"), "64 lower-case hex");
        cases.put(good.replace("Signature=6", "Signature=X"), "64 lower-case hex");
        cases.put(good.replace("content-type;host;x-amz-date", "Content-Type;host;x-amz-date"), "lower-case header names");
        cases.put(good.replace("content-type;host;x-amz-date", "host;content-type;x-amz-date"), "in order");
        cases.put(good.replace("content-type;host;x-amz-date", "content-type;x-amz-date"), "must include host and x-amz-date");
        cases.put(good.replace("content-type;host;x-amz-date", "content-type;host;user-agent;x-amz-date"), "without connection");
        cases.put(good.replace("content-type;host;x-amz-date", "content-type;host;x-amz-date;x-missing"), "x-missing is not in the request");
        cases.put(good + ", Signature=" + "0".repeat(64), "repeats Signature");
        cases.put(good + ", Extra=1", "unknown component");
        for (final Map.Entry<String, String> c : cases.entrySet())
        {
            assertAuthFailure(verifier, request.with(h -> { h.put("Authorization", List.of(c.getKey())); return h; }, request.body()), c.getValue());
        }
        assertAuthFailure(verifier, request.with(h -> { h.remove("Authorization"); return h; }, request.body()), "no Authorization header");
        assertAuthFailure(verifier, request.with(h -> { h.put("authorization", List.of(good, good)); h.remove("Authorization"); return h; },
            request.body()), "more than one Authorization");
        assertAuthFailure(verifier, request.with(h -> { h.remove("X-Amz-Date"); return h; }, request.body()), "no X-Amz-Date");
        assertAuthFailure(verifier, request.with(h -> { h.put("X-Amz-Date", List.of("2026-11-23T08:20:16Z")); return h; }, request.body()),
            "yyyyMMddTHHmmssZ");
        assertAuthFailure(verifier, new SignableRequest("GET", "/", Map.of("X-Amz-Signature", List.of("ab")), Map.of(), new byte[0]),
            "Presigned");
    }

    @Test
    void requestsSignedByThePublicSdkSignerVerifyIncludingGetAndSessionTokens()
    {
        final Instant now = Instant.parse("2026-01-02T03:04:05Z");
        final byte[] body = "Action=DescribeVpcs&Version=2016-11-15".getBytes(StandardCharsets.US_ASCII);
        final SdkHttpRequest post = SdkHttpRequest.builder().method(SdkHttpMethod.POST).protocol("http").host("127.0.0.1").port(8787)
            .encodedPath("/").putHeader("Content-Type", "application/x-www-form-urlencoded; charset=utf-8").build();
        final SignableRequest signedPost = sign(post, body, AwsCredentialsIdentity.create("AKIDEXAMPLE", "s3cr3t"), "eu-west-3", now);
        assertTrue(signedPost.header("authorization").get(0).contains("x-amz-content-sha256"), "the public signer signs the payload hash header");
        assertEquals("eu-west-3", verifier(now, new AccessKey("AKIDEXAMPLE", "s3cr3t", List.of("ec2:*"))).verify(signedPost).region());

        final SdkHttpRequest get = SdkHttpRequest.builder().method(SdkHttpMethod.GET).protocol("http").host("localhost").port(8787)
            .encodedPath("/").putRawQueryParameter("Action", "DescribeVpcs").putRawQueryParameter("Version", "2016-11-15")
            .putRawQueryParameter("Filter.1.Value.1", "a b/c~*").build();
        final SignableRequest signedGet = sign(get, new byte[0], AwsSessionCredentialsIdentity.create("AKIDEXAMPLE", "s3cr3t", "session"),
            "us-east-1", now);
        verifier(now, new AccessKey("AKIDEXAMPLE", "s3cr3t", List.of("ec2:*"), "session")).verify(signedGet);
        assertAuthFailure(verifier(now, new AccessKey("AKIDEXAMPLE", "s3cr3t", List.of("ec2:*"), "other")), signedGet, "security token");
        final Map<String, List<String>> tampered = new HashMap<>(signedGet.queryParameters());
        tampered.put("Filter.1.Value.1", List.of("a b/c~"));
        assertAuthFailure(verifier(now, new AccessKey("AKIDEXAMPLE", "s3cr3t", List.of("ec2:*"), "session")),
            new SignableRequest("GET", "/", tampered, signedGet.headers(), new byte[0]), "does not match");
        // an unsigned token cannot ride along
        final Map<String, List<String>> headers = new HashMap<>(signedPost.headers());
        headers.put("x-amz-security-token", List.of("session"));
        assertAuthFailure(verifier(now, new AccessKey("AKIDEXAMPLE", "s3cr3t", List.of("ec2:*"), "session")),
            new SignableRequest("POST", "/", Map.of(), headers, body), "must be a signed header");
    }

    @Test
    void theSecretNeverAppearsInARefusal() throws Exception
    {
        final Captured request = captured().get(0);
        final AccessKey key = new AccessKey("test", "Sup3rS3cretValue", List.of("ec2:*"));
        final ApiException refusal = assertThrows(ApiException.class, () -> verifier(request.at(), key).verify(request.request()));
        assertFalse(refusal.getMessage().contains("Sup3rS3cretValue"));
    }

    private static SignableRequest sign(
        final SdkHttpRequest request, final byte[] body, final AwsCredentialsIdentity identity, final String region, final Instant at)
    {
        final SdkHttpRequest signed = AwsV4HttpSigner.create().sign(r -> r
            .request(request)
            .payload(ContentStreamProvider.fromByteArray(body))
            .identity(identity)
            .putProperty(AwsV4HttpSigner.REGION_NAME, region)
            .putProperty(AwsV4HttpSigner.SERVICE_SIGNING_NAME, "ec2")
            .putProperty(HttpSigner.SIGNING_CLOCK, Clock.fixed(at, ZoneOffset.UTC))).request();
        final Map<String, List<String>> headers = new HashMap<>(signed.headers());
        headers.putIfAbsent("Host", List.of(signed.host() + ":" + signed.port()));
        return new SignableRequest(signed.method().name(), signed.encodedPath(), signed.rawQueryParameters(), headers, body);
    }
}
