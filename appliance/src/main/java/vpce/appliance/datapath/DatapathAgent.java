package vpce.appliance.datapath;

import org.agrona.concurrent.Agent;
import org.agrona.concurrent.EpochClock;
import org.agrona.concurrent.NanoClock;
import vpce.acl.CompiledAcls;
import vpce.acl.Verdict;
import vpce.appliance.flowlog.FlowLogAggregator;
import vpce.appliance.io.FrameBatch;
import vpce.appliance.journal.FlowJournal;
import vpce.appliance.io.Port;
import vpce.appliance.io.TxQueue;
import vpce.appliance.packet.ArpFlyweight;
import vpce.appliance.packet.ArpFrames;
import vpce.appliance.packet.EthernetFlyweight;
import vpce.appliance.packet.FrameClass;
import vpce.appliance.packet.FrameValidator;
import vpce.appliance.packet.Ipv4Flyweight;
import vpce.appliance.packet.NatRewriter;
import vpce.appliance.packet.TcpFlyweight;
import vpce.appliance.packet.VirtioNetHeaderFlyweight;
import vpce.flowtable.FlowExpiryHandler;
import vpce.flowtable.FlowTable;
import vpce.flowtable.NatPortAllocator;
import vpce.flowtable.TcpState;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * The datapath worker: run to completion over all ports. One duty cycle receives a batch from
 * each port, judges and rewrites every frame in place, queues it on its egress port's
 * {@link TxQueue} by address (no copy), sends every queue, then does timed housekeeping (ARP
 * probes, flow expiry). It is the single writer of the flow table, the NAT port pools, the ARP
 * cache and the datapath counters.
 *
 * <pre>
 * consumer port --SYN to ENI:listener--> [validate] [ENI?] [TCP?] [flow lookup / create + NAT port]
 *      dst ENI:listener -> target:targetPort, src client:port -> provider address:NAT port, TTL-1
 *      --> provider port (next hop MAC from ARP)
 * provider port --reply--> [validate] [reverse lookup: tracked flow or drop] --> consumer port
 * </pre>
 *
 * Nothing here allocates, locks or logs per packet; every refusal is a counted drop.
 */
