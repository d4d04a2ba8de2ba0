package vpce.appliance.datapath;

import org.agrona.collections.Int2IntHashMap;
import org.agrona.collections.Long2LongHashMap;
import vpce.acl.AclCompiler;
import vpce.acl.AclModel;
import vpce.acl.CompiledAcls;
import vpce.acl.NaclEntry;
import vpce.acl.NetworkAcl;
import vpce.acl.SecurityGroup;
import vpce.acl.SgRule;
import vpce.appliance.config.ApplianceModel;
import vpce.appliance.config.ApplianceModel.EndpointSpec;
import vpce.appliance.config.ApplianceModel.EniSpec;
import vpce.appliance.config.ApplianceModel.ListenerSpec;
import vpce.appliance.config.ApplianceModel.PortRole;
import vpce.appliance.config.ApplianceModel.PortSpec;
import vpce.appliance.config.ApplianceModel.ServiceSpec;
import vpce.appliance.config.Ipv4;
import vpce.flowtable.FlowTable;
import vpce.flowtable.FlowTimeouts;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;

/**
 * Everything the datapath needs to decide a packet's fate, compiled from the model into
 * primitive arrays and maps, immutable once built. The control plane builds a new snapshot for
 * every change and publishes it with one release store ({@link DatapathSnapshotHolder}); a
 * worker reads it with one acquire load per duty cycle, so no packet is judged against a
 * half-applied change. Agrona's maps are only read after publication, which is safe.
 */
public final class DatapathSnapshot
{
    public static final int NOT_FOUND = -1;

    private final Long2LongHashMap eniByPortAndAddress = new Long2LongHashMap(NOT_FOUND);
    private final int[] eniAddress;
    private final int[] eniPortIndex;
    private final int[] eniServiceIndex;
    private final int[] eniSubnetIndex;
    /** "vpce-… us-east-1a subnet-…": for operators (explain, logs), never the packet path. */
    private final String[] eniDescriptions;
    private final List<String> subnetIds;
    private final int[] subnetNetwork;
    private final int[] subnetMask;
    private final int[] subnetVpc;
    private final String[] eniIds;
    private final boolean[] eniFlowLogged;
    /** Filled by {@link EniCounters.Registry#countFor} before publication; {@link EniCounters#DISCARD} otherwise. */
    private final EniCounters[] eniCounters;
    private final CompiledAcls acls;
    private final Int2IntHashMap[] serviceTargetPortByListener;
    private final int[][] serviceTargets;
    private final int providerPortIndex;
    private final int[] providerAddresses;
    private final int[] providerMasks;
    private final int providerGateway;
    /** Distinct idle-timeout sets: 0 is the datapath's default, then each endpoint override in order of appearance. */
    private final FlowTimeouts[] idleTimeoutProfiles;
    private final int[] eniIdleTimeoutProfile;
    /** ENI addresses in ascending order and the profile of each, for {@link FlowTable#reassignTimeoutProfiles}. */
    private final int[] idleTimeoutEniAddresses;
    private final byte[] idleTimeoutProfileOfEniAddress;
    private final int[] natTargetIps;
    private final int[] natTargetPorts;
    private final long[] natTargetSources;

    private final long generation;
    /** The VPCs' DNS resolver addresses with a dns section: the host's kernel's, on the consumer ports (see README). */
    private final org.agrona.collections.IntHashSet hostAddresses = new org.agrona.collections.IntHashSet();

    /**
     * @param portNames the ports in the order the datapath indexes them.
     */
    public DatapathSnapshot(final ApplianceModel model, final List<String> portNames)
    {
        this(model, portNames, 0);
    }

