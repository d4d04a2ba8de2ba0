package vpce.appliance.flowlog;

import org.agrona.BufferUtil;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.OneToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.RingBufferDescriptor;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * An aggregator and a writer agent over a real file, both driven from the test thread with an
 * injected clock: monotonic {@link #T0} corresponds to Unix time {@link #EPOCH_AT_T0_S}.
 */
final class FlowLogHarness
{
    static final String ACCOUNT = "123456789012";
    static final String ENI_A = "eni-0a11ce00000000a1";
    static final String ENI_B = "eni-0b0b0b00000000b2";
    static final long SECOND_NS = 1_000_000_000L;
    static final long WINDOW_NS = 60 * SECOND_NS;
    static final long T0 = 5 * SECOND_NS;
    static final long EPOCH_AT_T0_S = 1_700_000_000L;
    static final int TCP = 6;

    final OneToOneRingBuffer ring;
    final FlowLogAggregator aggregator;
    final FlowLogWriterAgent writer;
    final Path file;
    final List<Throwable> errors = new ArrayList<>();

    FlowLogHarness(final Path dir, final int capacity, final int ringBytes, final int maxRecordsPerFlush) throws IOException
    {
        file = dir.resolve("flow.log");
        ring = new OneToOneRingBuffer(new UnsafeBuffer(
            BufferUtil.allocateDirectAligned(ringBytes + RingBufferDescriptor.TRAILER_LENGTH, 64)));
        aggregator = new FlowLogAggregator(capacity, WINDOW_NS, 8, maxRecordsPerFlush, ring);
        aggregator.enabledInterfaces(new boolean[]{ true, true });
        writer = new FlowLogWriterAgent(file, ring, ACCOUNT, new String[]{ ENI_A, ENI_B }, 256, errors::add);
    }

    static long epochMs(final long nowNs)
    {
        return EPOCH_AT_T0_S * 1000 + (nowNs - T0) / 1_000_000L;
    }

    int flushIfDue(final long nowNs)
    {
        return aggregator.flushIfDue(nowNs, epochMs(nowNs));
    }

    /** Runs the writer until the ring is empty and returns every line of the file. */
    List<String> lines()
    {
        while (writer.doWork() > 0)
        {
            // drain
        }
        try
        {
            return Files.exists(file) ? Files.readAllLines(file) : List.of();
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    static int ip(final String dotted)
    {
        final String[] parts = dotted.split("\\.");
        int address = 0;
        for (final String part : parts)
        {
            address = (address << 8) | Integer.parseInt(part);
        }
        return address;
    }
}
