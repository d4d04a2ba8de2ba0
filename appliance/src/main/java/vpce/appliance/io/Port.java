package vpce.appliance.io;

/**
 * One network port of the appliance: raw Ethernet frames in and out, each preceded by a
 * struct virtio_net_hdr so that GSO super-frames and partial checksums pass through whole.
 * Implementations: {@link AfPacketPort} (a kernel netdev via AF_PACKET), {@link TapPort}
 * (a TAP device), {@link MemoryPort} (tests and benchmarks).
 *
 * <p>Calls never block and never throw on the packet path: errors are returned as counts.
 * A port is used by one agent thread only.
 */
public interface Port extends AutoCloseable
{
    /** Name from configuration, used in counters and logs. */
    String name();

    /** The netdev's MAC address as the low 48 bits of a long (first octet most significant). */
    long macAddress();

    /** Link MTU (largest non-GSO IP packet). */
    int mtu();

    /**
     * Receive up to batch.capacity() frames into slots 0..n-1 without waiting.
     * Sets batch.count(n) and each slot's frame length; frames cut short by the slot size are
     * discarded and counted in {@link #truncatedFrames()}.
     *
     * @return n, 0 when nothing is waiting.
     */
    int receive(FrameBatch batch);

    /**
     * Send the queued frames without waiting, in order. Frames the kernel refuses are dropped.
     * The queue is cleared on return.
     *
     * @return number of frames accepted by the kernel.
     */
    int send(TxQueue queue);

    /** File descriptor an idle strategy may poll(2) for input, or -1 when there is none. */
    int pollFd();

    /** Bytes of the frames the kernel accepted on send, virtio headers excluded, since open. */
    long bytesSent();

    /** Frames received bigger than a slot, dropped. */
    long truncatedFrames();

    /**
     * Frames dropped because they carried an 802.1Q tag that the kernel had already removed
     * (AF_PACKET); ports that deliver tags in-band leave them to the frame validator, and say 0.
     */
    default long vlanTaggedFrames()
    {
        return 0;
    }

    /** Frames the kernel refused on send (or that could not be sent). */
    long sendErrors();

    @Override
    void close();
}
