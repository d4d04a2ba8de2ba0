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
import vpce.appliance.packet.ArpFlyweight;
import vpce.appliance.packet.ArpFrames;
import vpce.appliance.packet.Checksum;
import vpce.appliance.packet.EthernetFlyweight;
import vpce.appliance.packet.Ipv4Flyweight;
import vpce.appliance.packet.TcpFlyweight;
import vpce.appliance.packet.VirtioNetHeaderFlyweight;
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

/** Big-endian helpers for hand-built transport headers. */
final class TestBytes
{
    private TestBytes()
    {
    }

    static void putShort(final byte[] bytes, final int offset, final int value)
    {
        bytes[offset] = (byte)(value >>> 8);
        bytes[offset + 1] = (byte)value;
    }

    static int onesComplementSum(final byte[] bytes)
    {
        long sum = 0;
        for (int i = 0; i + 1 < bytes.length; i += 2)
        {
            sum += ((bytes[i] & 0xFF) << 8) | (bytes[i + 1] & 0xFF);
        }
        while ((sum >>> 16) != 0)
        {
            sum = (sum & 0xFFFF) + (sum >>> 16);
        }
        return (int)sum;
    }
}

/**
 * The datapath agent over in-memory ports with the lab's configuration: what goes in on one
 * port and what comes out on the other, byte for byte, and which counter moves when nothing does.
 */
class DatapathAgentTest
{
    private static final long CLIENT_MAC = 0x0200_0000_0a10L;
    private static final long TARGET_MAC = 0x0200_0000_0b10L;
    private static final long AZ1_MAC = 0x0200_0000_0001L;
    private static final long AZ2_MAC = 0x0200_0000_0002L;
    private static final long PROV_MAC = 0x0200_0000_0003L;
    private static final int CLIENT = Ipv4.parseAddress("10.0.1.10");
    private static final int ENI = Ipv4.parseAddress("10.0.1.20");
    private static final int TARGET = Ipv4.parseAddress("10.100.0.10");
    private static final int PROVIDER = Ipv4.parseAddress("10.100.0.1");
    private static final int SLOT = FrameBatch.DEFAULT_SLOT_SIZE;

    private MemoryPort az1;
    private MemoryPort az2;
    private MemoryPort prov;
    private CachedNanoClock clock;
    private CountersReader counters;
    private NatPortAllocator natPorts;
    private String labYaml;
    private ApplianceModel model;
    private DatapathSnapshotHolder snapshots;
    private DatapathAgent agent;

