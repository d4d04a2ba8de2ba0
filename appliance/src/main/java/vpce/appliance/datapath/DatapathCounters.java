package vpce.appliance.datapath;

import org.agrona.concurrent.status.AtomicCounter;
import org.agrona.concurrent.status.CountersManager;
import vpce.appliance.packet.FrameClass;

import java.util.List;

/**
 * The datapath's counters, allocated once at start-up in the counters file. The datapath agent
 * is the single writer of every one of them and updates them with release stores (no locked
 * instructions on the packet path); readers in other threads or processes use volatile loads.
 * Labels are stable: `vpce stats`, tests and metrics refer to them by name.
 *
 * <p>Pairs: {@code incrementRelease}, {@code getAndAddRelease} and {@code setRelease} here (a
 * plain read of the agent's own last value, then a release store) with
 * {@code CountersReader.getCounterValue} (a volatile load) in {@code CountersFile.snapshot} and
 * {@code vpce stats}. Those updates are not atomic: a counter updated by two threads loses
 * counts, so each must keep one writer thread. Order a reader may rely on (loading the later
 * counter last): a batch's drops are counted as its frames are judged, then its rx, then at the
 * flush its tx; so tx + drops never exceed rx + the appliance's own frames (ARP) + one batch
 * per port. Stress: {@code vpce.perf.stress} (counters-file).
 */
public final class DatapathCounters
{
    final AtomicCounter[] rxPackets;
    final AtomicCounter[] rxBytes;
    final AtomicCounter[] txPackets;
    final AtomicCounter[] txBytes;
    final AtomicCounter[] txErrors;
    final AtomicCounter[] rxTruncated;
    final AtomicCounter[] rxVlanTagged;
    final AtomicCounter[] parseDrops;
    final AtomicCounter[] drops;
    final AtomicCounter flowsCreated;
    final AtomicCounter flowsExpired;
    final AtomicCounter flowsActive;
    final AtomicCounter embryonicEvicted;
    final AtomicCounter flowsPurged;
    /** The flow table's count of in-window, not exact RSTs that left an established flow alone (RFC 5961). */
    final AtomicCounter rstNotExact;
    final AtomicCounter arpRepliesSent;
    final AtomicCounter arpRequestsSent;
    final AtomicCounter arpRepliesReceived;
    final AtomicCounter gratuitousArpSent;
    final AtomicCounter dutyCycleErrors;

    public DatapathCounters(final CountersManager manager, final List<String> portNames)
    {
        final int ports = portNames.size();
        rxPackets = new AtomicCounter[ports];
        rxBytes = new AtomicCounter[ports];
        txPackets = new AtomicCounter[ports];
        txBytes = new AtomicCounter[ports];
        txErrors = new AtomicCounter[ports];
        rxTruncated = new AtomicCounter[ports];
        rxVlanTagged = new AtomicCounter[ports];
        for (int p = 0; p < ports; p++)
        {
            final String prefix = "port." + portNames.get(p) + ".";
            rxPackets[p] = manager.newCounter(prefix + "rx_packets");
            rxBytes[p] = manager.newCounter(prefix + "rx_bytes");
            txPackets[p] = manager.newCounter(prefix + "tx_packets");
            txBytes[p] = manager.newCounter(prefix + "tx_bytes");
            txErrors[p] = manager.newCounter(prefix + "tx_errors");
            rxTruncated[p] = manager.newCounter(prefix + "rx_truncated");
            rxVlanTagged[p] = manager.newCounter(prefix + "rx_vlan_tagged");
        }
        parseDrops = new AtomicCounter[FrameClass.COUNT];
        for (int code = 0; code < FrameClass.COUNT; code++)
        {
            if (FrameClass.isDrop(code))
            {
                parseDrops[code] = manager.newCounter("drop." + FrameClass.name(code));
            }
        }
        drops = new AtomicCounter[DropReason.COUNT];
        for (int reason = 0; reason < DropReason.COUNT; reason++)
        {
            drops[reason] = manager.newCounter("drop." + DropReason.name(reason));
        }
        flowsCreated = manager.newCounter("flows.created");
        flowsExpired = manager.newCounter("flows.expired");
        flowsActive = manager.newCounter("flows.active");
        embryonicEvicted = manager.newCounter("flows.embryonic_evicted");
        flowsPurged = manager.newCounter("flows.purged");
        rstNotExact = manager.newCounter("flows.rst_not_exact");
        arpRepliesSent = manager.newCounter("arp.replies_sent");
        arpRequestsSent = manager.newCounter("arp.requests_sent");
        arpRepliesReceived = manager.newCounter("arp.replies_received");
        gratuitousArpSent = manager.newCounter("arp.gratuitous_sent");
        dutyCycleErrors = manager.newCounter("datapath.errors");
    }

    void drop(final int reason)
    {
        drops[reason].incrementRelease();
    }

    void parseDrop(final int code)
    {
        parseDrops[code].incrementRelease();
    }
}