public final class DatapathAgent implements Agent
{
    /** How many flow records one duty cycle examines for expiry: expiry never stalls forwarding. */
    private static final int EXPIRY_SCAN_PER_CYCLE = 256;
    private static final long HOUSEKEEPING_INTERVAL_NS = 1_000_000L;
    private static final long FLOW_LOG_DRAIN_TIMEOUT_NS = 2_000_000_000L;
    private static final int LOCAL_FRAME_SLOTS = 64;
    private static final int LOCAL_FRAME_SLOT_SIZE = 128;
    private static final int PENDING_FRAME_SLOTS = 32;
    private static final int NEIGHBOR_CAPACITY = 256;
    /** The I/G bit: the least significant bit of a MAC address's first octet. */
    private static final long GROUP_BIT = 1L << 40;
    private static final ValueLayout.OfShort BE16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    private static final ValueLayout.OfInt BE32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);

    private final Port[] ports;
    private final boolean[] consumerRole;
    private final FrameBatch[] rxBatches;
    private final TxQueue[] txQueues;
    private final long[] portMacs;
    private final int[] portMtus;
    private final DatapathSnapshotHolder snapshots;
    private final FlowTable flows;
    private final NatPortAllocator natPorts;
    private final int[] natAddresses;
    private final DatapathCounters counters;
    private final NanoClock clock;
    private final EpochClock epochClock;
    /** null when flow logs are off. */
    private final FlowLogAggregator flowLog;
    /** null when the flow journal is off. */
    private final FlowJournal journal;
    /** One bit per flow id: the flow is in the journal (so its removal must be journaled too). */
    private final long[] journaled;
    private final NeighborTable neighbors = new NeighborTable(NEIGHBOR_CAPACITY);
    private final FrameValidator validator;
    private final VirtioNetHeaderFlyweight localVnetHeader = new VirtioNetHeaderFlyweight();
    private final EthernetFlyweight pendingEthernet = new EthernetFlyweight();

    /** Frames the appliance originates itself (ARP); reused every duty cycle. */
    private final FrameBatch localFrames = new FrameBatch(LOCAL_FRAME_SLOTS, LOCAL_FRAME_SLOT_SIZE);
    private int localFramesUsed;

    /** Frames waiting for their next hop's ARP reply; a slot is reusable after the cycle that sent it. */
    private final FrameBatch pendingFrames;
    private final int[] pendingNextHop = new int[PENDING_FRAME_SLOTS];
    private final byte[] pendingState = new byte[PENDING_FRAME_SLOTS];
    private static final byte SLOT_FREE = 0;
    private static final byte SLOT_WAITING = 1;
    private static final byte SLOT_SENDING = 2;

    private final FlowExpiryHandler releaseNatPort = this::onFlowExpired;
    /** Set once by the stopping thread ({@link #stopNewFlows}); read (volatile) only when a SYN would create a flow. */
    private volatile boolean draining;

    /** Per slot of the receive batch being handled: its raw TCP key (protocol 0 if none) and what it found. */
    private final int[] batchSrcIp;
    private final int[] batchSrcPort;
    private final int[] batchDstIp;
    private final int[] batchDstPort;
    private final int[] batchProtocol;
    private final int[] batchFlowIds;
    /** {@link FlowTable#modificationCount()} right after the batch lookup. */
    private int batchModifications;
    private DatapathSnapshot snapshot;
    private long nowNs;
    private long nextHousekeepingNs;
    /** The snapshot whose ENIs and next hops were last announced and tracked. */
    private DatapathSnapshot announcedSnapshot;

    public DatapathAgent(
        final Port[] ports,
        final boolean[] consumerRole,
        final int batchSize,
        final DatapathSnapshotHolder snapshots,
        final FlowTable flows,
        final NatPortAllocator natPorts,
        final int[] natAddresses,
        final FlowLogAggregator flowLog,
        final FlowJournal journal,
        final DatapathCounters counters,
        final NanoClock clock,
        final EpochClock epochClock)
    {
        this.journal = journal;
        this.journaled = journal == null ? null : new long[(flows.capacity() + 63) >>> 6];
        this.flowLog = flowLog;
        this.epochClock = epochClock;
        if (natAddresses.length != natPorts.natAddressCount())
        {
            throw new IllegalArgumentException(natAddresses.length + " NAT addresses for " + natPorts.natAddressCount() + " pools");
        }
        this.natAddresses = natAddresses.clone();
        if (ports.length > FlowTable.MAX_CONSUMER_PORT_INDEX + 1)
        {
            // A flow record keeps its consumer port index in a byte.
            throw new IllegalArgumentException(ports.length + " ports; at most " + (FlowTable.MAX_CONSUMER_PORT_INDEX + 1));
        }
        this.ports = ports;
        this.consumerRole = consumerRole;
        this.snapshots = snapshots;
        this.flows = flows;
        this.natPorts = natPorts;
        this.counters = counters;
        this.clock = clock;
        rxBatches = new FrameBatch[ports.length];
        txQueues = new TxQueue[ports.length];
        portMacs = new long[ports.length];
        portMtus = new int[ports.length];
        int largestMtu = 0;
        for (int p = 0; p < ports.length; p++)
        {
            rxBatches[p] = new FrameBatch(batchSize, FrameBatch.DEFAULT_SLOT_SIZE);
            // Every frame of every port may converge on one egress port in a cycle, plus local frames.
            txQueues[p] = new TxQueue(batchSize * ports.length + LOCAL_FRAME_SLOTS + PENDING_FRAME_SLOTS);
            portMacs[p] = ports[p].macAddress();
            portMtus[p] = ports[p].mtu();
            largestMtu = Math.max(largestMtu, portMtus[p]);
        }
        batchSrcIp = new int[batchSize];
        batchSrcPort = new int[batchSize];
        batchDstIp = new int[batchSize];
        batchDstPort = new int[batchSize];
        batchProtocol = new int[batchSize];
        batchFlowIds = new int[batchSize];
        validator = new FrameValidator(largestMtu + EthernetFlyweight.HEADER_LENGTH + EthernetFlyweight.VLAN_TAG_LENGTH);
        pendingFrames = new FrameBatch(PENDING_FRAME_SLOTS, FrameBatch.DEFAULT_SLOT_SIZE);
    }

    @Override
    public String roleName()
    {
        return "vpce-datapath";
    }

    /** On shutdown the open flow-log window is handed to the writer, which is still running. */
    @Override
    public void onClose()
    {
        if (flowLog == null)
        {
            return;
        }
        final long deadlineNs = clock.nanoTime() + FLOW_LOG_DRAIN_TIMEOUT_NS;
        while (flowLog.hasPendingRecords() && clock.nanoTime() - deadlineNs < 0)
        {
            if (flowLog.drainNow(clock.nanoTime(), epochClock.time()) == 0)
            {
                Thread.onSpinWait();
            }
        }
    }

    @Override
    public int doWork()
    {
        nowNs = clock.nanoTime();
        snapshot = snapshots.acquire();
        if (snapshot != announcedSnapshot)
        {
            declareNatTargets();
            purgeRemovedEnis(announcedSnapshot);
            applyIdleTimeouts(announcedSnapshot);
            announce(announcedSnapshot);
            if (flowLog != null)
            {
                flowLog.enabledInterfaces(snapshot.eniFlowLogged());
            }
            announcedSnapshot = snapshot;
            // Last: the removed ENIs' flows are gone and the new ENIs announced when the control plane hears of it.
            snapshots.programmed(snapshot.generation());
        }

        int workCount = 0;
        for (int p = 0; p < ports.length; p++)
        {
            final FrameBatch batch = rxBatches[p];
            final int received = ports[p].receive(batch);
            if (received > 0)
            {
                lookupFlows(p, batch, received);
                long bytes = 0;
                for (int i = 0; i < received; i++)
                {
                    final int length = batch.frameLength(i);
                    bytes += length;
                    onFrame(p, batch, i, length);
                }
                counters.rxPackets[p].getAndAddRelease(received);
                counters.rxBytes[p].getAndAddRelease(bytes);
                workCount += received;
            }
        }

        workCount += flush();

        if (nowNs - nextHousekeepingNs >= 0)
        {
            nextHousekeepingNs = nowNs + HOUSEKEEPING_INTERVAL_NS;
            workCount += housekeeping();
            workCount += flush();
        }
        return workCount;
    }

    private int flush()
    {
        int sent = 0;
        for (int p = 0; p < ports.length; p++)
        {
            final TxQueue queue = txQueues[p];
            final int queued = queue.count();
            if (queued > 0)
            {
                final int accepted = ports[p].send(queue);
                counters.txPackets[p].getAndAddRelease(accepted);
                // Only the port knows which frames the kernel took.
                counters.txBytes[p].setRelease(ports[p].bytesSent());
                if (accepted < queued)
                {
                    counters.txErrors[p].getAndAddRelease(queued - accepted);
                }
                sent += accepted;
            }
        }
        localFramesUsed = 0;
        for (int s = 0; s < PENDING_FRAME_SLOTS; s++)
        {
            if (pendingState[s] == SLOT_SENDING)
            {
                pendingState[s] = SLOT_FREE;
            }
        }
        return sent;
    }

    /**
     * Look up the flows of a whole receive batch at once, forward keys on a consumer port and reverse keys on a
     * provider port: the table's batch lookup overlaps the cache misses of all frames (a single lookup is two
     * dependent DRAM misses). Keys are read raw from frames that look like IPv4/TCP, before validation, so a result
     * is only a hint: {@link #batchFlow} uses it when the validated packet has exactly that key.
     */
    private void lookupFlows(final int portIndex, final FrameBatch batch, final int count)
    {
        final MemorySegment memory = batch.memory();
        for (int i = 0; i < count; i++)
        {
            final long frame = batch.frameOffset(i);
            final int length = batch.frameLength(i);
            int protocol = 0;
            int srcIp = 0;
            int dstIp = 0;
            int srcPort = 0;
            int dstPort = 0;
            if (length >= EthernetFlyweight.HEADER_LENGTH + Ipv4Flyweight.MIN_HEADER_LENGTH &&
                length <= memory.byteSize() - frame &&
                (memory.get(BE16, frame + 12) & 0xFFFF) == EthernetFlyweight.ETHERTYPE_IPV4)
            {
                final long ip = frame + EthernetFlyweight.HEADER_LENGTH;
                final int headerLength = (memory.get(ValueLayout.JAVA_BYTE, ip) & 0x0F) << 2;
                if ((memory.get(ValueLayout.JAVA_BYTE, ip + 9) & 0xFF) == Ipv4Flyweight.PROTOCOL_TCP &&
                    length >= EthernetFlyweight.HEADER_LENGTH + headerLength + 4)
                {
                    protocol = Ipv4Flyweight.PROTOCOL_TCP;
                    srcIp = memory.get(BE32, ip + 12);
                    dstIp = memory.get(BE32, ip + 16);
                    srcPort = memory.get(BE16, ip + headerLength) & 0xFFFF;
                    dstPort = memory.get(BE16, ip + headerLength + 2) & 0xFFFF;
                }
            }
            batchSrcIp[i] = srcIp;
            batchSrcPort[i] = srcPort;
            batchDstIp[i] = dstIp;
            batchDstPort[i] = dstPort;
            batchProtocol[i] = protocol;
        }
        if (consumerRole[portIndex])
        {
            flows.lookupForwardBatch(count, batchSrcIp, batchSrcPort, batchDstIp, batchDstPort, batchProtocol,
                batchFlowIds);
        }
        else
        {
            flows.lookupReverseBatch(count, batchSrcIp, batchSrcPort, batchDstIp, batchDstPort, batchProtocol,
                batchFlowIds);
        }
        batchModifications = flows.modificationCount();
    }

    /**
     * The flow of a validated TCP packet in slot {@code slot} of the batch {@link #lookupFlows} looked up: exactly
     * what {@code lookupForward}/{@code lookupReverse} would return now. An earlier frame of the batch may have
     * created or evicted a flow since the batch lookup (a removed id may even be reused), so once the table's
     * modification count has moved the result is confirmed against the record ({@link FlowTable#recheckForward}).
     * Frames are still handled one by one in receive order, so each flow sees its packets in order.
     */
    private int batchFlow(
        final int slot, final boolean forward, final int srcIp, final int srcPort, final int dstIp, final int dstPort)
    {
        final int tcp = Ipv4Flyweight.PROTOCOL_TCP;
        if (batchProtocol[slot] == tcp && batchSrcIp[slot] == srcIp && batchSrcPort[slot] == srcPort &&
            batchDstIp[slot] == dstIp && batchDstPort[slot] == dstPort)
        {
            final int flow = batchFlowIds[slot];
            if (flows.modificationCount() == batchModifications)
            {
                return flow;
            }
            return forward ? flows.recheckForward(flow, srcIp, srcPort, dstIp, dstPort, tcp) :
                flows.recheckReverse(flow, srcIp, srcPort, dstIp, dstPort, tcp);
        }
        return forward ? flows.lookupForward(srcIp, srcPort, dstIp, dstPort, tcp) :
            flows.lookupReverse(srcIp, srcPort, dstIp, dstPort, tcp);
    }

    private void onFrame(final int portIndex, final FrameBatch batch, final int slot, final int frameLength)
    {
        final MemorySegment memory = batch.memory();
        final long slotOffset = batch.slotOffset(slot);
        final int code = validator.classify(memory, slotOffset, frameLength);
        if (FrameClass.isDrop(code))
        {
            counters.parseDrop(code);
            return;
        }

        final EthernetFlyweight ethernet = validator.ethernet();
        if ((ethernet.source() & GROUP_BIT) != 0)
        {
            // A group address is never a station's source (IEEE 802.3): nothing to answer or learn.
            counters.drop(DropReason.BAD_SOURCE_MAC);
            return;
        }
        final long destinationMac = ethernet.destination();
        if (destinationMac != portMacs[portIndex] && destinationMac != EthernetFlyweight.BROADCAST_MAC)
        {
            counters.drop(DropReason.NOT_OUR_MAC);
            return;
        }

        if (code == FrameClass.ARP)
        {
            onArp(portIndex, validator.arp());
            return;
        }
        if (destinationMac == EthernetFlyweight.BROADCAST_MAC)
        {
            counters.drop(DropReason.NOT_OUR_MAC);
            return;
        }

        if (consumerRole[portIndex])
        {
            onConsumerPacket(portIndex, code, batch, slot, frameLength);
        }
        else
        {
            onProviderPacket(code, batch, slot, frameLength);
        }
    }

    private void onConsumerPacket(
        final int portIndex, final int code, final FrameBatch batch, final int slot, final int frameLength)
    {
        final Ipv4Flyweight ip = validator.ipv4();
        final int eni = snapshot.eniOn(portIndex, ip.destination());
        if (eni == DatapathSnapshot.NOT_FOUND)
        {
            if (!snapshot.isHostAddress(ip.destination())) // the host kernel's (the DNS resolver's): not a drop
            {
                counters.drop(DropReason.NOT_ENI_ADDRESS);
            }
            return;
        }
        // Network ACLs are stateless and see every packet that crosses a subnet's boundary,
        // whatever its protocol: the client's subnet lets the request out, the ENI's lets it in.
        final int naclDrop = naclVerdictOnRequest(code, eni, ip);
        if (naclDrop >= 0)
        {
            drop(eni, naclDrop);
            logFlow(eni, ip.source(), ip.destination(), code, ip, false);
            return;
        }
        if (code != FrameClass.IPV4_TCP)
        {
            // Interface endpoints carry TCP only; an ENI does not even answer ping.
            drop(eni, DropReason.NON_TCP_TO_ENI);
            return;
        }

        final TcpFlyweight tcp = validator.tcp();
        final int clientIp = ip.source();
        final int clientPort = tcp.sourcePort();
        final int eniIp = ip.destination();
        final int eniPort = tcp.destinationPort();
        final int tcpFlags = tcp.flags();
        int flow = batchFlow(slot, true, clientIp, clientPort, eniIp, eniPort);
        if (flow < 0)
        {
            flow = createFlow(portIndex, eni, clientIp, clientPort, eniIp, eniPort, tcpFlags);
            if (flow < 0)
            {
                return;
            }
        }

        final int providerPort = snapshot.providerPortIndex();
        if (!fitsMtu(providerPort, ip))
        {
            drop(eni, DropReason.MTU_EXCEEDED);
            return;
        }
        if (!flows.onForwardPacket(flow, tcpFlags, tcp.sequence(), tcp.acknowledgment(), tcp.window(),
            windowScaleOf(tcp, tcpFlags), tcp.length() - tcp.headerLength(), frameLength, nowNs))
        {
            drop(eni, DropReason.TCP_RST_OUT_OF_WINDOW);
            return;
        }
        final EniCounters eniCounters = snapshot.eniCounters(eni);
        eniCounters.toServicePackets.incrementRelease();
        eniCounters.toServiceBytes.getAndAddRelease(frameLength);
        logFlow(eni, clientIp, eniIp, FrameClass.IPV4_TCP, ip, true);
        final long consumerMac = validator.ethernet().source();
        if (flows.consumerMac(flow) != consumerMac)
        {
            flows.consumerMac(flow, consumerMac);
        }

        journalIfEstablished(flow);

        translate(ip, tcp, flows.natIp(flow), flows.natPort(flow), flows.targetIp(flow), flows.targetPort(flow));

        final int nextHop = snapshot.providerNextHop(flows.targetIp(flow));
        final EthernetFlyweight ethernet = validator.ethernet();
        ethernet.source(portMacs[providerPort]);
        final long nextHopMac = neighbors.macOf(nextHop);
        if (nextHopMac == NeighborTable.UNRESOLVED)
        {
            holdForArp(nextHop, batch, slot, frameLength);
            return;
        }
        ethernet.destination(nextHopMac);
        transmit(providerPort, batch.slotAddress(slot), frameLength);
    }

    private int createFlow(
        final int portIndex,
        final int eni,
        final int clientIp,
        final int clientPort,
        final int eniIp,
        final int eniPort,
        final int tcpFlags)
    {
        if ((tcpFlags & (TcpFlyweight.SYN | TcpFlyweight.ACK | TcpFlyweight.RST)) != TcpFlyweight.SYN)
        {
            drop(eni, DropReason.UNKNOWN_FLOW);
            return -1;
        }
        if (draining)
        {
            drop(eni, DropReason.DRAINING);
            return -1;
        }
        // Security groups are stateful: checked once, when the flow is created; the flow then
        // carries its replies, and removing the rule later does not cut it (EC2 tracking).
        if (snapshot.acls().sgInbound(eni, clientIp, Ipv4Flyweight.PROTOCOL_TCP, eniPort, 0) == Verdict.DENY)
        {
            drop(eni, DropReason.SG_INGRESS);
            logFlow(eni, clientIp, eniIp, FrameClass.IPV4_TCP, validator.ipv4(), false);
            return -1;
        }
        final int targetPort = snapshot.targetPort(eni, eniPort);
        if (targetPort == DatapathSnapshot.NOT_FOUND)
        {
            drop(eni, DropReason.PORT_NOT_OFFERED);
            return -1;
        }
        final int flowHash = mix(clientIp, clientPort, eniIp, eniPort);
        final int target = snapshot.target(eni, flowHash);
        // A port unique toward this target:targetPort, from the first source address the target can answer
        // on-link (or via the gateway) that has one left; declareNatTargets gave the allocator the candidates.
        final int allocation = natPorts.allocate(target, targetPort);
        if (allocation == NatPortAllocator.NO_PORT)
        {
            drop(eni, DropReason.NAT_PORTS_EXHAUSTED);
            return -1;
        }
        final int natAddressIndex = NatPortAllocator.natAddressIndexOf(allocation);
        final int natIp = natAddresses[natAddressIndex];
        final int natPort = NatPortAllocator.portOf(allocation);
        // A full table (or too many half-open flows: a SYN flood) gives up its oldest half-open flow,
        // never an established one; the handler returns that flow's NAT port.
        final long evictedBefore = flows.embryonicEvictedCount();
        final int flow = flows.create(
            clientIp, clientPort, eniIp, eniPort, target, targetPort, natIp, natPort, Ipv4Flyweight.PROTOCOL_TCP, nowNs,
            releaseNatPort);
        if (flows.embryonicEvictedCount() != evictedBefore)
        {
            counters.embryonicEvicted.incrementRelease();
        }
        if (flow < 0)
        {
            natPorts.release(natAddressIndex, target, targetPort, natPort);
            drop(eni, flow == FlowTable.TABLE_FULL ? DropReason.FLOW_TABLE_FULL : DropReason.BAD_FLOW_KEY);
            return -1;
        }
        // Tagged with the ENI's address, unique and stable across snapshots (indices are not):
        // the flows of an ENI a reload removes are found by it.
        flows.endpointId(flow, eniIp);
        flows.consumerPortIndex(flow, portIndex);
        flows.timeoutProfile(flow, snapshot.eniTimeoutProfile(eni));
        counters.flowsCreated.incrementRelease();
        counters.flowsActive.setRelease(flows.size());
        return flow;
    }

    private void onProviderPacket(final int code, final FrameBatch batch, final int slot, final int frameLength)
    {
        if (code != FrameClass.IPV4_TCP)
        {
            counters.drop(DropReason.PROVIDER_UNSOLICITED);
            return;
        }
        final Ipv4Flyweight ip = validator.ipv4();
        final TcpFlyweight tcp = validator.tcp();
        final int flow = batchFlow(slot, false, ip.source(), tcp.sourcePort(), ip.destination(), tcp.destinationPort());
        if (flow < 0)
        {
            // A service can never open a connection into the VPC: only replies pass.
            counters.drop(DropReason.PROVIDER_UNSOLICITED);
            return;
        }
        final int consumerPort = flows.consumerPortIndex(flow);
        // The reply leaves the ENI's subnet: its network ACL's outbound entries judge it, on
        // every packet (stateless), so a rule change applies to the very next one.
        final int eni = snapshot.eniOn(consumerPort, flows.eniIp(flow));
        if (eni == DatapathSnapshot.NOT_FOUND)
        {
            // A reload removed the ENI; its flows go when they expire (or are purged).
            counters.drop(DropReason.ENI_GONE);
            return;
        }
        final int naclDrop = naclVerdictOnReply(eni, flows.eniIp(flow), flows.clientIp(flow), flows.clientPort(flow));
        if (flowLog != null && flowLog.isEnabled(eni))
        {
            flowLog.record(eni, flows.eniIp(flow), flows.clientIp(flow), flows.eniPort(flow), flows.clientPort(flow),
                Ipv4Flyweight.PROTOCOL_TCP, naclDrop < 0, ip.totalLength(), nowNs);
        }
        if (naclDrop >= 0)
        {
            drop(eni, naclDrop);
            return;
        }
        if (!fitsMtu(consumerPort, ip))
        {
            drop(eni, DropReason.MTU_EXCEEDED);
            return;
        }
        final int tcpFlags = tcp.flags();
        if (!flows.onReversePacket(flow, tcpFlags, tcp.sequence(), tcp.acknowledgment(), tcp.window(),
            windowScaleOf(tcp, tcpFlags), tcp.length() - tcp.headerLength(), frameLength, nowNs))
        {
            drop(eni, DropReason.TCP_RST_OUT_OF_WINDOW);
            return;
        }

        final EniCounters eniCounters = snapshot.eniCounters(eni);
        eniCounters.toConsumerPackets.incrementRelease();
        eniCounters.toConsumerBytes.getAndAddRelease(frameLength);
        journalIfEstablished(flow);
        translate(ip, tcp, flows.eniIp(flow), flows.eniPort(flow), flows.clientIp(flow), flows.clientPort(flow));

        final EthernetFlyweight ethernet = validator.ethernet();
        ethernet.source(portMacs[consumerPort]);
        ethernet.destination(flows.consumerMac(flow));
        transmit(consumerPort, batch.slotAddress(slot), frameLength);
    }

    /**
     * A drop where the ENI is known: counted globally and for the ENI (per-endpoint/AZ figures). Reasons that
     * {@link EniCounters#REASONS} leaves out go to a counter nobody reads, so no branch here.
     */
    private void drop(final int eni, final int reason)
    {
        counters.drop(reason);
        snapshot.eniCounters(eni).drops[reason].incrementRelease();
    }

    /** The Window Scale option matters on a SYN only (RFC 7323 2.2): other segments skip the option walk. */
    private static int windowScaleOf(final TcpFlyweight tcp, final int tcpFlags)
    {
        return (tcpFlags & TcpFlyweight.SYN) != 0 ? tcp.windowScale() : TcpFlyweight.NO_WINDOW_SCALE;
    }

    /** A VPC Flow Log entry for a packet entering the ENI's subnet, when the ENI logs. */
    private void logFlow(
        final int eni, final int source, final int destination, final int code, final Ipv4Flyweight ip, final boolean accept)
    {
        if (flowLog == null || !flowLog.isEnabled(eni))
        {
            return;
        }
        int sourcePort = 0;
        int destinationPort = 0;
        if (code == FrameClass.IPV4_TCP)
        {
            sourcePort = validator.tcp().sourcePort();
            destinationPort = validator.tcp().destinationPort();
        }
        else if (code == FrameClass.IPV4_UDP)
        {
            sourcePort = validator.udp().sourcePort();
            destinationPort = validator.udp().destinationPort();
        }
        flowLog.record(eni, source, destination, sourcePort, destinationPort, ip.protocol(), accept, ip.totalLength(), nowNs);
    }

    /**
     * Network ACLs on a consumer's packet to an ENI: none when both are in one subnet (the packet
     * crosses no boundary); else the client subnet's outbound entries, if the client is in one of
     * the model's subnets, and the ENI subnet's inbound entries. Matched on the destination port,
     * or the ICMP type and code.
     *
     * @return the drop reason, or -1 when the packet may pass.
     */
    private int naclVerdictOnRequest(final int code, final int eni, final Ipv4Flyweight ip)
    {
        final int eniSubnet = snapshot.eniSubnetIndex(eni);
        final int clientSubnet = snapshot.subnetOf(ip.source(), eniSubnet);
        if (clientSubnet == eniSubnet)
        {
            return -1;
        }
        final int protocol = ip.protocol();
        int portOrType = 0;
        int icmpCode = 0;
        if (code == FrameClass.IPV4_TCP)
        {
            portOrType = validator.tcp().destinationPort();
        }
        else if (code == FrameClass.IPV4_UDP)
        {
            portOrType = validator.udp().destinationPort();
        }
        else if (code == FrameClass.IPV4_ICMP)
        {
            portOrType = validator.icmp().type();
            icmpCode = validator.icmp().code();
        }
        final CompiledAcls acls = snapshot.acls();
        if (clientSubnet != DatapathSnapshot.NOT_FOUND &&
            !Verdict.allowed(acls.naclEgress(clientSubnet, ip.destination(), protocol, portOrType, icmpCode)))
        {
            return DropReason.NACL_EGRESS;
        }
        return Verdict.allowed(acls.naclIngress(eniSubnet, ip.source(), protocol, portOrType, icmpCode)) ?
            -1 : DropReason.NACL_INGRESS;
    }

    /** Network ACLs on a reply from an ENI to a consumer: the mirror image of the request. */
    private int naclVerdictOnReply(final int eni, final int eniIp, final int clientIp, final int clientPort)
    {
        final int eniSubnet = snapshot.eniSubnetIndex(eni);
        final int clientSubnet = snapshot.subnetOf(clientIp, eniSubnet);
        if (clientSubnet == eniSubnet)
        {
            return -1;
        }
        final CompiledAcls acls = snapshot.acls();
        if (!Verdict.allowed(acls.naclEgress(eniSubnet, clientIp, Ipv4Flyweight.PROTOCOL_TCP, clientPort, 0)))
        {
            return DropReason.NACL_EGRESS;
        }
        return clientSubnet == DatapathSnapshot.NOT_FOUND ||
            Verdict.allowed(acls.naclIngress(clientSubnet, eniIp, Ipv4Flyweight.PROTOCOL_TCP, clientPort, 0)) ?
            -1 : DropReason.NACL_INGRESS;
    }

    /** Rewrites both ends of the packet in place, TTL included, keeping every checksum right. */
    private void translate(
        final Ipv4Flyweight ip,
        final TcpFlyweight tcp,
        final int sourceIp,
        final int sourcePort,
        final int destinationIp,
        final int destinationPort)
    {
        final VirtioNetHeaderFlyweight vnet = validator.vnetHeader();
        final boolean partial = vnet.needsChecksum();
        NatRewriter.rewriteSource(ip, tcp, sourceIp, sourcePort, partial);
        NatRewriter.rewriteDestination(ip, tcp, destinationIp, destinationPort, partial);
        ip.decrementTtl();
        if (!partial && vnet.gsoType() != VirtioNetHeaderFlyweight.GSO_NONE)
        {
            NatRewriter.makeChecksumPartial(vnet, ip, tcp, EthernetFlyweight.HEADER_LENGTH + ip.headerLength());
        }
    }

    private void onArp(final int portIndex, final ArpFlyweight arp)
    {
        final int operation = arp.operation();
        final int targetIp = arp.targetIp();
        if (consumerRole[portIndex])
        {
            final int eni = snapshot.eniOn(portIndex, targetIp);
            if (operation == ArpFlyweight.OPERATION_REQUEST && eni != DatapathSnapshot.NOT_FOUND && arp.senderIp() != targetIp)
            {
                sendArpReply(portIndex, targetIp, arp.senderMac(), arp.senderIp());
                return;
            }
            if (!snapshot.isHostAddress(targetIp)) // the kernel answers ARP for the resolver address
            {
                counters.drop(DropReason.ARP_NOT_FOR_US);
            }
            return;
        }

        final int senderIp = arp.senderIp();
        final long senderMac = arp.senderMac();
        // Any ARP from a next hop we track refreshes it (RFC 826: merge the sender's pair).
        final boolean tracked = neighbors.isTracked(senderIp);
        if (tracked && neighbors.onArp(senderIp, senderMac, nowNs))
        {
            releasePending(senderIp, senderMac);
        }
        if (operation == ArpFlyweight.OPERATION_REQUEST && snapshot.providerAddressIndex(targetIp) != DatapathSnapshot.NOT_FOUND)
        {
            sendArpReply(portIndex, targetIp, senderMac, senderIp);
            return;
        }
        if (operation == ArpFlyweight.OPERATION_REPLY && tracked)
        {
            counters.arpRepliesReceived.incrementRelease();
            return;
        }
        counters.drop(DropReason.ARP_NOT_FOR_US);
    }

    private void sendArpReply(final int portIndex, final int ownIp, final long requesterMac, final int requesterIp)
    {
        final int slot = claimLocalFrame();
        if (slot < 0)
        {
            counters.drop(DropReason.TX_QUEUE_FULL);
            return;
        }
        final int length = ArpFrames.writeReply(
            localFrames.memory(), localFrames.frameOffset(slot), portMacs[portIndex], ownIp, requesterMac, requesterIp);
        if (transmit(portIndex, localFrames.slotAddress(slot), length))
        {
            counters.arpRepliesSent.incrementRelease();
        }
    }

    private void sendArpRequest(final int portIndex, final int ownIp, final int targetIp)
    {
        final int slot = claimLocalFrame();
        if (slot < 0)
        {
            return;
        }
        final int length = ArpFrames.writeRequest(
            localFrames.memory(), localFrames.frameOffset(slot), portMacs[portIndex], ownIp, targetIp);
        if (transmit(portIndex, localFrames.slotAddress(slot), length))
        {
            counters.arpRequestsSent.incrementRelease();
        }
    }

    private void sendGratuitousArp(final int portIndex, final int ownIp)
    {
        final int slot = claimLocalFrame();
        if (slot < 0)
        {
            return;
        }
        final int length = ArpFrames.writeGratuitous(
            localFrames.memory(), localFrames.frameOffset(slot), portMacs[portIndex], ownIp);
        if (transmit(portIndex, localFrames.slotAddress(slot), length))
        {
            counters.gratuitousArpSent.incrementRelease();
        }
    }

    private int claimLocalFrame()
    {
        if (localFramesUsed == LOCAL_FRAME_SLOTS)
        {
            return -1;
        }
        final int slot = localFramesUsed++;
        // Locally built frames carry complete checksums and no GSO: an all-zero virtio header.
        localVnetHeader.wrap(localFrames.memory(), localFrames.slotOffset(slot)).clear();
        return slot;
    }

    /**
     * Removes at once the flows of every ENI the previous snapshot had and this one does not (an
     * endpoint deleted, a subnet removed), returning their NAT ports. Each removed ENI costs one
     * scan of the flow table: a few milliseconds at a million flows, on a reload only.
     */
    private void purgeRemovedEnis(final DatapathSnapshot previous)
    {
        if (previous == null)
        {
            return;
        }
        for (int eni = 0; eni < previous.eniCount(); eni++)
        {
            final int address = previous.eniAddress(eni);
            if (snapshot.eniOn(previous.eniPortIndex(eni), address) == DatapathSnapshot.NOT_FOUND)
            {
                final int purged = flows.removeByEndpoint(address, releaseNatPort);
                if (purged > 0)
                {
                    counters.flowsPurged.getAndAddRelease(purged);
                    counters.flowsActive.setRelease(flows.size());
                }
            }
        }
    }

    /**
     * Hands the snapshot's idle-timeout profiles to the flow table and, when an ENI's profile differs from the
     * previous snapshot's, retags every flow by its ENI (one scan of the table, on such a reload only), so a
     * changed endpoint timeout applies to the flows it already has. The first snapshot always retags: flows
     * restored from the journal are in the table before the agent runs.
     */
    private void applyIdleTimeouts(final DatapathSnapshot previous)
    {
        if (previous != null && snapshot.sameIdleTimeouts(previous))
        {
            return;
        }
        for (int profile = 0; profile < snapshot.idleTimeoutProfileCount(); profile++)
        {
            flows.timeouts(profile, snapshot.idleTimeoutProfile(profile));
        }
        flows.reassignTimeoutProfiles(snapshot.idleTimeoutEniAddresses(), snapshot.idleTimeoutProfileOfEniAddress());
    }

    /**
     * Announces (gratuitous ARP) every ENI and provider address that the previous snapshot did not
     * have, so that consumers learn an ENI the moment it appears, and starts resolving next hops.
     */
    private void announce(final DatapathSnapshot previous)
    {
        for (int eni = 0; eni < snapshot.eniCount(); eni++)
        {
            final int port = snapshot.eniPortIndex(eni);
            final int address = snapshot.eniAddress(eni);
            if (previous == null || previous.eniOn(port, address) == DatapathSnapshot.NOT_FOUND)
            {
                sendGratuitousArp(port, address);
            }
        }
        for (int a = 0; a < snapshot.providerAddressCount(); a++)
        {
            final int address = snapshot.providerAddress(a);
            if (previous == null || previous.providerAddressIndex(address) == DatapathSnapshot.NOT_FOUND)
            {
                sendGratuitousArp(snapshot.providerPortIndex(), address);
            }
        }
        for (final int hop : snapshot.providerNextHops())
        {
            neighbors.track(hop, nowNs);
        }
    }

    private boolean transmit(final int portIndex, final long address, final int frameLength)
    {
        if (!txQueues[portIndex].offer(address, frameLength))
        {
            counters.drop(DropReason.TX_QUEUE_FULL);
            return false;
        }
        return true;
    }

    private boolean fitsMtu(final int egressPort, final Ipv4Flyweight ip)
    {
        final VirtioNetHeaderFlyweight vnet = validator.vnetHeader();
        if (vnet.gsoType() == VirtioNetHeaderFlyweight.GSO_NONE)
        {
            return ip.totalLength() <= portMtus[egressPort];
        }
        // The kernel cuts a super-frame into segments of headers + gso_size on the way out.
        return ip.headerLength() + validator.tcp().headerLength() + vnet.gsoSize() <= portMtus[egressPort];
    }

    private void holdForArp(final int nextHop, final FrameBatch batch, final int slot, final int frameLength)
    {
        if (nextHop == 0 || neighbors.hasFailed(nextHop) || !neighbors.track(nextHop, nowNs))
        {
            counters.drop(DropReason.ARP_UNRESOLVED);
            return;
        }
        for (int s = 0; s < PENDING_FRAME_SLOTS; s++)
        {
            if (pendingState[s] == SLOT_FREE)
            {
                MemorySegment.copy(
                    batch.memory(), batch.slotOffset(slot), pendingFrames.memory(), pendingFrames.slotOffset(s),
                    FrameBatch.VNET_HDR_LENGTH + frameLength);
                pendingFrames.frameLength(s, frameLength);
                pendingNextHop[s] = nextHop;
                pendingState[s] = SLOT_WAITING;
                return;
            }
        }
        counters.drop(DropReason.ARP_UNRESOLVED);
    }

    private void releasePending(final int nextHop, final long mac)
    {
        final int providerPort = snapshot.providerPortIndex();
        for (int s = 0; s < PENDING_FRAME_SLOTS; s++)
        {
            if (pendingState[s] == SLOT_WAITING && pendingNextHop[s] == nextHop)
            {
                final int length = pendingFrames.frameLength(s);
                pendingEthernet.wrap(pendingFrames.memory(), pendingFrames.frameOffset(s), length).destination(mac);
                pendingState[s] = transmit(providerPort, pendingFrames.slotAddress(s), length) ? SLOT_SENDING : SLOT_FREE;
            }
        }
    }

    private int housekeeping()
    {
        int work = 0;
        for (int p = 0; p < ports.length; p++)
        {
            // Drops inside the port are its own counts; publish them at housekeeping pace.
            counters.rxTruncated[p].setRelease(ports[p].truncatedFrames());
            counters.rxVlanTagged[p].setRelease(ports[p].vlanTaggedFrames());
        }
        final int providerPort = snapshot.providerPortIndex();
        for (int i = 0; i < neighbors.count(); i++)
        {
            final int hop = neighbors.address(i);
            if (neighbors.probeDue(i, nowNs))
            {
                sendArpRequest(providerPort, snapshot.providerSourceFor(hop), hop);
                work++;
            }
            if (neighbors.hasFailed(hop))
            {
                for (int s = 0; s < PENDING_FRAME_SLOTS; s++)
                {
                    if (pendingState[s] == SLOT_WAITING && pendingNextHop[s] == hop)
                    {
                        pendingState[s] = SLOT_FREE;
                        counters.drop(DropReason.ARP_UNRESOLVED);
                    }
                }
            }
        }
        if (flowLog != null)
        {
            work += flowLog.flushIfDue(nowNs, epochClock.time());
        }
        counters.rstNotExact.setRelease(flows.rstNotExactCount());
        final int expired = flows.expire(nowNs, EXPIRY_SCAN_PER_CYCLE, releaseNatPort);
        if (expired > 0)
        {
            counters.flowsExpired.getAndAddRelease(expired);
            counters.flowsActive.setRelease(flows.size());
            work += expired;
        }
        return work;
    }

    /** Hands a newly established flow (and its NAT binding) to the journal, once. */
    private void journalIfEstablished(final int flow)
    {
        if (journal != null && flows.tcpState(flow) == TcpState.ESTABLISHED &&
            (journaled[flow >>> 6] & (1L << flow)) == 0 && journal.onEstablished(flows, flow))
        {
            journaled[flow >>> 6] |= 1L << flow;
        }
    }

    /**
     * From any thread, once, as the appliance stops: SYNs create no flow from here on (dropped, counted
     * {@code drop.draining}); established flows carry on until they end or the drain time is up.
     */
    public void stopNewFlows()
    {
        draining = true;
    }

    /** Start-up only, before the agent runs: a flow restored from the journal is in it. */
    public void markJournaled(final int flow)
    {
        journaled[flow >>> 6] |= 1L << flow;
    }

    private void onFlowExpired(final FlowTable table, final int flow)
    {
        if (journal != null && (journaled[flow >>> 6] & (1L << flow)) != 0)
        {
            journaled[flow >>> 6] &= ~(1L << flow);
            journal.onRemoved(table.natIp(flow), table.natPort(flow), table.targetIp(flow), table.targetPort(flow));
        }
        final int natAddressIndex = natAddressIndex(table.natIp(flow));
        if (natAddressIndex >= 0)
        {
            natPorts.release(natAddressIndex, table.targetIp(flow), table.targetPort(flow), table.natPort(flow));
        }
    }

    /**
     * Gives the NAT port allocator the (target, target port) pairs of a new snapshot and the source addresses
     * that may reach each. Pools for new pairs are made here, on this thread when it takes the snapshot, before
     * any packet is judged against it: the one place the datapath allocates, on a reload only. A pair that is
     * gone keeps its pools until its last flow returns its port.
     */
    private void declareNatTargets()
    {
        natPorts.beginTargets();
        for (int i = 0; i < snapshot.natTargetCount(); i++)
        {
            long candidates = 0;
            for (long sources = snapshot.natTargetSources(i); sources != 0; sources &= sources - 1)
            {
                final int index = natAddressIndex(snapshot.providerAddress(Long.numberOfTrailingZeros(sources)));
                if (index >= 0)
                {
                    candidates |= 1L << index;
                }
            }
            natPorts.target(snapshot.natTargetIp(i), snapshot.natTargetPort(i), candidates);
        }
        natPorts.endTargets();
    }

    /**
     * The allocator's index of a provider-side address. The addresses are fixed at start-up, in the
     * order of {@code natAddresses}, and never follow a snapshot: a flow created under one snapshot
     * returns its port to the pool it came from under any later one.
     */
    private int natAddressIndex(final int natIp)
    {
        for (int i = 0; i < natAddresses.length; i++)
        {
            if (natAddresses[i] == natIp)
            {
                return i;
            }
        }
        return -1;
    }

    /** A cheap, well-spread hash of the consumer side of a flow: picks the target and NAT address. */
    private static int mix(final int clientIp, final int clientPort, final int eniIp, final int eniPort)
    {
        long h = ((long)clientIp << 32) ^ ((long)clientPort << 16) ^ eniPort ^ ((long)eniIp * 0x9E3779B97F4A7C15L);
        h ^= h >>> 33;
        h *= 0xFF51AFD7ED558CCDL;
        h ^= h >>> 33;
        return (int)h;
    }
}
