package vpce.appliance.controlplane;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import vpce.appliance.config.ApplianceModel;
import vpce.appliance.config.ConfigException;
import vpce.appliance.config.ConfigLoader;
import vpce.appliance.config.Ipv4;
import vpce.appliance.config.TestConfigs;
import vpce.appliance.datapath.DatapathSnapshot;
import vpce.appliance.explain.ReachabilityExplainer;
import vpce.mgmt.controlplane.ControlPlane;
import vpce.mgmt.controlplane.CreateVpcEndpointRequest;
import vpce.mgmt.controlplane.EndpointState;
import vpce.mgmt.controlplane.IdSource;
import vpce.mgmt.controlplane.IpPermission;
import vpce.mgmt.controlplane.ModifyVpcEndpointRequest;
import vpce.mgmt.controlplane.NetworkInterface;
import vpce.mgmt.controlplane.SecurityGroup;
import vpce.mgmt.controlplane.StateStore;
import vpce.mgmt.controlplane.Subnet;
import vpce.mgmt.controlplane.Vpc;
import vpce.mgmt.controlplane.VpcEndpoint;

import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The control plane's state in the datapath's model, and the lifecycle the adapter drives: published on commit,
 * {@code available} only once the agent reports the snapshot's generation, gone from the datapath when rejected or
 * deleted. The test thread is the API thread: tasks the adapter posts queue here and run when the test says.
 */
class ControlPlaneDatapathAdapterTest
{
    static final String SERVICE = "com.amazonaws.vpce.us-east-1.vpce-svc-0a11ce0000000001";
    static final String KEYS = """
        managementApi:
          accessKeys:
            - {accessKeyId: AKIATEST000000000001, secretAccessKey: secret, allowedActions: ["ec2:*"]}
        """;
    private static final List<String> PORTS = List.of("az1", "az2", "prov");

    private final ConcurrentLinkedQueue<Runnable> apiThread = new ConcurrentLinkedQueue<>();
    private final List<ApplianceModel> published = new ArrayList<>();
    private final AtomicLong programmed = new AtomicLong();
    private final AtomicLong leftOut = new AtomicLong(-1);
    private boolean failPublish;
    private ApplianceModel config;
    private ControlPlane controlPlane;
    private ControlPlaneDatapathAdapter adapter;

    @BeforeEach
    void setUp() throws ConfigException
    {
        config = ConfigLoader.parse(TestConfigs.labConfig().replace("    acceptanceRequired: false\n",
            "    acceptanceRequired: false\n    privateDnsName: api.example.com\n") + KEYS, "t.yaml");
        controlPlane = new ControlPlane(ControlPlaneModel.settings(config), StateStore.inMemory(),
            InstantSource.fixed(Instant.parse("2026-01-01T00:00:00Z")), new IdSource(new SplittableRandom(7)));
        adapter = new ControlPlaneDatapathAdapter(config, controlPlane, new DatapathPublisher()
        {
            @Override
            public long publish(final ApplianceModel model)
            {
                if (failPublish)
                {
                    throw new IllegalArgumentException("does not compile");
                }
                new DatapathSnapshot(model, PORTS); // what the appliance does: it must compile
                published.add(model);
                return published.size() + 1;
            }

            @Override
            public long programmedGeneration()
            {
                return programmed.get();
            }
        }, leftOut::set);
        assertEquals(config.endpoints(), adapter.initialModel().endpoints(), "no API endpoint yet: the file's");
        adapter.initialGeneration(1);
        adapter.start(apiThread::add);
    }

    @AfterEach
    void tearDown()
    {
        adapter.close();
    }

    @Test
    void theCatalogIsTheFilesServicesAndTheZonesThoseOfTheConsumerPorts()
    {
        final var settings = controlPlane.state().settings();
        assertEquals(List.of("us-east-1a", "us-east-1b"), settings.availabilityZones().stream().map(z -> z.zoneName()).toList());
        assertEquals(1, settings.catalog().size());
        final var service = settings.catalog().get(0);
        assertEquals(SERVICE, service.serviceName());
        assertEquals("vpce-svc-0a11ce0000000001", service.serviceId());
        assertEquals("123456789012", service.owner());
        assertEquals("api.example.com", service.privateDnsName());
        assertFalse(service.acceptanceRequired());
        assertEquals(ControlPlaneModel.loadBalancerArn(config, config.services().get(0)), service.loadBalancerArn());
    }

