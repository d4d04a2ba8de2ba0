package vpce.dns;

/** The responder's counters: answers by rcode, and what never got an answer. */
public enum DnsCounter
{
    NOERROR("answered NOERROR"),
    NXDOMAIN("answered NXDOMAIN"),
    FORMERR("answered FORMERR"),
    SERVFAIL("answered SERVFAIL"),
    NOTIMP("answered NOTIMP"),
    REFUSED("answered REFUSED"),
    BADVERS("answered BADVERS"),
    TRUNCATED("answers truncated (TC)"),
    TCP_QUERIES("queries over TCP"),
    FORWARDED("queries forwarded upstream"),
    UPSTREAM_TIMEOUTS("upstream timeouts (SERVFAIL)"),
    UPSTREAM_TCP_RETRIES("upstream truncated, retried over TCP"),
    FORWARD_TABLE_FULL("forwarding table full (SERVFAIL)"),
    DROPPED_MALFORMED("dropped: shorter than a header, or a response"),
    DROPPED_RATE_LIMITED("dropped: source over its rate limit"),
    DROPPED_UPSTREAM("dropped: unexpected upstream answers");

    private final String description;

    DnsCounter(final String description)
    {
        this.description = description;
    }

    public String description()
    {
        return description;
    }

    /**
     * The counters-file label after {@code dns.}: answers under {@code rcode.<RCODE>} and drops under
     * {@code dropped.<reason>}, so that /metrics makes each one family ({@code vpce_dns_queries_total{rcode}},
     * {@code vpce_dns_dropped_total{reason}}); the rest by name.
     */
    public String label()
    {
        final String name = name().toLowerCase(java.util.Locale.ROOT);
        return switch (this)
        {
            case NOERROR, NXDOMAIN, FORMERR, SERVFAIL, NOTIMP, REFUSED, BADVERS -> "rcode." + name();
            case DROPPED_MALFORMED, DROPPED_RATE_LIMITED, DROPPED_UPSTREAM -> "dropped." + name.substring("dropped_".length());
            default -> name;
        };
    }

    static DnsCounter ofRcode(final int rcode)
    {
        return switch (rcode)
        {
            case DnsWire.RCODE_NOERROR -> NOERROR;
            case DnsWire.RCODE_NXDOMAIN -> NXDOMAIN;
            case DnsWire.RCODE_FORMERR -> FORMERR;
            case DnsWire.RCODE_SERVFAIL -> SERVFAIL;
            case DnsWire.RCODE_NOTIMP -> NOTIMP;
            case DnsWire.RCODE_BADVERS -> BADVERS;
            default -> REFUSED;
        };
    }
}