    @BeforeEach
    void setUp() throws Exception
    {
        final String yaml;
        try (InputStream in = getClass().getResourceAsStream("/lab-config.yaml"))
        {
            yaml = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        // The client is a member of the VPC's default security group, which the endpoint gets.
        labYaml = yaml + """
            securityGroups:
              - id: sg-0a11ce0000000001
                vpc: vpc-0a11ce0000000001
                ingress: [{protocol: -1, groupId: sg-0a11ce0000000001}]
                egress: [{protocol: -1, cidrIp: 0.0.0.0/0}]
                members: [10.0.1.10]
            """;
        az1 = new MemoryPort("az1", AZ1_MAC, 1500, SLOT, 64, 64);
        az2 = new MemoryPort("az2", AZ2_MAC, 1500, SLOT, 64, 64);
        prov = new MemoryPort("prov", PROV_MAC, 1500, SLOT, 64, 64);
        final List<String> names = List.of("az1", "az2", "prov");
        model = ConfigLoader.parse(labYaml, "lab-config.yaml");
        final CountersManager manager = new CountersManager(
            new UnsafeBuffer(ByteBuffer.allocateDirect(256 * CountersReader.METADATA_LENGTH)),
            new UnsafeBuffer(ByteBuffer.allocateDirect(256 * CountersReader.COUNTER_LENGTH)));
        counters = manager;
        natPorts = new NatPortAllocator(1);
        clock = new CachedNanoClock();
        clock.update(1_000_000_000L);
        agent = new DatapathAgent(
            new Port[] {az1, az2, prov}, new boolean[] {true, true, false}, 32,
            snapshots = new DatapathSnapshotHolder(new DatapathSnapshot(model, names)),
            new FlowTable(1024, FlowTimeouts.DEFAULT), natPorts, new int[] {PROVIDER}, null, null, new DatapathCounters(manager, names),
            clock, () -> 1_700_000_000_000L);
    }

    @Test
    void startUpAnnouncesEnisAndResolvesTheTarget()
    {
        agent.doWork();
        final ArpFlyweight arp = new ArpFlyweight();
        assertEquals(1, az1.sentCount());
        arp(az1.sentFrame(0), arp);
        assertEquals(ENI, arp.senderIp());
        assertEquals(ENI, arp.targetIp(), "gratuitous: sender and target are the ENI");
        assertEquals(AZ1_MAC, arp.senderMac());
        assertEquals(1, az2.sentCount());
        // prov: a gratuitous ARP for the provider address, then a request for the target.
        assertEquals(2, prov.sentCount());
        arp(prov.sentFrame(1), arp);
        assertEquals(ArpFlyweight.OPERATION_REQUEST, arp.operation());
        assertEquals(TARGET, arp.targetIp());
        assertEquals(PROVIDER, arp.senderIp());
    }

    @Test
    void synIsNatedToTheTargetAndTheReplyIsTranslatedBack()
    {
        resolveTarget();
        final long txBytesBefore = counter("port.prov.tx_bytes");
        az1.inject(tcp(AZ1_MAC, CLIENT_MAC, CLIENT, ENI, 40000, 80, TcpFlyweight.SYN, 0, false));
        agent.doWork();

        assertEquals(1, prov.sentCount());
        final Frame out = new Frame(prov.sentFrame(0));
        assertEquals(TARGET_MAC, out.ethernet.destination());
        assertEquals(PROV_MAC, out.ethernet.source());
        assertEquals(PROVIDER, out.ip.source());
        assertEquals(TARGET, out.ip.destination());
        assertEquals(8080, out.tcp.destinationPort(), "listener 80 maps to target port 8080");
        assertEquals(63, out.ip.ttl());
        assertTrue(out.ip.isHeaderChecksumValid());
        assertEquals(0, out.transportChecksum(), "TCP checksum must stay valid after NAT");
        assertEquals(prov.sentFrame(0).length - FrameBatch.VNET_HDR_LENGTH, counter("port.prov.tx_bytes") - txBytesBefore);
        final int natPort = out.tcp.sourcePort();
        assertTrue(natPort >= 1024);

        prov.inject(tcp(PROV_MAC, TARGET_MAC, TARGET, PROVIDER, 8080, natPort, TcpFlyweight.SYN | TcpFlyweight.ACK, 0, false));
        agent.doWork();
        assertEquals(1, az1.sentCount());
        final Frame back = new Frame(az1.sentFrame(0));
        assertEquals(CLIENT_MAC, back.ethernet.destination());
        assertEquals(AZ1_MAC, back.ethernet.source());
        assertEquals(ENI, back.ip.source());
        assertEquals(CLIENT, back.ip.destination());
        assertEquals(80, back.tcp.sourcePort());
        assertEquals(40000, back.tcp.destinationPort());
        assertTrue(back.ip.isHeaderChecksumValid());
        assertEquals(0, back.transportChecksum());
        assertEquals(1, counter("flows.created"));
    }

    @Test
    void partialChecksumOfAGsoSuperFrameStaysThePseudoHeaderSumOfTheNewAddresses()
    {
        resolveTarget();
        az1.inject(tcp(AZ1_MAC, CLIENT_MAC, CLIENT, ENI, 40001, 5201, TcpFlyweight.SYN, 0, false));
        agent.doWork();
        az1.inject(tcp(AZ1_MAC, CLIENT_MAC, CLIENT, ENI, 40001, 5201, TcpFlyweight.ACK, 20_000, true));
        agent.doWork();

        assertEquals(2, prov.sentCount());
        final Frame out = new Frame(prov.sentFrame(1));
        assertEquals(VirtioNetHeaderFlyweight.GSO_TCPV4, out.vnet.gsoType(), "the super-frame leaves whole");
        assertEquals(1448, out.vnet.gsoSize());
        assertEquals(14 + 20, out.vnet.csumStart());
        final int tcpLength = out.ip.totalLength() - out.ip.headerLength();
        assertEquals(Checksum.pseudoHeaderSum(PROVIDER, TARGET, 6, tcpLength), out.tcp.checksum(),
            "NEEDS_CSUM: the field holds the pseudo-header sum the kernel completes when it segments");
    }

    @Test
    void aSynHeldForArpLeavesOnceTheTargetAnswers()
    {
        agent.doWork();
        prov.clearSent();
        az1.inject(tcp(AZ1_MAC, CLIENT_MAC, CLIENT, ENI, 40002, 80, TcpFlyweight.SYN, 0, false));
        agent.doWork();
        assertEquals(0, prov.sentCount(), "no MAC for the target yet");
        prov.injectFrame(arpReply(TARGET, TARGET_MAC, PROVIDER, PROV_MAC));
        agent.doWork();
        assertEquals(1, prov.sentCount());
        assertEquals(TARGET_MAC, new Frame(prov.sentFrame(0)).ethernet.destination());
    }

    @Test
    void theProviderCannotOpenAConnectionIntoTheVpc()
    {
        resolveTarget();
        prov.inject(tcp(PROV_MAC, TARGET_MAC, TARGET, PROVIDER, 8080, 33333, TcpFlyweight.SYN, 0, false));
        prov.inject(tcp(PROV_MAC, TARGET_MAC, TARGET, CLIENT, 8080, 22, TcpFlyweight.SYN, 0, false));
        agent.doWork();
        assertEquals(0, az1.sentCount() + az2.sentCount());
        assertEquals(2, counter("drop.provider_unsolicited"));
    }

    @Test
    void consumerSideRefusalsAreCountedByReason()
    {
        resolveTarget();
        az1.inject(tcp(AZ1_MAC, CLIENT_MAC, CLIENT, ENI, 40003, 80, TcpFlyweight.ACK, 0, false));
        az1.inject(tcp(AZ1_MAC, CLIENT_MAC, CLIENT, ENI, 40004, 22, TcpFlyweight.SYN, 0, false));
        az1.inject(tcp(AZ1_MAC, CLIENT_MAC, CLIENT, Ipv4.parseAddress("10.0.1.21"), 40005, 80, TcpFlyweight.SYN, 0, false));
        az1.inject(tcp(0x0200_0000_0999L, CLIENT_MAC, CLIENT, ENI, 40006, 80, TcpFlyweight.SYN, 0, false));
        // The ENI of AZ2 is not owned on AZ1's port.
        az1.inject(tcp(AZ1_MAC, CLIENT_MAC, CLIENT, Ipv4.parseAddress("10.0.2.4"), 40007, 80, TcpFlyweight.SYN, 0, false));
        az1.inject(tcp(AZ1_MAC, 0x0300_0000_0001L, CLIENT, ENI, 40008, 80, TcpFlyweight.SYN, 0, false));
        agent.doWork();
        assertEquals(0, prov.sentCount());
        assertEquals(1, counter("drop.consumer_unknown_flow"));
        assertEquals(1, counter("drop.port_not_offered"));
        assertEquals(2, counter("drop.not_eni_address"));
        assertEquals(1, counter("drop.not_our_mac"));
        assertEquals(1, counter("drop.bad_source_mac"), "a multicast source MAC");
        assertEquals(natPorts.portsPerPool(), natPorts.available(0, TARGET, 8080), "refused SYNs hold no NAT port");
    }

    @Test
    void udpAndIcmpEchoToTheEniAreDroppedAndPingIsNotAnswered()
    {
        resolveTarget();
        final byte[] udp = new byte[8 + 4];
        TestBytes.putShort(udp, 0, 5353);
        TestBytes.putShort(udp, 2, 5201);
        TestBytes.putShort(udp, 4, udp.length);
        az1.inject(ipv4(AZ1_MAC, CLIENT_MAC, CLIENT, ENI, 17, udp));
        final byte[] echo = new byte[8 + 16];
        echo[0] = 8; // ICMP echo request
        TestBytes.putShort(echo, 2, ~TestBytes.onesComplementSum(echo) & 0xFFFF);
        az1.inject(ipv4(AZ1_MAC, CLIENT_MAC, CLIENT, ENI, 1, echo));
        agent.doWork();
        assertEquals(2, counter("drop.non_tcp_to_eni"));
        assertEquals(0, az1.sentCount(), "no echo reply, no ICMP error");
        assertEquals(0, prov.sentCount());
    }

    @Test
    void aGroSuperFrameWithAVerifiedChecksumLeavesWithAPartialOne()
    {
        resolveTarget();
        az1.inject(tcp(AZ1_MAC, CLIENT_MAC, CLIENT, ENI, 40011, 5201, TcpFlyweight.SYN, 0, false));
        agent.doWork();
        final byte[] gro = tcp(AZ1_MAC, CLIENT_MAC, CLIENT, ENI, 40011, 5201, TcpFlyweight.ACK, 20_000, true);
        final Frame in = new Frame(gro);
        // As AF_PACKET reports a GRO skb a NIC verified: DATA_VALID, no NEEDS_CSUM, and the
        // checksum field of the first merged segment (here: junk).
        in.vnet.flags(VirtioNetHeaderFlyweight.FLAG_DATA_VALID).csumStart(0).csumOffset(0);
        in.tcp.checksum(0x1234);
        az1.inject(gro);
        agent.doWork();

        assertEquals(2, prov.sentCount());
        final Frame out = new Frame(prov.sentFrame(1));
        assertEquals(VirtioNetHeaderFlyweight.FLAG_NEEDS_CSUM, out.vnet.flags());
        assertEquals(14 + 20, out.vnet.csumStart());
        assertEquals(16, out.vnet.csumOffset());
        assertEquals(VirtioNetHeaderFlyweight.GSO_TCPV4, out.vnet.gsoType());
        assertEquals(Checksum.pseudoHeaderSum(PROVIDER, TARGET, 6, out.ip.totalLength() - 20), out.tcp.checksum());
        assertTrue(out.ip.isHeaderChecksumValid());
    }

    @Test
    void framesWaitingForArpAreBoundedAndDroppedWhenTheHopNeverAnswers()
    {
        agent.doWork();
        for (int i = 0; i < 40; i++)
        {
            az1.inject(tcp(AZ1_MAC, CLIENT_MAC, CLIENT, ENI, 41000 + i, 80, TcpFlyweight.SYN, 0, false));
        }
        agent.doWork();
        agent.doWork();
        assertEquals(8, counter("drop.arp_unresolved"), "32 frames wait, the rest are dropped");
        final long probesBefore = counter("arp.requests_sent");
        for (int second = 1; second <= 4; second++)
        {
            clock.update(clock.nanoTime() + NeighborTable.PROBE_INTERVAL_NS);
            agent.doWork();
        }
        assertEquals(probesBefore + 4, counter("arp.requests_sent"), "one probe a second");
        assertEquals(40, counter("drop.arp_unresolved"), "after the fourth unanswered probe the waiting frames go");
    }

    @Test
    void anEniInANewSnapshotIsAnnouncedAndServedAtOnce() throws Exception
    {
        agent.doWork();
        az1.clearSent();
        az2.clearSent();
        final int newEni = Ipv4.parseAddress("10.0.1.21");
        final String twoEndpoints = labYaml.replace("securityGroups:\n", """
              - id: vpce-0a11ce0000000002
                vpc: vpc-0a11ce0000000001
                serviceName: com.amazonaws.vpce.us-east-1.vpce-svc-0a11ce0000000001
                subnets:
                  - subnet: subnet-0a11ce00000000a1
                    eniAddress: 10.0.1.21
            securityGroups:
            """);
        snapshots.publish(new DatapathSnapshot(ConfigLoader.parse(twoEndpoints, "two.yaml"), List.of("az1", "az2", "prov")));
        agent.doWork();
        az1.injectFrame(arpRequest(CLIENT_MAC, CLIENT, newEni));
        agent.doWork();
        assertEquals(2, az1.sentCount(), "one gratuitous ARP (only the new ENI), one ARP reply");
        final ArpFlyweight arp = new ArpFlyweight();
        arp(az1.sentFrame(0), arp);
        assertEquals(newEni, arp.senderIp());
        assertEquals(newEni, arp.targetIp());
        arp(az1.sentFrame(1), arp);
        assertEquals(ArpFlyweight.OPERATION_REPLY, arp.operation());
        assertEquals(newEni, arp.senderIp());
        assertEquals(0, az2.sentCount());
    }

    @Test
    void hostileFramesNeverEscapeAsExceptionsAndEveryFrameIsAccountedFor()
    {
        resolveTarget();
        final long receivedBefore = counter("port.az1.rx_packets") + counter("port.prov.rx_packets");
        final java.util.Random random = new java.util.Random(7);
        final byte[] template = tcp(AZ1_MAC, CLIENT_MAC, CLIENT, ENI, 40012, 80, TcpFlyweight.SYN, 64, false);
        final byte[] partialTemplate = tcp(AZ1_MAC, CLIENT_MAC, CLIENT, ENI, 40013, 5201, TcpFlyweight.ACK, 3000, true);
        final byte[] arpTemplate = new byte[FrameBatch.VNET_HDR_LENGTH + ArpFrames.FRAME_LENGTH];
        ArpFrames.writeRequest(MemorySegment.ofArray(arpTemplate), FrameBatch.VNET_HDR_LENGTH, CLIENT_MAC, CLIENT, ENI);
        final byte[][] templates = {template, partialTemplate, arpTemplate};
        int injected = 0;
        for (int round = 0; round < 20_000; round++)
        {
            final byte[] base = templates[random.nextInt(templates.length)];
            final byte[] frame = java.util.Arrays.copyOf(base, FrameBatch.VNET_HDR_LENGTH + random.nextInt(base.length));
            for (int flips = random.nextInt(6); flips > 0 && frame.length > 0; flips--)
            {
                frame[random.nextInt(frame.length)] = (byte)random.nextInt(256);
            }
            if (az1.inject(frame) || prov.inject(frame))
            {
                injected++;
            }
            if ((round & 31) == 31)
            {
                agent.doWork();
            }
        }
        agent.doWork();
        assertEquals(injected, counter("port.az1.rx_packets") + counter("port.prov.rx_packets") - receivedBefore,
            "every injected frame was received");
        assertEquals(0, counter("datapath.errors"));
    }


    @Test
    void arpIsAnsweredForTheEniOnItsOwnPortOnly()
    {
        agent.doWork();
        az1.clearSent();
        az1.injectFrame(arpRequest(CLIENT_MAC, CLIENT, ENI));
        az1.injectFrame(arpRequest(CLIENT_MAC, CLIENT, Ipv4.parseAddress("10.0.1.77")));
        az1.injectFrame(arpRequest(CLIENT_MAC, CLIENT, Ipv4.parseAddress("10.0.2.4")));
        agent.doWork();
        assertEquals(1, az1.sentCount());
        final ArpFlyweight arp = new ArpFlyweight();
        arp(az1.sentFrame(0), arp);
        assertEquals(ArpFlyweight.OPERATION_REPLY, arp.operation());
        assertEquals(ENI, arp.senderIp());
        assertEquals(AZ1_MAC, arp.senderMac());
        assertEquals(CLIENT_MAC, arp.targetMac());
        assertEquals(2, counter("drop.arp_not_for_us"));
    }

    @Test
    void idleFlowsExpireAndReturnTheirNatPort()
    {
        resolveTarget();
        az1.inject(tcp(AZ1_MAC, CLIENT_MAC, CLIENT, ENI, 40009, 80, TcpFlyweight.SYN, 0, false));
        agent.doWork();
        assertEquals(1, counter("flows.active"));
        assertEquals(natPorts.portsPerPool() - 1, natPorts.available(0, TARGET, 8080));
        clock.update(clock.nanoTime() + FlowTimeouts.DEFAULT.embryonicNs() + 1_000_000_000L);
        agent.doWork();
        assertEquals(0, counter("flows.active"));
        assertEquals(1, counter("flows.expired"));
        assertEquals(natPorts.portsPerPool(), natPorts.available(0, TARGET, 8080), "the expired flow's NAT port is free again");
    }

    @Test
    void steadyStateForwardingAllocatesNothing()
    {
        resolveTarget();
        az1.inject(tcp(AZ1_MAC, CLIENT_MAC, CLIENT, ENI, 40010, 5201, TcpFlyweight.SYN, 0, false));
        agent.doWork();
        az1.inject(tcp(AZ1_MAC, CLIENT_MAC, CLIENT, ENI, 40010, 5201, TcpFlyweight.ACK, 1400, false));
        az1.replay(true);
        final com.sun.management.ThreadMXBean threads =
            (com.sun.management.ThreadMXBean)java.lang.management.ManagementFactory.getThreadMXBean();
        long nowNs = clock.nanoTime();
        for (int i = 0; i < 20_000; i++)
        {
            clock.update(nowNs += 100_000);
            agent.doWork();
        }
        // The first calls of the counter itself may allocate (lazy initialisation): not the agent's.
        threads.getCurrentThreadAllocatedBytes();
        threads.getCurrentThreadAllocatedBytes();
        final long before = threads.getCurrentThreadAllocatedBytes();
        for (int i = 0; i < 20_000; i++)
        {
            clock.update(nowNs += 100_000);
            agent.doWork();
        }
        final long allocated = threads.getCurrentThreadAllocatedBytes() - before;
        // One object per frame would be >= 16 B x 640 000; a few hundred bytes once in a while come from
        // the JIT swapping compiled code under load, not from the datapath.
        assertTrue(allocated < 1024, allocated + " bytes allocated by 20 000 duty cycles (640 000 frames, housekeeping included)");
        assertTrue(prov.framesSent() > 1_000_000, "frames forwarded: " + prov.framesSent());
        assertEquals(0, counter("drop.tx_queue_full"));
    }

    @Test
    void aConsumerOutsideTheEndpointsSecurityGroupsCannotConnect()
    {
        resolveTarget();
        az1.inject(tcp(AZ1_MAC, CLIENT_MAC, Ipv4.parseAddress("10.0.1.11"), ENI, 40020, 80, TcpFlyweight.SYN, 0, false));
        agent.doWork();
        assertEquals(0, prov.sentCount());
        assertEquals(1, counter("drop.sg_ingress"));
        assertEquals(natPorts.portsPerPool(), natPorts.available(0, TARGET, 8080), "a refused SYN holds no NAT port");
    }

    @Test
    void networkAclChangesApplyToTheNextPacketAndGroupChangesOnlyToNewFlows() throws Exception
    {
        resolveTarget();
        az1.inject(tcp(AZ1_MAC, CLIENT_MAC, CLIENT, ENI, 40021, 80, TcpFlyweight.SYN, 0, false));
        agent.doWork();
        final int natPort = new Frame(prov.sentFrame(0)).tcp.sourcePort();
        prov.clearSent();

        // The ENI's subnet shrinks to a /28 the client is outside of, and gets a network ACL without
        // an outbound rule for the client's ephemeral port.
        publish(labYaml.replace("cidr: 10.0.1.0/24", "cidr: 10.0.1.16/28")
            .replace("    port: az1\n", "    port: az1\n    networkAcl: acl-0a11ce00000000f1\n") + """
            networkAcls:
              - id: acl-0a11ce00000000f1
                vpc: vpc-0a11ce0000000001
                entries:
                  - {ruleNumber: 100, protocol: tcp, ruleAction: allow, cidrBlock: 10.0.0.0/16, portRange: {from: 80, to: 80}}
            """);
        prov.inject(tcp(PROV_MAC, TARGET_MAC, TARGET, PROVIDER, 8080, natPort, TcpFlyweight.SYN | TcpFlyweight.ACK, 0, false));
        az1.inject(tcp(AZ1_MAC, CLIENT_MAC, CLIENT, ENI, 40021, 81, TcpFlyweight.SYN, 0, false));
        agent.doWork();
        assertEquals(0, az1.sentCount(), "the reply is stopped at the subnet's egress");
        assertEquals(1, counter("drop.nacl_egress"));
        assertEquals(1, counter("drop.nacl_ingress"), "port 81 is not in the inbound entries");

        // The group no longer admits the client: the flow it admitted goes on, a new one does not.
        publish(labYaml.replace("ingress: [{protocol: -1, groupId: sg-0a11ce0000000001}]", "ingress: []"));
        prov.inject(tcp(PROV_MAC, TARGET_MAC, TARGET, PROVIDER, 8080, natPort, TcpFlyweight.SYN | TcpFlyweight.ACK, 0, false));
        az1.inject(tcp(AZ1_MAC, CLIENT_MAC, CLIENT, ENI, 40021, 80, TcpFlyweight.ACK, 0, false));
        az1.inject(tcp(AZ1_MAC, CLIENT_MAC, CLIENT, ENI, 40022, 80, TcpFlyweight.SYN, 0, false));
        agent.doWork();
        assertEquals(1, az1.sentCount(), "the tracked flow's reply passes");
        assertEquals(1, prov.sentCount(), "the tracked flow's ACK passes, the new SYN does not");
        assertEquals(1, counter("drop.sg_ingress"));
    }

    @Test
    void flowLogsRecordAcceptedAndRejectedTrafficOfTheEnisTheyCover(@org.junit.jupiter.api.io.TempDir final java.nio.file.Path dir)
        throws Exception
    {
        final ApplianceModel logged = ConfigLoader.parse(
            labYaml + "flowLogs: {file: " + dir.resolve("flow.log") + ", subnets: [subnet-0a11ce00000000a1]}\n", "logged.yaml");
        final DatapathSnapshot snapshot = new DatapathSnapshot(logged, List.of("az1", "az2", "prov"));
        final java.util.concurrent.atomic.AtomicLong epochMs = new java.util.concurrent.atomic.AtomicLong(1_700_000_000_000L);
        try (vpce.appliance.flowlog.FlowLogs flowLogs = new vpce.appliance.flowlog.FlowLogs(
            logged.flowLogs().file(), "123456789012", snapshot.eniIds(), 1024, logged.flowLogs().aggregationIntervalNs(),
            vpce.appliance.flowlog.FlowLogs.DEFAULT_RING_BYTES, 16, 1024, 256, Throwable::printStackTrace))
        {
            final MemoryPort a1 = new MemoryPort("az1", AZ1_MAC, 1500, SLOT, 64, 64);
            final MemoryPort b1 = new MemoryPort("az2", AZ2_MAC, 1500, SLOT, 64, 64);
            final MemoryPort p1 = new MemoryPort("prov", PROV_MAC, 1500, SLOT, 64, 64);
            final List<String> names = List.of("az1", "az2", "prov");
            final CountersManager manager = new CountersManager(
                new UnsafeBuffer(ByteBuffer.allocateDirect(256 * CountersReader.METADATA_LENGTH)),
                new UnsafeBuffer(ByteBuffer.allocateDirect(256 * CountersReader.COUNTER_LENGTH)));
            final DatapathAgent logging = new DatapathAgent(
                new Port[] {a1, b1, p1}, new boolean[] {true, true, false}, 32, new DatapathSnapshotHolder(snapshot),
                new FlowTable(1024, FlowTimeouts.DEFAULT), new NatPortAllocator(1), new int[] {PROVIDER}, flowLogs.aggregator(), null,
                new DatapathCounters(manager, names), clock, epochMs::get);
            logging.doWork();
            p1.injectFrame(arpReply(TARGET, TARGET_MAC, PROVIDER, PROV_MAC));
            a1.inject(tcp(AZ1_MAC, CLIENT_MAC, CLIENT, ENI, 40030, 80, TcpFlyweight.SYN, 0, false));
            a1.inject(tcp(AZ1_MAC, CLIENT_MAC, CLIENT, ENI, 40030, 80, TcpFlyweight.ACK, 100, false));
            a1.inject(tcp(AZ1_MAC, CLIENT_MAC, Ipv4.parseAddress("10.0.1.11"), ENI, 40031, 80, TcpFlyweight.SYN, 0, false));
            // AZ2's subnet is not covered: nothing of it is logged.
            b1.inject(tcp(AZ2_MAC, CLIENT_MAC, Ipv4.parseAddress("10.0.2.10"), Ipv4.parseAddress("10.0.2.20"), 40032, 80,
                TcpFlyweight.SYN, 0, false));
            logging.doWork();
            clock.update(clock.nanoTime() + logged.flowLogs().aggregationIntervalNs() + 1_000_000);
            epochMs.addAndGet(61_000);
            logging.doWork();
            for (int i = 0; i < 10; i++)
            {
                flowLogs.writerAgent().doWork();
            }
            flowLogs.writerAgent().onClose();

            final List<String> lines = java.nio.file.Files.readAllLines(dir.resolve("flow.log"));
            final String eniId = snapshot.eniIds()[0];
            assertEquals(2, lines.size(), lines.toString());
            assertTrue(lines.contains("2 123456789012 " + eniId + " 10.0.1.10 10.0.1.20 40030 80 6 2 180 1700000000 1700000000 ACCEPT OK"),
                lines.toString());
            assertTrue(lines.contains("2 123456789012 " + eniId + " 10.0.1.11 10.0.1.20 40031 80 6 1 40 1700000000 1700000000 REJECT OK"),
                lines.toString());
        }
    }

    @Test
    void networkAclsDoNotFilterTrafficInsideOneSubnet() throws Exception
    {
        resolveTarget();
        // A network ACL that denies everything, on the subnet the client shares with the ENI.
        publish(labYaml.replace("    port: az1\n", "    port: az1\n    networkAcl: acl-0a11ce00000000f2\n") + """
            networkAcls:
              - {id: acl-0a11ce00000000f2, vpc: vpc-0a11ce0000000001, entries: []}
            """);
        az1.inject(tcp(AZ1_MAC, CLIENT_MAC, CLIENT, ENI, 40023, 80, TcpFlyweight.SYN, 0, false));
        agent.doWork();
        assertEquals(1, prov.sentCount(), "no subnet boundary is crossed");
        assertEquals(0, counter("drop.nacl_ingress"));
    }

    @Test
    void aSynFloodEvictsTheOldestHalfOpenFlowsAndReturnsTheirNatPorts()
    {
        resolveTarget();
        final int flood = 300;
        for (int i = 0; i < flood; i++)
        {
            az1.inject(tcp(AZ1_MAC, CLIENT_MAC, CLIENT, ENI, 20000 + i, 80, TcpFlyweight.SYN, 0, false));
            if ((i & 31) == 31)
            {
                agent.doWork();
            }
        }
        agent.doWork();
        // FlowTable's default limit on half-open flows is a quarter of its 1024 entries.
        assertEquals(flood - 256, counter("flows.embryonic_evicted"));
        assertEquals(0, counter("drop.flow_table_full"));
        assertEquals(natPorts.portsPerPool() - 256, natPorts.available(0, TARGET, 8080), "evicted flows gave their NAT ports back");
    }

    @Test
    void packetsLaterInAReceiveBatchSeeTheFlowsEarlierOnesCreatedAndEvicted()
    {
        resolveTarget();
        // 256 half-open flows: the embryonic limit of the 1024-flow table.
        for (int i = 0; i < 256; i++)
        {
            az1.inject(tcp(AZ1_MAC, CLIENT_MAC, CLIENT, ENI, 20000 + i, 80, TcpFlyweight.SYN, 0, false));
            if ((i & 31) == 31)
            {
                agent.doWork();
            }
        }
        agent.doWork();
        prov.clearSent();

        // One receive batch, looked up as a whole before its first frame is handled: the new SYN evicts the oldest
        // half-open flow (client port 20000), whose record the new flow reuses; that flow's ACK was found by the
        // batch lookup but must now find nothing, and the new SYN's retransmission, not found by the batch lookup,
        // must find the flow its first copy created.
        az1.inject(tcp(AZ1_MAC, CLIENT_MAC, CLIENT, ENI, 30000, 80, TcpFlyweight.SYN, 0, false));
        az1.inject(tcp(AZ1_MAC, CLIENT_MAC, CLIENT, ENI, 20000, 80, TcpFlyweight.ACK, 0, false));
        az1.inject(tcp(AZ1_MAC, CLIENT_MAC, CLIENT, ENI, 30000, 80, TcpFlyweight.SYN, 0, false));
        agent.doWork();

        assertEquals(1, counter("flows.embryonic_evicted"));
        assertEquals(1, counter("drop.consumer_unknown_flow"), "the evicted flow's ACK");
        assertEquals(257, counter("flows.created"), "the retransmitted SYN created nothing");
        assertEquals(2, prov.sentCount(), "both SYNs left, the ACK did not");
        final int natPort = new Frame(prov.sentFrame(0)).tcp.sourcePort();
        assertEquals(natPort, new Frame(prov.sentFrame(1)).tcp.sourcePort(), "one flow, one NAT port");
        assertTrue((new Frame(prov.sentFrame(1)).tcp.flags() & TcpFlyweight.ACK) == 0);
    }

    @Test
    void removingAnEndpointRemovesItsFlowsAtOnceAndReturnsTheirNatPorts() throws Exception
    {
        resolveTarget();
        az1.inject(tcp(AZ1_MAC, CLIENT_MAC, CLIENT, ENI, 40040, 80, TcpFlyweight.SYN, 0, false));
        agent.doWork();
        final int natPort = new Frame(prov.sentFrame(0)).tcp.sourcePort();
        assertEquals(1, counter("flows.active"));

        // The endpoint keeps only its AZ2 subnet: the AZ1 ENI and its flows go.
        publish(labYaml.replace("      - subnet: subnet-0a11ce00000000a1\n        eniAddress: 10.0.1.20\n", ""));
        prov.inject(tcp(PROV_MAC, TARGET_MAC, TARGET, PROVIDER, 8080, natPort, TcpFlyweight.SYN | TcpFlyweight.ACK, 0, false));
        agent.doWork();
        assertEquals(1, counter("flows.purged"));
        assertEquals(0, counter("flows.active"));
        assertEquals(natPorts.portsPerPool(), natPorts.available(0, TARGET, 8080));
        assertEquals(0, az1.sentCount(), "no reply reaches the client of a removed ENI");
        assertEquals(1, counter("drop.provider_unsolicited"));
    }

    @Test
    void theAgentReportsTheGenerationItRunsWithOnlyAfterPurgingTheFlowsOfRemovedEnis() throws Exception
    {
        resolveTarget();
        az1.inject(tcp(AZ1_MAC, CLIENT_MAC, CLIENT, ENI, 40041, 80, TcpFlyweight.SYN, 0, false));
        agent.doWork();
        assertEquals(1, counter("flows.active"));

        snapshots.publish(new DatapathSnapshot(ConfigLoader.parse(
            labYaml.replace("      - subnet: subnet-0a11ce00000000a1\n        eniAddress: 10.0.1.20\n", ""), "changed.yaml"),
            List.of("az1", "az2", "prov"), 7));
        assertEquals(0, snapshots.programmedGeneration(), "published is not yet programmed");
        agent.doWork();
        assertEquals(7, snapshots.programmedGeneration());
        assertEquals(1, counter("flows.purged"), "by the time generation 7 is reported, the removed ENI's flow is gone");
        assertEquals(0, counter("flows.active"));
    }

    @Test
    void whenOneSourceAddressRunsOutOfPortsTowardATargetTheNextOneOnItsNetworkIsUsed() throws Exception
    {
        final int second = Ipv4.parseAddress("10.100.0.2");
        final ApplianceModel twoSources = ConfigLoader.parse(
            labYaml.replace("addresses: [10.100.0.1/24]", "addresses: [10.100.0.1/24, 10.100.0.2/24]"), "two.yaml");
        final List<String> names = List.of("az1", "az2", "prov");
        final CountersManager manager = new CountersManager(
            new UnsafeBuffer(ByteBuffer.allocateDirect(256 * CountersReader.METADATA_LENGTH)),
            new UnsafeBuffer(ByteBuffer.allocateDirect(256 * CountersReader.COUNTER_LENGTH)));
        counters = manager;
        // Three ports per (source address, target, target port) pool.
        final NatPortAllocator small = new NatPortAllocator(2, 5000, 5002);
        agent = new DatapathAgent(
            new Port[] {az1, az2, prov}, new boolean[] {true, true, false}, 32,
            new DatapathSnapshotHolder(new DatapathSnapshot(twoSources, names)),
            new FlowTable(1024, FlowTimeouts.DEFAULT), small, new int[] {PROVIDER, second}, null, null,
            new DatapathCounters(manager, names), clock, () -> 1_700_000_000_000L);
        resolveTarget();
        assertTrue(small.hasPool(1, TARGET, 8080), "both addresses are on the target's network");

        for (int i = 0; i < 3; i++)
        {
            az1.inject(tcp(AZ1_MAC, CLIENT_MAC, CLIENT, ENI, 42000 + i, 80, TcpFlyweight.SYN, 0, false));
        }
        az1.inject(tcp(AZ1_MAC, CLIENT_MAC, CLIENT, ENI, 42100, 5201, TcpFlyweight.SYN, 0, false));
        az1.inject(tcp(AZ1_MAC, CLIENT_MAC, CLIENT, ENI, 42003, 80, TcpFlyweight.SYN, 0, false));
        agent.doWork();

        assertEquals(5, prov.sentCount());
        for (int i = 0; i < 3; i++)
        {
            final Frame out = new Frame(prov.sentFrame(i));
            assertEquals(PROVIDER, out.ip.source());
            assertEquals(5000 + i, out.tcp.sourcePort());
            assertEquals(8080, out.tcp.destinationPort());
        }
        final Frame otherPort = new Frame(prov.sentFrame(3));
        assertEquals(PROVIDER, otherPort.ip.source(), "toward target port 5201 the first address has all its ports");
        assertEquals(5000, otherPort.tcp.sourcePort(), "the same NAT port as a flow toward 8080");
        assertEquals(5201, otherPort.tcp.destinationPort());
        final Frame spilled = new Frame(prov.sentFrame(4));
        assertEquals(second, spilled.ip.source(), "the first address has no port left toward target:8080");
        assertEquals(5000, spilled.tcp.sourcePort());
        assertEquals(TARGET_MAC, spilled.ethernet.destination(), "the same next hop, on-link for both addresses");
        assertTrue(spilled.ip.isHeaderChecksumValid());
        assertEquals(0, spilled.transportChecksum());

        prov.inject(tcp(PROV_MAC, TARGET_MAC, TARGET, second, 8080, 5000, TcpFlyweight.SYN | TcpFlyweight.ACK, 0, false));
        agent.doWork();
        assertEquals(1, az1.sentCount(), "the reply to the second address finds its flow");
        final Frame back = new Frame(az1.sentFrame(0));
        assertEquals(ENI, back.ip.source());
        assertEquals(42003, back.tcp.destinationPort());

        for (int i = 4; i < 7; i++)
        {
            az1.inject(tcp(AZ1_MAC, CLIENT_MAC, CLIENT, ENI, 42000 + i, 80, TcpFlyweight.SYN, 0, false));
        }
        agent.doWork();
        assertEquals(7, prov.sentCount());
        assertEquals(1, counter("drop.nat_ports_exhausted"), "both addresses out of ports toward target:8080");
        assertEquals(3, small.spilledCount());
        assertEquals(1, small.exhaustedCount());
        assertEquals(7, counter("flows.created"));
    }

    @Test
    void aTargetAReloadRemovesKeepsItsNatPoolsUntilItsLastFlowIsGone() throws Exception
    {
        resolveTarget();
        az1.inject(tcp(AZ1_MAC, CLIENT_MAC, CLIENT, ENI, 40050, 80, TcpFlyweight.SYN, 0, false));
        agent.doWork();
        assertEquals(1, natPorts.allocatedCount());

        final int newTarget = Ipv4.parseAddress("10.100.0.11");
        publish(labYaml.replace("targets: [10.100.0.10]", "targets: [10.100.0.11]"));
        agent.doWork();
        assertTrue(natPorts.hasPool(0, newTarget, 8080), "made when the snapshot arrives");
        assertTrue(natPorts.hasPool(0, newTarget, 5201));
        assertTrue(natPorts.hasPool(0, TARGET, 8080), "its flow still holds a port");
        assertFalse(natPorts.hasPool(0, TARGET, 5201), "no flow: gone with the reload");

        clock.update(clock.nanoTime() + FlowTimeouts.DEFAULT.embryonicNs() + 1_000_000_000L);
        agent.doWork();
        assertEquals(1, counter("flows.expired"));
        assertFalse(natPorts.hasPool(0, TARGET, 8080), "gone with its last flow");
        assertEquals(2, natPorts.poolCount());
    }

    @Test
    void eachEniCountsItsTrafficByDirectionAndItsDropsAcrossSnapshotSwaps() throws Exception
    {
        final EniCounters.Registry registry = new EniCounters.Registry((CountersManager)counters);
        final List<String> names = List.of("az1", "az2", "prov");
        final DatapathSnapshot first = new DatapathSnapshot(model, names);
        registry.countFor(first);
        snapshots.publish(first);
        resolveTarget();
        final String az1Eni = first.eniIds()[first.eniOn(0, ENI)];
        final String prefix = "eni." + az1Eni + ".";

        final long rxBefore = counter("port.az1.rx_bytes");
        az1.inject(tcp(AZ1_MAC, CLIENT_MAC, CLIENT, ENI, 40000, 80, TcpFlyweight.SYN, 0, false));
        agent.doWork();
        assertEquals(1, prov.sentCount());
        assertEquals(1, counter(prefix + "to_service_packets"));
        assertEquals(counter("port.az1.rx_bytes") - rxBefore, counter(prefix + "to_service_bytes"));
        assertEquals(0, counter(prefix + "to_consumer_packets"));

        // A reload that puts another endpoint's ENI first renumbers the ENIs: the counters follow the ENI's id.
        final String twoEndpoints = labYaml.replace("endpoints:\n", """
            endpoints:
              - id: vpce-0a11ce0000000000
                vpc: vpc-0a11ce0000000001
                serviceName: com.amazonaws.vpce.us-east-1.vpce-svc-0a11ce0000000001
                subnets:
                  - subnet: subnet-0a11ce00000000a1
                    eniAddress: 10.0.1.21
            """);
        assertNotEquals(labYaml, twoEndpoints);
        final DatapathSnapshot second = new DatapathSnapshot(ConfigLoader.parse(twoEndpoints, "two.yaml"), names);
        assertNotEquals(first.eniOn(0, ENI), second.eniOn(0, ENI), "the test needs the ENI renumbered");
        registry.countFor(second);
        snapshots.publish(second);
        agent.doWork();
        az1.clearSent(); // the new ENI's gratuitous ARP

        final int natPort = new Frame(prov.sentFrame(0)).tcp.sourcePort();
        final long provRxBefore = counter("port.prov.rx_bytes");
        prov.inject(tcp(PROV_MAC, TARGET_MAC, TARGET, PROVIDER, 8080, natPort, TcpFlyweight.SYN | TcpFlyweight.ACK, 0, false));
        agent.doWork();
        assertEquals(1, az1.sentCount());
        assertEquals(1, counter(prefix + "to_consumer_packets"));
        assertEquals(counter("port.prov.rx_bytes") - provRxBefore, counter(prefix + "to_consumer_bytes"));
        assertEquals(1, counter(prefix + "to_service_packets"));

        // A drop where the ENI is known is the ENI's as well as global; the other ENI counted nothing.
        az1.inject(tcp(AZ1_MAC, CLIENT_MAC, CLIENT, ENI, 40001, 80, TcpFlyweight.ACK, 0, false));
        agent.doWork();
        assertEquals(1, counter("drop.consumer_unknown_flow"));
        assertEquals(1, counter(prefix + "drop.consumer_unknown_flow"));
        final String otherPrefix = "eni." + second.eniIds()[second.eniOn(0, Ipv4.parseAddress("10.0.1.21"))] + ".";
        assertEquals(0, counter(otherPrefix + "to_service_packets"));
        assertEquals(0, counter(otherPrefix + "drop.consumer_unknown_flow"));
    }

    private void publish(final String yaml) throws Exception
    {
        snapshots.publish(new DatapathSnapshot(ConfigLoader.parse(yaml, "changed.yaml"), List.of("az1", "az2", "prov")));
    }

    private void resolveTarget()
    {
        agent.doWork();
        prov.injectFrame(arpReply(TARGET, TARGET_MAC, PROVIDER, PROV_MAC));
        agent.doWork();
        az1.clearSent();
        az2.clearSent();
        prov.clearSent();
        clock.update(clock.nanoTime() + 1_000);
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

    private static void arp(final byte[] vnetAndFrame, final ArpFlyweight arp)
    {
        arp.wrap(MemorySegment.ofArray(vnetAndFrame), FrameBatch.VNET_HDR_LENGTH + 14, 28);
    }

    private static byte[] arpReply(final int senderIp, final long senderMac, final int targetIp, final long targetMac)
    {
        final byte[] frame = new byte[ArpFrames.FRAME_LENGTH];
        ArpFrames.writeReply(MemorySegment.ofArray(frame), 0, senderMac, senderIp, targetMac, targetIp);
        return frame;
    }

    private static byte[] arpRequest(final long senderMac, final int senderIp, final int targetIp)
    {
        final byte[] frame = new byte[ArpFrames.FRAME_LENGTH];
        ArpFrames.writeRequest(MemorySegment.ofArray(frame), 0, senderMac, senderIp, targetIp);
        return frame;
    }

    /**
     * Virtio header + Ethernet + IPv4 + TCP with a payload. With partial, it is a GSO super-frame
     * as the kernel hands it over: NEEDS_CSUM and the pseudo-header sum in the checksum field.
     */
    private static byte[] tcp(
        final long dstMac, final long srcMac, final int srcIp, final int dstIp, final int srcPort, final int dstPort,
        final int flags, final int payload, final boolean partial)
    {
        final int ipLength = 20 + 20 + payload;
        final byte[] bytes = new byte[FrameBatch.VNET_HDR_LENGTH + 14 + ipLength];
        final MemorySegment segment = MemorySegment.ofArray(bytes);
        final Frame frame = new Frame(bytes);
        frame.ethernet.destination(dstMac).source(srcMac).etherType(EthernetFlyweight.ETHERTYPE_IPV4);
        frame.ip.versionAndIhl(4, 5).totalLength(ipLength).ttl(64).protocol(6).source(srcIp).destination(dstIp);
        frame.ip.updateHeaderChecksum();
        frame.tcp.sourcePort(srcPort).destinationPort(dstPort).sequence(1000).dataOffset(5).flags(flags).window(65535);
        for (int i = 0; i < payload; i++)
        {
            bytes[FrameBatch.VNET_HDR_LENGTH + 14 + 40 + i] = (byte)i;
        }
        if (partial)
        {
            frame.vnet.flags(VirtioNetHeaderFlyweight.FLAG_NEEDS_CSUM).gsoType(VirtioNetHeaderFlyweight.GSO_TCPV4)
                .gsoSize(1448).hdrLen(14 + 40).csumStart(14 + 20).csumOffset(16);
            frame.tcp.checksum(Checksum.pseudoHeaderSum(srcIp, dstIp, 6, 20 + payload));
        }
        else
        {
            frame.tcp.checksum(0);
            frame.tcp.checksum(Checksum.transportChecksum(segment, FrameBatch.VNET_HDR_LENGTH + 14 + 20, 20 + payload, srcIp, dstIp, 6));
        }
        return bytes;
    }

    /** Virtio header (zero) + Ethernet + IPv4 (valid header checksum) + the given transport bytes. */
    private static byte[] ipv4(
        final long dstMac, final long srcMac, final int srcIp, final int dstIp, final int protocol, final byte[] transport)
    {
        final byte[] bytes = new byte[FrameBatch.VNET_HDR_LENGTH + 14 + 20 + transport.length];
        final Frame frame = new Frame(bytes);
        frame.ethernet.destination(dstMac).source(srcMac).etherType(EthernetFlyweight.ETHERTYPE_IPV4);
        frame.ip.versionAndIhl(4, 5).totalLength(20 + transport.length).ttl(64).protocol(protocol)
            .source(srcIp).destination(dstIp);
        frame.ip.updateHeaderChecksum();
        System.arraycopy(transport, 0, bytes, FrameBatch.VNET_HDR_LENGTH + 34, transport.length);
        return bytes;
    }

    /** Flyweights over a (virtio header + frame) byte array. */
    private static final class Frame
    {
        final VirtioNetHeaderFlyweight vnet = new VirtioNetHeaderFlyweight();
        final EthernetFlyweight ethernet = new EthernetFlyweight();
        final Ipv4Flyweight ip = new Ipv4Flyweight();
        final TcpFlyweight tcp = new TcpFlyweight();
        final MemorySegment segment;
        final int length;

        Frame(final byte[] bytes)
        {
            segment = MemorySegment.ofArray(bytes);
            length = bytes.length;
            vnet.wrap(segment, 0);
            ethernet.wrap(segment, FrameBatch.VNET_HDR_LENGTH, length - FrameBatch.VNET_HDR_LENGTH);
            ip.wrap(segment, FrameBatch.VNET_HDR_LENGTH + 14, length - FrameBatch.VNET_HDR_LENGTH - 14);
            tcp.wrap(segment, FrameBatch.VNET_HDR_LENGTH + 34, length - FrameBatch.VNET_HDR_LENGTH - 34);
        }

        int transportChecksum()
        {
            return Checksum.transportChecksum(segment, FrameBatch.VNET_HDR_LENGTH + 34, ip.totalLength() - 20, ip.source(), ip.destination(), 6);
        }
    }
}
