package vpce.appliance.flowlog;

import org.agrona.BufferUtil;
import org.agrona.ErrorHandler;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.OneToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.RingBuffer;
import org.agrona.concurrent.ringbuffer.RingBufferDescriptor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Path;

/**
 * Wiring of VPC Flow Logs: the {@link FlowLogAggregator} (datapath side), the ring between the
 * two threads, and the {@link FlowLogWriterAgent} (run it on its own {@code AgentRunner}).
 *
 * <pre>
 * datapath agent: record() per packet, flushIfDue() at housekeeping
 *        |
 *        v  OneToOneRingBuffer (binary records, FlowLogRecordDescriptor)
 * writer agent:   doWork() drains a batch, formats v2 lines, one FileChannel write
 * </pre>
 *
 * Start-up: construct, {@code aggregator().enabledInterfaces(...)} on the datapath thread (or
 * before it starts), start an {@code AgentRunner} with {@link #writerAgent()}. Shut-down: close
 * the datapath runner, then {@link FlowLogAggregator#drainNow} until
 * {@link FlowLogAggregator#hasPendingRecords()} is false (with a deadline), then close the
 * writer runner, whose {@code onClose} drains the ring, forces the file and closes it.
 */
public final class FlowLogs implements AutoCloseable
{
    public static final int DEFAULT_MAX_INTERFACES = 1024;
    /** Data capacity of the default ring: 4,096 records of 64 bytes, four flushes' worth. */
    public static final int DEFAULT_RING_BYTES = 256 * 1024;

    private static final Logger LOG = LoggerFactory.getLogger(FlowLogs.class);

    private final RingBuffer ring;
    private final FlowLogAggregator aggregator;
    private final FlowLogWriterAgent writerAgent;

    /**
     * @param capacity  records per window (e.g. 65,536).
     * @param windowNs  capture window ({@link FlowLogAggregator#DEFAULT_WINDOW_NS}).
     * @param ringBytes ring data capacity, a power of two (the trailer is added here).
     */
    public FlowLogs(
        final Path file,
        final String accountId,
        final int capacity,
        final long windowNs,
        final int ringBytes) throws IOException
    {
        this(
            file,
            accountId,
            new String[0],
            capacity,
            windowNs,
            ringBytes,
            DEFAULT_MAX_INTERFACES,
            FlowLogAggregator.DEFAULT_MAX_RECORDS_PER_FLUSH,
            FlowLogWriterAgent.DEFAULT_MESSAGES_PER_BATCH,
            (throwable) -> LOG.warn("flow log writer", throwable));
    }

    public FlowLogs(
        final Path file,
        final String accountId,
        final String[] interfaceIds,
        final int capacity,
        final long windowNs,
        final int ringBytes,
        final int maxInterfaces,
        final int maxRecordsPerFlush,
        final int messagesPerBatch,
        final ErrorHandler errorHandler) throws IOException
    {
        if (ringBytes < 1024 || Integer.bitCount(ringBytes) != 1)
        {
            throw new IllegalArgumentException("ringBytes must be a power of two >= 1024: " + ringBytes);
        }
        ring = new OneToOneRingBuffer(new UnsafeBuffer(
            BufferUtil.allocateDirectAligned(ringBytes + RingBufferDescriptor.TRAILER_LENGTH, 64)));
        aggregator = new FlowLogAggregator(capacity, windowNs, maxInterfaces, maxRecordsPerFlush, ring);
        writerAgent = new FlowLogWriterAgent(file, ring, accountId, interfaceIds, messagesPerBatch, errorHandler);
    }

    /** Owned by the datapath agent thread. */
    public FlowLogAggregator aggregator()
    {
        return aggregator;
    }

    /** Run by its own {@code AgentRunner}. */
    public FlowLogWriterAgent writerAgent()
    {
        return writerAgent;
    }

    /** Control thread: replace the interface-id table (see {@link FlowLogWriterAgent#interfaceIds}). */
    public void interfaceIds(final String[] interfaceIds)
    {
        writerAgent.interfaceIds(interfaceIds);
    }

    /** Flow record lines written to the file. */
    public long recordsWritten()
    {
        return writerAgent.linesWritten();
    }

    /** Flow records given up because the ring stayed full for a whole window (reported as SKIPDATA). */
    public long recordsSkipped()
    {
        return aggregator.recordsSkipped();
    }

    /** Packets not captured because the table was full (reported as SKIPDATA). */
    public long packetsSkipped()
    {
        return aggregator.packetsSkipped();
    }

    /** SKIPDATA lines written to the file. */
    public long skipDataWritten()
    {
        return writerAgent.skipLinesWritten();
    }

    /** Lines lost to failed file writes. */
    public long linesLost()
    {
        return writerAgent.linesLost();
    }

    /**
     * Closes the file if the writer agent's runner did not (e.g. it was never started). Call only
     * after the writer's runner is closed.
     */
    @Override
    public void close()
    {
        writerAgent.onClose();
    }
}
