package vpce.mgmt.store;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import vpce.mgmt.ApiException;
import vpce.mgmt.controlplane.ControlPlaneState;
import vpce.mgmt.controlplane.Fixture;
import vpce.mgmt.controlplane.Resource;
import vpce.mgmt.controlplane.ResourceKind;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FileStateStoreTest
{
    private static final int STEPS = 3 * StoreWorkload.STEPS_PER_ROUND;

    @TempDir
    Path temp;

    /** Runs the workload against a file store in {@code stateDirectory}; @return the final state. */
    private static ControlPlaneState run(final Path stateDirectory, final int steps, final long compactAfterBytes)
        throws IOException
    {
        try (FileStateStore store = FileStateStore.open(stateDirectory, compactAfterBytes))
        {
            final Fixture fixture = new Fixture(StoreWorkload.settings(), store, StoreWorkload.SEED);
            for (int i = 0; i < steps; i++)
            {
                StoreWorkload.step(fixture.controlPlane, fixture.clock, i);
            }
            return fixture.state();
        }
    }

    private static List<Resource> reopen(final Path stateDirectory) throws IOException
    {
        try (FileStateStore store = FileStateStore.open(stateDirectory))
        {
            return ControlPlaneState.of(StoreWorkload.settings(), store.recovered()).resources();
        }
    }

    private static long reopenSequence(final Path stateDirectory) throws IOException
    {
        try (FileStateStore store = FileStateStore.open(stateDirectory))
        {
            return store.recovered().sequence();
        }
    }

    private static Path log(final Path stateDirectory)
    {
        return stateDirectory.resolve(FileStateStore.DIRECTORY).resolve(FileStateStore.LOG);
    }

    /** @return the offset of every record in the log, then the file's length. */
    private static List<Integer> recordOffsets(final Path log) throws IOException
    {
        final byte[] bytes = Files.readAllBytes(log);
        final List<Integer> offsets = new ArrayList<>();
        int position = FileStateStore.LOG_HEADER_BYTES;
        while (position < bytes.length)
        {
            offsets.add(position);
            position += FileStateStore.RECORD_HEADER_BYTES + ByteBuffer.wrap(bytes, position, 4).getInt();
        }
        offsets.add(bytes.length);
        return offsets;
    }

    private static void copyTree(final Path from, final Path to) throws IOException
    {
        try (var paths = Files.walk(from))
        {
            for (final Path path : paths.toList())
            {
                final Path target = to.resolve(from.relativize(path).toString());
                if (Files.isDirectory(path))
                {
                    Files.createDirectories(target);
                }
                else
                {
                    Files.copy(path, target, StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
    }

    @Test
    void everyKindOfResourceSurvivesARestart() throws IOException
    {
        final Path dir = temp.resolve("state");
        final ControlPlaneState last = run(dir, STEPS, FileStateStore.DEFAULT_COMPACT_AFTER_BYTES);
        final Set<ResourceKind> kinds = last.resources().stream().map(Resource::kind).collect(Collectors.toSet());
        assertTrue(kinds.containsAll(Set.of(ResourceKind.VPC, ResourceKind.SUBNET, ResourceKind.SECURITY_GROUP,
            ResourceKind.NETWORK_ACL, ResourceKind.VPC_ENDPOINT, ResourceKind.NETWORK_INTERFACE)), kinds.toString());
        assertEquals(last.resources(), reopen(dir));
        assertEquals(STEPS, reopenSequence(dir));
        assertEquals(StoreWorkload.expectedStates(STEPS).get(STEPS), last.resources(), "the workload is deterministic");
    }

    @Test
    void theOtherKindsRoundTripThroughASnapshotToo() throws IOException
    {
        final Path dir = temp.resolve("state");
        try (FileStateStore store = FileStateStore.open(dir))
        {
            final Fixture f = new Fixture(Fixture.settings(), store, 5);
            final Fixture.Network net = f.network();
            final var service = f.controlPlane.createVpcEndpointServiceConfiguration(new vpce.mgmt.controlplane
                .CreateServiceConfigurationRequest(false, "svc.example.com", List.of(Fixture.MANUAL.loadBalancerArn()), null,
                null, "token", Map.of("team", "x")), false);
            final var endpoint = f.endpoint(net, Fixture.AUTO, net.a(), net.b());
            f.controlPlane.createVpcEndpointConnectionNotification(service.serviceId(), null,
                "arn:aws:sns:us-east-1:123456789012:t", List.of("Connect", "Delete"), "n", false);
            f.controlPlane.createVpcEndpointConnectionNotification(null, endpoint.vpcEndpointId(),
                "arn:aws:sns:us-east-1:123456789012:t", List.of("Accept"), null, false);
            store.compact(f.state());
            assertEquals(FileStateStore.LOG_HEADER_BYTES, Files.size(store.logFile()), "a fresh log after compaction");
            final List<Resource> expected = f.state().resources();
            assertEquals(ResourceKind.values().length,
                expected.stream().map(Resource::kind).collect(Collectors.toSet()).size(), "every kind is in the snapshot");
            store.close();
            assertEquals(expected, reopen(dir));
        }
    }

    @Test
    void aTornLastRecordRecoversTheStateBeforeItAndNeverAnythingInBetween() throws IOException
    {
        final int steps = StoreWorkload.STEPS_PER_ROUND - 5;
        final Path dir = temp.resolve("full");
        run(dir, steps, FileStateStore.DEFAULT_COMPACT_AFTER_BYTES);
        final List<List<Resource>> expected = StoreWorkload.expectedStates(steps);
        final byte[] full = Files.readAllBytes(log(dir));
        final List<Integer> offsets = recordOffsets(log(dir));
        final int lastStart = offsets.get(offsets.size() - 2);
        final int end = offsets.getLast();
        assertTrue(end - lastStart > 500, "the last action (an endpoint with two ENIs) is a large record");
        // Thousands of opens: on tmpfs when there is one (fsync costs nothing there; the logic is the same).
        final Path shm = Path.of("/dev/shm");
        final Path sweep = Files.createTempDirectory(Files.isWritable(shm) ? shm : temp, "vpce-sweep");
        final ch.qos.logback.classic.Logger storeLog =
            (ch.qos.logback.classic.Logger)org.slf4j.LoggerFactory.getLogger(FileStateStore.class);
        final ch.qos.logback.classic.Level level = storeLog.getLevel();
        storeLog.setLevel(ch.qos.logback.classic.Level.ERROR);
        int before = 0;
        int after = 0;
        try
        {
            Files.createDirectories(sweep.resolve(FileStateStore.DIRECTORY));
            for (int cut = lastStart; cut <= end; cut++)
            {
                Files.write(log(sweep), java.util.Arrays.copyOf(full, cut));
                final List<Resource> recovered = reopen(sweep);
                if (cut == end)
                {
                    assertEquals(expected.get(steps), recovered, "cut at " + cut);
                    after++;
                }
                else
                {
                    assertEquals(expected.get(steps - 1), recovered, "cut at " + cut);
                    assertEquals(lastStart, Files.size(log(sweep)), "the torn tail is cut off");
                    before++;
                }
            }
        }
        finally
        {
            storeLog.setLevel(level);
            deleteTree(sweep);
        }
        assertEquals(end - lastStart, before);
        assertEquals(1, after);
    }

    @Test
    void aStoreThatRecoveredATornTailTakesNewCommits() throws IOException
    {
        final Path dir = temp.resolve("state");
        run(dir, 7, FileStateStore.DEFAULT_COMPACT_AFTER_BYTES);
        final List<Integer> offsets = recordOffsets(log(dir));
        try (FileChannel channel = FileChannel.open(log(dir), StandardOpenOption.WRITE))
        {
            channel.truncate(offsets.get(offsets.size() - 2) + 11);
        }
        final ch.qos.logback.classic.Logger storeLog =
            (ch.qos.logback.classic.Logger)org.slf4j.LoggerFactory.getLogger(FileStateStore.class);
        final ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent> logged =
            new ch.qos.logback.core.read.ListAppender<>();
        logged.start();
        storeLog.addAppender(logged);
        try (FileStateStore store = FileStateStore.open(dir))
        {
            storeLog.detachAppender(logged);
            final String warning = logged.list.stream().filter(event -> event.getLevel() == ch.qos.logback.classic.Level.WARN)
                .map(ch.qos.logback.classic.spi.ILoggingEvent::getFormattedMessage).findFirst().orElseThrow();
            assertTrue(warning.contains(log(dir) + ": dropping an incomplete last record at offset " +
                offsets.get(offsets.size() - 2) + " (11 bytes)"), warning);
            assertEquals(6, store.recovered().sequence());
            final Fixture f = new Fixture(StoreWorkload.settings(), store, StoreWorkload.SEED + 1);
            f.vpc("10.5.0.0/16");
            assertEquals(7, f.state().sequence());
        }
        assertEquals(7, reopenSequence(dir));
        assertEquals(7, recordOffsets(log(dir)).size() - 1);
    }

    @Test
    void aDamagedRecordInTheMiddleRefusesToOpenNamingFileAndOffset() throws IOException
    {
        final Path dir = temp.resolve("state");
        run(dir, 8, FileStateStore.DEFAULT_COMPACT_AFTER_BYTES);
        final List<Integer> offsets = recordOffsets(log(dir));
        final int third = offsets.get(2);

        final Path payloadFlip = temp.resolve("payload");
        copyTree(dir, payloadFlip);
        flip(log(payloadFlip), third + FileStateStore.RECORD_HEADER_BYTES + 10);
        final StoreCorruptedException payload = assertThrows(StoreCorruptedException.class, () -> reopen(payloadFlip));
        assertEquals(log(payloadFlip), payload.file());
        assertEquals(third, payload.offset());
        assertTrue(payload.getMessage().contains(log(payloadFlip) + " at offset " + third), payload.getMessage());
        assertTrue(payload.getMessage().contains("valid records follow at offset " + offsets.get(3)), payload.getMessage());

        final Path lengthFlip = temp.resolve("length");
        copyTree(dir, lengthFlip);
        flip(log(lengthFlip), third + 1);
        assertEquals(third, assertThrows(StoreCorruptedException.class, () -> reopen(lengthFlip)).offset());

        final Path missing = temp.resolve("missing");
        copyTree(dir, missing);
        final byte[] bytes = Files.readAllBytes(log(missing));
        final byte[] without = new byte[bytes.length - (offsets.get(3) - third)];
        System.arraycopy(bytes, 0, without, 0, third);
        System.arraycopy(bytes, offsets.get(3), without, third, bytes.length - offsets.get(3));
        Files.write(log(missing), without);
        final StoreCorruptedException gap = assertThrows(StoreCorruptedException.class, () -> reopen(missing));
        assertTrue(gap.getMessage().contains("record of commit 4 where commit 3 was expected"), gap.getMessage());

        final Path header = temp.resolve("header");
        copyTree(dir, header);
        flip(log(header), 9);
        assertEquals(0, assertThrows(StoreCorruptedException.class, () -> reopen(header)).offset());

        final byte[] untouched = Files.readAllBytes(log(payloadFlip));
        assertThrows(StoreCorruptedException.class, () -> reopen(payloadFlip));
        assertTrue(java.util.Arrays.equals(untouched, Files.readAllBytes(log(payloadFlip))), "a refused store is left as it was");
    }

    @Test
    void aDamagedSnapshotRefusesToOpen() throws IOException
    {
        final Path dir = temp.resolve("state");
        run(dir, 8, 1);
        final Path snapshot = dir.resolve(FileStateStore.DIRECTORY).resolve(FileStateStore.SNAPSHOT);
        assertTrue(Files.exists(snapshot));
        flip(snapshot, FileStateStore.SNAPSHOT_HEADER_BYTES + 40);
        final StoreCorruptedException ex = assertThrows(StoreCorruptedException.class, () -> reopen(dir));
        assertEquals(snapshot, ex.file());
        assertTrue(ex.getMessage().contains("CRC32C"), ex.getMessage());
    }

    @Test
    void compactionChangesNothingThatARestartCanSee() throws IOException
    {
        final Path plain = temp.resolve("plain");
        final Path compacting = temp.resolve("compacting");
        final ControlPlaneState withoutCompaction = run(plain, STEPS, FileStateStore.DEFAULT_COMPACT_AFTER_BYTES);
        final ControlPlaneState withCompaction = run(compacting, STEPS, 2048);
        assertEquals(withoutCompaction.resources(), withCompaction.resources());
        assertFalse(Files.exists(plain.resolve(FileStateStore.DIRECTORY).resolve(FileStateStore.SNAPSHOT)));
        assertTrue(Files.exists(compacting.resolve(FileStateStore.DIRECTORY).resolve(FileStateStore.SNAPSHOT)));
        assertTrue(Files.size(log(compacting)) < 2048 + 4096, "the log was folded into snapshots as it grew");
        assertEquals(withoutCompaction.resources(), reopen(plain));
        assertEquals(withoutCompaction.resources(), reopen(compacting));
        assertEquals(STEPS, reopenSequence(compacting));

        // Restart, carry on, restart: the same as having run straight through.
        try (FileStateStore store = FileStateStore.open(compacting, 2048))
        {
            final Fixture f = new Fixture(StoreWorkload.settings(), store, 99);
            f.vpc("10.8.0.0/16");
            assertEquals(STEPS + 1, f.state().sequence());
        }
        assertEquals(STEPS + 1, reopenSequence(compacting));
    }

    @Test
    void aCompactionInterruptedBetweenItsRenamesRecovers() throws IOException
    {
        final Path dir = temp.resolve("state");
        final ControlPlaneState last = run(dir, 10, FileStateStore.DEFAULT_COMPACT_AFTER_BYTES);
        final Path saved = temp.resolve("saved.log");
        Files.copy(log(dir), saved);
        try (FileStateStore store = FileStateStore.open(dir))
        {
            store.compact(ControlPlaneState.of(StoreWorkload.settings(), store.recovered()));
        }
        // The crash: the snapshot was renamed into place, the new log was not.
        Files.copy(saved, log(dir), StandardCopyOption.REPLACE_EXISTING);
        Files.writeString(dir.resolve(FileStateStore.DIRECTORY).resolve(FileStateStore.LOG + ".tmp"), "half-written");
        assertEquals(last.resources(), reopen(dir));
        assertFalse(Files.exists(dir.resolve(FileStateStore.DIRECTORY).resolve(FileStateStore.LOG + ".tmp")));
        assertEquals(FileStateStore.LOG_HEADER_BYTES, Files.size(log(dir)), "recovery finished the compaction");
        assertEquals(last.resources(), reopen(dir));
        assertEquals(10, reopenSequence(dir));
    }

    @Test
    void aLogMissingBesideASnapshotIsAnError() throws IOException
    {
        final Path dir = temp.resolve("state");
        run(dir, 8, 1);
        Files.delete(log(dir));
        assertTrue(assertThrows(StoreCorruptedException.class, () -> reopen(dir)).getMessage().contains("missing"));
    }

    @Test
    void oneProcessAtATime() throws IOException
    {
        final Path dir = temp.resolve("state");
        try (FileStateStore ignored = FileStateStore.open(dir))
        {
            assertTrue(assertThrows(IOException.class, () -> FileStateStore.open(dir)).getMessage().contains("in use"));
        }
        FileStateStore.open(dir).close();
    }

    @Test
    void whenTheStoreFailsNothingIsPublished() throws IOException
    {
        final Path dir = temp.resolve("state");
        final FileStateStore store = FileStateStore.open(dir);
        final Fixture f = new Fixture(Fixture.settings(), store, 3);
        f.vpc("10.0.0.0/16");
        store.close();
        final ControlPlaneState before = f.state();
        final ApiException refusal = assertThrows(ApiException.class, () -> f.vpc("10.1.0.0/16"));
        assertEquals("InternalError", refusal.code());
        assertEquals(500, refusal.httpStatus());
        assertSame(before, f.state());
        assertEquals(1, f.published.size());
        assertEquals(1, reopenSequence(dir));
    }

    private static void flip(final Path file, final int offset) throws IOException
    {
        final byte[] bytes = Files.readAllBytes(file);
        bytes[offset] ^= 0x5A;
        Files.write(file, bytes);
    }

    private static void deleteTree(final Path root) throws IOException
    {
        try (var paths = Files.walk(root))
        {
            for (final Path path : paths.sorted(java.util.Comparator.reverseOrder()).toList())
            {
                Files.delete(path);
            }
        }
    }
}
