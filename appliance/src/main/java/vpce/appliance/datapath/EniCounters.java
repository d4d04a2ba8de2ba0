package vpce.appliance.datapath;

import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.status.AtomicCounter;
import org.agrona.concurrent.status.CountersManager;
import org.agrona.concurrent.status.CountersReader;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.Map;

/**
 * One ENI's traffic and drops in the counters file ({@code eni.<eni id>.<what>}), so that metrics and
 * {@code vpce stats} see per endpoint and per Availability Zone figures without scanning the flow table. A snapshot
 * carries one per ENI index ({@link DatapathSnapshot#eniCounters}); the datapath adds to it with the same
 * single-writer release stores as {@link DatapathCounters} (see there for the pairs), one slot per packet and no
 * lookup. Counters are keyed by the ENI's stable id, not its index, so they survive reloads that renumber ENIs.
 */
public final class EniCounters
{
    /** The drops an ENI is known at (the others are counted globally only). */
    static final int[] REASONS = {
        DropReason.NON_TCP_TO_ENI, DropReason.PORT_NOT_OFFERED, DropReason.UNKNOWN_FLOW, DropReason.NAT_PORTS_EXHAUSTED,
        DropReason.FLOW_TABLE_FULL, DropReason.MTU_EXCEEDED, DropReason.BAD_FLOW_KEY, DropReason.NACL_INGRESS,
        DropReason.NACL_EGRESS, DropReason.SG_INGRESS, DropReason.TCP_RST_OUT_OF_WINDOW, DropReason.DRAINING,
    };

    /** Where snapshots that no registry counted for write: values nobody reads (racy between test agents; harmless). */
    static final EniCounters DISCARD;

    static
    {
        final int counters = 5;
        final CountersManager scratch = new CountersManager(
            new UnsafeBuffer(ByteBuffer.allocateDirect(counters * CountersReader.METADATA_LENGTH)),
            new UnsafeBuffer(ByteBuffer.allocateDirect(counters * CountersReader.COUNTER_LENGTH)));
        final AtomicCounter sink = scratch.newCounter("discard");
        DISCARD = new EniCounters(sink, sink, sink, sink, sink);
    }

    final AtomicCounter toServicePackets;
    final AtomicCounter toServiceBytes;
    final AtomicCounter toConsumerPackets;
    final AtomicCounter toConsumerBytes;
    /** By {@link DropReason}; reasons not in {@link #REASONS} share a counter nobody reads. */
    final AtomicCounter[] drops = new AtomicCounter[DropReason.COUNT];

    private EniCounters(
        final AtomicCounter toServicePackets,
        final AtomicCounter toServiceBytes,
        final AtomicCounter toConsumerPackets,
        final AtomicCounter toConsumerBytes,
        final AtomicCounter discard)
    {
        this.toServicePackets = toServicePackets;
        this.toServiceBytes = toServiceBytes;
        this.toConsumerPackets = toConsumerPackets;
        this.toConsumerBytes = toConsumerBytes;
        java.util.Arrays.fill(drops, discard);
    }

    /**
     * Allocates each ENI's counters the first time its id is seen, on the one control thread that builds snapshots
     * (CountersManager allocation is not thread-safe; the datapath only writes values). Never frees them: an ENI
     * removed and added back counts on, as Prometheus counters should. When the counters file is full, an ENI gets
     * no counters of its own (its traffic is still in the global ones): the API change that made it must not fail
     * for want of statistics. Such ENIs are counted in {@code eni_counters.unavailable} and logged once each.
     */
    public static final class Registry
    {
        private static final Logger LOG = LoggerFactory.getLogger(EniCounters.class);
        private static final int COUNTERS_PER_ENI = 4 + REASONS.length;

        private final CountersManager manager;
        private final Map<String, EniCounters> byId = new HashMap<>();
        private final AtomicCounter unavailable;

        public Registry(final CountersManager manager)
        {
            this.manager = manager;
            this.unavailable = manager.newCounter("eni_counters.unavailable");
        }

        /** Gives the snapshot its ENIs' counters; before it is published (the publication's release store covers them). */
        public void countFor(final DatapathSnapshot snapshot)
        {
            final String[] ids = snapshot.eniIds();
            for (int eni = 0; eni < ids.length; eni++)
            {
                snapshot.eniCounters(eni, countersFor(ids[eni]));
            }
        }

        EniCounters countersFor(final String id)
        {
            return byId.computeIfAbsent(id, this::allocate);
        }

        private EniCounters allocate(final String id)
        {
            if (manager.available() < COUNTERS_PER_ENI)
            {
                unavailable.increment();
                LOG.warn("counters file full ({} counters): ENI {} is counted only in the appliance's totals",
                    manager.capacity(), id);
                return DISCARD;
            }
            final String prefix = "eni." + id + ".";
            final EniCounters counters = new EniCounters(
                manager.newCounter(prefix + "to_service_packets"),
                manager.newCounter(prefix + "to_service_bytes"),
                manager.newCounter(prefix + "to_consumer_packets"),
                manager.newCounter(prefix + "to_consumer_bytes"),
                DISCARD.toServicePackets);
            for (final int reason : REASONS)
            {
                counters.drops[reason] = manager.newCounter(prefix + "drop." + DropReason.name(reason));
            }
            return counters;
        }
    }
}