    @Test
    void anApiEndpointJoinsTheFilesInTheDatapathAndAConflictingEniIsLeftOut()
    {
        final VpcEndpoint endpoint = endpointInBothZones(List.of("tcp", "5201"));
        final ApplianceModel model = published.getLast();
        assertEquals(2, model.endpoints().size(), "the file's endpoint, then the API's");
        assertEquals(config.endpoints().get(0), model.endpoints().get(0));
        final ApplianceModel.EndpointSpec api = model.endpoints().get(1);
        assertEquals(endpoint.vpcEndpointId(), api.id());
        // The file's endpoint already has 10.0.2.4 on az2, the address the API gave its ENI in us-east-1b.
        assertEquals(1, api.enis().size());
        assertEquals(1, leftOut.get());

        final DatapathSnapshot snapshot = new DatapathSnapshot(model, PORTS);
        final int eniAddress = Ipv4.parseAddress("10.0.1.4");
        final int eni = snapshot.eniOn(0, eniAddress);
        assertNotEquals(DatapathSnapshot.NOT_FOUND, eni);
        assertEquals(endpoint.networkInterfaceIds().get(0), snapshot.eniIds()[eni], "the API's ENI id labels it");
        assertEquals(8080, snapshot.targetPort(eni, 80));
        assertNotEquals(DatapathSnapshot.NOT_FOUND, snapshot.eniOn(0, Ipv4.parseAddress("10.0.1.20")), "the file's ENI stays");
        assertTrue(snapshot.eniDescription(snapshot.eniOn(1, Ipv4.parseAddress("10.0.2.4"))).startsWith("vpce-0a11ce0000000001"),
            "the address stays the file's ENI's");

        final int client = Ipv4.parseAddress("10.0.1.10");
        assertTrue(ReachabilityExplainer.explain(snapshot, eniAddress, client, 6, 49152, 5201).allowed(),
            "the API's security group admits 5201");
        assertFalse(ReachabilityExplainer.explain(snapshot, eniAddress, client, 6, 49152, 80).allowed(),
            "and nothing else");
    }

    @Test
    void anEndpointBecomesAvailableOnlyOnceTheDatapathRunsItsSnapshot()
    {
        final VpcEndpoint endpoint = endpointInBothZones(List.of("tcp", "5201"));
        final long generation = published.size() + 1;
        assertEquals(EndpointState.PENDING, state(endpoint));

        runOne(); // the confirmation looks: the agent is not there yet, so it posts itself again
        assertEquals(EndpointState.PENDING, state(endpoint));
        assertFalse(apiThread.isEmpty(), "it looks again later");

        programmed.set(generation);
        runAll();
        assertEquals(EndpointState.AVAILABLE, state(endpoint));
        assertEquals(generation, published.size() + 1, "available changes nothing the datapath carries: no new snapshot");
    }

    @Test
    void anEndpointWaitingForAcceptanceIsNotInTheDatapathUntilAccepted() throws Exception
    {
        final ApplianceModel manual = ConfigLoader.parse(TestConfigs.labConfig().replace("    acceptanceRequired: false\n",
            "    acceptanceRequired: true\n    privateDnsName: api.example.com\n") + KEYS, "t.yaml");
        assertNull(adapter.onConfigReloaded(manual));
        final VpcEndpoint endpoint = endpointInBothZones(List.of("tcp", "5201"));
        programmed.set(Long.MAX_VALUE);
        runAll();
        assertEquals(EndpointState.PENDING_ACCEPTANCE, state(endpoint));
        final int eni = controlPlane.state().networkInterface(endpoint.networkInterfaceIds().get(0)).address();
        assertFalse(carries(published.getLast(), eni));

        controlPlane.acceptVpcEndpointConnections("vpce-svc-0a11ce0000000001", List.of(endpoint.vpcEndpointId()), false);
        assertTrue(carries(published.getLast(), eni));
        assertEquals(EndpointState.PENDING, state(endpoint));
        runAll();
        assertEquals(EndpointState.AVAILABLE, state(endpoint));
    }

    @Test
    void rejectingOrDeletingAnEndpointOrRemovingASubnetTakesItsEnisOutOfTheDatapathAtOnce()
    {
        final VpcEndpoint endpoint = endpointInBothZones(List.of("tcp", "5201"));
        programmed.set(Long.MAX_VALUE);
        runAll();
        final int eni = Ipv4.parseAddress("10.0.1.4");
        assertTrue(carries(published.getLast(), eni));

        // The provider rejects it: a new snapshot without its ENI, published in the same call.
        final int before = published.size();
        controlPlane.rejectVpcEndpointConnections("vpce-svc-0a11ce0000000001", List.of(endpoint.vpcEndpointId()), false);
        assertEquals(before + 1, published.size());
        assertFalse(carries(published.getLast(), eni));
        assertEquals(EndpointState.REJECTED, state(endpoint));

        // A second endpoint: removing its subnet removes that ENI; deleting it removes the rest, then it is deleted.
        final VpcEndpoint second = endpointInBothZones(List.of("tcp", "5201"));
        runAll();
        assertEquals(EndpointState.AVAILABLE, state(second));
        final NetworkInterface secondEni = controlPlane.state().networkInterface(second.networkInterfaceIds().get(0));
        assertTrue(carries(published.getLast(), secondEni.address()));
        controlPlane.modifyVpcEndpoint(ModifyVpcEndpointRequest.subnets(second.vpcEndpointId(), List.of(),
            List.of(secondEni.subnetId())), false);
        assertFalse(carries(published.getLast(), secondEni.address()));
        controlPlane.deleteVpcEndpoints(List.of(second.vpcEndpointId()), false);
        assertEquals(EndpointState.DELETING, state(second));
        assertTrue(published.getLast().endpoints().stream().noneMatch(e -> e.id().equals(second.vpcEndpointId())));
        runAll();
        assertEquals(EndpointState.DELETED, state(second));
    }

