package vpce.appliance.datapath;

import java.util.Arrays;

/**
 * The provider side's ARP cache: next-hop address to MAC, with probes, retries and refresh.
 * Entries are added when a snapshot names a next hop (and, bounded by the capacity, when a
 * packet needs one that is not tracked yet); next hops are targets and gateways, a handful, so
 * the table is a few parallel arrays scanned linearly. A resolved entry is refreshed before it goes stale so traffic never waits on ARP.
 * Owned by the datapath agent; not thread-safe.
 */
final class NeighborTable
{
    static final long UNRESOLVED = -1;
    /** Refresh a resolved entry once it is this old (kernel's base_reachable_time is 30 s). */
    static final long REFRESH_AFTER_NS = 30_000_000_000L;
    /** Forget a resolved entry not confirmed for this long. */
    static final long STALE_AFTER_NS = 60_000_000_000L;
    static final long PROBE_INTERVAL_NS = 1_000_000_000L;
    /** Once this many probes in a row went unanswered, pending frames for the hop are dropped. */
    static final int MAX_UNANSWERED_PROBES = 3;

    private final int[] addresses;
    private final long[] macs;
    private final long[] confirmedNs;
    private final long[] nextProbeNs;
    private final int[] unansweredProbes;
    private int count;
    private int lastHit;

    NeighborTable(final int capacity)
    {
        addresses = new int[capacity];
        macs = new long[capacity];
        confirmedNs = new long[capacity];
        nextProbeNs = new long[capacity];
        unansweredProbes = new int[capacity];
        Arrays.fill(macs, UNRESOLVED);
    }

    /** Starts tracking a next hop; a probe is due at once. Returns false when the table is full. */
    boolean track(final int address, final long nowNs)
    {
        if (indexOf(address) >= 0)
        {
            return true;
        }
        if (count == addresses.length)
        {
            return false;
        }
        addresses[count] = address;
        macs[count] = UNRESOLVED;
        nextProbeNs[count] = nowNs;
        unansweredProbes[count] = 0;
        count++;
        return true;
    }

    /** The MAC for a next hop, or {@link #UNRESOLVED}. */
    long macOf(final int address)
    {
        final int hit = lastHit;
        if (hit < count && addresses[hit] == address)
        {
            return macs[hit];
        }
        final int index = indexOf(address);
        if (index < 0)
        {
            return UNRESOLVED;
        }
        lastHit = index;
        return macs[index];
    }

    boolean isTracked(final int address)
    {
        return indexOf(address) >= 0;
    }

    /** An ARP packet from a tracked address confirms it. Returns true if the entry was unresolved before. */
    boolean onArp(final int address, final long mac, final long nowNs)
    {
        final int index = indexOf(address);
        if (index < 0)
        {
            return false;
        }
        final boolean wasUnresolved = macs[index] == UNRESOLVED;
        macs[index] = mac;
        confirmedNs[index] = nowNs;
        nextProbeNs[index] = nowNs + REFRESH_AFTER_NS;
        unansweredProbes[index] = 0;
        return wasUnresolved;
    }

    /** Number of tracked next hops; probes are driven by index. */
    int count()
    {
        return count;
    }

    int address(final int index)
    {
        return addresses[index];
    }

    /**
     * Housekeeping for one entry: true if a probe should be sent now (and records it).
     * Expires resolved entries that went unconfirmed past {@link #STALE_AFTER_NS}.
     */
    boolean probeDue(final int index, final long nowNs)
    {
        if (macs[index] != UNRESOLVED && nowNs - confirmedNs[index] > STALE_AFTER_NS)
        {
            macs[index] = UNRESOLVED;
        }
        if (nowNs - nextProbeNs[index] < 0)
        {
            return false;
        }
        nextProbeNs[index] = nowNs + PROBE_INTERVAL_NS;
        unansweredProbes[index]++;
        return true;
    }

    /** True when the hop is unresolved and has not answered {@link #MAX_UNANSWERED_PROBES} probes. */
    boolean hasFailed(final int address)
    {
        final int index = indexOf(address);
        // probeDue counts a probe as it is sent: when the fourth goes out, three went unanswered.
        return index >= 0 && macs[index] == UNRESOLVED && unansweredProbes[index] > MAX_UNANSWERED_PROBES;
    }

    private int indexOf(final int address)
    {
        for (int i = 0; i < count; i++)
        {
            if (addresses[i] == address)
            {
                return i;
            }
        }
        return -1;
    }
}
