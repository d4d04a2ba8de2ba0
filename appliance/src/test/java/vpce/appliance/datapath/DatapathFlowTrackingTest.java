package vpce.appliance.datapath;

import org.agrona.concurrent.CachedNanoClock;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.status.CountersManager;
import org.agrona.concurrent.status.CountersReader;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import vpce.appliance.config.ApplianceModel;
import vpce.appliance.config.ConfigLoader;
import vpce.appliance.config.Ipv4;
import vpce.appliance.io.FrameBatch;
import vpce.appliance.io.MemoryPort;
import vpce.appliance.io.Port;
import vpce.appliance.packet.ArpFrames;
import vpce.appliance.packet.Checksum;
import vpce.appliance.packet.EthernetFlyweight;
import vpce.appliance.packet.Ipv4Flyweight;
import vpce.appliance.packet.TcpFlyweight;
import vpce.flowtable.FlowTable;
import vpce.flowtable.FlowTimeouts;
import vpce.flowtable.NatPortAllocator;

import java.io.InputStream;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static vpce.appliance.packet.TcpFlyweight.ACK;
import static vpce.appliance.packet.TcpFlyweight.PSH;
import static vpce.appliance.packet.TcpFlyweight.RST;
import static vpce.appliance.packet.TcpFlyweight.SYN;

/**
 * Connection tracking through the datapath agent over in-memory ports: per-endpoint idle timeouts (also after a
 * reload and for flows restored from the journal) and RSTs judged by sequence number and window, with the window
 * scale read from the SYNs on the wire. The clock is injected and advanced.
 */
class DatapathFlowTrackingTest
{
    private static final long SECOND_NS = 1_000_000_000L;
    private static final long CLIENT_MAC = 0x0200_0000_0a10L;
    private static final long TARGET_MAC = 0x0200_0000_0b10L;
    private static final long AZ1_MAC = 0x0200_0000_0001L;
    private static final long PROV_MAC = 0x0200_0000_0003L;
    private static final int CLIENT = Ipv4.parseAddress("10.0.1.10");
    private static final int ENI_A = Ipv4.parseAddress("10.0.1.20");
    private static final int ENI_B = Ipv4.parseAddress("10.0.1.21");
    private static final int TARGET = Ipv4.parseAddress("10.100.0.10");
    private static final int PROVIDER = Ipv4.parseAddress("10.100.0.1");
    private static final int CLIENT_ISN = 0x1000_0000;
    private static final int SERVER_ISN = 0x7000_0000;
    private static final int NO_SCALE = -1;
    private static final List<String> PORT_NAMES = List.of("az1", "az2", "prov");
    /** Expiry runs at housekeeping, every millisecond of the clock: "just before" is one housekeeping earlier. */
    private static final long HOUSEKEEPING_NS = 1_000_000L;

    private MemoryPort az1;
    private MemoryPort prov;
    private CachedNanoClock clock;
    private CountersReader counters;
    private NatPortAllocator natPorts;
    private FlowTable flows;
    private DatapathSnapshotHolder snapshots;
    private DatapathAgent agent;
    private String labYaml;