    @Test
    void aChangeTheDatapathCannotTakeLeavesTheEndpointPending()
    {
        failPublish = true;
        final VpcEndpoint endpoint = endpointInBothZones(List.of("tcp", "5201"));
        programmed.set(Long.MAX_VALUE);
        runAll();
        assertEquals(EndpointState.PENDING, state(endpoint), "never available while no snapshot carries it");
        failPublish = false;
        adapter.onTick();
        runAll();
        assertEquals(EndpointState.PENDING, state(endpoint), "a tick alone publishes nothing");
        controlPlane.createVpc("10.9.0.0/16", Map.of(), false); // the next commit carries it
        runAll();
        assertEquals(EndpointState.AVAILABLE, state(endpoint));
    }

    @Test
    void aReloadPublishesTheNewFileMergedWithTheApiStateAndHandsOverTheCatalog() throws Exception
    {
        final VpcEndpoint endpoint = endpointInBothZones(List.of("tcp", "5201"));
        programmed.set(Long.MAX_VALUE);
        runAll();
        final ApplianceModel next = ConfigLoader.parse(TestConfigs.labConfig()
            .replace("targets: [10.100.0.10]", "targets: [10.100.0.11]")
            .replace("    acceptanceRequired: false\n", "    acceptanceRequired: true\n") + KEYS, "t.yaml");
        assertNull(adapter.onConfigReloaded(next));
        final ApplianceModel model = published.getLast();
        assertEquals(List.of(Ipv4.parseAddress("10.100.0.11")), model.service(SERVICE).targets());
        assertTrue(model.endpoints().stream().anyMatch(e -> e.id().equals(endpoint.vpcEndpointId())), "API endpoints stay");
        assertTrue(controlPlane.state().settings().catalog().get(0).acceptanceRequired(), "the control plane has the new catalog");

        failPublish = true;
        final String refused = adapter.onConfigReloaded(config);
        assertTrue(refused != null && refused.contains("does not compile"), refused);
    }

    private VpcEndpoint endpointInBothZones(final List<String> allowed)
    {
        final Vpc vpc = controlPlane.createVpc("10.0.0.0/16", Map.of(), false);
        controlPlane.modifyVpcAttribute(vpc.vpcId(), vpce.mgmt.controlplane.VpcAttribute.ENABLE_DNS_HOSTNAMES, true, false);
        final Subnet a = controlPlane.createSubnet(vpc.vpcId(), "10.0.1.0/24", "us-east-1a", null, Map.of(), false);
        final Subnet b = controlPlane.createSubnet(vpc.vpcId(), "10.0.2.0/24", "us-east-1b", null, Map.of(), false);
        final SecurityGroup group = controlPlane.createSecurityGroup(vpc.vpcId(), "g-" + vpc.vpcId(), "endpoint", Map.of(), false);
        controlPlane.authorizeSecurityGroupIngress(group.groupId(), List.of(IpPermission.ofCidr(allowed.get(0),
            Integer.parseInt(allowed.get(1)), Integer.parseInt(allowed.get(1)), "10.0.0.0/16")), false);
        return controlPlane.createVpcEndpoint(CreateVpcEndpointRequest.of(vpc.vpcId(), SERVICE,
            List.of(a.subnetId(), b.subnetId()), List.of(group.groupId())).withPrivateDns(true), false);
    }

    private EndpointState state(final VpcEndpoint endpoint)
    {
        return controlPlane.state().vpcEndpoint(endpoint.vpcEndpointId()).state();
    }

    private static boolean carries(final ApplianceModel model, final int address)
    {
        return model.endpoints().stream().flatMap(e -> e.enis().stream()).anyMatch(eni -> eni.address() == address);
    }

    private void runOne()
    {
        apiThread.poll().run();
    }

    /** Runs what the adapter posted until nothing is left (the agent must have caught up, or this spins). */
    private void runAll()
    {
        for (int i = 0; i < 10_000 && !apiThread.isEmpty(); i++)
        {
            apiThread.poll().run();
        }
        assertTrue(apiThread.isEmpty(), "the adapter keeps posting");
    }
}
