package vpce.dns;

import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.status.AtomicCounter;
import org.agrona.concurrent.status.CountersManager;

import java.nio.ByteBuffer;

/**
 * The responder's counters, one Agrona {@link AtomicCounter} per {@link DnsCounter} (label {@code dns.}{@link DnsCounter#label()}), each
 * in its own padded slot of a {@link CountersManager}: the appliance's counters file, so {@code vpce stats} shows
 * them, or a private one. Single writer, the responder's I/O thread: {@code incrementRelease} (a plain read and a
 * release store, no read-modify-write); readers load with acquire.
 */
public final class DnsCounters
{
    private final AtomicCounter[] counters = new AtomicCounter[DnsCounter.values().length];

    /** Counters of their own, for tests and embedding. */
    public DnsCounters()
    {
        this(new CountersManager(new UnsafeBuffer(ByteBuffer.allocateDirect(DnsCounter.values().length * CountersManager.METADATA_LENGTH)),
            new UnsafeBuffer(ByteBuffer.allocateDirect(DnsCounter.values().length * CountersManager.COUNTER_LENGTH))));
    }

    public DnsCounters(final CountersManager manager)
    {
        for (final DnsCounter counter : DnsCounter.values())
        {
            counters[counter.ordinal()] = manager.newCounter("dns." + counter.label());
        }
    }

    /** I/O thread only. */
    void increment(final DnsCounter counter)
    {
        counters[counter.ordinal()].incrementRelease();
    }

    public long get(final DnsCounter counter)
    {
        return counters[counter.ordinal()].getAcquire();
    }
}
