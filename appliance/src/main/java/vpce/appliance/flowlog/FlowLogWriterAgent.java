package vpce.appliance.flowlog;

import org.agrona.ErrorHandler;
import org.agrona.ExpandableDirectByteBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.MessageHandler;
import org.agrona.concurrent.ringbuffer.RingBuffer;

import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

import static vpce.appliance.flowlog.FlowLogRecordDescriptor.*;

/**
 * Drains the flow log ring and appends the records to a file in the VPC Flow Logs default
 * format, version 2, one record per line:
 * <pre>
 * version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status
 * 2 123456789012 eni-0a11ce00000000a1 10.0.1.10 10.0.1.20 40000 443 6 3 180 1700000000 1700000004 ACCEPT OK
 * 2 123456789012 eni-0a11ce00000000a1 - - - - - - - 1700000000 1700000059 - SKIPDATA
 * </pre>
 * A duty cycle formats at most {@code messagesPerBatch} records into one reusable direct buffer
 * (ASCII digits written in place, no Strings) and hands it to the file in one write, so the file
 * only ever grows by whole lines and a reader tailing it never sees half a batch from a failed
 * call. The channel is opened in append mode: a restart continues the same file.
 *
 * <p><b>Threads.</b> Runs on its own {@code AgentRunner}; it is the ring's only consumer and the
 * file's only writer. The interface-id table is the one thing another thread changes: the
 * control plane replaces the whole array with a volatile store ({@link #interfaceIds(String[])}),
 * and this agent loads it (volatile) for each record, after the ring read that acquired the record. Counters are written here with release stores ({@code setRelease} after each
 * batch's write) and read elsewhere with acquire loads ({@link #linesWritten()} and the others).
 *
 * <p>Ordering: {@code Appliance.reload} stores the table before it publishes the snapshot, and a
 * record's ring commit follows the datapath's acquire of that snapshot; loading the table after
 * the record's acquire therefore never labels it from a table older than its snapshot (the
 * stress harness, {@code vpce.perf.stress} flow-log-reload, checks this). Known gap: a window
 * outlives reloads, so its older records are labelled with the newest table, right only while
 * ENI indices keep their ENIs (counted by the harness as labelsFromNewerTable).
 *
 * <p><b>Errors.</b> A failed write is reported to the error handler and its lines are counted in
 * {@link #linesLost()}; the agent carries on with the next batch (the file may come back, e.g.
 * after a full disk is cleaned).
 */
public final class FlowLogWriterAgent implements Agent
{
    public static final int DEFAULT_MESSAGES_PER_BATCH = 256;
    /** Written for an interface index without an id (the snapshot shrank): still 14 fields. */
    private static final String UNKNOWN_INTERFACE = "-";
    private static final int INITIAL_BUFFER_BYTES = 64 * 1024;

    private static final VarHandle LINES_WRITTEN;
    private static final VarHandle SKIP_LINES_WRITTEN;
    private static final VarHandle LINES_LOST;

    static
    {
        try
        {
            final MethodHandles.Lookup lookup = MethodHandles.lookup();
            LINES_WRITTEN = lookup.findVarHandle(FlowLogWriterAgent.class, "linesWritten", long.class);
            SKIP_LINES_WRITTEN = lookup.findVarHandle(FlowLogWriterAgent.class, "skipLinesWritten", long.class);
            LINES_LOST = lookup.findVarHandle(FlowLogWriterAgent.class, "linesLost", long.class);
        }
        catch (final ReflectiveOperationException ex)
        {
            throw new ExceptionInInitializerError(ex);
        }
    }

    private final RingBuffer ring;
    private final FileChannel channel;
    private final String accountId;
    private final int messagesPerBatch;
    private final ErrorHandler errorHandler;
    private final ExpandableDirectByteBuffer lines = new ExpandableDirectByteBuffer(INITIAL_BUFFER_BYTES);
    private final MessageHandler onRecord = this::onRecord;

    /** Control thread to this agent; see the class comment. */
    private volatile String[] interfaceIds;

    private int batchLength;
    private int batchLines;
    private int batchSkipLines;

