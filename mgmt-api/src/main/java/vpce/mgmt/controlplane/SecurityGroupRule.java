package vpce.mgmt.controlplane;

/**
 * One security-group rule, as EC2's {@code SecurityGroupRule} shape shows it: exactly one of {@code cidrIpv4} and
 * {@code referencedGroupId} is set.
 *
 * @param ipProtocol {@code tcp}, {@code udp}, {@code icmp}, {@code -1} (all) or another protocol number as text.
 * @param fromPort   first port for tcp/udp, the ICMP type for icmp (-1: all), -1 for the other protocols.
 * @param toPort     last port for tcp/udp, the ICMP code for icmp (-1: all), -1 for the other protocols.
 */
public record SecurityGroupRule(
    String securityGroupRuleId,
    String groupId,
    boolean egress,
    String ipProtocol,
    int fromPort,
    int toPort,
    String cidrIpv4,
    String referencedGroupId,
    String description)
{
    /** @return true when both rules allow the same traffic (EC2's duplicate test: description and id aside). */
    public boolean sameAs(final SecurityGroupRule other)
    {
        return egress == other.egress && ipProtocol.equals(other.ipProtocol) && fromPort == other.fromPort &&
            toPort == other.toPort && java.util.Objects.equals(cidrIpv4, other.cidrIpv4) &&
            java.util.Objects.equals(referencedGroupId, other.referencedGroupId);
    }
}
