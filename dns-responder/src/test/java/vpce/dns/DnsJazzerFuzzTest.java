package vpce.dns;

import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;

import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Jazzer (coverage-guided) fuzz test of the query decoder and processor; {@link DnsDecoderMutationFuzzTest} keeps the
 * seeded mutational run beside it.
 *
 * <p>Under plain JUnit it runs in regression mode: each input in
 * {@code src/test/resources/vpce/dns/DnsJazzerFuzzTestInputs/queries/} once, plus an empty input. The build also fuzzes
 * it for {@code vpce.fuzz.duration} (20 s by default; dns-responder's pom, execution {@code jazzer-queries}). By hand:
 * <pre>
 * JAZZER_FUZZ=1 mvn -o -pl dns-responder test -Dtest='DnsJazzerFuzzTest#queries' -Djazzer.max_duration=300s -Djazzer.hooks=true
 * </pre>
 * A crashing input is saved under the inputs directory and, committed, becomes a regression case.
 */
class DnsJazzerFuzzTest
{
    /** What the processor may answer by itself; SERVFAIL only ever comes from the forwarder. */
    private static final Set<Integer> ALLOWED_RCODES = Set.of(DnsWire.RCODE_NOERROR, DnsWire.RCODE_FORMERR, DnsWire.RCODE_NXDOMAIN,
        DnsWire.RCODE_NOTIMP, DnsWire.RCODE_REFUSED, DnsWire.RCODE_BADVERS);
    private static final DnsCounter[] ANSWERED = {DnsCounter.NOERROR, DnsCounter.NXDOMAIN, DnsCounter.FORMERR,
        DnsCounter.SERVFAIL, DnsCounter.NOTIMP, DnsCounter.REFUSED, DnsCounter.BADVERS};

    private static final DnsZoneHolder ZONES = new DnsZoneHolder();
    private static final DnsCounters COUNTERS = new DnsCounters();
    private static final DnsQueryProcessor PROCESSOR;
    private static final byte[] RESPONSE = new byte[DnsWire.MAX_MESSAGE_LENGTH];

    static
    {
        ZONES.publish(DnsQueryProcessorTest.standardZones().build(1));
        PROCESSOR = new DnsQueryProcessor(ZONES, COUNTERS, true, 1232);
    }

    /**
     * Raw bytes as a query, over UDP and over TCP. Property: no exception; a drop or a forward is counted as such; an
     * answer is counted once, parses, echoes the ID, has QR set, an rcode the processor may give, and over UDP fits the
     * payload limit.
     */
    @FuzzTest(maxDuration = "30s")
    @DictionaryEntries({"vpce", "vpce-svc-0123456789abcdef0", "vpce-0123456789abcdef0-abcdefgh", "us-east-1", "us-east-1a",
        "amazonaws", "com", "example", "api"})
    void queries(final byte[] input)
    {
        check(input, false);
        check(input, true);
    }

    private static void check(final byte[] input, final boolean tcp)
    {
        final long dropped = COUNTERS.get(DnsCounter.DROPPED_MALFORMED);
        final long forwarded = COUNTERS.get(DnsCounter.FORWARDED);
        final long answered = answered();
        final int length = PROCESSOR.onQuery(input, input.length, DnsQueryProcessorTest.RESOLVER_A, DnsQueryProcessorTest.CLIENT_A, tcp,
            RESPONSE);
        if (length == DnsQueryProcessor.DROP)
        {
            assertEquals(dropped + 1, COUNTERS.get(DnsCounter.DROPPED_MALFORMED), "uncounted drop");
            return;
        }
        if (length == DnsQueryProcessor.FORWARD)
        {
            assertEquals(forwarded + 1, COUNTERS.get(DnsCounter.FORWARDED), "uncounted forward");
            return;
        }
        assertEquals(answered + 1, answered(), "an answer is counted once by its rcode");
        assertTrue(length >= DnsWire.HEADER_LENGTH && length <= DnsWire.MAX_MESSAGE_LENGTH, "length " + length);
        assertTrue(tcp || length <= PROCESSOR.udpPayloadLimit(), "UDP answer of " + length + " over " + PROCESSOR.udpPayloadLimit());
        final DnsMessages.Answer answer = DnsMessages.parse(RESPONSE, length);
        assertEquals(DnsMessages.s(input, 0), answer.id(), "ID echoed");
        assertTrue((answer.flags() & 0x8000) != 0, "QR set");
        assertTrue(ALLOWED_RCODES.contains(answer.rcode()), "rcode " + answer.rcode());
    }

    private static long answered()
    {
        long sum = 0;
        for (final DnsCounter counter : ANSWERED)
        {
            sum += COUNTERS.get(counter);
        }
        return sum;
    }
}
