package vpce.mgmt.store;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import vpce.mgmt.controlplane.ControlPlaneState;
import vpce.mgmt.controlplane.Resource;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * kill -9 during a burst of commits: a child JVM runs the deterministic workload against a file store, printing an
 * ack line after each commit returns; the test kills it (SIGKILL) at a random moment, reopens the store, and checks
 * that every acknowledged commit is there and that the state is exactly the workload's state after some whole number
 * of commits (the last acknowledged one, or the one in flight) — never part of an action.
 */
class StoreCrashTest
{
    private static final Pattern ACK = Pattern.compile("ack (\\d+) end");
    private static final int ROUNDS = 4;
    private static final int MAX_STEPS = 600;
    /** Small, so that compactions (snapshot + new log) happen often and some kills land inside one. */
    private static final long COMPACT_AFTER_BYTES = 16 * 1024;

    @TempDir
    Path temp;

    @Test
    void everyAcknowledgedCommitSurvivesSigkillAndNoActionIsHalfDone() throws Exception
    {
        final long seed = System.nanoTime();
        final SplittableRandom random = new SplittableRandom(seed);
        final List<List<Resource>> expected = StoreWorkload.expectedStates(MAX_STEPS);
        final StringBuilder report = new StringBuilder("seed " + seed + ":");
        for (int round = 0; round < ROUNDS; round++)
        {
            final Path stateDirectory = temp.resolve("round-" + round);
            final int killAfterAcks = 1 + random.nextInt(MAX_STEPS - 100);
            final long extraSpinNs = random.nextLong(2_000_000);
            final long lastAck = runAndKill(stateDirectory, killAfterAcks, extraSpinNs);

            try (FileStateStore store = FileStateStore.open(stateDirectory))
            {
                final long recovered = store.recovered().sequence();
                assertTrue(recovered >= lastAck, "round " + round + " (" + report + "): acknowledged " + lastAck +
                    " but recovered only " + recovered);
                assertTrue(recovered <= lastAck + 1, "round " + round + ": recovered " + recovered +
                    ", more than the one commit in flight after " + lastAck);
                assertEquals(expected.get((int)recovered),
                    ControlPlaneState.of(StoreWorkload.settings(), store.recovered()).resources(),
                    "round " + round + ": the state after commit " + recovered + " exactly");
                report.append(" acked ").append(lastAck).append(" recovered ").append(recovered).append(';');
            }
        }
        System.out.println("StoreCrashTest " + report);
    }

    /** @return the last sequence the child acknowledged before it was killed. */
    private long runAndKill(final Path stateDirectory, final int killAfterAcks, final long extraSpinNs) throws Exception
    {
        final String java = ProcessHandle.current().info().command().orElse(
            Path.of(System.getProperty("java.home"), "bin", "java").toString());
        final Path stderr = temp.resolve(stateDirectory.getFileName() + ".stderr");
        final Process child = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
            CrashChild.class.getName(), stateDirectory.toString(), Integer.toString(MAX_STEPS),
            Long.toString(COMPACT_AFTER_BYTES))
            .redirectError(stderr.toFile())
            .start();
        try
        {
            return assertTimeoutPreemptively(Duration.ofSeconds(120), () ->
            {
                long lastAck = -1;
                int acks = 0;
                try (BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(),
                    StandardCharsets.UTF_8)))
                {
                    // After the kill, read on to the end: acks the child wrote before it died may still be in the pipe.
                    String line;
                    while ((line = out.readLine()) != null)
                    {
                        final Matcher matcher = ACK.matcher(line);
                        if (matcher.matches())
                        {
                            lastAck = Long.parseLong(matcher.group(1));
                            if (++acks == killAfterAcks)
                            {
                                final long until = System.nanoTime() + extraSpinNs;
                                while (System.nanoTime() < until)
                                {
                                    Thread.onSpinWait();
                                }
                                // SIGKILL through the handle: Process.destroyForcibly would also close our end of its stdout.
                                child.toHandle().destroyForcibly();
                            }
                        }
                    }
                }
                assertTrue(child.waitFor(30, TimeUnit.SECONDS));
                assertTrue(acks > 0, "the child acknowledged nothing; its stderr: " + read(stderr));
                return lastAck;
            });
        }
        finally
        {
            child.destroyForcibly();
            child.waitFor(30, TimeUnit.SECONDS);
        }
    }

    private static String read(final Path file)
    {
        try
        {
            return Files.readString(file);
        }
        catch (final IOException ex)
        {
            return ex.toString();
        }
    }
}
