package vpce.acl;

/**
 * The immutable classifier for every subnet's network ACL and every ENI's security groups. Built by
 * {@link AclCompiler}, published to the datapath whole (a new instance per change), read by any number of threads:
 * all fields are final and nothing is written after construction.
 *
 * <p>The lookups allocate nothing and cost a bounded number of array loads, independent of the number of rules up
 * to EC2's quotas (see {@link Classifier}). Indices out of range throw {@link ArrayIndexOutOfBoundsException}: the
 * caller owns the numbering and a wrong index is a bug, not a packet to drop.
 */
public final class CompiledAcls
{
    private final String[] naclIdOfSubnet;
    private final Classifier[] naclIngressOfSubnet;
    private final Classifier[] naclEgressOfSubnet;
    private final Classifier[] sgInboundOfEni;
    private final Classifier[] sgOutboundOfEni;
    private final boolean[] untrackedOfEni;
    private final String[][] ruleIdsOfEni;
    private final String[][] groupIdsOfEni;

    CompiledAcls(
        final String[] naclIdOfSubnet,
        final Classifier[] naclIngressOfSubnet,
        final Classifier[] naclEgressOfSubnet,
        final Classifier[] sgInboundOfEni,
        final Classifier[] sgOutboundOfEni,
        final boolean[] untrackedOfEni,
        final String[][] ruleIdsOfEni,
        final String[][] groupIdsOfEni)
    {
        this.naclIdOfSubnet = naclIdOfSubnet;
        this.naclIngressOfSubnet = naclIngressOfSubnet;
        this.naclEgressOfSubnet = naclEgressOfSubnet;
        this.sgInboundOfEni = sgInboundOfEni;
        this.sgOutboundOfEni = sgOutboundOfEni;
        this.untrackedOfEni = untrackedOfEni;
        this.ruleIdsOfEni = ruleIdsOfEni;
        this.groupIdsOfEni = groupIdsOfEni;
    }

    /**
     * A packet entering the subnet, judged by its network ACL's inbound entries against its source address.
     *
     * @return a packed {@link Verdict}: {@link Verdict#allowed(int)}, {@link Verdict#ruleNumber(int)}.
     */
    public int naclIngress(
        final int subnetIndex,
        final int sourceIp,
        final int protocol,
        final int destinationPortOrIcmpType,
        final int icmpCode)
    {
        return naclIngressOfSubnet[subnetIndex].lookup(sourceIp, protocol, destinationPortOrIcmpType, icmpCode);
    }

    /**
     * A packet leaving the subnet, judged by its network ACL's outbound entries against its destination address.
     *
     * @return a packed {@link Verdict}.
     */
    public int naclEgress(
        final int subnetIndex,
        final int destinationIp,
        final int protocol,
        final int destinationPortOrIcmpType,
        final int icmpCode)
    {
        return naclEgressOfSubnet[subnetIndex].lookup(destinationIp, protocol, destinationPortOrIcmpType, icmpCode);
    }

    /**
     * Does an inbound rule of any of the ENI's groups allow a new flow from {@code sourceIp}?
     *
     * @return the index of an allowing rule in the ENI's rule list (the first in group order, then rule order), or
     * {@link Verdict#DENY}.
     */
    public int sgInbound(
        final int eniIndex,
        final int sourceIp,
        final int protocol,
        final int destinationPortOrIcmpType,
        final int icmpCode)
    {
        return sgInboundOfEni[eniIndex].lookup(sourceIp, protocol, destinationPortOrIcmpType, icmpCode);
    }

    /**
     * Does an outbound rule of any of the ENI's groups allow a new flow to {@code destinationIp}?
     *
     * @return the index of an allowing rule in the ENI's rule list, or {@link Verdict#DENY}.
     */
    public int sgOutbound(
        final int eniIndex,
        final int destinationIp,
        final int protocol,
        final int destinationPortOrIcmpType,
        final int icmpCode)
    {
        return sgOutboundOfEni[eniIndex].lookup(destinationIp, protocol, destinationPortOrIcmpType, icmpCode);
    }

    /**
     * EC2 does not track flows on an ENI whose groups allow all protocols from 0.0.0.0/0 inbound and to 0.0.0.0/0
     * outbound. What to do about it (skip the flow table, keep counting) is the datapath's decision.
     */
    public boolean isUntracked(final int eniIndex)
    {
        return untrackedOfEni[eniIndex];
    }

    /**
     * @param ruleIndex a value returned by {@link #sgInbound} or {@link #sgOutbound} for this ENI.
     */
    public String sgRuleId(final int eniIndex, final int ruleIndex)
    {
        return ruleIdsOfEni[eniIndex][ruleIndex];
    }

    public String sgGroupId(final int eniIndex, final int ruleIndex)
    {
        return groupIdsOfEni[eniIndex][ruleIndex];
    }

    public String naclId(final int subnetIndex)
    {
        return naclIdOfSubnet[subnetIndex];
    }

    public int subnetCount()
    {
        return naclIdOfSubnet.length;
    }

    public int eniCount()
    {
        return sgInboundOfEni.length;
    }

    /**
     * @return bytes of classifier arrays reachable from this ENI (shared with ENIs that have the same group list).
     */
    public long sgFootprintBytes(final int eniIndex)
    {
        return sgInboundOfEni[eniIndex].footprintBytes() + sgOutboundOfEni[eniIndex].footprintBytes();
    }

    Classifier sgInboundClassifier(final int eniIndex)
    {
        return sgInboundOfEni[eniIndex];
    }

    Classifier naclIngressClassifier(final int subnetIndex)
    {
        return naclIngressOfSubnet[subnetIndex];
    }
}
