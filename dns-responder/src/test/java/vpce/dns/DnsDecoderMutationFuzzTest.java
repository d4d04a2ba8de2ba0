package vpce.dns;

import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Seeded mutational fuzzing of the query decoder, run on every build beside the coverage-guided
 * {@link DnsJazzerFuzzTest}: it reaches oversized messages (beyond Jazzer's 4 KiB inputs) and checks every outcome is hit. Seeds are well-formed queries; mutations flip bytes, splice compression
 * pointers and huge label lengths, change counts, truncate, extend and duplicate segments, or replace everything with
 * random bytes. Property: no exception; the result is a drop, a forward, or an answer that parses, echoes the ID,
 * stays within the UDP payload limit, and is REFUSED, FORMERR, NOTIMP, BADVERS or one of ours. The run must also
 * reach each of those outcomes, so the mutations are known to get past the decoder.
 *
 * <p>Longer runs: {@code mvn -o -pl dns-responder test -Dtest=DnsDecoderMutationFuzzTest -Dvpce.fuzz.iterations=5000000}.
 */
class DnsDecoderMutationFuzzTest
{
    private static final int ITERATIONS = Integer.getInteger("vpce.fuzz.iterations", 200_000);
    private static final long SEED = Long.getLong("vpce.fuzz.seed", 20261123L);

    @Test
    void mutatedQueriesAreAnsweredWellFormedOrDroppedAndReachEveryOutcome()
    {
        final DnsZoneHolder zones = new DnsZoneHolder();
        zones.publish(DnsQueryProcessorTest.standardZones().build(1));
        final DnsCounters counters = new DnsCounters();
        final DnsQueryProcessor processor = new DnsQueryProcessor(zones, counters, true, 1232);
        final byte[] response = new byte[DnsWire.MAX_MESSAGE_LENGTH];
        final List<byte[]> seeds = List.of(
            DnsMessages.query(1, DnsQueryProcessorTest.REGIONAL, DnsWire.TYPE_A, 0),
            DnsMessages.query(2, DnsQueryProcessorTest.ZONAL, DnsWire.TYPE_AAAA, 1232),
            DnsMessages.query(3, DnsQueryProcessorTest.PRIVATE, DnsWire.TYPE_A, 4096),
            DnsMessages.query(4, "nope.us-east-1.vpce.amazonaws.com", DnsWire.TYPE_A, 0),
            DnsMessages.query(5, "example.org", DnsWire.TYPE_A, 0));
        final SplittableRandom random = new SplittableRandom(SEED);
        final Map<String, Integer> outcomes = new TreeMap<>();
        for (int i = 0; i < ITERATIONS; i++)
        {
            final byte[] input = mutate(seeds.get(random.nextInt(seeds.size())), random);
            final boolean tcp = random.nextInt(4) == 0;
            final int length;
            try
            {
                length = processor.onQuery(input, input.length, DnsQueryProcessorTest.RESOLVER_A, DnsQueryProcessorTest.CLIENT_A, tcp,
                    response);
                if (length == DnsQueryProcessor.DROP || length == DnsQueryProcessor.FORWARD)
                {
                    outcomes.merge(length == DnsQueryProcessor.DROP ? "drop" : "forward", 1, Integer::sum);
                    continue;
                }
                assertTrue(tcp || length <= processor.udpPayloadLimit(), "UDP answer of " + length);
                final DnsMessages.Answer answer = DnsMessages.parse(response, length);
                assertEquals(DnsMessages.s(input, 0), answer.id());
                outcomes.merge("rcode " + answer.rcode(), 1, Integer::sum);
            }
            catch (final Throwable failure)
            {
                throw new AssertionError("iteration " + i + " (seed " + SEED + ") input: " + Arrays.toString(input), failure);
            }
        }
        for (final String expected : List.of("drop", "forward", "rcode 0", "rcode 1", "rcode 3", "rcode 4", "rcode 5", "rcode 16"))
        {
            assertTrue(outcomes.containsKey(expected), "never reached " + expected + ": " + outcomes);
        }
    }

    static byte[] mutate(final byte[] seed, final SplittableRandom random)
    {
        byte[] input = seed.clone();
        final int rounds = 1 + random.nextInt(4);
        for (int round = 0; round < rounds; round++)
        {
            switch (random.nextInt(9))
            {
                case 0 -> input[random.nextInt(input.length)] ^= (byte)(1 << random.nextInt(8));
                case 1 -> input[random.nextInt(input.length)] = (byte)random.nextInt(256);
                case 2 ->
                {
                    final int at = DnsWire.HEADER_LENGTH + random.nextInt(Math.max(1, input.length - DnsWire.HEADER_LENGTH - 1));
                    if (at + 1 < input.length)
                    {
                        input[at] = (byte)(0xC0 | random.nextInt(4)); // compression pointer, often a loop
                        input[at + 1] = (byte)random.nextInt(256);
                    }
                }
                case 3 ->
                {
                    if (input.length >= DnsWire.HEADER_LENGTH)
                    {
                        input[4 + random.nextInt(8)] = (byte)random.nextInt(3); // section counts
                    }
                }
                case 4 -> input = Arrays.copyOf(input, random.nextInt(input.length + 1));
                case 5 ->
                {
                    final int from = random.nextInt(input.length);
                    final int to = from + random.nextInt(input.length - from + 1);
                    final byte[] longer = Arrays.copyOf(input, input.length + (to - from));
                    System.arraycopy(input, from, longer, input.length, to - from);
                    input = longer;
                }
                case 6 -> input = Arrays.copyOf(input, input.length + 1 + random.nextInt(70_000)); // oversized
                case 7 ->
                {
                    input = new byte[random.nextInt(600)];
                    for (int i = 0; i < input.length; i++)
                    {
                        input[i] = (byte)random.nextInt(256);
                    }
                }
                default ->
                {
                    if (input.length > 2)
                    {
                        input[2] = (byte)(random.nextInt(256) & 0x7F); // flags: opcode, bits
                    }
                }
            }
            if (input.length == 0)
            {
                return input;
            }
        }
        return input;
    }
}
