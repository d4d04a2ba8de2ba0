package vpce.appliance.stats;

import org.agrona.IoUtil;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.status.CountersManager;
import org.agrona.concurrent.status.CountersReader;

import java.io.IOException;
import java.nio.MappedByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The appliance's counters in a memory-mapped file, so that `vpce stats`, tests and (later) the
 * metrics endpoint read them from another thread or process while the datapath writes them,
 * at the cost of one plain store per update on the packet path (as Aeron's CnC file).
 *
 * <pre>
 * 0                   8                   16                  24
 * +-------------------+-------------------+-------------------+----------------
 * | magic 'VPCECNT1'  | metadata length   | values length     | pid | ... pad to 128
 * +-------------------+-------------------+-------------------+----------------
 * | metadata buffer (CountersManager labels and type ids)                        |
 * | values buffer   (one 128-byte padded slot per counter: no false sharing)      |
 * +-------------------------------------------------------------------------------+
 * </pre>
 *
 * Each counter has one writer (the agent that owns it) using release stores; readers use
 * {@link CountersReader#getCounterValue} (a volatile load), which pairs with them. The
 * allocation state (metadata record status) is published by CountersManager with a release
 * store after the label is written, so a reader never sees a half-written label.
 */
public final class CountersFile implements AutoCloseable
{
    public static final String FILE_NAME = "counters.dat";
    private static final long MAGIC = 0x31544E4345435056L; // "VPCECNT1" little-endian
    private static final int HEADER_LENGTH = 128;
    private static final int MAGIC_OFFSET = 0;
    private static final int METADATA_LENGTH_OFFSET = 8;
    private static final int VALUES_LENGTH_OFFSET = 16;
    private static final int PID_OFFSET = 24;
    private static final int DEFAULT_MAX_COUNTERS = 16384; // ~10 MiB; an ENI takes 16, so about a thousand ENIs

    private final MappedByteBuffer mapped;
    private final UnsafeBuffer metadataBuffer;
    private final UnsafeBuffer valuesBuffer;
    private final CountersManager manager;
    private final CountersReader reader;

    private CountersFile(final MappedByteBuffer mapped, final boolean create, final int maxCounters)
    {
        this.mapped = mapped;
        final UnsafeBuffer header = new UnsafeBuffer(mapped, 0, HEADER_LENGTH);
        final int metadataLength;
        final int valuesLength;
        if (create)
        {
            valuesLength = maxCounters * CountersReader.COUNTER_LENGTH;
            metadataLength = maxCounters * CountersReader.METADATA_LENGTH;
            header.putLong(METADATA_LENGTH_OFFSET, metadataLength);
            header.putLong(VALUES_LENGTH_OFFSET, valuesLength);
            header.putLong(PID_OFFSET, ProcessHandle.current().pid());
            header.putLongVolatile(MAGIC_OFFSET, MAGIC);
        }
        else
        {
            if (header.getLongVolatile(MAGIC_OFFSET) != MAGIC)
            {
                throw new IllegalStateException("not a vpce counters file (bad magic)");
            }
            metadataLength = (int)header.getLong(METADATA_LENGTH_OFFSET);
            valuesLength = (int)header.getLong(VALUES_LENGTH_OFFSET);
        }
        metadataBuffer = new UnsafeBuffer(mapped, HEADER_LENGTH, metadataLength);
        valuesBuffer = new UnsafeBuffer(mapped, HEADER_LENGTH + metadataLength, valuesLength);
        manager = create ? new CountersManager(metadataBuffer, valuesBuffer) : null;
        reader = new CountersReader(metadataBuffer, valuesBuffer);
    }

    /** Creates (replacing any previous file) the counters file of a running appliance. */
    public static CountersFile create(final Path directory) throws IOException
    {
        Files.createDirectories(directory);
        final Path file = directory.resolve(FILE_NAME);
        Files.deleteIfExists(file);
        final long length = HEADER_LENGTH +
            (long)DEFAULT_MAX_COUNTERS * (CountersReader.COUNTER_LENGTH + CountersReader.METADATA_LENGTH);
        final MappedByteBuffer mapped = IoUtil.mapNewFile(file.toFile(), length, true);
        return new CountersFile(mapped, true, DEFAULT_MAX_COUNTERS);
    }

    /** Maps the counters file of an appliance (running or not) for reading. */
    public static CountersFile open(final Path directory) throws IOException
    {
        final Path file = directory.resolve(FILE_NAME);
        if (!Files.exists(file))
        {
            throw new IOException(file + " does not exist: is the appliance running with stateDirectory " + directory + "?");
        }
        return new CountersFile(IoUtil.mapExistingFile(file.toFile(), FILE_NAME), false, 0);
    }

    /** @return the pid of the appliance that created the file (a restarted one writes a new file). */
    public long pid()
    {
        return new UnsafeBuffer(mapped, 0, HEADER_LENGTH).getLong(PID_OFFSET);
    }

    /** For the owner only: allocates counters at start-up. */
    public CountersManager manager()
    {
        if (manager == null)
        {
            throw new IllegalStateException("counters file opened read-only");
        }
        return manager;
    }

    public CountersReader reader()
    {
        return reader;
    }

    /** Label to value, in allocation order; a snapshot for operators and tests, never the packet path. */
    public Map<String, Long> snapshot()
    {
        final Map<String, Long> values = new LinkedHashMap<>();
        reader.forEach((counterId, typeId, keyBuffer, label) -> values.put(label, reader.getCounterValue(counterId)));
        return values;
    }

    /** Value of the counter with this label, or -1 when there is none. */
    public long value(final String label)
    {
        final Long value = snapshot().get(label);
        return value == null ? -1 : value;
    }

    @Override
    public void close()
    {
        IoUtil.unmap(mapped);
    }
}
