package vpce.mgmt.store;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import vpce.mgmt.controlplane.Change;
import vpce.mgmt.controlplane.Commit;
import vpce.mgmt.controlplane.ControlPlaneState;
import vpce.mgmt.controlplane.Resource;
import vpce.mgmt.controlplane.StateStore;
import vpce.mgmt.controlplane.StoredState;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32C;

/**
 * The control plane's durable store: a snapshot plus a write-ahead log of commits, in
 * {@code <stateDirectory>/controlplane/}.
 * <pre>
 *   snapshot      "VPCESNP1" | u32 length | u32 CRC32C(payload) | payload: JSON {format, sequence, resources[]}
 *   commits.log   "VPCELOG1" | u64 base sequence | u32 CRC32C(previous 16 bytes)
 *                 then per commit: u32 length | u32 CRC32C(payload) | payload: JSON Commit {sequence, timeMs, action, changes[]}
 *   lock          held (flock) while a process has the store open
 * </pre>
 * (big-endian integers). <b>Commit</b>: one record appended with a positional write, then {@code fdatasync}; the
 * commit is acknowledged (and the new state published by the control plane) only after that returns. A failed append
 * is cut off again (truncate + fsync) so that later records never follow a torn one; if even that fails, the store
 * refuses every later commit until restarted. <b>Recovery</b>: the snapshot, then the log's records in sequence
 * order (each must be the previous plus one); an incomplete or checksum-failing <em>last</em> record is a write that
 * a crash interrupted, never acknowledged, and is dropped with a warning naming the file and offset; a bad record
 * that valid records follow is corruption and refuses to open ({@link StoreCorruptedException}), as does a bad
 * snapshot or header. <b>Compaction</b>, once the log exceeds a size: the whole state is written to
 * {@code snapshot.tmp}, fsynced, renamed over {@code snapshot}, the directory fsynced; then a new empty log (base =
 * the snapshot's sequence) is written to {@code commits.log.tmp}, fsynced, renamed over {@code commits.log}, the
 * directory fsynced. A crash between the two renames leaves a log whose commits the snapshot already holds; recovery
 * skips them.
 * <p>
 * Single writer: only the control-plane thread calls {@link #append}; not thread-safe.
 */
