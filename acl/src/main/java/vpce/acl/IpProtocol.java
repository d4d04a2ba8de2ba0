package vpce.acl;

/**
 * IANA protocol numbers the ACL rules give a meaning to, and the EC2 wildcard {@code -1} ("all traffic").
 */
public final class IpProtocol
{
    /** EC2's "all protocols": ports and ICMP type/code are ignored. */
    public static final int ALL = -1;
    public static final int ICMP = 1;
    public static final int TCP = 6;
    public static final int UDP = 17;

    private IpProtocol()
    {
    }

    /**
     * @param protocol a rule's protocol.
     * @return true when a port range applies to it (TCP and UDP only: EC2 ignores ranges for anything else).
     */
    public static boolean hasPorts(final int protocol)
    {
        return TCP == protocol || UDP == protocol;
    }
}
