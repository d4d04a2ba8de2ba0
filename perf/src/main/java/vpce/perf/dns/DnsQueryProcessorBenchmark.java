package vpce.perf.dns;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import vpce.dns.DnsCounters;
import vpce.dns.DnsQueryProcessor;
import vpce.dns.DnsWire;
import vpce.dns.DnsZoneHolder;

import java.util.concurrent.TimeUnit;

/**
 * One query answered by the responder's processor, without sockets: parse, look up (case-insensitive), write the
 * answer, over the dnsperf mix of {@link DnsBenchmark} (regional, zonal, private A; AAAA no data; NXDOMAIN) with
 * mixed-case names and EDNS. The claim: nothing is allocated ({@code -prof gc} ~0 B/op).
 *
 * <pre>
 *   java -cp perf.jar:lib/* org.openjdk.jmh.Main DnsQueryProcessorBenchmark -f 1 -wi 2 -i 3 -w 1s -r 1s -prof gc
 * </pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(value = 1, jvmArgsAppend = { "-XX:+UseParallelGC" })
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class DnsQueryProcessorBenchmark
{
    private static final int SOURCE = 0x7F00_0001;

    private DnsQueryProcessor processor;
    private byte[][] queries;
    private final byte[] response = new byte[DnsWire.MAX_MESSAGE_LENGTH];
    private int next;

    @Setup
    public void setup()
    {
        final DnsZoneHolder zones = new DnsZoneHolder();
        zones.publish(DnsBenchmark.zones());
        processor = new DnsQueryProcessor(zones, new DnsCounters(), false, DnsWire.CLASSIC_UDP_PAYLOAD * 2);
        queries = new byte[][] {
            query(DnsBenchmark.REGIONAL.toUpperCase(), DnsWire.TYPE_A),
            query(DnsBenchmark.ZONAL, DnsWire.TYPE_A),
            query("Lab-Service.Example.com", DnsWire.TYPE_A),
            query(DnsBenchmark.REGIONAL, DnsWire.TYPE_AAAA),
            query("vpce-nothing." + DnsBenchmark.ZONE, DnsWire.TYPE_A),
        };
    }

    @Benchmark
    public int answer()
    {
        final byte[] query = queries[next];
        next = next + 1 == queries.length ? 0 : next + 1;
        return processor.onQuery(query, query.length, 0, SOURCE, false, response);
    }

    /** Header (ID, RD), the question with the name as given (case kept), an OPT offering 1232 bytes. */
    private static byte[] query(final String name, final int type)
    {
        final byte[] folded = DnsWire.encodeName(name);
        final byte[] query = new byte[12 + folded.length + 4 + 11];
        DnsWire.putShort(query, 0, 0x4242);
        DnsWire.putShort(query, 2, DnsWire.FLAG_RD);
        DnsWire.putShort(query, 4, 1);
        DnsWire.putShort(query, 10, 1);
        int at = 12;
        for (final String label : name.split("\\."))
        {
            query[at++] = (byte)label.length();
            for (int i = 0; i < label.length(); i++)
            {
                query[at++] = (byte)label.charAt(i);
            }
        }
        query[at++] = 0;
        DnsWire.putShort(query, at, type);
        DnsWire.putShort(query, at + 2, DnsWire.CLASS_IN);
        at += 4;
        query[at] = 0;
        DnsWire.putShort(query, at + 1, DnsWire.TYPE_OPT);
        DnsWire.putShort(query, at + 3, 1232);
        return query;
    }
}
