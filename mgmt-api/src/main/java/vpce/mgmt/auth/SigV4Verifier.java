package vpce.mgmt.auth;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.http.auth.aws.internal.signer.CredentialScope;
import software.amazon.awssdk.http.auth.aws.internal.signer.V4Properties;
import software.amazon.awssdk.http.auth.aws.internal.signer.V4RequestSigner;
import software.amazon.awssdk.http.auth.aws.internal.signer.V4RequestSigningResult;
import software.amazon.awssdk.identity.spi.AwsCredentialsIdentity;
import vpce.mgmt.ApiException;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Verifies AWS Signature Version 4 ({@code Authorization: AWS4-HMAC-SHA256 ...} header) against the configured access
 * keys.
 *
 * <p>The expected signature is computed by the AWS SDK for Java v2, not by a second implementation of the algorithm:
 * the request is rebuilt with exactly the headers the client signed, and the SDK's V4 request signer (the core of
 * {@code AwsV4HttpSigner}) signs it with the stored secret, the client's {@code X-Amz-Date} and the region and service
 * of its credential scope. The public {@code AwsV4HttpSigner} cannot be used as is: it always adds and signs
 * {@code x-amz-content-sha256}, which the AWS CLI and boto3 never sign for EC2, so it could only verify requests
 * from the Java SDK. The payload hash is the SHA-256 of the body received: an unsigned payload is refused.
 *
 * <p>Every refusal is {@code AuthFailure} (401) with a message saying what was wrong; the secret and the expected
 * signature are never echoed. Comparing signatures takes constant time.
 */
public final class SigV4Verifier
{
    public static final String AUTH_FAILURE = "AuthFailure";
    public static final String ALGORITHM = "AWS4-HMAC-SHA256";
    /** The only service accepted in the credential scope: the appliance speaks EC2's API. */
    public static final String SERVICE = "ec2";
    /** As AWS: a signature more than 15 minutes away from the server's clock is refused (replay window). */
    public static final Duration MAX_CLOCK_SKEW = Duration.ofMinutes(15);

    private static final Logger LOG = LoggerFactory.getLogger(SigV4Verifier.class);
    private static final DateTimeFormatter AMZ_DATE = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'");
    private static final Pattern DATE = Pattern.compile("\\d{8}");
    private static final Pattern REGION = Pattern.compile("[a-z0-9-]{1,32}");
    private static final Pattern SIGNATURE = Pattern.compile("[0-9a-f]{64}");
    private static final Pattern SIGNED_HEADERS = Pattern.compile("[a-z0-9!#$%&'*+.^_`|~-]+(;[a-z0-9!#$%&'*+.^_`|~-]+)*");
    private static final String SECURITY_TOKEN = "x-amz-security-token";

    private final AccessKeys keys;
    private final InstantSource clock;

    /**
     * @param clock the server's time, for the skew check (injected so tests are deterministic).
     */
    public SigV4Verifier(final AccessKeys keys, final InstantSource clock)
    {
        this.keys = keys;
        this.clock = clock;
    }

