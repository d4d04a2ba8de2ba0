package vpce.dns;

import static vpce.dns.DnsWire.*;

/**
 * Answers one query from the current {@link DnsZoneSnapshot}: parses the message in place (a flyweight over the
 * query's bytes), writes the answer into a caller's buffer, allocates nothing. I/O thread only: it keeps the last
 * query's parse state for the caller ({@link #questionEnd()}, {@link #udpPayloadLimit()}) to forward it.
 *
 * <p>What it answers (RFC 1035, 2308, 6891):
 * <ul>
 * <li>shorter than a header, or a response (QR set): no answer, counted ({@link #DROP});</li>
 * <li>opcode other than QUERY: NOTIMP; not exactly one question, answer or authority records, more than one
 * additional record or one that is not OPT, a compression pointer or bad label in the question (nothing precedes it
 * but the header, so any pointer is invalid or a loop), a name over 255 octets, bytes past the end: FORMERR; EDNS
 * version other than 0: BADVERS;</li>
 * <li>class other than IN, a zone transfer, or a source outside every VPC served: REFUSED;</li>
 * <li>a name with records: its A records (type A or ANY, TTL 60), or NOERROR with no answer and the zone's SOA for
 * other types (AAAA included), AA set; a zone apex answers its SOA; a name below an apex with no records: NXDOMAIN and
 * the SOA;</li>
 * <li>any other name: {@link #FORWARD} when an upstream is configured, else REFUSED.</li>
 * </ul>
 * The query's name is echoed byte for byte (its case kept) and answers point back to it. Over UDP an answer larger
 * than the query's EDNS payload size (512 without EDNS, at most the configured maximum) is sent empty with TC, and
 * the client retries over TCP.
 */
public final class DnsQueryProcessor
{
    /** {@link #onQuery} result: send nothing (counted). */
    public static final int DROP = -1;
    /** {@link #onQuery} result: the name is not ours; forward the query. */
    public static final int FORWARD = -2;

    static final int SOA_REFRESH_S = 3600;
    static final int SOA_RETRY_S = 600;
    static final int SOA_EXPIRE_S = 86_400;
    private static final int A_RECORD_LENGTH = 16;
    /** Owner pointer, type, class, TTL, rdlength; "ns" + pointer; "hostmaster" + pointer; five 32-bit fields. */
    private static final int SOA_RDATA_LENGTH = 3 + 2 + 11 + 2 + 20;
    private static final int SOA_RECORD_LENGTH = 2 + 10 + SOA_RDATA_LENGTH;
    private static final int OPT_RECORD_LENGTH = 11;
    private static final byte[] NS_LABEL = {2, 'n', 's'};
    private static final byte[] HOSTMASTER_LABEL = {10, 'h', 'o', 's', 't', 'm', 'a', 's', 't', 'e', 'r'};

    private final DnsZoneHolder zones;
    private final DnsCounters counters;
    private final boolean upstreamConfigured;
    private final int maxUdpPayload;

    private int questionEnd;
    private boolean hasOpt;
    private int udpPayloadLimit;

    /**
     * @param maxUdpPayload the largest UDP answer sent and the payload size advertised in OPT (at least 512).
     */
    public DnsQueryProcessor(final DnsZoneHolder zones, final DnsCounters counters, final boolean upstreamConfigured,
        final int maxUdpPayload)
    {
        if (maxUdpPayload < CLASSIC_UDP_PAYLOAD || maxUdpPayload > MAX_MESSAGE_LENGTH)
        {
            throw new IllegalArgumentException("maxUdpPayload " + maxUdpPayload + " is not within 512..65535");
        }
        this.zones = zones;
        this.counters = counters;
        this.upstreamConfigured = upstreamConfigured;
        this.maxUdpPayload = maxUdpPayload;
    }

