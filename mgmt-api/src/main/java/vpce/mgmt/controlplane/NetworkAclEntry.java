package vpce.mgmt.controlplane;

/**
 * One network ACL entry. Entries are judged per direction in ascending rule number, first match wins; rule 32767
 * (the implicit deny, present in every ACL for both directions) cannot be changed.
 *
 * @param protocol   protocol number as text: {@code -1} (all), {@code 6}, {@code 17}, {@code 1}, ...
 * @param ruleAction {@code allow} or {@code deny}.
 * @param icmpType   ICMP type (-1: all) for protocol 1, else null.
 * @param icmpCode   ICMP code (-1: all) for protocol 1, else null.
 * @param portFrom   first port for protocols 6 and 17, else null.
 * @param portTo     last port for protocols 6 and 17, else null.
 */
public record NetworkAclEntry(
    int ruleNumber,
    boolean egress,
    String protocol,
    String ruleAction,
    String cidrBlock,
    Integer icmpType,
    Integer icmpCode,
    Integer portFrom,
    Integer portTo)
{
    public static final int DEFAULT_DENY_RULE = 32767;
    public static final int MAX_RULE_NUMBER = 32766;

    public static NetworkAclEntry allowAll(final int ruleNumber, final boolean egress)
    {
        return new NetworkAclEntry(ruleNumber, egress, "-1", "allow", "0.0.0.0/0", null, null, null, null);
    }

    public static NetworkAclEntry defaultDeny(final boolean egress)
    {
        return new NetworkAclEntry(DEFAULT_DENY_RULE, egress, "-1", "deny", "0.0.0.0/0", null, null, null, null);
    }
}
