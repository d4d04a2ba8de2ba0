package vpce.dns;

import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static vpce.dns.DnsMessages.ipv4;

class DnsQueryProcessorTest
{
    static final String REGIONAL = "vpce-0123456789abcdef0-abcdefgh.vpce-svc-0123456789abcdef0.us-east-1.vpce.amazonaws.com";
    static final String ZONAL = "vpce-0123456789abcdef0-abcdefgh-us-east-1a.vpce-svc-0123456789abcdef0.us-east-1.vpce.amazonaws.com";
    static final String PRIVATE = "api.example.com";
    static final int RESOLVER_A = ipv4("10.0.0.2");
    static final int RESOLVER_B = ipv4("10.1.0.2");
    static final int CLIENT_A = ipv4("10.0.1.10");
    static final int CLIENT_B = ipv4("10.1.1.10");
    static final int ENI_1 = ipv4("10.0.1.20");
    static final int ENI_2 = ipv4("10.0.2.20");

    private final DnsZoneHolder zones = new DnsZoneHolder();
    private final DnsCounters counters = new DnsCounters();
    private final byte[] response = new byte[DnsWire.MAX_MESSAGE_LENGTH];
    private DnsQueryProcessor processor = new DnsQueryProcessor(zones, counters, true, 1232);

    DnsQueryProcessorTest()
    {
        zones.publish(standardZones().build(7));
    }

    static DnsZoneSnapshot.Builder standardZones()
    {
        return new DnsZoneSnapshot.Builder()
            .vpc("vpc-a", ipv4("10.0.0.0"), 16, RESOLVER_A)
            .vpc("vpc-b", ipv4("10.1.0.0"), 16, RESOLVER_B)
            .sharedZone("us-east-1.vpce.amazonaws.com")
            .sharedAddress(REGIONAL, ENI_1).sharedAddress(REGIONAL, ENI_2)
            .sharedAddress(ZONAL, ENI_1)
            .privateZone("vpc-a", PRIVATE).privateAddress("vpc-a", PRIVATE, ENI_1).privateAddress("vpc-a", PRIVATE, ENI_2);
    }

    private DnsMessages.Answer ask(final byte[] query, final int local, final int source, final boolean tcp)
    {
        final int length = processor.onQuery(query, query.length, local, source, tcp, response);
        assertTrue(length > 0, "no answer: " + length);
        if (!tcp)
        {
            assertTrue(length <= Math.max(512, processor.udpPayloadLimit()), "UDP answer of " + length);
        }
        return DnsMessages.parse(response, length);
    }

    private DnsMessages.Answer ask(final String name, final int type)
    {
        return ask(DnsMessages.query(0x1234, name, type, 0), RESOLVER_A, CLIENT_A, false);
    }

    @Test
    void theRegionalNameAnswersEveryEniWithTtl60AndAuthority()
    {
        final DnsMessages.Answer answer = ask(REGIONAL, DnsWire.TYPE_A);
        assertEquals(0x1234, answer.id());
        assertEquals(DnsWire.RCODE_NOERROR, answer.rcode());
        assertTrue(answer.flag(DnsWire.FLAG_QR) && answer.flag(DnsWire.FLAG_AA) && answer.flag(DnsWire.FLAG_RD) &&
            answer.flag(DnsWire.FLAG_RA));
        assertFalse(answer.flag(DnsWire.FLAG_TC));
        assertEquals(REGIONAL, answer.questionName());
        assertEquals(List.of(ENI_1, ENI_2), answer.answers().stream().map(DnsMessages.Record::address).toList());
        answer.answers().forEach(record -> assertEquals(60, record.ttl()));
        answer.answers().forEach(record -> assertEquals(REGIONAL, record.name()));
        assertEquals(1, counters.get(DnsCounter.NOERROR));
    }

    @Test
    void theZonalNameAnswersItsZonesEniOnly()
    {
        assertEquals(List.of(ENI_1), ask(ZONAL, DnsWire.TYPE_A).answers().stream().map(DnsMessages.Record::address).toList());
    }

    @Test
    void matchingIgnoresCaseAndTheAnswerKeepsTheQuerysCase()
    {
        final String mixed = "VPCE-0123456789ABCDEF0-abcdefgh.Vpce-Svc-0123456789abcdef0.US-east-1.vpce.AMAZONAWS.com";
        final DnsMessages.Answer answer = ask(mixed, DnsWire.TYPE_A);
        assertEquals(2, answer.answers().size());
        assertEquals(mixed, answer.questionName());
        assertEquals(mixed, answer.answers().get(0).name());
    }

