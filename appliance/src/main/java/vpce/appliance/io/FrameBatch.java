package vpce.appliance.io;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * A fixed set of receive slots in one off-heap segment, allocated once at start-up.
 *
 * <pre>
 * slot i, at offset i * slotSize:
 * +------------------------+--------------------------------------------+
 * | virtio_net_hdr (10 B)  | Ethernet frame (up to slotSize - 10 bytes)  |
 * +------------------------+--------------------------------------------+
 * </pre>
 *
 * A port's {@link Port#receive} fills slots 0..count-1 and records each frame's length
 * (without the virtio header). The datapath rewrites frames in place and hands slot addresses
 * to a {@link TxQueue}, so a forwarded frame is never copied in user space.
 * Owned by one agent; not thread-safe.
 */
public final class FrameBatch
{
    /** struct virtio_net_hdr without num_buffers: what AF_PACKET (PACKET_VNET_HDR) and TAP use. */
    public static final int VNET_HDR_LENGTH = 10;
    /** A GSO super-frame is at most 64 KiB of IP plus link headers; 256 B covers Ethernet + VLAN. */
    public static final int DEFAULT_SLOT_SIZE = 65536 + 256;

    private final MemorySegment memory;
    private final int slotSize;
    private final int capacity;
    private final int[] frameLengths;
    private int count;

    public FrameBatch(final int capacity, final int slotSize)
    {
        if (capacity <= 0 || slotSize <= VNET_HDR_LENGTH)
        {
            throw new IllegalArgumentException("capacity=" + capacity + " slotSize=" + slotSize);
        }
        this.capacity = capacity;
        this.slotSize = slotSize;
        this.memory = Arena.ofAuto().allocate((long)capacity * slotSize, 4096);
        this.frameLengths = new int[capacity];
    }

    public MemorySegment memory()
    {
        return memory;
    }

    public int capacity()
    {
        return capacity;
    }

    public int slotSize()
    {
        return slotSize;
    }

    /** Largest frame a slot holds, virtio header excluded. */
    public int maxFrameLength()
    {
        return slotSize - VNET_HDR_LENGTH;
    }

    public int count()
    {
        return count;
    }

    public void count(final int count)
    {
        this.count = count;
    }

    /** Offset in {@link #memory()} of slot i's virtio header. */
    public long slotOffset(final int i)
    {
        return (long)i * slotSize;
    }

    /** Offset in {@link #memory()} of slot i's Ethernet frame. */
    public long frameOffset(final int i)
    {
        return (long)i * slotSize + VNET_HDR_LENGTH;
    }

    /** Native address of slot i's virtio header, for iovecs. */
    public long slotAddress(final int i)
    {
        return memory.address() + (long)i * slotSize;
    }

    public int frameLength(final int i)
    {
        return frameLengths[i];
    }

    public void frameLength(final int i, final int length)
    {
        frameLengths[i] = length;
    }
}