    /**
     * @param query         the message, from offset 0.
     * @param length        its length.
     * @param localAddress  the address it arrived on (0 when unknown: a wildcard UDP listener).
     * @param sourceAddress its source.
     * @param tcp           whether it came over TCP (no truncation).
     * @param response      at least {@value DnsWire#MAX_MESSAGE_LENGTH} bytes.
     * @return the answer's length in {@code response}, or {@link #DROP} or {@link #FORWARD}.
     */
    public int onQuery(final byte[] query, final int length, final int localAddress, final int sourceAddress, final boolean tcp,
        final byte[] response)
    {
        questionEnd = 0;
        hasOpt = false;
        udpPayloadLimit = CLASSIC_UDP_PAYLOAD;
        if (length < HEADER_LENGTH || length > MAX_MESSAGE_LENGTH || (getShort(query, FLAGS_OFFSET) & FLAG_QR) != 0)
        {
            counters.increment(DnsCounter.DROPPED_MALFORMED);
            return DROP;
        }
        if (tcp)
        {
            counters.increment(DnsCounter.TCP_QUERIES);
        }
        final int flags = getShort(query, FLAGS_OFFSET);
        if ((flags & OPCODE_MASK) != 0)
        {
            return header(query, response, RCODE_NOTIMP, false);
        }
        if (getShort(query, QDCOUNT_OFFSET) != 1 || getShort(query, ANCOUNT_OFFSET) != 0 || getShort(query, NSCOUNT_OFFSET) != 0 ||
            getShort(query, ARCOUNT_OFFSET) > 1)
        {
            return header(query, response, RCODE_FORMERR, false);
        }
        int position = HEADER_LENGTH;
        while (true)
        {
            if (position >= length)
            {
                return header(query, response, RCODE_FORMERR, false);
            }
            final int label = query[position] & 0xFF;
            if (label == 0)
            {
                position++;
                break;
            }
            if (label > MAX_LABEL_LENGTH) // a compression pointer (0xC0) or the reserved 0x40/0x80 label types
            {
                return header(query, response, RCODE_FORMERR, false);
            }
            position += 1 + label;
            if (position - HEADER_LENGTH + 1 > MAX_NAME_LENGTH)
            {
                return header(query, response, RCODE_FORMERR, false);
            }
        }
        final int nameEnd = position;
        if (position + 4 > length)
        {
            return header(query, response, RCODE_FORMERR, false);
        }
        final int qtype = getShort(query, position);
        final int qclass = getShort(query, position + 2);
        position += 4;
        questionEnd = position;
        int ednsVersion = 0;
        if (getShort(query, ARCOUNT_OFFSET) == 1)
        {
            if (position + OPT_RECORD_LENGTH > length || query[position] != 0 || getShort(query, position + 1) != TYPE_OPT)
            {
                return header(query, response, RCODE_FORMERR, true);
            }
            final int payload = getShort(query, position + 3);
            ednsVersion = query[position + 6] & 0xFF;
            final int rdataLength = getShort(query, position + 9);
            position += OPT_RECORD_LENGTH;
            final int rdataEnd = position + rdataLength;
            if (rdataEnd > length)
            {
                return header(query, response, RCODE_FORMERR, true);
            }
            while (position < rdataEnd) // options: code, length, data; each must fit (RFC 6891 section 6.1.2)
            {
                if (position + 4 > rdataEnd || position + 4 + getShort(query, position + 2) > rdataEnd)
                {
                    return header(query, response, RCODE_FORMERR, true);
                }
                position += 4 + getShort(query, position + 2);
            }
            hasOpt = true;
            udpPayloadLimit = Math.max(CLASSIC_UDP_PAYLOAD, Math.min(payload, maxUdpPayload));
        }
        if (position != length)
        {
            return header(query, response, RCODE_FORMERR, true);
        }
        if (ednsVersion != 0)
        {
            return header(query, response, RCODE_BADVERS, true);
        }
        final DnsZoneSnapshot snapshot = zones.current();
        final DnsZoneSnapshot.VpcZones vpc = snapshot.vpcOf(localAddress, sourceAddress);
        if (vpc == null || qclass != CLASS_IN || qtype == TYPE_AXFR || qtype == TYPE_IXFR)
        {
            return header(query, response, RCODE_REFUSED, true);
        }

        final int nameLength = nameEnd - HEADER_LENGTH;
        final int nameHash = hash(query, HEADER_LENGTH, nameLength);
        int[] addresses = vpc.names.get(query, HEADER_LENGTH, nameLength, nameHash);
        if (addresses == null)
        {
            addresses = snapshot.sharedNames.get(query, HEADER_LENGTH, nameLength, nameHash);
        }
        final int apex = apexOf(snapshot, vpc, query, nameEnd, nameHash);
        if (apex < 0)
        {
            if (upstreamConfigured)
            {
                counters.increment(DnsCounter.FORWARDED);
                return FORWARD;
            }
            return header(query, response, RCODE_REFUSED, true);
        }
        final boolean exists = addresses != null || apex == HEADER_LENGTH;
        final int answerCount;
        final boolean soaAnswer;
        if (exists && addresses != null && (qtype == TYPE_A || qtype == TYPE_ANY))
        {
            answerCount = addresses.length;
            soaAnswer = false;
        }
        else if (exists && apex == HEADER_LENGTH && qtype == TYPE_SOA)
        {
            answerCount = 1;
            soaAnswer = true;
        }
        else
        {
            answerCount = 0;
            soaAnswer = false;
        }
        final int rcode = exists ? RCODE_NOERROR : RCODE_NXDOMAIN;
        final int recordsLength = soaAnswer ? SOA_RECORD_LENGTH : answerCount * A_RECORD_LENGTH + (answerCount == 0 ? SOA_RECORD_LENGTH : 0);
        final int fullLength = questionEnd + recordsLength + (hasOpt ? OPT_RECORD_LENGTH : 0);
        final boolean truncated = !tcp && fullLength > udpPayloadLimit;

        writeHeader(query, response, rcode, true, FLAG_AA | (truncated ? FLAG_TC : 0));
        int at = questionEnd;
        if (truncated)
        {
            counters.increment(DnsCounter.TRUNCATED);
        }
        else if (soaAnswer)
        {
            putShort(response, ANCOUNT_OFFSET, 1);
            at = writeSoa(response, at, apex, snapshot.generation);
        }
        else if (answerCount > 0)
        {
            putShort(response, ANCOUNT_OFFSET, answerCount);
            for (final int address : addresses)
            {
                putShort(response, at, 0xC000 | HEADER_LENGTH);
                putShort(response, at + 2, TYPE_A);
                putShort(response, at + 4, CLASS_IN);
                putInt(response, at + 6, DnsZoneSnapshot.TTL_SECONDS);
                putShort(response, at + 10, 4);
                putInt(response, at + 12, address);
                at += A_RECORD_LENGTH;
            }
        }
        else
        {
            putShort(response, NSCOUNT_OFFSET, 1);
            at = writeSoa(response, at, apex, snapshot.generation);
        }
        at = writeOpt(response, at, 0);
        counters.increment(DnsCounter.ofRcode(rcode));
        return at;
    }

