package vpce.mgmt.store;

import vpce.mgmt.controlplane.ControlPlane;
import vpce.mgmt.controlplane.ControlPlaneSettings;
import vpce.mgmt.controlplane.ControlPlaneState;
import vpce.mgmt.controlplane.CreateVpcEndpointRequest;
import vpce.mgmt.controlplane.Fixture;
import vpce.mgmt.controlplane.IpPermission;
import vpce.mgmt.controlplane.ModifyVpcEndpointRequest;
import vpce.mgmt.controlplane.NetworkAclEntry;
import vpce.mgmt.controlplane.Resource;
import vpce.mgmt.controlplane.SecurityGroup;
import vpce.mgmt.controlplane.Subnet;
import vpce.mgmt.controlplane.TestClock;
import vpce.mgmt.controlplane.Vpc;
import vpce.mgmt.controlplane.VpcAttribute;
import vpce.mgmt.controlplane.VpcEndpoint;

import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * A deterministic sequence of actions, each exactly one commit, touching every kind of resource and including
 * multi-resource actions (an endpoint with its ENIs, a subnet with its ACL association): the same seed and clock give
 * the same state after step n, in this JVM or in a child one.
 */
final class StoreWorkload
{
    static final long SEED = 20261123;
    static final int STEPS_PER_ROUND = 12;

    private StoreWorkload()
    {
    }

    static ControlPlaneSettings settings()
    {
        return Fixture.settings(50, 0);
    }

    /** Performs step {@code i}; the clock advances one millisecond per step. */
    static void step(final ControlPlane cp, final TestClock clock, final int i)
    {
        clock.advance(1);
        final int round = i / STEPS_PER_ROUND;
        final ControlPlaneState state = cp.state();
        switch (i % STEPS_PER_ROUND)
        {
            case 0 -> cp.createVpc("10.0.0.0/16", Map.of("Name", "v" + round), false);
            case 1 -> cp.modifyVpcAttribute(vpc(state, round).vpcId(), VpcAttribute.ENABLE_DNS_HOSTNAMES, true, false);
            case 2 -> cp.createSubnet(vpc(state, round).vpcId(), "10.0.1.0/24", "us-east-1a", null, Map.of("Name", "a" + round),
                false);
            case 3 -> cp.createSubnet(vpc(state, round).vpcId(), "10.0.2.0/24", "us-east-1b", null, Map.of("Name", "b" + round),
                false);
            case 4 -> cp.createSecurityGroup(vpc(state, round).vpcId(), "web", "web", Map.of("Name", "g" + round), false);
            case 5 -> cp.authorizeSecurityGroupIngress(group(state, round).groupId(),
                List.of(IpPermission.ofCidr("tcp", 443, 443, "10.0.0.0/16")), false);
            case 6 -> cp.createVpcEndpoint(new CreateVpcEndpointRequest(vpc(state, round).vpcId(), Fixture.AUTO.serviceName(),
                null, List.of(subnet(state, "a" + round).subnetId(), subnet(state, "b" + round).subnetId()),
                List.of(group(state, round).groupId()), null, null, null, null, null, null, null, Map.of("Name", "e" + round),
                null), false);
            case 7 -> cp.onDatapathProgrammed(state.sequence());
            case 8 -> cp.createNetworkAcl(vpc(state, round).vpcId(), Map.of("Name", "n" + round), false);
            case 9 -> cp.createNetworkAclEntry(acl(state, round),
                new NetworkAclEntry(100, false, "tcp", "allow", "10.0.0.0/16", null, null, 443, 443), false);
            case 10 -> cp.replaceNetworkAclAssociation(state.networkAclAssociationOf(subnet(state, "a" + round).subnetId())
                .networkAclAssociationId(), acl(state, round), false);
            case 11 -> cp.modifyVpcEndpoint(ModifyVpcEndpointRequest.subnets(endpoint(state, round).vpcEndpointId(), null,
                List.of(subnet(state, "b" + round).subnetId())), false);
            default -> throw new IllegalStateException();
        }
    }

    private static <T> T tagged(final java.util.Collection<T> all, final Function<T, Map<String, String>> tags, final String name)
    {
        return all.stream().filter(resource -> name.equals(tags.apply(resource).get("Name"))).findFirst().orElseThrow();
    }

    private static Vpc vpc(final ControlPlaneState state, final int round)
    {
        return tagged(state.vpcs(), Vpc::tags, "v" + round);
    }

    private static Subnet subnet(final ControlPlaneState state, final String name)
    {
        return tagged(state.subnets(), Subnet::tags, name);
    }

    private static SecurityGroup group(final ControlPlaneState state, final int round)
    {
        return tagged(state.securityGroups(), SecurityGroup::tags, "g" + round);
    }

    private static String acl(final ControlPlaneState state, final int round)
    {
        return tagged(state.networkAcls(), vpce.mgmt.controlplane.NetworkAcl::tags, "n" + round).networkAclId();
    }

    private static VpcEndpoint endpoint(final ControlPlaneState state, final int round)
    {
        return tagged(state.vpcEndpoints(), VpcEndpoint::tags, "e" + round);
    }

    /** @return the resources after each sequence number, from an in-memory run of {@code steps} steps. */
    static List<List<Resource>> expectedStates(final int steps)
    {
        final Fixture fixture = new Fixture(settings(), vpce.mgmt.controlplane.StateStore.inMemory(), SEED);
        final List<List<Resource>> states = new java.util.ArrayList<>();
        states.add(fixture.state().resources());
        for (int i = 0; i < steps; i++)
        {
            step(fixture.controlPlane, fixture.clock, i);
            if (fixture.state().sequence() != i + 1)
            {
                throw new IllegalStateException("step " + i + " did not make exactly one commit");
            }
            states.add(fixture.state().resources());
        }
        return states;
    }
}