    private long linesWritten;
    private long skipLinesWritten;
    private long linesLost;

    /**
     * Opens (creates if needed) {@code file} for appending.
     *
     * @param interfaceIds {@code interfaceIds[i]} is the interface-id of interface index {@code i}.
     */
    public FlowLogWriterAgent(
        final Path file,
        final RingBuffer ring,
        final String accountId,
        final String[] interfaceIds,
        final int messagesPerBatch,
        final ErrorHandler errorHandler) throws IOException
    {
        checkField("accountId", accountId);
        checkInterfaceIds(interfaceIds);
        if (messagesPerBatch < 1)
        {
            throw new IllegalArgumentException("messagesPerBatch must be positive: " + messagesPerBatch);
        }
        this.ring = ring;
        this.accountId = accountId;
        this.messagesPerBatch = messagesPerBatch;
        this.errorHandler = errorHandler;
        this.interfaceIds = interfaceIds.clone();
        channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
    }

    /**
     * Replace the interface-id table (control thread, when the snapshot changes). The array is
     * copied, so the caller may reuse it.
     */
    public void interfaceIds(final String[] interfaceIds)
    {
        checkInterfaceIds(interfaceIds);
        this.interfaceIds = interfaceIds.clone();
    }

    @Override
    public String roleName()
    {
        return "vpce-flowlog-writer";
    }

    @Override
    public int doWork()
    {
        batchLength = 0;
        batchLines = 0;
        batchSkipLines = 0;
        final int read = ring.read(onRecord, messagesPerBatch);
        if (batchLength > 0)
        {
            writeBatch();
        }
        return read;
    }

    /** Drains what is left in the ring, then forces the file to the device and closes it. */
    @Override
    public void onClose()
    {
        while (doWork() > 0)
        {
            // Producer has stopped (shut-down order): this terminates once the ring is empty.
        }
        try
        {
            if (channel.isOpen())
            {
                channel.force(true);
                channel.close();
            }
        }
        catch (final IOException ex)
        {
            errorHandler.onError(ex);
        }
    }

    /** Flow record lines (ACCEPT/REJECT ... OK) written to the file. Any thread. */
    public long linesWritten()
    {
        return (long)LINES_WRITTEN.getAcquire(this);
    }

    /** SKIPDATA lines written to the file. Any thread. */
    public long skipLinesWritten()
    {
        return (long)SKIP_LINES_WRITTEN.getAcquire(this);
    }

    /** Lines (of either kind) taken from the ring but not written because the write failed. Any thread. */
    public long linesLost()
    {
        return (long)LINES_LOST.getAcquire(this);
    }