public final class FileStateStore implements StateStore
{
    public static final String DIRECTORY = "controlplane";
    public static final String SNAPSHOT = "snapshot";
    public static final String LOG = "commits.log";
    public static final String LOCK = "lock";
    public static final long DEFAULT_COMPACT_AFTER_BYTES = 4L << 20;
    static final int MAX_RECORD_BYTES = 16 << 20;
    static final int LOG_HEADER_BYTES = 20;
    static final int SNAPSHOT_HEADER_BYTES = 16;
    static final int RECORD_HEADER_BYTES = 8;
    private static final byte[] LOG_MAGIC = "VPCELOG1".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] SNAPSHOT_MAGIC = "VPCESNP1".getBytes(StandardCharsets.US_ASCII);
    private static final Logger LOG_OUT = LoggerFactory.getLogger(FileStateStore.class);

    private final Path directory;
    private final Path snapshotFile;
    private final Path logFile;
    private final long compactAfterBytes;
    private static final StateCodec CODEC = new StateCodec();
    private final FileChannel lockChannel;
    private final FileLock lock;
    private final StoredState recovered;
    private FileChannel log;
    private long logSize;
    private long lastSequence;
    private long nextCompactionAtBytes;
    private IOException failure;
    private boolean closed;

    private FileStateStore(final Path directory, final long compactAfterBytes) throws IOException
    {
        this.directory = directory;
        this.snapshotFile = directory.resolve(SNAPSHOT);
        this.logFile = directory.resolve(LOG);
        this.compactAfterBytes = compactAfterBytes;
        Files.createDirectories(directory);
        this.lockChannel = FileChannel.open(directory.resolve(LOCK), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        FileLock acquired;
        try
        {
            acquired = lockChannel.tryLock();
        }
        catch (final java.nio.channels.OverlappingFileLockException ex)
        {
            acquired = null;
        }
        catch (final IOException ex)
        {
            lockChannel.close();
            throw ex;
        }
        if (acquired == null)
        {
            lockChannel.close();
            throw new IOException(directory + " is in use by another store (its lock is held)");
        }
        this.lock = acquired;
        try
        {
            this.recovered = recover();
        }
        catch (final IOException | RuntimeException ex)
        {
            closeQuietly();
            throw ex;
        }
    }

    /** Opens (creating if needed) the store in {@code <stateDirectory>/controlplane}, recovering its state. */
    public static FileStateStore open(final Path stateDirectory) throws IOException
    {
        return open(stateDirectory, DEFAULT_COMPACT_AFTER_BYTES);
    }

    /** @param compactAfterBytes the log size past which a commit also writes a snapshot and starts a new log. */
    public static FileStateStore open(final Path stateDirectory, final long compactAfterBytes) throws IOException
    {
        return new FileStateStore(stateDirectory.resolve(DIRECTORY), compactAfterBytes);
    }

    @Override
    public StoredState recovered()
    {
        return recovered;
    }

    public Path snapshotFile()
    {
        return snapshotFile;
    }

    public Path logFile()
    {
        return logFile;
    }

    /** @return the sequence of the last durable commit. */
    public long lastSequence()
    {
        return lastSequence;
    }

    @Override
    public void append(final Commit commit, final ControlPlaneState after) throws IOException
    {
        if (failure != null)
        {
            throw new IOException("the control-plane store failed earlier and refuses commits until restarted", failure);
        }
        if (commit.sequence() != lastSequence + 1)
        {
            throw new IllegalStateException("commit " + commit.sequence() + " does not follow " + lastSequence);
        }
        final byte[] payload = CODEC.encode(commit);
        if (payload.length > MAX_RECORD_BYTES)
        {
            throw new IOException("commit " + commit.sequence() + " is " + payload.length + " bytes, more than a record holds");
        }
        final ByteBuffer record = ByteBuffer.allocate(RECORD_HEADER_BYTES + payload.length);
        record.putInt(payload.length).putInt(crc(payload, 0, payload.length)).put(payload).flip();
        final long start = logSize;
        try
        {
            long position = start;
            while (record.hasRemaining())
            {
                position += log.write(record, position);
            }
            log.force(false);
        }
        catch (final IOException ex)
        {
            cutBack(start, ex);
            throw ex;
        }
        logSize = start + RECORD_HEADER_BYTES + payload.length;
        lastSequence = commit.sequence();
        if (logSize >= nextCompactionAtBytes && after != null && after.sequence() == lastSequence)
        {
            try
            {
                compact(after);
            }
            catch (final IOException ex)
            {
                // The commit is durable in the log; compaction is retried after the log grows by as much again.
                LOG_OUT.error("control-plane store: compaction at sequence {} failed; the log keeps growing", lastSequence, ex);
                nextCompactionAtBytes = logSize + compactAfterBytes;
            }
        }
    }

    /** Removes the torn bytes of a failed append, so that later records never follow them. */
    private void cutBack(final long size, final IOException cause)
    {
        try
        {
            log.truncate(size);
            log.force(false);
        }
        catch (final IOException ex)
        {
            ex.addSuppressed(cause);
            failure = ex;
            LOG_OUT.error("control-plane store: could not cut {} back to {} bytes after a failed append; refusing commits",
                logFile, size, ex);
        }
    }

    /**
     * Writes {@code state} as the snapshot and starts an empty log after it. {@code state} must hold every durable
     * commit ({@code state.sequence() == lastSequence()}).
     */
    public void compact(final ControlPlaneState state) throws IOException
    {
        if (state.sequence() != lastSequence)
        {
            throw new IllegalStateException("state " + state.sequence() + " is not the last commit " + lastSequence);
        }
        writeSnapshot(state.sequence(), state.resources());
        startLog(state.sequence());
    }

    private void writeSnapshot(final long sequence, final List<Resource> resources) throws IOException
    {
        final byte[] payload = CODEC.encode(new StateCodec.SnapshotDocument(StateCodec.FORMAT, sequence, resources));
        final ByteBuffer file = ByteBuffer.allocate(SNAPSHOT_HEADER_BYTES + payload.length);
        file.put(SNAPSHOT_MAGIC).putInt(payload.length).putInt(crc(payload, 0, payload.length)).put(payload).flip();
        final Path temporary = directory.resolve(SNAPSHOT + ".tmp");
        writeFile(temporary, file);
        Files.move(temporary, snapshotFile, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        syncDirectory();
    }

    /** Replaces the log with an empty one based at {@code base}, and appends to it from now on. */
    private void startLog(final long base) throws IOException
    {
        final Path temporary = directory.resolve(LOG + ".tmp");
        final FileChannel channel = FileChannel.open(temporary, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
            StandardOpenOption.WRITE, StandardOpenOption.READ);
        try
        {
            final ByteBuffer header = logHeader(base);
            while (header.hasRemaining())
            {
                channel.write(header, header.position());
            }
            channel.force(true);
            Files.move(temporary, logFile, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        }
        catch (final IOException ex)
        {
            channel.close();
            throw ex;
        }
        // From here on the old log is unlinked: appends must go to the new one whatever happens next.
        final FileChannel old = log;
        log = channel;
        logSize = LOG_HEADER_BYTES;
        nextCompactionAtBytes = LOG_HEADER_BYTES + compactAfterBytes;
        if (old != null)
        {
            old.close();
        }
        try
        {
            syncDirectory();
        }
        catch (final IOException ex)
        {
            // Without a durable rename a crash could bring the old log back without the commits appended to the new.
            failure = ex;
            throw ex;
        }
    }

    private static ByteBuffer logHeader(final long base)
    {
        final ByteBuffer header = ByteBuffer.allocate(LOG_HEADER_BYTES);
        header.put(LOG_MAGIC).putLong(base);
        header.putInt(crc(header.array(), 0, 16)).flip();
        return header;
    }

    private static void writeFile(final Path path, final ByteBuffer contents) throws IOException
    {
        try (FileChannel channel = FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
            StandardOpenOption.WRITE))
        {
            while (contents.hasRemaining())
            {
                channel.write(contents);
            }
            channel.force(true);
        }
    }

    private void syncDirectory() throws IOException
    {
        try (FileChannel channel = FileChannel.open(directory, StandardOpenOption.READ))
        {
            channel.force(true);
        }
    }

    // ---------------------------------------------------------------- recovery

    private StoredState recover() throws IOException
    {
        try (DirectoryStream<Path> leftovers = Files.newDirectoryStream(directory, "*.tmp"))
        {
            for (final Path leftover : leftovers)
            {
                // Written by a compaction that a crash interrupted before its rename: never part of the state.
                Files.delete(leftover);
            }
        }
        final Map<String, Resource> resources = new LinkedHashMap<>();
        long snapshotSequence = 0;
        final boolean haveSnapshot = Files.exists(snapshotFile);
        if (haveSnapshot)
        {
            snapshotSequence = readSnapshot(resources);
        }
        if (!Files.exists(logFile))
        {
            if (haveSnapshot)
            {
                throw new StoreCorruptedException(logFile, 0, "the log is missing while a snapshot exists; commits after " +
                    "sequence " + snapshotSequence + " may be lost", null);
            }
            lastSequence = 0;
            startLog(0);
            LOG_OUT.info("control-plane store: new store in {}", directory);
            return StoredState.empty();
        }
        final byte[] bytes = Files.readAllBytes(logFile);
        final long base = readLogHeader(bytes);
        if (base > snapshotSequence)
        {
            throw new StoreCorruptedException(logFile, 8, "the log starts after sequence " + base + " but the snapshot " +
                "holds only up to " + snapshotSequence + "; commits in between are missing", null);
        }
        long expected = base + 1;
        int position = LOG_HEADER_BYTES;
        int replayed = 0;
        while (position < bytes.length)
        {
            final int length = validFrameLength(bytes, position);
            if (length < 0)
            {
                final int next = nextValidFrame(bytes, position + 1);
                if (next >= 0)
                {
                    throw new StoreCorruptedException(logFile, position, "the record here is damaged (length or CRC32C) " +
                        "and valid records follow at offset " + next + "; refusing to drop acknowledged commits", null);
                }
                LOG_OUT.warn("control-plane store: {}: dropping an incomplete last record at offset {} ({} bytes); a crash " +
                    "interrupted its write, so it was never acknowledged", logFile, position, bytes.length - position);
                try (FileChannel channel = FileChannel.open(logFile, StandardOpenOption.WRITE))
                {
                    channel.truncate(position);
                    channel.force(false);
                }
                break;
            }
            final Commit commit;
            try
            {
                commit = CODEC.decodeCommit(bytes, position + RECORD_HEADER_BYTES, length);
            }
            catch (final IOException | RuntimeException ex)
            {
                throw new StoreCorruptedException(logFile, position, "the record's checksum is right but it cannot be " +
                    "read (written by another version?)", ex);
            }
            if (commit.sequence() != expected)
            {
                throw new StoreCorruptedException(logFile, position, "record of commit " + commit.sequence() +
                    " where commit " + expected + " was expected", null);
            }
            if (commit.sequence() > snapshotSequence)
            {
                apply(resources, commit);
                replayed++;
            }
            expected++;
            position += RECORD_HEADER_BYTES + length;
        }
        lastSequence = Math.max(snapshotSequence, expected - 1);
        log = FileChannel.open(logFile, StandardOpenOption.WRITE, StandardOpenOption.READ);
        logSize = log.size();
        nextCompactionAtBytes = LOG_HEADER_BYTES + compactAfterBytes;
        LOG_OUT.info("control-plane store: {}: snapshot at sequence {}, {} commits replayed from the log, now at {} " +
            "({} resources)", directory, snapshotSequence, replayed, lastSequence, resources.size());
        final StoredState state = new StoredState(lastSequence, new ArrayList<>(resources.values()));
        if (base != snapshotSequence || logSize >= nextCompactionAtBytes)
        {
            if (base != snapshotSequence)
            {
                LOG_OUT.info("control-plane store: {}: finishing a compaction a crash interrupted (snapshot at {}, log " +
                    "from {})", directory, snapshotSequence, base);
            }
            // An interrupted compaction, or a log worth folding: start clean from a snapshot of what was recovered.
            writeSnapshot(lastSequence, state.resources());
            startLog(lastSequence);
        }
        return state;
    }

    private long readSnapshot(final Map<String, Resource> resources) throws IOException
    {
        final byte[] bytes = Files.readAllBytes(snapshotFile);
        if (bytes.length < SNAPSHOT_HEADER_BYTES || !Arrays.equals(bytes, 0, 8, SNAPSHOT_MAGIC, 0, 8))
        {
            throw new StoreCorruptedException(snapshotFile, 0, "not a control-plane snapshot (bad header)", null);
        }
        final ByteBuffer header = ByteBuffer.wrap(bytes);
        final int length = header.getInt(8);
        final int crc = header.getInt(12);
        if (length < 0 || length != bytes.length - SNAPSHOT_HEADER_BYTES)
        {
            throw new StoreCorruptedException(snapshotFile, 8, "length " + length + " does not match the file's " +
                (bytes.length - SNAPSHOT_HEADER_BYTES) + " payload bytes", null);
        }
        if (crc(bytes, SNAPSHOT_HEADER_BYTES, length) != crc)
        {
            throw new StoreCorruptedException(snapshotFile, SNAPSHOT_HEADER_BYTES, "the payload fails its CRC32C check", null);
        }
        final StateCodec.SnapshotDocument snapshot;
        try
        {
            snapshot = CODEC.decodeSnapshot(bytes, SNAPSHOT_HEADER_BYTES, length);
        }
        catch (final IOException | RuntimeException ex)
        {
            throw new StoreCorruptedException(snapshotFile, SNAPSHOT_HEADER_BYTES, "the snapshot cannot be read", ex);
        }
        if (snapshot.format() != StateCodec.FORMAT)
        {
            throw new StoreCorruptedException(snapshotFile, SNAPSHOT_HEADER_BYTES, "format " + snapshot.format() +
                " is not " + StateCodec.FORMAT, null);
        }
        for (final Resource resource : snapshot.resources())
        {
            resources.put(resource.kind() + "/" + resource.id(), resource);
        }
        return snapshot.sequence();
    }

    private long readLogHeader(final byte[] bytes) throws IOException
    {
        // The header is written (fsynced) to a temporary file before the log is renamed into place: it is never torn.
        if (bytes.length < LOG_HEADER_BYTES || !Arrays.equals(bytes, 0, 8, LOG_MAGIC, 0, 8))
        {
            throw new StoreCorruptedException(logFile, 0, "not a control-plane commit log (bad header)", null);
        }
        final ByteBuffer header = ByteBuffer.wrap(bytes, 0, LOG_HEADER_BYTES);
        if (crc(bytes, 0, 16) != header.getInt(16))
        {
            throw new StoreCorruptedException(logFile, 0, "the header fails its CRC32C check", null);
        }
        return header.getLong(8);
    }

    private static void apply(final Map<String, Resource> resources, final Commit commit)
    {
        for (final Change change : commit.changes())
        {
            switch (change)
            {
                case Change.Put put -> resources.put(put.resource().kind() + "/" + put.resource().id(), put.resource());
                case Change.Remove remove -> resources.remove(remove.kind() + "/" + remove.id());
            }
        }
    }

    /** @return the payload length of a complete record at {@code position} whose CRC32C matches, else -1. */
    private static int validFrameLength(final byte[] bytes, final int position)
    {
        if (bytes.length - position < RECORD_HEADER_BYTES)
        {
            return -1;
        }
        final ByteBuffer header = ByteBuffer.wrap(bytes, position, RECORD_HEADER_BYTES);
        final int length = header.getInt(position);
        final int crc = header.getInt(position + 4);
        if (length <= 0 || length > MAX_RECORD_BYTES || length > bytes.length - position - RECORD_HEADER_BYTES)
        {
            return -1;
        }
        return crc(bytes, position + RECORD_HEADER_BYTES, length) == crc ? length : -1;
    }

    /**
     * @return the offset of the first valid record at or after {@code from}, or -1. A record's length field starts
     * with a zero byte (records are under 16 MiB) and JSON text never contains one, so candidates are few.
     */
    private static int nextValidFrame(final byte[] bytes, final int from)
    {
        for (int position = from; position + RECORD_HEADER_BYTES < bytes.length; position++)
        {
            if (bytes[position] == 0 && validFrameLength(bytes, position) > 0)
            {
                return position;
            }
        }
        return -1;
    }

    private static int crc(final byte[] bytes, final int offset, final int length)
    {
        final CRC32C crc = new CRC32C();
        crc.update(bytes, offset, length);
        return (int)crc.getValue();
    }

    @Override
    public void close() throws IOException
    {
        if (closed)
        {
            return;
        }
        closed = true;
        try
        {
            if (log != null)
            {
                log.close();
            }
        }
        finally
        {
            lock.release();
            lockChannel.close();
        }
    }

    private void closeQuietly()
    {
        try
        {
            close();
        }
        catch (final IOException ex)
        {
            LOG_OUT.warn("control-plane store: closing {} failed", directory, ex);
        }
    }
}