    @BeforeEach
    void setUp() throws Exception
    {
        try (InputStream in = getClass().getResourceAsStream("/lab-config.yaml"))
        {
            labYaml = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        az1 = new MemoryPort("az1", AZ1_MAC, 1500, FrameBatch.DEFAULT_SLOT_SIZE, 64, 64);
        final MemoryPort az2 = new MemoryPort("az2", 0x0200_0000_0002L, 1500, FrameBatch.DEFAULT_SLOT_SIZE, 64, 64);
        prov = new MemoryPort("prov", PROV_MAC, 1500, FrameBatch.DEFAULT_SLOT_SIZE, 64, 64);
        final CountersManager manager = new CountersManager(
            new UnsafeBuffer(ByteBuffer.allocateDirect(256 * CountersReader.METADATA_LENGTH)),
            new UnsafeBuffer(ByteBuffer.allocateDirect(256 * CountersReader.COUNTER_LENGTH)));
        counters = manager;
        natPorts = new NatPortAllocator(1);
        clock = new CachedNanoClock();
        clock.update(1_000 * SECOND_NS);
        final ApplianceModel model = model(null, "{establishedSeconds: 60}");
        flows = new FlowTable(1024, model.datapath().idleTimeouts());
        snapshots = new DatapathSnapshotHolder(new DatapathSnapshot(model, PORT_NAMES));
        agent = new DatapathAgent(
            new Port[] {az1, az2, prov}, new boolean[] {true, true, false}, 32, snapshots, flows, natPorts,
            new int[] {PROVIDER}, null, null, new DatapathCounters(manager, PORT_NAMES), clock, () -> 1_700_000_000_000L);
    }

    @Test
    void twoEndpointsWithDifferentEstablishedTimeoutsExpireTheirFlowsAtDifferentTimes()
    {
        resolveTarget();
        final int natPortA = establish(ENI_A, 40001, 65_535, NO_SCALE);
        final int natPortB = establish(ENI_B, 40002, 65_535, NO_SCALE);
        final long establishedNs = clock.nanoTime();
        assertEquals(2, counter("flows.active"));

        // Endpoint A keeps the default 350 s; endpoint B's idleTimeouts say 60 s.
        advanceTo(establishedNs + 60 * SECOND_NS - HOUSEKEEPING_NS);
        assertEquals(2, counter("flows.active"));
        advanceTo(establishedNs + 60 * SECOND_NS);
        assertEquals(1, counter("flows.active"));
        assertTrue(natPorts.isAllocated(0, TARGET, 8080, natPortA));
        assertFalse(natPorts.isAllocated(0, TARGET, 8080, natPortB), "B's flow went, with its NAT port");

        advanceTo(establishedNs + 350 * SECOND_NS - HOUSEKEEPING_NS);
        assertEquals(1, counter("flows.active"));
        advanceTo(establishedNs + 350 * SECOND_NS);
        assertEquals(0, counter("flows.active"));
        assertEquals(2, counter("flows.expired"));
    }

    @Test
    void aReloadThatChangesAnEndpointsTimeoutsAppliesToItsExistingFlows() throws Exception
    {
        resolveTarget();
        final int natPortA = establish(ENI_A, 40003, 65_535, NO_SCALE);
        final int natPortB = establish(ENI_B, 40004, 65_535, NO_SCALE);
        final long establishedNs = clock.nanoTime();

        // A drops to 90 s, B rises to 600 s; the datapath's default (350 s) applies to neither any more.
        snapshots.publish(new DatapathSnapshot(model("{establishedSeconds: 90}", "{establishedSeconds: 600}"), PORT_NAMES));
        advanceTo(establishedNs + 90 * SECOND_NS - HOUSEKEEPING_NS);
        assertEquals(2, counter("flows.active"));
        advanceTo(establishedNs + 90 * SECOND_NS);
        assertFalse(natPorts.isAllocated(0, TARGET, 8080, natPortA));
        assertTrue(natPorts.isAllocated(0, TARGET, 8080, natPortB));
        advanceTo(establishedNs + 599 * SECOND_NS);
        assertEquals(1, counter("flows.active"), "B outlives both its old 60 s and the default 350 s");
        advanceTo(establishedNs + 600 * SECOND_NS);
        assertEquals(0, counter("flows.active"));
    }

    @Test
    void aFlowRestoredFromTheJournalTakesItsEndpointsTimeoutsAndBelievesAnyRstAtFirst()
    {
        final long restoredNs = clock.nanoTime();
        final int natPort = 20_000;
        final int toB = flows.restoreEstablished(CLIENT, 40005, ENI_B, 80, TARGET, 8080, PROVIDER, natPort, restoredNs);
        final int toA = flows.restoreEstablished(CLIENT, 40006, ENI_A, 80, TARGET, 8080, PROVIDER, natPort + 1, restoredNs);
        for (final int flow : new int[] {toA, toB})
        {
            flows.endpointId(flow, flows.eniIp(flow));
            flows.consumerPortIndex(flow, 0);
            flows.consumerMac(flow, CLIENT_MAC);
        }
        natPorts.claim(0, TARGET, 8080, natPort);
        natPorts.claim(0, TARGET, 8080, natPort + 1);
        natPorts.claimsDone();

        resolveTarget();
        assertEquals(60 * SECOND_NS, flows.idleTimeoutNs(toB), "the first snapshot retags restored flows");
        assertEquals(350 * SECOND_NS, flows.idleTimeoutNs(toA));

        // No sequence numbers survive a restart: the provider's RST is believed and forwarded.
        prov.inject(tcp(PROV_MAC, TARGET_MAC, TARGET, PROVIDER, 8080, natPort + 1, RST | ACK, 0x5555_5555, 0x1234, 0, NO_SCALE, 0));
        agent.doWork();
        assertEquals(1, az1.sentCount());
        assertEquals(0, counter("drop.tcp_rst_out_of_window"));

        advanceTo(restoredNs + 60 * SECOND_NS);
        assertEquals(2, counter("flows.expired"), "B's after 60 s, A's after closedNs (5 s) once reset");
    }

    @Test
    void anRstOutsideTheWindowIsDroppedAnInexactOneIsForwardedAndAnExactOneCloses()
    {
        resolveTarget();
        final int natPort = establish(ENI_A, 40007, 65_535, NO_SCALE);
        final int serverNext = SERVER_ISN + 1;
        final int clientNext = CLIENT_ISN + 1;

        prov.inject(tcp(PROV_MAC, TARGET_MAC, TARGET, PROVIDER, 8080, natPort, RST | ACK, serverNext + 0x2000_0000, clientNext,
            0, NO_SCALE, 0));
        agent.doWork();
        assertEquals(0, az1.sentCount(), "a blind reset never reaches the client");
        assertEquals(1, counter("drop.tcp_rst_out_of_window"));

        az1.inject(tcp(AZ1_MAC, CLIENT_MAC, CLIENT, ENI_A, 40007, 80, PSH | ACK, clientNext, serverNext, 512, NO_SCALE, 100));
        agent.doWork();
        assertEquals(1, prov.sentCount(), "the connection carries on");

        prov.inject(tcp(PROV_MAC, TARGET_MAC, TARGET, PROVIDER, 8080, natPort, RST, serverNext + 1_000, 0, 0, NO_SCALE, 0));
        advanceTo(clock.nanoTime() + 2_000_000);
        assertEquals(1, az1.sentCount(), "in the window: the client decides (a challenge ACK)");
        assertEquals(1, counter("flows.rst_not_exact"));
        advanceTo(clock.nanoTime() + 10 * SECOND_NS);
        assertEquals(1, counter("flows.active"), "still established");

        prov.inject(tcp(PROV_MAC, TARGET_MAC, TARGET, PROVIDER, 8080, natPort, RST | ACK, serverNext, clientNext + 100,
            0, NO_SCALE, 0));
        agent.doWork();
        assertEquals(2, az1.sentCount());
        final long resetNs = clock.nanoTime();
        advanceTo(resetNs + 5 * SECOND_NS - HOUSEKEEPING_NS);
        assertEquals(1, counter("flows.active"));
        advanceTo(resetNs + 5 * SECOND_NS);
        assertEquals(0, counter("flows.active"), "closed: gone after closedNs, not 350 s");
        assertEquals(1, counter("drop.tcp_rst_out_of_window"));
    }

    @Test
    void theWindowScaleOfTheSynsOnTheWireWidensTheWindow()
    {
        resolveTarget();
        // Both SYNs offer 1,024 bytes and scale 7; then the client advertises 1,000 units: 128,000 bytes.
        final int natPort = establish(ENI_A, 40008, 1_024, 7);
        final int serverNext = SERVER_ISN + 1;
        az1.inject(tcp(AZ1_MAC, CLIENT_MAC, CLIENT, ENI_A, 40008, 80, ACK, CLIENT_ISN + 1, serverNext, 1_000, NO_SCALE, 0));
        agent.doWork();
        az1.clearSent();

        prov.inject(tcp(PROV_MAC, TARGET_MAC, TARGET, PROVIDER, 8080, natPort, RST, serverNext + 128_001, 0, 0, NO_SCALE, 0));
        prov.inject(tcp(PROV_MAC, TARGET_MAC, TARGET, PROVIDER, 8080, natPort, RST, serverNext + 127_000, 0, 0, NO_SCALE, 0));
        agent.doWork();
        assertEquals(1, counter("drop.tcp_rst_out_of_window"));
        assertEquals(1, az1.sentCount(), "127,000 is in a window only scaling makes that large");
    }

    @Test
    void equalTimeoutSetsShareAProfileAndASnapshotSaysWhenFlowsNeedRetagging() throws Exception
    {
        final DatapathSnapshot base = snapshots.acquire();
        assertEquals(2, base.idleTimeoutProfileCount());
        assertEquals(FlowTimeouts.DEFAULT, base.idleTimeoutProfile(0));
        assertEquals(60 * SECOND_NS, base.idleTimeoutProfile(1).establishedNs());
        assertEquals(0, base.eniTimeoutProfile(base.eniByAddress(ENI_A)));
        assertEquals(1, base.eniTimeoutProfile(base.eniByAddress(ENI_B)));
        assertTrue(new DatapathSnapshot(model(null, "{establishedSeconds: 60}"), PORT_NAMES).sameIdleTimeouts(base),
            "a reload that changes no timeout scans no flow");

        final DatapathSnapshot shared = new DatapathSnapshot(
            model("{establishedSeconds: 60}", "{establishedSeconds: 60}"), PORT_NAMES);
        assertEquals(2, shared.idleTimeoutProfileCount());
        for (int eni = 0; eni < shared.eniCount(); eni++)
        {
            assertEquals(1, shared.eniTimeoutProfile(eni), "every ENI of both endpoints");
        }
        assertFalse(shared.sameIdleTimeouts(base));
        assertFalse(new DatapathSnapshot(model(null, "{establishedSeconds: 61}"), PORT_NAMES).sameIdleTimeouts(base));
    }

    /** The lab's endpoint (ENI A) and a second one on the same subnet (ENI B), with optional idleTimeouts. */
    private ApplianceModel model(final String idleTimeoutsA, final String idleTimeoutsB) throws Exception
    {
        final String endpointA = "    serviceName: com.amazonaws.vpce.us-east-1.vpce-svc-0a11ce0000000001\n";
        assertTrue(labYaml.contains(endpointA));
        final String yaml = labYaml.replace(endpointA, endpointA +
            (idleTimeoutsA == null ? "" : "    idleTimeouts: " + idleTimeoutsA + "\n")) + """
              - id: vpce-0a11ce0000000002
                vpc: vpc-0a11ce0000000001
                serviceName: com.amazonaws.vpce.us-east-1.vpce-svc-0a11ce0000000001
                subnets:
                  - subnet: subnet-0a11ce00000000a1
                    eniAddress: 10.0.1.21
            """ + (idleTimeoutsB == null ? "" : "    idleTimeouts: " + idleTimeoutsB + "\n") + """
            securityGroups:
              - id: sg-0a11ce0000000001
                vpc: vpc-0a11ce0000000001
                ingress: [{protocol: -1, groupId: sg-0a11ce0000000001}]
                egress: [{protocol: -1, cidrIp: 0.0.0.0/0}]
                members: [10.0.1.10]
            """;
        return ConfigLoader.parse(yaml, "two-endpoints.yaml");
    }

    /** Handshake through the appliance; returns the NAT port. Leaves nothing in the ports' sent lists. */
    private int establish(final int eni, final int clientPort, final int synWindow, final int scale)
    {
        az1.inject(tcp(AZ1_MAC, CLIENT_MAC, CLIENT, eni, clientPort, 80, SYN, CLIENT_ISN, 0, synWindow, scale, 0));
        agent.doWork();
        assertEquals(1, prov.sentCount(), "the SYN went through");
        final int natPort = new TcpFlyweight().wrap(MemorySegment.ofArray(prov.sentFrame(0)), FrameBatch.VNET_HDR_LENGTH + 34, 20)
            .sourcePort();
        prov.inject(tcp(PROV_MAC, TARGET_MAC, TARGET, PROVIDER, 8080, natPort, SYN | ACK, SERVER_ISN, CLIENT_ISN + 1,
            synWindow, scale, 0));
        agent.doWork();
        az1.inject(tcp(AZ1_MAC, CLIENT_MAC, CLIENT, eni, clientPort, 80, ACK, CLIENT_ISN + 1, SERVER_ISN + 1, 0, NO_SCALE, 0));
        agent.doWork();
        assertEquals(1, az1.sentCount(), "the SYN+ACK came back");
        assertEquals(2, prov.sentCount(), "the handshake ACK went through");
        az1.clearSent();
        prov.clearSent();
        return natPort;
    }

    private void advanceTo(final long nowNs)
    {
        clock.update(nowNs);
        agent.doWork();
    }

    private void resolveTarget()
    {
        agent.doWork();
        final byte[] reply = new byte[ArpFrames.FRAME_LENGTH];
        ArpFrames.writeReply(MemorySegment.ofArray(reply), 0, TARGET_MAC, TARGET, PROV_MAC, PROVIDER);
        prov.injectFrame(reply);
        agent.doWork();
        az1.clearSent();
        prov.clearSent();
    }

    private long counter(final String label)
    {
        final long[] value = {-1};
        counters.forEach((id, type, key, text) ->
        {
            if (text.equals(label))
            {
                value[0] = counters.getCounterValue(id);
            }
        });
        assertNotEquals(-1, value[0], "no counter " + label);
        return value[0];
    }

    /** Virtio header (zero) + Ethernet + IPv4 + TCP, with a Window Scale option (NOP, 3, 3, scale) when scale >= 0. */
    private static byte[] tcp(
        final long dstMac, final long srcMac, final int srcIp, final int dstIp, final int srcPort, final int dstPort,
        final int flags, final int seq, final int ack, final int window, final int scale, final int payload)
    {
        final int tcpHeader = scale >= 0 ? 24 : 20;
        final int ipLength = 20 + tcpHeader + payload;
        final byte[] bytes = new byte[FrameBatch.VNET_HDR_LENGTH + 14 + ipLength];
        final MemorySegment segment = MemorySegment.ofArray(bytes);
        final int ipOffset = FrameBatch.VNET_HDR_LENGTH + 14;
        new EthernetFlyweight().wrap(segment, FrameBatch.VNET_HDR_LENGTH, 14 + ipLength)
            .destination(dstMac).source(srcMac).etherType(EthernetFlyweight.ETHERTYPE_IPV4);
        final Ipv4Flyweight ip = new Ipv4Flyweight().wrap(segment, ipOffset, ipLength);
        ip.versionAndIhl(4, 5).totalLength(ipLength).ttl(64).protocol(6).source(srcIp).destination(dstIp);
        ip.updateHeaderChecksum();
        final TcpFlyweight tcp = new TcpFlyweight().wrap(segment, ipOffset + 20, tcpHeader + payload);
        tcp.sourcePort(srcPort).destinationPort(dstPort).sequence(seq).acknowledgment(ack).dataOffset(tcpHeader / 4)
            .flags(flags).window(window);
        if (scale >= 0)
        {
            bytes[ipOffset + 40] = TcpFlyweight.OPTION_NOP;
            bytes[ipOffset + 41] = TcpFlyweight.OPTION_WINDOW_SCALE;
            bytes[ipOffset + 42] = TcpFlyweight.OPTION_WINDOW_SCALE_LENGTH;
            bytes[ipOffset + 43] = (byte)scale;
        }
        tcp.checksum(0);
        tcp.checksum(Checksum.transportChecksum(segment, ipOffset + 20, tcpHeader + payload, srcIp, dstIp, 6));
        return bytes;
    }
}
