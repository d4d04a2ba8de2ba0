package vpce.mgmt.controlplane;

import vpce.mgmt.ApiException;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * A control plane with a seeded id source, a hand-driven clock, an in-memory store and recording listeners, plus the
 * assertions the tests share: a refusal carries its code and changes nothing.
 */
public final class Fixture
{
    public static final String REGION = "us-east-1";
    public static final String OWNER = "123456789012";
    public static final long START_MS = 1_767_225_600_000L;
    public static final List<AvailabilityZone> ZONES = List.of(
        AvailabilityZone.of(REGION, "us-east-1a"), AvailabilityZone.of(REGION, "us-east-1b"),
        AvailabilityZone.of(REGION, "us-east-1c"));
    /** Auto-accepted, zones a and b, with a private DNS name. */
    public static final CatalogService AUTO = new CatalogService("com.amazonaws.vpce.us-east-1.vpce-svc-0a11ce0000000001",
        "vpce-svc-0a11ce0000000001", OWNER, List.of("us-east-1a", "us-east-1b"), "api.example.internal", false,
        "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/net/auto/0000000000000001", List.of());
    /** Acceptance required, all three zones, no private DNS name. */
    public static final CatalogService MANUAL = new CatalogService("com.amazonaws.vpce.us-east-1.vpce-svc-0a11ce0000000002",
        "vpce-svc-0a11ce0000000002", OWNER, List.of("us-east-1a", "us-east-1b", "us-east-1c"), null, true,
        "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/net/manual/0000000000000002", List.of());
    /** An AWS-style service owned by amazon. */
    public static final CatalogService S3 = new CatalogService("com.amazonaws.us-east-1.s3",
        CatalogService.serviceIdFor("com.amazonaws.us-east-1.s3"), "amazon", List.of("us-east-1a", "us-east-1b"),
        "s3.us-east-1.amazonaws.com", false,
        "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/net/s3/0000000000000003", List.of());
    /** Visible to another account only. */
    public static final CatalogService RESTRICTED = new CatalogService("com.amazonaws.vpce.us-east-1.vpce-svc-0a11ce0000000004",
        "vpce-svc-0a11ce0000000004", OWNER, List.of("us-east-1a"), null, false,
        "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/net/restricted/0000000000000004",
        List.of("arn:aws:iam::999999999999:root"));
    public static final List<CatalogService> CATALOG = List.of(AUTO, MANUAL, S3, RESTRICTED);

    public final TestClock clock = new TestClock(START_MS);
    public final ControlPlane controlPlane;
    public final List<ControlPlaneState> published = new ArrayList<>();
    public final List<Commit> commits = new ArrayList<>();
    public final List<ConnectionEvent> events = new ArrayList<>();

    public Fixture()
    {
        this(settings(), StateStore.inMemory(), 42);
    }

    public Fixture(final ControlPlaneSettings settings, final StateStore store, final long seed)
    {
        controlPlane = new ControlPlane(settings, store, clock, new IdSource(new SplittableRandom(seed)));
        controlPlane.addStateListener((state, commit) ->
        {
            published.add(state);
            commits.add(commit);
        });
        controlPlane.addConnectionEventListener(events::add);
    }

    public static ControlPlaneSettings settings()
    {
        return ControlPlaneSettings.of(REGION, OWNER, ZONES, CATALOG);
    }

    public static ControlPlaneSettings settings(final int endpointsPerVpc, final long retentionMs)
    {
        return new ControlPlaneSettings(REGION, OWNER, ZONES, CATALOG, endpointsPerVpc, 5, retentionMs);
    }

    public ControlPlaneState state()
    {
        return controlPlane.state();
    }

    /** Asserts that {@code action} is refused with {@code code} and leaves the state, listeners and events untouched. */
    public ApiException refused(final String code, final Runnable action)
    {
        final ControlPlaneState before = state();
        final List<Resource> resourcesBefore = before.resources();
        final int publishedBefore = published.size();
        final int eventsBefore = events.size();
        final ApiException refusal = assertThrows(ApiException.class, action::run);
        assertEquals(code, refusal.code(), refusal.getMessage());
        assertSame(before, state(), "a refused action must not publish a state");
        assertEquals(resourcesBefore, state().resources());
        assertEquals(publishedBefore, published.size());
        assertEquals(eventsBefore, events.size());
        return refusal;
    }

    /** Asserts that the dry run of {@code action} answers DryRunOperation (412) and changes nothing. */
    public void dryRunSucceeds(final Runnable action)
    {
        final ApiException refusal = refused("DryRunOperation", action);
        assertEquals(412, refusal.httpStatus());
        assertEquals("Request would have succeeded, but DryRun flag is set.", refusal.getMessage());
    }

    /** Runs {@code action} first with dryRun (expecting DryRunOperation and no change), then for real. */
    public <T> T dryThenWet(final java.util.function.Function<Boolean, T> action)
    {
        dryRunSucceeds(() -> action.apply(true));
        return action.apply(false);
    }

    public Vpc vpc(final String cidr)
    {
        return controlPlane.createVpc(cidr, Map.of(), false);
    }

    /** A 10.0.0.0/16 VPC with both DNS attributes on and subnets 10.0.1.0/24 (a), 10.0.2.0/24 (b), 10.0.3.0/24 (c). */
    public Network network()
    {
        final Vpc vpc = vpc("10.0.0.0/16");
        controlPlane.modifyVpcAttribute(vpc.vpcId(), VpcAttribute.ENABLE_DNS_HOSTNAMES, true, false);
        final Subnet a = controlPlane.createSubnet(vpc.vpcId(), "10.0.1.0/24", "us-east-1a", null, Map.of(), false);
        final Subnet b = controlPlane.createSubnet(vpc.vpcId(), "10.0.2.0/24", "us-east-1b", null, Map.of(), false);
        final Subnet c = controlPlane.createSubnet(vpc.vpcId(), "10.0.3.0/24", "us-east-1c", null, Map.of(), false);
        return new Network(state().vpc(vpc.vpcId()), a, b, c);
    }

    public record Network(Vpc vpc, Subnet a, Subnet b, Subnet c)
    {
        public String vpcId()
        {
            return vpc.vpcId();
        }
    }

    public VpcEndpoint endpoint(final Network network, final CatalogService service, final Subnet... subnets)
    {
        return controlPlane.createVpcEndpoint(CreateVpcEndpointRequest.of(network.vpcId(), service.serviceName(),
            java.util.Arrays.stream(subnets).map(Subnet::subnetId).toList(), List.of()), false);
    }

    /** Reports the current state as programmed, as the datapath adapter does. */
    public int programmed()
    {
        return controlPlane.onDatapathProgrammed(state().sequence());
    }

    public static <T> T first(final Supplier<List<T>> items)
    {
        return items.get().getFirst();
    }
}