    private void onRecord(final int msgTypeId, final MutableDirectBuffer buffer, final int index, final int length)
    {
        final int interfaceIndex = buffer.getInt(index + INTERFACE_INDEX_OFFSET);
        final ExpandableDirectByteBuffer out = lines;
        int p = batchLength;
        p += out.putStringWithoutLengthAscii(p, "2 ");
        p += out.putStringWithoutLengthAscii(p, accountId);
        out.putByte(p++, (byte)' ');
        p += out.putStringWithoutLengthAscii(p, interfaceId(interfaceIndex));
        if (msgTypeId == FLOW_MSG_TYPE_ID)
        {
            out.putByte(p++, (byte)' ');
            p = putAddress(out, p, buffer.getInt(index + SRC_ADDR_OFFSET));
            out.putByte(p++, (byte)' ');
            p = putAddress(out, p, buffer.getInt(index + DST_ADDR_OFFSET));
            out.putByte(p++, (byte)' ');
            p += out.putIntAscii(p, buffer.getShort(index + SRC_PORT_OFFSET) & 0xFFFF);
            out.putByte(p++, (byte)' ');
            p += out.putIntAscii(p, buffer.getShort(index + DST_PORT_OFFSET) & 0xFFFF);
            out.putByte(p++, (byte)' ');
            p += out.putIntAscii(p, buffer.getByte(index + PROTOCOL_OFFSET) & 0xFF);
            out.putByte(p++, (byte)' ');
            p += out.putLongAscii(p, buffer.getLong(index + PACKETS_OFFSET));
            out.putByte(p++, (byte)' ');
            p += out.putLongAscii(p, buffer.getLong(index + BYTES_OFFSET));
            out.putByte(p++, (byte)' ');
            p += out.putLongAscii(p, buffer.getLong(index + FLOW_START_OFFSET));
            out.putByte(p++, (byte)' ');
            p += out.putLongAscii(p, buffer.getLong(index + FLOW_END_OFFSET));
            p += out.putStringWithoutLengthAscii(
                p, buffer.getByte(index + ACTION_OFFSET) == ACTION_ACCEPT ? " ACCEPT OK\n" : " REJECT OK\n");
            batchLines++;
        }
        else if (msgTypeId == SKIP_MSG_TYPE_ID)
        {
            // AWS leaves the seven flow fields and the action empty in a SKIPDATA record.
            p += out.putStringWithoutLengthAscii(p, " - - - - - - - ");
            p += out.putLongAscii(p, buffer.getLong(index + SKIP_START_OFFSET));
            out.putByte(p++, (byte)' ');
            p += out.putLongAscii(p, buffer.getLong(index + SKIP_END_OFFSET));
            p += out.putStringWithoutLengthAscii(p, " - SKIPDATA\n");
            batchSkipLines++;
        }
        else
        {
            // Not ours: the ring has one producer, so this is a defect; drop the partial line.
            errorHandler.onError(new IllegalStateException("unknown flow log message type " + msgTypeId));
            return;
        }
        batchLength = p;
    }

    private String interfaceId(final int interfaceIndex)
    {
        // Loaded per record, after the ring read acquired it: the table is then at least as new as the snapshot
        // the record was made under (reload stores the table before it publishes the snapshot).
        final String[] ids = interfaceIds;
        if (interfaceIndex >= 0 && interfaceIndex < ids.length && ids[interfaceIndex] != null)
        {
            return ids[interfaceIndex];
        }
        return UNKNOWN_INTERFACE;
    }

    private static int putAddress(final MutableDirectBuffer out, final int offset, final int address)
    {
        int p = offset;
        p += out.putIntAscii(p, address >>> 24);
        out.putByte(p++, (byte)'.');
        p += out.putIntAscii(p, (address >>> 16) & 0xFF);
        out.putByte(p++, (byte)'.');
        p += out.putIntAscii(p, (address >>> 8) & 0xFF);
        out.putByte(p++, (byte)'.');
        p += out.putIntAscii(p, address & 0xFF);
        return p;
    }

    private void writeBatch()
    {
        // Fetched per batch: the expandable buffer replaces its ByteBuffer when it grows.
        final ByteBuffer bytes = lines.byteBuffer();
        bytes.limit(batchLength).position(0);
        try
        {
            while (bytes.hasRemaining())
            {
                channel.write(bytes);
            }
            LINES_WRITTEN.setRelease(this, linesWritten + batchLines);
            SKIP_LINES_WRITTEN.setRelease(this, skipLinesWritten + batchSkipLines);
        }
        catch (final IOException ex)
        {
            LINES_LOST.setRelease(this, linesLost + batchLines + batchSkipLines);
            errorHandler.onError(ex);
        }
        finally
        {
            bytes.clear();
        }
    }

    private static void checkInterfaceIds(final String[] interfaceIds)
    {
        for (int i = 0; i < interfaceIds.length; i++)
        {
            if (interfaceIds[i] != null)
            {
                checkField("interfaceIds[" + i + "]", interfaceIds[i]);
            }
        }
    }

    /** A field with a space or a non-ASCII character would break the 14-field line. */
    private static void checkField(final String name, final String value)
    {
        if (value == null || value.isEmpty())
        {
            throw new IllegalArgumentException(name + " must not be empty");
        }
        for (int i = 0; i < value.length(); i++)
        {
            final char c = value.charAt(i);
            if (c <= ' ' || c > '~')
            {
                throw new IllegalArgumentException(name + " must be printable ASCII without spaces: '" + value + "'");
            }
        }
    }
}
