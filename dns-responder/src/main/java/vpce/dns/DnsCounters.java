package vpce.dns;

import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Counter slots written by the responder's one I/O thread and read by any other. Single writer: an increment is a
 * plain read then a release store ({@code lazySet}), no read-modify-write; readers use a volatile load. Slots are 16
 * longs apart so that they do not share a cache line with anything the reader touches.
 */
public final class DnsCounters
{
    private static final int STRIDE = 16;
    private final AtomicLongArray slots = new AtomicLongArray(DnsCounter.values().length * STRIDE);

    /** I/O thread only. */
    void increment(final DnsCounter counter)
    {
        final int index = counter.ordinal() * STRIDE;
        slots.lazySet(index, slots.get(index) + 1);
    }

    public long get(final DnsCounter counter)
    {
        return slots.get(counter.ordinal() * STRIDE);
    }
}
