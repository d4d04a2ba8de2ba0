package vpce.mgmt.ec2;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Seeded mutational fuzzing of the decoder and the dispatcher, run by CI on every build. It exists because Jazzer
 * 0.24.0 cannot instrument Java 25 class files (major version 69): its fuzzing mode has no coverage feedback here, and
 * its regression mode only replays the seed files. This test mutates the seeds structurally (tokens spliced in,
 * segments duplicated, indexes and escapes broken, bytes flipped, truncation) with a fixed seed, so a failure
 * reproduces; it checks {@link Ec2FuzzProperty} on each input, and that the inputs reached the handlers' every kind of
 * answer (not just the decoder's refusals).
 *
 * <p>Longer runs: {@code mvn -o -pl mgmt-api test -Dtest=Ec2MutationFuzzTest -Dvpce.fuzz.iterations=2000000
 * -Dvpce.fuzz.seed=7}.
 */
class Ec2MutationFuzzTest
{
    private static final int ITERATIONS = Integer.getInteger("vpce.fuzz.iterations", 20_000);
    private static final long SEED = Long.getLong("vpce.fuzz.seed", 20261123L);

    @Test
    void mutatedRequestsNeverCrashNeverChangeStateWhenRefusedAndReachEveryOutcome()
    {
        final SplittableRandom random = new SplittableRandom(SEED);
        final Map<String, Integer> outcomes = new TreeMap<>();
        final List<byte[]> pool = new ArrayList<>();
        Ec2FuzzProperty.SEEDS.forEach(seed -> pool.add(seed.getBytes(StandardCharsets.US_ASCII)));
        for (int i = 0; i < ITERATIONS; i++)
        {
            final byte[] input = mutate(pool.get(random.nextInt(pool.size())), random);
            final Ec2Response response;
            try
            {
                response = Ec2FuzzProperty.check(input);
            }
            catch (final Throwable failure)
            {
                throw new AssertionError("iteration " + i + " (seed " + SEED + ") input: " + new String(input, StandardCharsets.ISO_8859_1), failure);
            }
            final String outcome = response == null ? "decoder" : response.httpStatus() + " " + (response.errorCode() == null ? "OK" : response.errorCode());
            outcomes.merge(outcome, 1, Integer::sum);
            if (response != null && pool.size() < 200 && random.nextInt(8) == 0)
            {
                pool.add(input); // inputs that got past the decoder are worth mutating further
            }
        }
        for (final String expected : List.of("decoder", "200 OK", "412 DryRunOperation", "400 UnknownParameter", "400 MissingParameter",
            "400 InvalidParameterValue", "400 MissingAction", "400 InvalidAction", "400 InvalidVpc.Range"))
        {
            assertTrue(outcomes.containsKey(expected), "never reached " + expected + ": " + outcomes);
        }
    }

    @Test
    void theFuzzerCatchesAHandlerThatChangesStateBeforeItHasValidated()
    {
        // CreateVpc, but counting a change in prepare, before its validation can refuse
        final StubActions stub = new StubActions();
        final Ec2Dispatcher faulty = faultyDispatcher(stub);
        final AssertionError caught = assertThrows(AssertionError.class, () ->
        {
            final SplittableRandom random = new SplittableRandom(SEED);
            for (int i = 0; i < ITERATIONS; i++)
            {
                final String seed = Ec2FuzzProperty.SEEDS.get(random.nextInt(2)); // the CreateVpc seeds
                Ec2FuzzProperty.check(mutate(seed.getBytes(StandardCharsets.US_ASCII), random), stub, faulty);
            }
        });
        assertTrue(caught.getMessage().contains("after a change") || caught.getMessage().contains("dry run committed"), caught.getMessage());
    }

    /** A dispatcher whose CreateVpc changes state in prepare: the bug the two-step handler shape is there to prevent. */
    private static Ec2Dispatcher faultyDispatcher(final StubActions stub)
    {
        final List<Ec2Action> actions = new ArrayList<>();
        for (final Ec2Action action : stub.actions())
        {
            actions.add(!action.name().equals("CreateVpc") ? action : new Ec2Action(action.name(), action.iamAction(), action.parameters(),
                (params, call) ->
                {
                    stub.changes.incrementAndGet();
                    return action.handler().prepare(params, call);
                }));
        }
        return new Ec2Dispatcher(actions);
    }

    static byte[] mutate(final byte[] seed, final SplittableRandom random)
    {
        byte[] bytes = seed;
        final int rounds = 1 + random.nextInt(4);
        for (int round = 0; round < rounds; round++)
        {
            bytes = switch (random.nextInt(9))
            {
                case 0 -> flip(bytes, random);
                case 1 -> insert(bytes, random, token(random));
                case 2 -> deleteRange(bytes, random);
                case 3 -> duplicateSegment(bytes, random);
                case 4 -> replaceNumber(bytes, random);
                case 5 -> splice(bytes, Ec2FuzzProperty.SEEDS.get(random.nextInt(Ec2FuzzProperty.SEEDS.size())).getBytes(StandardCharsets.US_ASCII), random);
                case 6 -> java.util.Arrays.copyOf(bytes, bytes.length == 0 ? 0 : random.nextInt(bytes.length));
                case 7 -> replaceValue(bytes, random);
                default -> insert(bytes, random, "&" + token(random) + "=" + token(random));
            };
        }
        return bytes;
    }

    private static String token(final SplittableRandom random)
    {
        return Ec2FuzzProperty.TOKENS.get(random.nextInt(Ec2FuzzProperty.TOKENS.size()));
    }

    private static byte[] flip(final byte[] bytes, final SplittableRandom random)
    {
        if (bytes.length == 0)
        {
            return new byte[] {(byte)random.nextInt(256)};
        }
        final byte[] copy = bytes.clone();
        copy[random.nextInt(copy.length)] = random.nextBoolean() ? (byte)random.nextInt(256) : (byte)(copy[random.nextInt(copy.length)] ^ 1 << random.nextInt(8));
        return copy;
    }

    private static byte[] insert(final byte[] bytes, final SplittableRandom random, final String text)
    {
        final int at = random.nextInt(bytes.length + 1);
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(bytes, 0, at);
        out.writeBytes(text.getBytes(StandardCharsets.ISO_8859_1));
        out.write(bytes, at, bytes.length - at);
        return out.toByteArray();
    }

    private static byte[] deleteRange(final byte[] bytes, final SplittableRandom random)
    {
        if (bytes.length < 2)
        {
            return bytes;
        }
        final int from = random.nextInt(bytes.length);
        final int to = Math.min(bytes.length, from + 1 + random.nextInt(12));
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(bytes, 0, from);
        out.write(bytes, to, bytes.length - to);
        return out.toByteArray();
    }

    private static List<String> segments(final byte[] bytes)
    {
        return new ArrayList<>(List.of(new String(bytes, StandardCharsets.ISO_8859_1).split("&", -1)));
    }

    private static byte[] join(final List<String> segments)
    {
        return String.join("&", segments).getBytes(StandardCharsets.ISO_8859_1);
    }

    private static byte[] duplicateSegment(final byte[] bytes, final SplittableRandom random)
    {
        final List<String> segments = segments(bytes);
        final String segment = segments.get(random.nextInt(segments.size()));
        segments.add(random.nextInt(segments.size() + 1), random.nextBoolean() ? segment : segment.replaceFirst("=.*", "=" + token(random)));
        return join(segments);
    }

    /** Drops a segment ("delete a required parameter") or swaps a value for a token ("true" where a port goes). */
    private static byte[] replaceValue(final byte[] bytes, final SplittableRandom random)
    {
        final List<String> segments = segments(bytes);
        final int index = random.nextInt(segments.size());
        if (random.nextBoolean())
        {
            segments.remove(index);
        }
        else
        {
            final String segment = segments.get(index);
            final int eq = segment.indexOf('=');
            segments.set(index, (eq < 0 ? segment : segment.substring(0, eq)) + "=" + token(random));
        }
        return join(segments);
    }

    private static byte[] replaceNumber(final byte[] bytes, final SplittableRandom random)
    {
        final String text = new String(bytes, StandardCharsets.ISO_8859_1);
        final List<int[]> runs = new ArrayList<>();
        for (int i = 0; i < text.length(); i++)
        {
            if (Character.isDigit(text.charAt(i)))
            {
                int end = i;
                while (end < text.length() && Character.isDigit(text.charAt(end)))
                {
                    end++;
                }
                runs.add(new int[] {i, end});
                i = end;
            }
        }
        if (runs.isEmpty())
        {
            return bytes;
        }
        final int[] run = runs.get(random.nextInt(runs.size()));
        final String[] numbers = {"0", "01", "2", "1000", "1001", "65535", "65536", "-1", "2147483648", "99999999999999999999"};
        return (text.substring(0, run[0]) + numbers[random.nextInt(numbers.length)] + text.substring(run[1])).getBytes(StandardCharsets.ISO_8859_1);
    }

    private static byte[] splice(final byte[] bytes, final byte[] other, final SplittableRandom random)
    {
        final List<String> mine = segments(bytes);
        final List<String> theirs = segments(other);
        mine.add(random.nextInt(mine.size() + 1), theirs.get(random.nextInt(theirs.size())));
        return join(mine);
    }

    @Test
    void mutationIsDeterministicForASeed()
    {
        final byte[] seed = Ec2FuzzProperty.SEEDS.get(0).getBytes(StandardCharsets.US_ASCII);
        assertEquals(new String(mutate(seed, new SplittableRandom(5)), StandardCharsets.ISO_8859_1),
            new String(mutate(seed, new SplittableRandom(5)), StandardCharsets.ISO_8859_1));
    }
}