    /**
     * @return who signed the request.
     * @throws ApiException {@code AuthFailure} (401) when the request is not signed, is malformed, names an unknown key,
     *                      is outside the clock-skew window, or its signature does not match.
     */
    public Principal verify(final SignableRequest request)
    {
        final List<String> authorizations = request.header("authorization");
        if (authorizations.isEmpty())
        {
            if (request.queryParameters().containsKey("X-Amz-Signature") || request.queryParameters().containsKey("X-Amz-Algorithm"))
            {
                throw failure("Presigned (query-string) signatures are not supported: sign the Authorization header");
            }
            throw failure("The request is not signed: it has no Authorization header (AWS Signature Version 4)");
        }
        if (authorizations.size() != 1)
        {
            throw failure("The request has more than one Authorization header");
        }
        final Authorization authorization = Authorization.parse(authorizations.get(0));
        final Instant signedAt = amzDate(request);
        final Instant now = clock.instant();
        if (Duration.between(signedAt, now).abs().compareTo(MAX_CLOCK_SKEW) > 0)
        {
            throw failure("Signature expired or not yet valid: X-Amz-Date " + AMZ_DATE.format(signedAt.atOffset(ZoneOffset.UTC)) +
                " is more than 15 minutes from the server time " + AMZ_DATE.format(now.atOffset(ZoneOffset.UTC)));
        }
        if (!authorization.date.equals(AMZ_DATE.format(signedAt.atOffset(ZoneOffset.UTC)).substring(0, 8)))
        {
            throw failure("The credential scope date " + authorization.date + " is not the date of X-Amz-Date");
        }
        final AccessKey key = keys.find(authorization.accessKeyId);
        if (key == null)
        {
            throw failure("AWS was not able to validate the provided access credentials (unknown access key " +
                authorization.accessKeyId + ")");
        }
        final List<String> signedHeaders = Arrays.asList(authorization.signedHeaders.split(";"));
        if (!signedHeaders.contains("host") || !signedHeaders.contains("x-amz-date"))
        {
            throw failure("SignedHeaders must include host and x-amz-date");
        }
        checkSessionToken(request, key, signedHeaders);

        final SdkHttpRequest.Builder rebuilt = SdkHttpRequest.builder()
            .method(method(request.method()))
            .protocol("http")
            .host("localhost") // the Host header is among the signed headers; the signer uses that
            .encodedPath(request.path().isEmpty() ? "/" : request.path());
        for (final Map.Entry<String, List<String>> parameter : request.queryParameters().entrySet())
        {
            rebuilt.putRawQueryParameter(parameter.getKey(), parameter.getValue());
        }
        for (final String name : signedHeaders)
        {
            final List<String> values = request.header(name);
            if (values.isEmpty())
            {
                throw failure("The signed header " + name + " is not in the request");
            }
            rebuilt.putHeader(name, values);
        }
        final V4RequestSigningResult expected = V4RequestSigner.create(
            V4Properties.builder()
                .credentials(AwsCredentialsIdentity.create(key.accessKeyId(), key.secretAccessKey()))
                .credentialScope(new CredentialScope(authorization.region, authorization.service, signedAt))
                .signingClock(Clock.fixed(signedAt, ZoneOffset.UTC))
                .doubleUrlEncode(true)
                .normalizePath(true)
                .build(),
            sha256Hex(request.body()))
            .sign(rebuilt);
        if (!expected.getCanonicalRequest().getSignedHeadersString().equals(authorization.signedHeaders))
        {
            // e.g. the client signed user-agent, which the SDK never signs, or listed headers out of order.
            throw failure("SignedHeaders must list lower-case header names in order, without connection, expect, " +
                "transfer-encoding, user-agent, x-amzn-trace-id or x-forwarded-for");
        }
        if (!MessageDigest.isEqual(
            expected.getSignature().getBytes(StandardCharsets.US_ASCII), authorization.signature.getBytes(StandardCharsets.US_ASCII)))
        {
            if (LOG.isDebugEnabled())
            {
                LOG.debug("signature mismatch for key {}; canonical request:\n{}", key.accessKeyId(),
                    expected.getCanonicalRequest().getCanonicalRequestString());
            }
            throw failure("The request signature we calculated does not match the signature you provided. " +
                "Check your AWS Secret Access Key and signing method.");
        }
        return new Principal(key.accessKeyId(), authorization.region, key);
    }

    private static void checkSessionToken(final SignableRequest request, final AccessKey key, final List<String> signedHeaders)
    {
        final List<String> tokens = request.header(SECURITY_TOKEN);
        if (tokens.size() > 1)
        {
            throw failure("The request has more than one X-Amz-Security-Token header");
        }
        final String token = tokens.isEmpty() ? null : tokens.get(0);
        if (token != null && !signedHeaders.contains(SECURITY_TOKEN))
        {
            throw failure("X-Amz-Security-Token must be a signed header");
        }
        if (key.sessionToken() == null)
        {
            if (token != null)
            {
                throw failure("The security token included in the request is invalid: access key " + key.accessKeyId() +
                    " is a long-term key");
            }
        }
        else if (token == null || !MessageDigest.isEqual(
            token.getBytes(StandardCharsets.UTF_8), key.sessionToken().getBytes(StandardCharsets.UTF_8)))
        {
            throw failure("The security token included in the request is invalid");
        }
    }