    /**
     * @param portNames  the ports in the order the datapath indexes them.
     * @param generation the publisher's number for it, increasing with each publication; the agent reports the one
     *                   it runs with ({@link DatapathSnapshotHolder#programmedGeneration()}).
     */
    public DatapathSnapshot(final ApplianceModel model, final List<String> portNames, final long generation)
    {
        this.generation = generation;
        if (model.dns() != null)
        {
            model.vpcs().forEach(vpc -> hostAddresses.add(model.dns().resolverAddress(vpc.id(), vpc.cidr())));
        }
        final List<EniSpec> enis = model.endpoints().stream().flatMap(e -> e.enis().stream()).toList();
        eniAddress = new int[enis.size()];
        eniPortIndex = new int[enis.size()];
        eniServiceIndex = new int[enis.size()];
        eniSubnetIndex = new int[enis.size()];
        eniDescriptions = new String[enis.size()];
        eniIds = new String[enis.size()];
        eniFlowLogged = new boolean[enis.size()];
        eniCounters = new EniCounters[enis.size()];
        Arrays.fill(eniCounters, EniCounters.DISCARD);
        subnetIds = model.subnets().stream().map(ApplianceModel.SubnetSpec::id).toList();
        subnetNetwork = model.subnets().stream().mapToInt(n -> n.cidr().network()).toArray();
        subnetMask = model.subnets().stream().mapToInt(n -> n.cidr().mask()).toArray();
        final List<String> vpcIds = model.vpcs().stream().map(ApplianceModel.VpcSpec::id).toList();
        subnetVpc = model.subnets().stream().mapToInt(n -> vpcIds.indexOf(n.vpcId())).toArray();
        final List<List<String>> groupsOfEni = new ArrayList<>();
        final List<FlowTimeouts> profiles = new ArrayList<>(List.of(model.datapath().idleTimeouts()));
        eniIdleTimeoutProfile = new int[enis.size()];
        int eni = 0;
        for (final EndpointSpec endpoint : model.endpoints())
        {
            if (!profiles.contains(endpoint.idleTimeouts()))
            {
                profiles.add(endpoint.idleTimeouts());
            }
            final int profile = profiles.indexOf(endpoint.idleTimeouts());
            final int serviceIndex = model.services().indexOf(model.service(endpoint.serviceName()));
            for (final EniSpec spec : endpoint.enis())
            {
                final int portIndex = portNames.indexOf(spec.portName());
                eniAddress[eni] = spec.address();
                eniPortIndex[eni] = portIndex;
                eniServiceIndex[eni] = serviceIndex;
                eniSubnetIndex[eni] = subnetIds.indexOf(spec.subnetId());
                eniDescriptions[eni] = endpoint.id() + " " + spec.availabilityZone() + " " + spec.subnetId();
                eniIds[eni] = spec.id(endpoint.id());
                eniFlowLogged[eni] = model.flowLogs() != null && model.flowLogs().covers(endpoint.id(), spec.subnetId(), eniIds[eni]);
                groupsOfEni.add(endpoint.securityGroupIds());
                eniByPortAndAddress.put(key(portIndex, spec.address()), eni);
                eniIdleTimeoutProfile[eni] = profile;
                eni++;
            }
        }

        if (profiles.size() > FlowTable.MAX_TIMEOUT_PROFILES)
        {
            throw new IllegalArgumentException(profiles.size() + " distinct idle timeout sets; the flow table holds " +
                FlowTable.MAX_TIMEOUT_PROFILES);
        }
        idleTimeoutProfiles = profiles.toArray(FlowTimeouts[]::new);
        final Integer[] byAddress = new Integer[eniAddress.length];
        Arrays.setAll(byAddress, i -> i);
        Arrays.sort(byAddress, (a, b) -> Integer.compare(eniAddress[a], eniAddress[b]));
        idleTimeoutEniAddresses = new int[byAddress.length];
        idleTimeoutProfileOfEniAddress = new byte[byAddress.length];
        for (int i = 0; i < byAddress.length; i++)
        {
            idleTimeoutEniAddresses[i] = eniAddress[byAddress[i]];
            idleTimeoutProfileOfEniAddress[i] = (byte)eniIdleTimeoutProfile[byAddress[i]];
        }

        acls = AclCompiler.compile(aclModel(model, groupsOfEni));

        serviceTargetPortByListener = new Int2IntHashMap[model.services().size()];
        serviceTargets = new int[model.services().size()][];
        for (int s = 0; s < model.services().size(); s++)
        {
            final ServiceSpec service = model.services().get(s);
            serviceTargetPortByListener[s] = new Int2IntHashMap(NOT_FOUND);
            for (final ListenerSpec listener : service.listeners())
            {
                serviceTargetPortByListener[s].put(listener.port(), listener.targetPort());
            }
            serviceTargets[s] = service.targets().stream().mapToInt(Integer::intValue).toArray();
        }

        final PortSpec provider = model.ports().stream().filter(p -> p.role() == PortRole.PROVIDER).findFirst().orElseThrow();
        providerPortIndex = portNames.indexOf(provider.name());
        providerAddresses = provider.addresses().stream().mapToInt(Ipv4.Cidr::address).toArray();
        providerMasks = provider.addresses().stream().mapToInt(Ipv4.Cidr::mask).toArray();
        providerGateway = provider.gateway();

        final LinkedHashSet<Long> natTargets = new LinkedHashSet<>();
        for (final ServiceSpec service : model.services())
        {
            for (final int target : service.targets())
            {
                for (final ListenerSpec listener : service.listeners())
                {
                    natTargets.add((target & 0xFFFF_FFFFL) << 16 | listener.targetPort());
                }
            }
        }
        natTargetIps = natTargets.stream().mapToInt(k -> (int)(k >>> 16)).toArray();
        natTargetPorts = natTargets.stream().mapToInt(k -> (int)(k & 0xFFFF)).toArray();
        natTargetSources = new long[natTargetIps.length];
        for (int i = 0; i < natTargetIps.length; i++)
        {
            natTargetSources[i] = providerSources(providerNextHop(natTargetIps[i]));
        }
    }

