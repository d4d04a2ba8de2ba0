package vpce.dns;

import org.agrona.collections.Int2IntHashMap;

import java.util.concurrent.TimeUnit;

/**
 * Packets per second per source address, in fixed one-second windows (the AWS resolver's limit is 1024 packets/s per
 * ENI). A primitive map, cleared when the window turns, so nothing is allocated per packet once it has grown. At most
 * {@code maxSources} sources are tracked per window; the ones beyond pass untracked (the VPC check already limits who
 * gets here). I/O thread only.
 */
public final class SourceRateLimiter
{
    public static final int DEFAULT_PACKETS_PER_SECOND = 1024;
    private static final long WINDOW_NS = TimeUnit.SECONDS.toNanos(1);

    private final int packetsPerSecond;
    private final int maxSources;
    private final Int2IntHashMap counts = new Int2IntHashMap(0);
    private long windowStartNs;
    private boolean started;

    /** @param packetsPerSecond 0: no limit. */
    public SourceRateLimiter(final int packetsPerSecond, final int maxSources)
    {
        if (packetsPerSecond < 0)
        {
            throw new IllegalArgumentException("packetsPerSecond " + packetsPerSecond);
        }
        this.packetsPerSecond = packetsPerSecond;
        this.maxSources = maxSources;
    }

    /** @return true when the packet is within its source's rate. */
    public boolean tryAcquire(final int sourceAddress, final long nowNs)
    {
        if (packetsPerSecond == 0)
        {
            return true;
        }
        if (!started || nowNs - windowStartNs >= WINDOW_NS)
        {
            started = true;
            windowStartNs = nowNs;
            counts.clear();
        }
        final int count = counts.get(sourceAddress);
        if (count >= packetsPerSecond)
        {
            return false;
        }
        if (count > 0 || counts.size() < maxSources)
        {
            counts.put(sourceAddress, count + 1);
        }
        return true;
    }
}
