package vpce.dns;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What the responder answers, immutable: built off the I/O thread by a {@link Builder}, then published whole through
 * {@link DnsZoneHolder}.
 *
 * <p>Two scopes. <b>Shared</b> names (the endpoints' regional and zonal {@code vpce-…} names, in the region's
 * {@code vpce.amazonaws.com} zone) answer the same in every VPC served, as EC2's public names do. <b>Per-VPC</b> names
 * (a service's private DNS name, in a private hosted zone whose apex is that name) answer only in their VPC; elsewhere
 * the query goes upstream. Each zone has an SOA; a name inside a zone we own that has no record is NXDOMAIN.
 */
public final class DnsZoneSnapshot
{
    public static final int TTL_SECONDS = 60;

    /** One VPC served: its CIDR, the resolver address (VPC base + 2) and its private zones. */
    static final class VpcZones
    {
        final String vpcId;
        final int networkAddress;
        final int netmask;
        final int resolverAddress;
        final NameTable<int[]> names;
        final NameTable<Boolean> apexes;

        VpcZones(final String vpcId, final int networkAddress, final int netmask, final int resolverAddress,
            final NameTable<int[]> names, final NameTable<Boolean> apexes)
        {
            this.vpcId = vpcId;
            this.networkAddress = networkAddress;
            this.netmask = netmask;
            this.resolverAddress = resolverAddress;
            this.names = names;
            this.apexes = apexes;
        }

        boolean contains(final int address)
        {
            return (address & netmask) == networkAddress;
        }
    }

    private static final DnsZoneSnapshot EMPTY = new Builder().build(0);

    final long generation;
    final VpcZones[] vpcs;
    final NameTable<int[]> sharedNames;
    final NameTable<Boolean> sharedApexes;

    private DnsZoneSnapshot(final long generation, final VpcZones[] vpcs, final NameTable<int[]> sharedNames,
        final NameTable<Boolean> sharedApexes)
    {
        this.generation = generation;
        this.vpcs = vpcs;
        this.sharedNames = sharedNames;
        this.sharedApexes = sharedApexes;
    }

    public static DnsZoneSnapshot empty()
    {
        return EMPTY;
    }

    public long generation()
    {
        return generation;
    }

    /** @return the resolver addresses of the VPCs, in the order they were added. */
    public int[] resolverAddresses()
    {
        final int[] addresses = new int[vpcs.length];
        for (int i = 0; i < vpcs.length; i++)
        {
            addresses[i] = vpcs[i].resolverAddress;
        }
        return addresses;
    }

    /**
     * The VPC a query belongs to: the one whose resolver address it arrived on, else (a listener on another address)
     * the one whose CIDR holds its source. In both cases the source must be inside that VPC's CIDR.
     *
     * @return the VPC, or null (the query is refused).
     */
    VpcZones vpcOf(final int localAddress, final int sourceAddress)
    {
        for (final VpcZones vpc : vpcs)
        {
            if (vpc.resolverAddress == localAddress)
            {
                return vpc.contains(sourceAddress) ? vpc : null;
            }
        }
        for (final VpcZones vpc : vpcs)
        {
            if (vpc.contains(sourceAddress))
            {
                return vpc;
            }
        }
        return null;
    }

    /** Collects records; not thread-safe; one use. */
    public static final class Builder
    {
        private final Map<String, VpcBuilder> vpcs = new LinkedHashMap<>();
        private final Map<String, List<Integer>> sharedNames = new LinkedHashMap<>();
        private final Map<String, Boolean> sharedApexes = new LinkedHashMap<>();

        private record VpcBuilder(String vpcId, int networkAddress, int prefixLength, int resolverAddress,
            Map<String, List<Integer>> names, Map<String, Boolean> apexes)
        {
        }

        /** A VPC served; a VPC added twice keeps the first. */
        public Builder vpc(final String vpcId, final int networkAddress, final int prefixLength, final int resolverAddress)
        {
            if (prefixLength < 0 || prefixLength > 32)
            {
                throw new IllegalArgumentException("prefix length " + prefixLength);
            }
            vpcs.putIfAbsent(vpcId, new VpcBuilder(vpcId, networkAddress & mask(prefixLength), prefixLength, resolverAddress,
                new LinkedHashMap<>(), new LinkedHashMap<>()));
            return this;
        }

        /** A zone whose names answer in every VPC (an SOA at {@code apex}, NXDOMAIN below it). */
        public Builder sharedZone(final String apex)
        {
            sharedApexes.put(canonical(apex), Boolean.TRUE);
            return this;
        }

        /** A records of a shared name; adding to a name again adds addresses. */
        public Builder sharedAddress(final String name, final int address)
        {
            add(sharedNames, name, address);
            return this;
        }

        /** A private hosted zone of one VPC, e.g. a service's private DNS name. */
        public Builder privateZone(final String vpcId, final String apex)
        {
            vpcOf(vpcId).apexes.put(canonical(apex), Boolean.TRUE);
            return this;
        }

        public Builder privateAddress(final String vpcId, final String name, final int address)
        {
            add(vpcOf(vpcId).names, name, address);
            return this;
        }

        public boolean hasVpc(final String vpcId)
        {
            return vpcs.containsKey(vpcId);
        }

        public DnsZoneSnapshot build(final long generation)
        {
            final List<VpcZones> built = new ArrayList<>();
            for (final VpcBuilder vpc : vpcs.values())
            {
                built.add(new VpcZones(vpc.vpcId, vpc.networkAddress, mask(vpc.prefixLength), vpc.resolverAddress,
                    new NameTable<>(addresses(vpc.names)), new NameTable<>(vpc.apexes)));
            }
            return new DnsZoneSnapshot(generation, built.toArray(new VpcZones[0]), new NameTable<>(addresses(sharedNames)),
                new NameTable<>(sharedApexes));
        }

        private VpcBuilder vpcOf(final String vpcId)
        {
            final VpcBuilder vpc = vpcs.get(vpcId);
            if (vpc == null)
            {
                throw new IllegalArgumentException("unknown VPC " + vpcId);
            }
            return vpc;
        }

        private static void add(final Map<String, List<Integer>> names, final String name, final int address)
        {
            final List<Integer> addresses = names.computeIfAbsent(canonical(name), key -> new ArrayList<>());
            if (!addresses.contains(address))
            {
                addresses.add(address);
            }
        }

        private static Map<String, int[]> addresses(final Map<String, List<Integer>> names)
        {
            final Map<String, int[]> result = new LinkedHashMap<>();
            names.forEach((name, list) -> result.put(name, list.stream().mapToInt(Integer::intValue).toArray()));
            return result;
        }

        private static String canonical(final String name)
        {
            DnsWire.encodeName(name); // validates
            final String lower = name.toLowerCase(java.util.Locale.ROOT);
            return lower.endsWith(".") ? lower.substring(0, lower.length() - 1) : lower;
        }

        private static int mask(final int prefixLength)
        {
            return prefixLength == 0 ? 0 : -1 << (32 - prefixLength);
        }
    }
}