    /** The model's rules in the acl module's terms; ENIs and subnets keep this snapshot's indices. */
    private static AclModel aclModel(final ApplianceModel model, final List<List<String>> groupsOfEni)
    {
        final List<NetworkAcl> nacls = new ArrayList<>();
        for (final ApplianceModel.NetworkAclSpec acl : model.networkAcls())
        {
            final List<NaclEntry> entries = new ArrayList<>();
            for (final ApplianceModel.NaclEntrySpec entry : acl.entries())
            {
                entries.add(new NaclEntry(entry.ruleNumber(), entry.egress(), entry.protocol(), entry.allow(),
                    entry.cidr().network(), entry.cidr().prefixLength(), entry.fromPort(), entry.toPort(),
                    entry.icmpType(), entry.icmpType() == -1 ? -1 : entry.icmpCode()));
            }
            nacls.add(new NetworkAcl(acl.id(), entries));
        }
        final List<SecurityGroup> groups = new ArrayList<>();
        final Map<String, int[]> members = new HashMap<>();
        for (final ApplianceModel.SecurityGroupSpec group : model.securityGroups())
        {
            final List<SgRule> rules = new ArrayList<>();
            for (final ApplianceModel.SecurityGroupRuleSpec rule : group.rules())
            {
                final Ipv4.Cidr peer = rule.peerCidr();
                rules.add(new SgRule(rule.ruleId(), rule.egress(), rule.protocol(), rule.fromPort(), rule.toPort(),
                    rule.icmpType(), rule.icmpType() == -1 ? -1 : rule.icmpCode(),
                    peer == null ? 0 : peer.network(), peer == null ? 0 : peer.prefixLength(), rule.referencedGroupId()));
            }
            groups.add(new SecurityGroup(group.id(), rules));
            members.put(group.id(), group.members().stream().mapToInt(Integer::intValue).toArray());
        }
        final List<String> naclOfSubnet = model.subnets().stream().map(ApplianceModel.SubnetSpec::networkAclId).toList();
        return new AclModel(nacls, naclOfSubnet, groups, groupsOfEni, members, model.securityGroupsPerEni());
    }

    /** The publisher's number for this snapshot (0 when it numbers none). */
    public long generation()
    {
        return generation;
    }

    /** The flow-table timeout profile of the ENI's flows, 0..{@link #idleTimeoutProfileCount()} - 1. */
    public int eniTimeoutProfile(final int eni)
    {
        return eniIdleTimeoutProfile[eni];
    }

    public int idleTimeoutProfileCount()
    {
        return idleTimeoutProfiles.length;
    }