    @Test
    void aaaaAndOtherTypesOfOurNamesGetNoDataWithTheSoa()
    {
        for (final int type : new int[] {DnsWire.TYPE_AAAA, 16 /* TXT */, 15 /* MX */})
        {
            final DnsMessages.Answer answer = ask(REGIONAL, type);
            assertEquals(DnsWire.RCODE_NOERROR, answer.rcode());
            assertTrue(answer.answers().isEmpty());
            assertEquals(1, answer.authority().size());
            final DnsMessages.Record soa = answer.authority().get(0);
            assertEquals(DnsWire.TYPE_SOA, soa.type());
            assertEquals("us-east-1.vpce.amazonaws.com", soa.name());
            assertTrue(answer.flag(DnsWire.FLAG_AA));
        }
    }

    @Test
    void anUnknownNameInOurZoneIsNxdomainWithTheSoa()
    {
        final DnsMessages.Answer answer = ask("vpce-nope.vpce-svc-0123456789abcdef0.us-east-1.vpce.amazonaws.com", DnsWire.TYPE_A);
        assertEquals(DnsWire.RCODE_NXDOMAIN, answer.rcode());
        assertTrue(answer.flag(DnsWire.FLAG_AA));
        assertEquals(DnsWire.TYPE_SOA, answer.authority().get(0).type());
        final DnsMessages.Answer below = ask("x." + PRIVATE, DnsWire.TYPE_A);
        assertEquals(DnsWire.RCODE_NXDOMAIN, below.rcode());
        assertEquals(PRIVATE, below.authority().get(0).name());
        assertEquals(2, counters.get(DnsCounter.NXDOMAIN));
    }

    @Test
    void theApexAnswersItsSoa()
    {
        final DnsMessages.Answer answer = ask("US-EAST-1.vpce.amazonaws.com", DnsWire.TYPE_SOA);
        assertEquals(1, answer.answers().size());
        final DnsMessages.Record soa = answer.answers().get(0);
        assertEquals("US-EAST-1.vpce.amazonaws.com", soa.name());
        assertEquals(38, soa.data().length); // "ns" and "hostmaster" each point back to the apex in the question
        assertEquals(7, DnsMessages.s(soa.data(), 18) << 16 | DnsMessages.s(soa.data(), 20)); // serial: the generation
    }

    @Test
    void thePrivateNameAnswersOnlyInsideItsVpcAndGoesUpstreamElsewhere()
    {
        assertEquals(2, ask(PRIVATE, DnsWire.TYPE_A).answers().size());
        final byte[] query = DnsMessages.query(9, PRIVATE, DnsWire.TYPE_A, 0);
        assertEquals(DnsQueryProcessor.FORWARD, processor.onQuery(query, query.length, RESOLVER_B, CLIENT_B, false, response));
        assertEquals(1, counters.get(DnsCounter.FORWARDED));
        assertEquals(query.length, processor.questionEnd());
    }

    @Test
    void withoutUpstreamNamesWeDoNotOwnAreRefusedWithoutRa()
    {
        processor = new DnsQueryProcessor(zones, counters, false, 1232);
        final DnsMessages.Answer answer = ask("example.org", DnsWire.TYPE_A);
        assertEquals(DnsWire.RCODE_REFUSED, answer.rcode());
        assertFalse(answer.flag(DnsWire.FLAG_RA));
        assertEquals("example.org", answer.questionName());
    }

    @Test
    void sourcesOutsideEveryVpcAreRefused()
    {
        final byte[] query = DnsMessages.query(1, REGIONAL, DnsWire.TYPE_A, 0);
        assertEquals(DnsWire.RCODE_REFUSED, ask(query, RESOLVER_A, ipv4("192.168.1.1"), false).rcode());
        // a source of VPC B asking on VPC A's resolver address is not VPC A's
        assertEquals(DnsWire.RCODE_REFUSED, ask(query, RESOLVER_A, CLIENT_B, false).rcode());
        // a wildcard listener (local 0) decides by the source
        assertEquals(2, ask(query, 0, CLIENT_B, false).answers().size());
        assertEquals(2, counters.get(DnsCounter.REFUSED));
    }

    @Test
    void ednsIsEchoedWithOurPayloadAndBadVersionsGetBadvers()
    {
        final DnsMessages.Answer answer = ask(DnsMessages.query(2, REGIONAL, DnsWire.TYPE_A, 4096), RESOLVER_A, CLIENT_A, false);
        assertEquals(1232, answer.opt().recordClass()); // our payload size
        assertEquals(1232, processor.udpPayloadLimit());
        final byte[] v1 = DnsMessages.query(3, REGIONAL, DnsWire.TYPE_A, 4096);
        v1[v1.length - 5] = 1; // OPT TTL: extended rcode, version, flags; version 1
        final DnsMessages.Answer badvers = ask(v1, RESOLVER_A, CLIENT_A, false);
        assertEquals(DnsWire.RCODE_BADVERS, badvers.rcode());
        assertEquals(1, counters.get(DnsCounter.BADVERS));
    }