    private static Instant amzDate(final SignableRequest request)
    {
        final List<String> dates = request.header("x-amz-date");
        if (dates.size() != 1)
        {
            throw failure(dates.isEmpty() ? "The request has no X-Amz-Date header" : "The request has more than one X-Amz-Date header");
        }
        try
        {
            return LocalDateTime.parse(dates.get(0).trim(), AMZ_DATE).toInstant(ZoneOffset.UTC);
        }
        catch (final DateTimeParseException ex)
        {
            throw failure("X-Amz-Date must be yyyyMMddTHHmmssZ");
        }
    }

    private static SdkHttpMethod method(final String method)
    {
        try
        {
            return SdkHttpMethod.fromValue(method);
        }
        catch (final IllegalArgumentException ex)
        {
            throw failure("Unsupported method " + method);
        }
    }

    private static String sha256Hex(final byte[] body)
    {
        try
        {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(body));
        }
        catch (final NoSuchAlgorithmException ex)
        {
            throw new IllegalStateException("the JDK lacks SHA-256", ex);
        }
    }

    static ApiException failure(final String message)
    {
        return new ApiException(AUTH_FAILURE, message, ApiException.UNAUTHORIZED);
    }

    /** {@code AWS4-HMAC-SHA256 Credential=<key>/<date>/<region>/<service>/aws4_request, SignedHeaders=a;b, Signature=<hex>}. */
    private record Authorization(
        String accessKeyId, String date, String region, String service, String signedHeaders, String signature)
    {
        static Authorization parse(final String header)
        {
            final String value = header.trim();
            if (!value.startsWith(ALGORITHM + " "))
            {
                throw failure("The Authorization header must start with " + ALGORITHM);
            }
            String credential = null;
            String signedHeaders = null;
            String signature = null;
            for (final String part : value.substring(ALGORITHM.length() + 1).split(","))
            {
                final String component = part.trim();
                final int eq = component.indexOf('=');
                final String name = eq < 0 ? component : component.substring(0, eq);
                final String componentValue = eq < 0 ? "" : component.substring(eq + 1);
                switch (name)
                {
                    case "Credential" -> credential = once(credential, componentValue, name);
                    case "SignedHeaders" -> signedHeaders = once(signedHeaders, componentValue, name);
                    case "Signature" -> signature = once(signature, componentValue, name);
                    default -> throw failure("The Authorization header has an unknown component");
                }
            }
            if (credential == null || signedHeaders == null || signature == null)
            {
                throw failure("The Authorization header must have Credential, SignedHeaders and Signature");
            }
            final String[] scope = credential.split("/", -1);
            if (scope.length != 5 || scope[0].isEmpty() || !DATE.matcher(scope[1]).matches() ||
                !REGION.matcher(scope[2]).matches() || !"aws4_request".equals(scope[4]))
            {
                throw failure("Credential must be <access key>/<yyyyMMdd>/<region>/" + SERVICE + "/aws4_request");
            }
            if (!SERVICE.equals(scope[3]))
            {
                throw failure("The credential scope's service must be " + SERVICE);
            }
            if (!SIGNED_HEADERS.matcher(signedHeaders).matches())
            {
                throw failure("SignedHeaders must be lower-case header names separated by ';'");
            }
            if (!SIGNATURE.matcher(signature).matches())
            {
                throw failure("Signature must be 64 lower-case hex digits");
            }
            return new Authorization(scope[0], scope[1], scope[2], scope[3], signedHeaders, signature);
        }

        private static String once(final String previous, final String value, final String name)
        {
            if (previous != null)
            {
                throw failure("The Authorization header repeats " + name);
            }
            return value;
        }
    }
}