    /** Profile 0 is the datapath's default timeouts (datapath.idleTimeouts). */
    public FlowTimeouts idleTimeoutProfile(final int profile)
    {
        return idleTimeoutProfiles[profile];
    }

    /** ENI addresses in ascending (signed) order; the array itself, never written after construction. */
    int[] idleTimeoutEniAddresses()
    {
        return idleTimeoutEniAddresses;
    }

    /** The timeout profile of each address of {@link #idleTimeoutEniAddresses()}; never written after construction. */
    byte[] idleTimeoutProfileOfEniAddress()
    {
        return idleTimeoutProfileOfEniAddress;
    }

    /**
     * Would the flows already in the table keep their profiles and timeouts under this snapshot? True when the
     * profiles are the same and every ENI both snapshots have keeps its profile index (an ENI only one of them has
     * has no flows to retag: new, or purged).
     */
    public boolean sameIdleTimeouts(final DatapathSnapshot previous)
    {
        if (!Arrays.equals(idleTimeoutProfiles, previous.idleTimeoutProfiles))
        {
            return false;
        }
        for (int i = 0; i < idleTimeoutEniAddresses.length; i++)
        {
            final int j = Arrays.binarySearch(previous.idleTimeoutEniAddresses, idleTimeoutEniAddresses[i]);
            if (j >= 0 && previous.idleTimeoutProfileOfEniAddress[j] != idleTimeoutProfileOfEniAddress[i])
            {
                return false;
            }
        }
        return true;
    }

    /** The compiled network ACLs (by subnet index) and security groups (by ENI index). */
    public CompiledAcls acls()
    {
        return acls;
    }

    /** The ENI with this address on any consumer port, or {@link #NOT_FOUND}: for operators. */
    public int eniByAddress(final int address)
    {
        for (int eni = 0; eni < eniAddress.length; eni++)
        {
            if (eniAddress[eni] == address)
            {
                return eni;
            }
        }
        return NOT_FOUND;
    }

    /** This ENI's counters, for the datapath. */
    EniCounters eniCounters(final int eni)
    {
        return eniCounters[eni];
    }

    /** Off the packet path, before publication only. */
    void eniCounters(final int eni, final EniCounters counters)
    {
        eniCounters[eni] = counters;
    }

    /** Every ENI's id (eni-…), by ENI index: the flow log's interface-id. */
    public String[] eniIds()
    {
        return eniIds.clone();
    }

    /**
     * Which ENIs log flows, by ENI index. The array itself, handed to the flow-log aggregator on
     * the datapath thread when it takes this snapshot; nobody writes it after construction.
     */
    boolean[] eniFlowLogged()
    {
        return eniFlowLogged;
    }

    public String eniDescription(final int eni)
    {
        return eniDescriptions[eni];
    }

    public String subnetId(final int subnetIndex)
    {
        return subnetIds.get(subnetIndex);
    }

    /**
     * The subnet of the same VPC as {@code sameVpcAsSubnet} that holds the address, or
     * {@link #NOT_FOUND}: network ACLs filter only traffic that crosses a subnet's boundary.
     * Subnets are few and checked in order; the packet path calls this once per packet.
     */
    public int subnetOf(final int address, final int sameVpcAsSubnet)
    {
        final int vpc = subnetVpc[sameVpcAsSubnet];
        for (int i = 0; i < subnetNetwork.length; i++)
        {
            if ((address & subnetMask[i]) == subnetNetwork[i] && subnetVpc[i] == vpc)
            {
                return i;
            }
        }
        return NOT_FOUND;
    }

    /** Index of the ENI's subnet, for {@link #acls()}. */
    public int eniSubnetIndex(final int eni)
    {
        return eniSubnetIndex[eni];
    }

    private static long key(final int portIndex, final int address)
    {
        return ((long)portIndex << 32) | (address & 0xFFFF_FFFFL);
    }

    /** The ENI with this address on this consumer port, or {@link #NOT_FOUND}. */
    public int eniOn(final int portIndex, final int address)
    {
        return (int)eniByPortAndAddress.get(key(portIndex, address));
    }

    public int eniCount()
    {
        return eniAddress.length;
    }

    public int eniAddress(final int eni)
    {
        return eniAddress[eni];
    }