    @Test
    void anAnswerLargerThanThePayloadIsTruncatedOverUdpAndWholeOverTcp()
    {
        final DnsZoneSnapshot.Builder builder = standardZones();
        for (int i = 0; i < 40; i++)
        {
            builder.sharedAddress("big.us-east-1.vpce.amazonaws.com", ipv4("10.0.3.0") + i);
        }
        zones.publish(builder.build(8));
        final byte[] query = DnsMessages.query(4, "big.us-east-1.vpce.amazonaws.com", DnsWire.TYPE_A, 0);
        final DnsMessages.Answer udp = ask(query, RESOLVER_A, CLIENT_A, false);
        assertTrue(udp.flag(DnsWire.FLAG_TC));
        assertTrue(udp.answers().isEmpty());
        assertEquals("big.us-east-1.vpce.amazonaws.com", udp.questionName());
        final DnsMessages.Answer tcp = ask(query, RESOLVER_A, CLIENT_A, true);
        assertFalse(tcp.flag(DnsWire.FLAG_TC));
        assertEquals(40, tcp.answers().size());
        // with EDNS 1232 it fits over UDP
        final DnsMessages.Answer edns = ask(DnsMessages.query(5, "big.us-east-1.vpce.amazonaws.com", DnsWire.TYPE_A, 1232),
            RESOLVER_A, CLIENT_A, false);
        assertEquals(40, edns.answers().size());
        assertEquals(1, counters.get(DnsCounter.TRUNCATED));
        assertEquals(1, counters.get(DnsCounter.TCP_QUERIES));
    }

    @Test
    void otherOpcodesAreNotImplementedAndZoneTransfersRefused()
    {
        final byte[] notify = DnsMessages.query(6, REGIONAL, DnsWire.TYPE_SOA, 0);
        notify[2] |= 4 << 3; // opcode 4, NOTIFY
        final DnsMessages.Answer answer = ask(notify, RESOLVER_A, CLIENT_A, false);
        assertEquals(DnsWire.RCODE_NOTIMP, answer.rcode());
        assertEquals(6, answer.id());
        assertEquals(DnsWire.RCODE_REFUSED, ask("us-east-1.vpce.amazonaws.com", DnsWire.TYPE_AXFR).rcode());
    }

    @Test
    void malformedQueriesAreFormerrAndNonQueriesDropped()
    {
        final byte[] good = DnsMessages.query(7, REGIONAL, DnsWire.TYPE_A, 0);
        final byte[] truncated = Arrays.copyOf(good, good.length - 3);
        assertEquals(DnsWire.RCODE_FORMERR, ask(truncated, RESOLVER_A, CLIENT_A, false).rcode());
        final byte[] pointer = good.clone();
        pointer[12] = (byte)0xC0;
        pointer[13] = 12; // points at itself: a loop
        final DnsMessages.Answer loop = ask(pointer, RESOLVER_A, CLIENT_A, false);
        assertEquals(DnsWire.RCODE_FORMERR, loop.rcode());
        assertNull(loop.questionName());
        final byte[] twoQuestions = good.clone();
        twoQuestions[5] = 2;
        assertEquals(DnsWire.RCODE_FORMERR, ask(twoQuestions, RESOLVER_A, CLIENT_A, false).rcode());
        final byte[] trailing = Arrays.copyOf(good, good.length + 1);
        assertEquals(DnsWire.RCODE_FORMERR, ask(trailing, RESOLVER_A, CLIENT_A, false).rcode());
        final byte[] longName = DnsMessages.query(8, ("a".repeat(60) + ".").repeat(5) + "com", DnsWire.TYPE_A, 0);
        assertEquals(DnsWire.RCODE_FORMERR, ask(longName, RESOLVER_A, CLIENT_A, false).rcode());
        assertEquals(5, counters.get(DnsCounter.FORMERR));

        final byte[] response = good.clone();
        response[2] |= (byte)0x80;
        assertEquals(DnsQueryProcessor.DROP, processor.onQuery(response, response.length, RESOLVER_A, CLIENT_A, false, this.response));
        assertEquals(DnsQueryProcessor.DROP, processor.onQuery(good, 11, RESOLVER_A, CLIENT_A, false, this.response));
        assertEquals(2, counters.get(DnsCounter.DROPPED_MALFORMED));
    }

    @Test
    void aPublishedSnapshotIsWhatTheNextQuerySees()
    {
        assertEquals(2, ask(REGIONAL, DnsWire.TYPE_A).answers().size());
        zones.publish(new DnsZoneSnapshot.Builder().vpc("vpc-a", ipv4("10.0.0.0"), 16, RESOLVER_A)
            .sharedZone("us-east-1.vpce.amazonaws.com").build(9));
        assertEquals(DnsWire.RCODE_NXDOMAIN, ask(REGIONAL, DnsWire.TYPE_A).rcode());
        assertArrayEquals(new int[] {RESOLVER_A}, zones.current().resolverAddresses());
    }
}