    /** @return the offset in the query where the name of the closest zone apex we own starts, or -1. */
    private static int apexOf(final DnsZoneSnapshot snapshot, final DnsZoneSnapshot.VpcZones vpc, final byte[] query,
        final int nameEnd, final int nameHash)
    {
        int offset = HEADER_LENGTH;
        int hash = nameHash;
        while (query[offset] != 0)
        {
            if (vpc.apexes.get(query, offset, nameEnd - offset, hash) != null ||
                snapshot.sharedApexes.get(query, offset, nameEnd - offset, hash) != null)
            {
                return offset;
            }
            offset += 1 + (query[offset] & 0xFF);
            hash = DnsWire.hash(query, offset, nameEnd - offset);
        }
        return -1;
    }

    private static int writeSoa(final byte[] response, final int at, final int apex, final long serial)
    {
        putShort(response, at, 0xC000 | apex);
        putShort(response, at + 2, TYPE_SOA);
        putShort(response, at + 4, CLASS_IN);
        putInt(response, at + 6, DnsZoneSnapshot.TTL_SECONDS);
        putShort(response, at + 10, SOA_RDATA_LENGTH);
        int p = at + 12;
        System.arraycopy(NS_LABEL, 0, response, p, NS_LABEL.length);
        p += NS_LABEL.length;
        putShort(response, p, 0xC000 | apex);
        p += 2;
        System.arraycopy(HOSTMASTER_LABEL, 0, response, p, HOSTMASTER_LABEL.length);
        p += HOSTMASTER_LABEL.length;
        putShort(response, p, 0xC000 | apex);
        p += 2;
        putInt(response, p, (int)serial);
        putInt(response, p + 4, SOA_REFRESH_S);
        putInt(response, p + 8, SOA_RETRY_S);
        putInt(response, p + 12, SOA_EXPIRE_S);
        putInt(response, p + 16, DnsZoneSnapshot.TTL_SECONDS);
        return p + 20;
    }

    private int writeOpt(final byte[] response, final int at, final int extendedRcode)
    {
        if (!hasOpt)
        {
            return at;
        }
        putShort(response, ARCOUNT_OFFSET, 1);
        response[at] = 0;
        putShort(response, at + 1, TYPE_OPT);
        putShort(response, at + 3, maxUdpPayload);
        putInt(response, at + 5, extendedRcode << 24);
        putShort(response, at + 9, 0);
        return at + OPT_RECORD_LENGTH;
    }

    /** An answer with no records: the question when it parsed, the OPT when the query had one. */
    private int header(final byte[] query, final byte[] response, final int rcode, final boolean withQuestion)
    {
        writeHeader(query, response, rcode, withQuestion, 0);
        counters.increment(DnsCounter.ofRcode(rcode));
        return writeOpt(response, withQuestion ? questionEnd : HEADER_LENGTH, rcode >>> 4);
    }

    private void writeHeader(final byte[] query, final byte[] response, final int rcode, final boolean withQuestion, final int flags)
    {
        final int queryFlags = getShort(query, FLAGS_OFFSET);
        putShort(response, ID_OFFSET, getShort(query, ID_OFFSET));
        putShort(response, FLAGS_OFFSET, FLAG_QR | (queryFlags & (OPCODE_MASK | FLAG_RD | FLAG_CD)) | flags |
            (upstreamConfigured ? FLAG_RA : 0) | (rcode & RCODE_MASK));
        putShort(response, QDCOUNT_OFFSET, withQuestion ? 1 : 0);
        putShort(response, ANCOUNT_OFFSET, 0);
        putShort(response, NSCOUNT_OFFSET, 0);
        putShort(response, ARCOUNT_OFFSET, 0);
        if (withQuestion)
        {
            System.arraycopy(query, HEADER_LENGTH, response, HEADER_LENGTH, questionEnd - HEADER_LENGTH);
        }
    }

    /** @return where the last query's question ends (0 when it did not parse). */
    public int questionEnd()
    {
        return questionEnd;
    }

    /** @return the largest UDP answer the last query's sender takes. */
    public int udpPayloadLimit()
    {
        return udpPayloadLimit;
    }

    public int maxUdpPayload()
    {
        return maxUdpPayload;
    }
}
