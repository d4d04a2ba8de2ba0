package vpce.appliance.journal;

import net.openhft.chronicle.map.ChronicleMap;
import net.openhft.chronicle.map.ChronicleMapBuilder;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.MessageHandler;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.OneToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.RingBuffer;
import org.agrona.concurrent.ringbuffer.RingBufferDescriptor;
import vpce.flowtable.FlowTable;

import java.io.File;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * The established flows and their NAT bindings, persisted in a Chronicle Map in the state
 * directory so that a restarted appliance carries on the connections it was carrying.
 *
 * <pre>
 * datapath agent --(OneToOneRingBuffer: ESTABLISHED / REMOVED events)--> {@link #agent()} --> Chronicle Map
 * </pre>
 *
 * The datapath never touches the map: it writes fixed-size events into a ring buffer (the ring's
 * own release/acquire is the only link between the threads: {@code OneToOneRingBuffer.write}
 * copies the event, then commits its header with a release store; the agent's {@code read}
 * acquires the header before it decodes the body) and carries on; when the ring is full an
 * event is dropped and counted. A dropped ESTABLISHED leaves the flow out of the journal (it
 * would not survive a restart); a dropped REMOVED leaves the binding in it until the next
 * ESTABLISHED of the same binding replaces it, and a restart before that restores the dead
 * flow, which then holds its NAT port until it idles out. Events of one binding are applied in
 * the order the datapath made them (one ring, one consumer). The journal agent owns the map. A
 * flow is keyed by its provider-side binding (NAT address, NAT port, target, target port),
 * unique among live flows: a NAT port may be in use toward several targets at once.
 * Stress: {@code vpce.perf.stress} (flow-journal).
 * <pre>
 * key (12 bytes, little-endian)
 * 0       4          6          10
 * | natIp | nat.port | targetIp | tgt.port |
 * </pre>
 *
 * <pre>
 * event (40 bytes, little-endian)
 * 0        4          6        8       12         14        16         20         22       24        32        36
 * | client | cl.port  | eniPort| eniIp | tgt.port | nat.port| targetIp | port idx | pad    | consumer MAC | natIp |
 * </pre>
 */
public final class FlowJournal implements AutoCloseable
{
    public static final String FILE_NAME = "flows.dat";
    private static final int MSG_ESTABLISHED = 1;
    private static final int MSG_REMOVED = 2;
    static final int RECORD_LENGTH = 40;
    private static final int CLIENT_IP = 0;
    private static final int CLIENT_PORT = 4;
    private static final int ENI_PORT = 6;
    private static final int ENI_IP = 8;
    private static final int TARGET_PORT = 12;
    private static final int NAT_PORT = 14;
    private static final int TARGET_IP = 16;
    private static final int PORT_INDEX = 20;
    private static final int CONSUMER_MAC = 24;
    private static final int NAT_IP = 32;
    private static final int RING_BYTES = 1 << 20;
    static final int KEY_LENGTH = 12;

    /** One journaled flow, as read back at start-up. */
    public record JournaledFlow(
        int clientIp, int clientPort, int eniIp, int eniPort, int targetIp, int targetPort,
        int natIp, int natPort, int consumerPortIndex, long consumerMac)
    {
    }

    private final ChronicleMap<byte[], byte[]> map;
    private final RingBuffer ring;
    private final UnsafeBuffer event = new UnsafeBuffer(ByteBuffer.allocateDirect(RECORD_LENGTH));
    private final JournalAgent agent = new JournalAgent();
    private long eventsDropped;

    private FlowJournal(final ChronicleMap<byte[], byte[]> map)
    {
        this.map = map;
        this.ring = new OneToOneRingBuffer(new UnsafeBuffer(
            ByteBuffer.allocateDirect(RING_BYTES + RingBufferDescriptor.TRAILER_LENGTH)));
    }

    /** Opens (or creates) the journal of a state directory, sized for this many flows. */
    public static FlowJournal open(final Path stateDirectory, final int entries) throws IOException
    {
        Files.createDirectories(stateDirectory);
        final ChronicleMapBuilder<byte[], byte[]> builder = ChronicleMap.of(byte[].class, byte[].class)
            .name("vpce-flows")
            .entries(Math.max(1024, entries))
            .constantKeySizeBySample(new byte[KEY_LENGTH])
            .constantValueSizeBySample(new byte[RECORD_LENGTH]);
        final File file = stateDirectory.resolve(FILE_NAME).toFile();
        // Chronicle compiles its header class with javac unless it is there already (~1 s of a restart).
        final ChronicleNativeClasses.Outcome headerClass = ChronicleNativeClasses.defineCached(stateDirectory);
        // After a kill -9 the map may hold a segment lock or a half-written entry: an existing
        // file is always opened through recovery.
        final ChronicleMap<byte[], byte[]> map =
            file.exists() ? builder.recoverPersistedTo(file, true) : builder.createPersistedTo(file);
        // Recovery takes the key type from the file.
        final FlowJournal journal = new FlowJournal(map.keyClass() == byte[].class ? map : rekeyed(map, builder, file));
        if (headerClass == ChronicleNativeClasses.Outcome.MISSING)
        {
            ChronicleNativeClasses.saveCompiled(stateDirectory);
        }
        return journal;
    }

    /**
     * A journal written when keys were (NAT address, NAT port) longs: the records are the same, so
     * they are read, the file made anew and each record put back under its full binding.
     */
    private static ChronicleMap<byte[], byte[]> rekeyed(
        final ChronicleMap<?, byte[]> old, final ChronicleMapBuilder<byte[], byte[]> builder, final File file)
        throws IOException
    {
        final List<byte[]> records = new ArrayList<>(old.values());
        old.close();
        Files.delete(file.toPath());
        final ChronicleMap<byte[], byte[]> map = builder.createPersistedTo(file);
        final UnsafeBuffer record = new UnsafeBuffer(new byte[0]);
        for (final byte[] bytes : records)
        {
            if (bytes.length == RECORD_LENGTH)
            {
                record.wrap(bytes);
                final byte[] key = new byte[KEY_LENGTH];
                key(new UnsafeBuffer(key), record.getInt(NAT_IP, ByteOrder.LITTLE_ENDIAN),
                    record.getShort(NAT_PORT, ByteOrder.LITTLE_ENDIAN) & 0xFFFF,
                    record.getInt(TARGET_IP, ByteOrder.LITTLE_ENDIAN),
                    record.getShort(TARGET_PORT, ByteOrder.LITTLE_ENDIAN) & 0xFFFF);
                map.put(key, bytes);
            }
        }
        return map;
    }

    /** Start-up only, before the datapath runs: every journaled flow. */
    public void forEach(final Consumer<JournaledFlow> consumer)
    {
        map.forEach((key, value) ->
        {
            if (value.length == RECORD_LENGTH)
            {
                final ByteBuffer b = ByteBuffer.wrap(value).order(ByteOrder.LITTLE_ENDIAN);
                consumer.accept(new JournaledFlow(
                    b.getInt(CLIENT_IP), b.getShort(CLIENT_PORT) & 0xFFFF, b.getInt(ENI_IP), b.getShort(ENI_PORT) & 0xFFFF,
                    b.getInt(TARGET_IP), b.getShort(TARGET_PORT) & 0xFFFF, b.getInt(NAT_IP), b.getShort(NAT_PORT) & 0xFFFF,
                    b.getInt(PORT_INDEX), b.getLong(CONSUMER_MAC)));
            }
        });
    }

    /** Start-up only: forget a journaled flow that cannot be restored. */
    public void forget(final int natIp, final int natPort, final int targetIp, final int targetPort)
    {
        final byte[] key = new byte[KEY_LENGTH];
        key(new UnsafeBuffer(key), natIp, natPort, targetIp, targetPort);
        map.remove(key);
    }

    /** Datapath thread: a flow became established. Returns false (counted) when the ring is full. */
    public boolean onEstablished(final FlowTable flows, final int flow)
    {
        final UnsafeBuffer e = event;
        e.putInt(CLIENT_IP, flows.clientIp(flow), ByteOrder.LITTLE_ENDIAN);
        e.putShort(CLIENT_PORT, (short)flows.clientPort(flow), ByteOrder.LITTLE_ENDIAN);
        e.putShort(ENI_PORT, (short)flows.eniPort(flow), ByteOrder.LITTLE_ENDIAN);
        e.putInt(ENI_IP, flows.eniIp(flow), ByteOrder.LITTLE_ENDIAN);
        e.putShort(TARGET_PORT, (short)flows.targetPort(flow), ByteOrder.LITTLE_ENDIAN);
        e.putShort(NAT_PORT, (short)flows.natPort(flow), ByteOrder.LITTLE_ENDIAN);
        e.putInt(TARGET_IP, flows.targetIp(flow), ByteOrder.LITTLE_ENDIAN);
        e.putInt(PORT_INDEX, flows.consumerPortIndex(flow), ByteOrder.LITTLE_ENDIAN);
        e.putInt(PORT_INDEX + 4, 0, ByteOrder.LITTLE_ENDIAN);
        e.putLong(CONSUMER_MAC, flows.consumerMac(flow), ByteOrder.LITTLE_ENDIAN);
        e.putInt(NAT_IP, flows.natIp(flow), ByteOrder.LITTLE_ENDIAN);
        e.putInt(NAT_IP + 4, 0, ByteOrder.LITTLE_ENDIAN);
        return publish(MSG_ESTABLISHED, RECORD_LENGTH);
    }

    /** Datapath thread: a journaled flow is gone. */
    public boolean onRemoved(final int natIp, final int natPort, final int targetIp, final int targetPort)
    {
        event.putInt(NAT_IP, natIp, ByteOrder.LITTLE_ENDIAN);
        event.putShort(NAT_PORT, (short)natPort, ByteOrder.LITTLE_ENDIAN);
        event.putInt(TARGET_IP, targetIp, ByteOrder.LITTLE_ENDIAN);
        event.putShort(TARGET_PORT, (short)targetPort, ByteOrder.LITTLE_ENDIAN);
        return publish(MSG_REMOVED, RECORD_LENGTH);
    }

    private boolean publish(final int type, final int length)
    {
        if (ring.write(type, event, 0, length))
        {
            return true;
        }
        eventsDropped++;
        return false;
    }

    /** Events the datapath could not hand over (ring full); datapath thread's count. */
    public long eventsDropped()
    {
        return eventsDropped;
    }

    /** The agent that moves events into the map; run it on its own thread. */
    public Agent agent()
    {
        return agent;
    }

    public int size()
    {
        return map.size();
    }

    @Override
    public void close()
    {
        map.close();
    }

    private static void key(
        final MutableDirectBuffer key, final int natIp, final int natPort, final int targetIp, final int targetPort)
    {
        key.putInt(0, natIp, ByteOrder.LITTLE_ENDIAN);
        key.putShort(4, (short)natPort, ByteOrder.LITTLE_ENDIAN);
        key.putInt(6, targetIp, ByteOrder.LITTLE_ENDIAN);
        key.putShort(10, (short)targetPort, ByteOrder.LITTLE_ENDIAN);
    }

    private final class JournalAgent implements Agent
    {
        /** Reused for every put and remove: Chronicle Map copies them in. */
        private final byte[] value = new byte[RECORD_LENGTH];
        private final byte[] key = new byte[KEY_LENGTH];
        private final UnsafeBuffer keyBuffer = new UnsafeBuffer(key);
        /** One handler for the agent's life, not a lambda per duty cycle. */
        private final MessageHandler handler = this::onEvent;

        @Override
        public int doWork()
        {
            return ring.read(handler, 256);
        }

        private void onEvent(final int type, final MutableDirectBuffer buffer, final int index, final int length)
        {
            key(keyBuffer, buffer.getInt(index + NAT_IP, ByteOrder.LITTLE_ENDIAN),
                buffer.getShort(index + NAT_PORT, ByteOrder.LITTLE_ENDIAN) & 0xFFFF,
                buffer.getInt(index + TARGET_IP, ByteOrder.LITTLE_ENDIAN),
                buffer.getShort(index + TARGET_PORT, ByteOrder.LITTLE_ENDIAN) & 0xFFFF);
            if (type == MSG_ESTABLISHED)
            {
                buffer.getBytes(index, value, 0, RECORD_LENGTH);
                map.put(key, value);
            }
            else if (type == MSG_REMOVED)
            {
                map.remove(key);
            }
        }

        /** Drains what the datapath handed over before it stopped. */
        @Override
        public void onClose()
        {
            while (doWork() > 0)
            {
                Thread.onSpinWait();
            }
        }

        @Override
        public String roleName()
        {
            return "vpce-flow-journal";
        }
    }
}
