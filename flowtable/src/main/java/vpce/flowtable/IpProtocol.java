package vpce.flowtable;

/**
 * IANA protocol numbers the flow table treats specially; any other value in 0..255 is tracked as "other".
 */
public final class IpProtocol
{
    public static final int ICMP = 1;
    public static final int TCP = 6;
    public static final int UDP = 17;

    private IpProtocol()
    {
    }
}