    public int eniPortIndex(final int eni)
    {
        return eniPortIndex[eni];
    }

    /** The target port behind a listener port of the ENI's service, or {@link #NOT_FOUND}. */
    public int targetPort(final int eni, final int listenerPort)
    {
        return serviceTargetPortByListener[eniServiceIndex[eni]].get(listenerPort);
    }

    /** A target of the ENI's service chosen by flow hash, so a flow sticks to one target. */
    public int target(final int eni, final int flowHash)
    {
        final int[] targets = serviceTargets[eniServiceIndex[eni]];
        return targets[(flowHash & 0x7FFF_FFFF) % targets.length];
    }

    public int providerPortIndex()
    {
        return providerPortIndex;
    }

    public int providerAddressCount()
    {
        return providerAddresses.length;
    }

    public int providerAddress(final int index)
    {
        return providerAddresses[index];
    }

    /**
     * @return whether frames to this consumer-side address are the host kernel's (a VPC's DNS resolver address): the
     * datapath leaves them, and ARP for it, to the kernel, which sees the same frames.
     */
    public boolean isHostAddress(final int address)
    {
        return hostAddresses.contains(address);
    }

    /** Index of one of the appliance's own provider-side addresses, or {@link #NOT_FOUND}. */
    public int providerAddressIndex(final int address)
    {
        for (int i = 0; i < providerAddresses.length; i++)
        {
            if (providerAddresses[i] == address)
            {
                return i;
            }
        }
        return NOT_FOUND;
    }

    /**
     * The provider-side address to speak from toward a next hop: one on the hop's network, so the
     * hop answers ARP and replies on-link; the first address when none is (a gateway's network).
     */
    public int providerSourceFor(final int nextHop)
    {
        for (int i = 0; i < providerAddresses.length; i++)
        {
            if ((nextHop & providerMasks[i]) == (providerAddresses[i] & providerMasks[i]))
            {
                return providerAddresses[i];
            }
        }
        return providerAddresses[0];
    }

    /**
     * Every provider-side address {@link #providerSourceFor(int)} could use toward a next hop, as a mask by
     * address index (the first 64): those on the hop's network, or the first address when none is. The lowest bit
     * is {@code providerSourceFor}'s choice; NAT moves on to the next ones when its ports run out.
     */
    public long providerSources(final int nextHop)
    {
        long sources = 0;
        for (int i = 0; i < Math.min(providerAddresses.length, Long.SIZE); i++)
        {
            if ((nextHop & providerMasks[i]) == (providerAddresses[i] & providerMasks[i]))
            {
                sources |= 1L << i;
            }
        }
        return sources == 0 ? 1L : sources;
    }

    /** Distinct (target, target port) pairs of all services: one NAT port pool per pair and source address. */
    public int natTargetCount()
    {
        return natTargetIps.length;
    }

    public int natTargetIp(final int index)
    {
        return natTargetIps[index];
    }

    public int natTargetPort(final int index)
    {
        return natTargetPorts[index];
    }

    /** {@link #providerSources(int)} toward the pair's target's next hop. */
    public long natTargetSources(final int index)
    {
        return natTargetSources[index];
    }

    /** The next hop for a provider-side destination: itself when on-link, else the gateway (0 if none). */
    public int providerNextHop(final int destination)
    {
        for (int i = 0; i < providerAddresses.length; i++)
        {
            if ((destination & providerMasks[i]) == (providerAddresses[i] & providerMasks[i]))
            {
                return destination;
            }
        }
        return providerGateway;
    }

    /** Every provider-side next hop the datapath will need, resolved ahead of traffic. */
    public int[] providerNextHops()
    {
        final Int2IntHashMap seen = new Int2IntHashMap(0);
        for (final int[] targets : serviceTargets)
        {
            for (final int target : targets)
            {
                final int hop = providerNextHop(target);
                if (hop != 0)
                {
                    seen.put(hop, 1);
                }
            }
        }
        final int[] hops = new int[seen.size()];
        int i = 0;
        for (final int hop : seen.keySet())
        {
            hops[i++] = hop;
        }
        return hops;
    }
}
