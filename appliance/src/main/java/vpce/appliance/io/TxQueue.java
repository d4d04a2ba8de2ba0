package vpce.appliance.io;

/**
 * Frames waiting to leave one port in the current duty cycle, as native addresses of
 * (virtio header + frame) so that frames forwarded from a receive slot leave without a copy.
 * Capacity is fixed at start-up; {@link #offer} refuses when full and the caller counts a drop.
 * Owned by one agent; not thread-safe.
 */
public final class TxQueue
{
    private final long[] addresses;
    private final int[] lengths;
    private int count;

    public TxQueue(final int capacity)
    {
        addresses = new long[capacity];
        lengths = new int[capacity];
    }

    /**
     * @param address native address of the virtio_net_hdr that precedes the frame.
     * @param frameLength length of the Ethernet frame, virtio header excluded.
     * @return false when the queue is full.
     */
    public boolean offer(final long address, final int frameLength)
    {
        if (count == addresses.length)
        {
            return false;
        }
        addresses[count] = address;
        lengths[count] = frameLength;
        count++;
        return true;
    }

    public int count()
    {
        return count;
    }

    public int capacity()
    {
        return addresses.length;
    }

    public long address(final int i)
    {
        return addresses[i];
    }

    public int frameLength(final int i)
    {
        return lengths[i];
    }

    public void clear()
    {
        count = 0;
    }
}
