package vpce.mgmt.ec2.actions;

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
import software.amazon.awssdk.services.ec2.model.Ec2Exception;
import vpce.mgmt.ManagementServer;
import vpce.mgmt.auth.AccessKey;
import vpce.mgmt.auth.AccessKeys;
import vpce.mgmt.auth.SigV4Verifier;
import vpce.mgmt.controlplane.ConnectionEvent;
import vpce.mgmt.controlplane.ControlPlane;
import vpce.mgmt.controlplane.ControlPlaneSettings;
import vpce.mgmt.controlplane.ControlPlaneState;
import vpce.mgmt.controlplane.Fixture;
import vpce.mgmt.controlplane.IdSource;
import vpce.mgmt.controlplane.StateStore;
import vpce.mgmt.controlplane.TestClock;
import vpce.mgmt.ec2.Ec2Action;
import vpce.mgmt.ec2.Ec2Dispatcher;
import vpce.mgmt.ec2.Ec2QueryApi;
import vpce.mgmt.ec2.ParameterSchema;

import java.io.IOException;
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
import java.util.SplittableRandom;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * The real server, EC2 Query API and control plane (the test fixture's settings and catalog, a seeded id source, a
 * hand-driven clock), with the catalog's actions and one test-only action, {@value #PROGRAM_DATAPATH}, that reports the
 * current state as programmed on the API thread (the control plane's writer), as the appliance's datapath adapter
 * does. Clients: the AWS SDK's {@link Ec2Client} and raw signed HTTP for the XML itself.
 */
final class Ec2ActionsHarness implements AutoCloseable
{
    static final String PROGRAM_DATAPATH = "VpceTestProgramDatapath";
    static final AccessKey ADMIN = new AccessKey("AKIAVPCETESTADMIN001", "vpce-test-secret", List.of("ec2:*"));
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(Duration.ofSeconds(5)).build();

    final TestClock clock = new TestClock(Fixture.START_MS);
    final ControlPlane controlPlane;
    final ManagementServer server;
    /** Connection events, in commit order (told on the API thread, read by the test). */
    final List<ConnectionEvent> events = new CopyOnWriteArrayList<>();

    Ec2ActionsHarness(final StateStore store) throws InterruptedException
    {
        this(Fixture.settings(), store, 0);
    }

    /**
     * @param port 0 for any free port.
     */
    Ec2ActionsHarness(final ControlPlaneSettings settings, final StateStore store, final int port) throws InterruptedException
    {
        controlPlane = new ControlPlane(settings, store, clock, new IdSource(new SplittableRandom(7)));
        controlPlane.addConnectionEventListener(events::add);
        final List<Ec2Action> actions = new ArrayList<>(Ec2ActionCatalog.actions(controlPlane));
        actions.add(Ec2Action.of(PROGRAM_DATAPATH, ParameterSchema.of(),
            (params, call) -> out -> out.integer("changed", controlPlane.onDatapathProgrammed(controlPlane.state().sequence()))));
        server = ManagementServer.start(new InetSocketAddress("127.0.0.1", port), Map.of(),
            new Ec2QueryApi(new SigV4Verifier(AccessKeys.of(ADMIN), InstantSource.system()), new Ec2Dispatcher(actions)));
    }

    ControlPlaneState state()
    {
        return controlPlane.state();
    }

    URI endpoint()
    {
        return URI.create("http://127.0.0.1:" + server.port());
    }

    /** The SDK's EC2 client, unchanged but for its endpoint; no retries, so a refusal is one request. */
    Ec2Client client()
    {
        return Ec2Client.builder()
            .endpointOverride(endpoint())
            .region(Region.US_EAST_1)
            .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(ADMIN.accessKeyId(), ADMIN.secretAccessKey())))
            .httpClient(UrlConnectionHttpClient.create())
            .overrideConfiguration(o -> o.retryStrategy(AwsRetryStrategy.doNotRetry()))
            .build();
    }

    /** Moves pending endpoints to available and deleting ones to deleted, as the datapath adapter does. */
    void programDatapath() throws IOException, InterruptedException
    {
        final HttpResponse<String> response = post("Action=" + PROGRAM_DATAPATH + "&Version=2016-11-15");
        assertEquals(200, response.statusCode(), response.body());
    }

    /** A form body signed with the SDK's signer, sent as the CLI sends it. */
    HttpResponse<String> post(final String body) throws IOException, InterruptedException
    {
        final byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        final SdkHttpRequest request = SdkHttpRequest.builder().method(SdkHttpMethod.POST).protocol("http").host("127.0.0.1")
            .port(server.port()).encodedPath("/").putHeader("Content-Type", "application/x-www-form-urlencoded; charset=utf-8").build();
        final SdkHttpRequest signed = AwsV4HttpSigner.create().sign(r -> r
            .request(request)
            .payload(ContentStreamProvider.fromByteArray(bytes))
            .identity(AwsCredentialsIdentity.create(ADMIN.accessKeyId(), ADMIN.secretAccessKey()))
            .putProperty(AwsV4HttpSigner.REGION_NAME, "us-east-1")
            .putProperty(AwsV4HttpSigner.SERVICE_SIGNING_NAME, "ec2")).request();
        final HttpRequest.Builder builder = HttpRequest.newBuilder(signed.getUri()).timeout(Duration.ofSeconds(20))
            .POST(HttpRequest.BodyPublishers.ofByteArray(bytes));
        signed.forEachHeader((name, values) ->
        {
            if (!name.equalsIgnoreCase("host"))
            {
                values.forEach(value -> builder.header(name, value));
            }
        });
        return HTTP.send(builder.build(), HttpResponse.BodyHandlers.ofString());
    }

    /**
     * Asserts that {@code call} is refused with {@code code} (HTTP {@code status}) through the SDK and that the
     * control plane published no new state: not one resource changed.
     */
    Ec2Exception refused(final int status, final String code, final Runnable call)
    {
        final ControlPlaneState before = state();
        final int eventsBefore = events.size();
        final Ec2Exception refusal = assertThrows(Ec2Exception.class, call::run);
        assertEquals(code, refusal.awsErrorDetails().errorCode(), refusal.getMessage());
        assertEquals(status, refusal.statusCode(), refusal.getMessage());
        assertSame(before, state(), "a refused request must not publish a state: " + code);
        assertEquals(eventsBefore, events.size(), "a refused request must not raise connection events");
        return refusal;
    }

    /** {@link #refused} with 400. */
    Ec2Exception refused(final String code, final Runnable call)
    {
        return refused(400, code, call);
    }

    /** The dry run of {@code call} answers DryRunOperation (412) and changes nothing. */
    void dryRunSucceeds(final Runnable call)
    {
        refused(412, "DryRunOperation", call);
    }

    /** An SDK call with its request's {@code DryRun} set to the argument. */
    @FunctionalInterface
    interface DryRunnable
    {
        Object call(boolean dryRun);
    }

    /**
     * The request is refused with {@code code}, with DryRun as without (a dry run answers the real refusal, not
     * DryRunOperation), and neither changes anything.
     */
    Ec2Exception refusedEitherWay(final String code, final DryRunnable call)
    {
        refused(code, () -> call.call(true));
        return refused(code, () -> call.call(false));
    }

    /**
     * The dry run answers DryRunOperation and changes nothing; then the same request for real succeeds: the dry run
     * predicted it.
     *
     * @return the real call's response.
     */
    <T> T dryThenReal(final DryRunnable call)
    {
        dryRunSucceeds(() -> call.call(true));
        @SuppressWarnings("unchecked")
        final T response = (T)call.call(false);
        return response;
    }

    @Override
    public void close()
    {
        server.close();
    }
}
