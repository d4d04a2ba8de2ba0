package vpce.appliance.metrics;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Summary;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import org.agrona.concurrent.status.CountersReader;
import vpce.mgmt.TextBody;
import vpce.mgmt.ec2.Ec2QueryApi;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;

/**
 * The appliance's Prometheus metrics, served at {@code /metrics} in the text exposition format (Prometheus Java
 * client). Everything the datapath counts is read at scrape time from the counters file (one volatile load per
 * counter, on the scraping thread): the packet path does no work for metrics.
 *
 * <p>Counter labels become metrics by rule: {@code port.<port>.<what>} is {@code vpce_port_<what>_total} with
 * {@code port}, {@code role} and {@code availability_zone} labels; a prefix registered with {@link #family} (as
 * {@code drop.} is: {@code vpce_drops_total{reason}}) becomes one family with the rest of the label as a label
 * value; the gauges named in {@link #GAUGES} are gauges; anything else {@code a.b_c} is {@code vpce_a_b_c_total}.
 * So a new counter (DNS answers by rcode, shaping drops) shows up without touching this class, and its owner
 * registers a family to give it a label: e.g. {@code family("dns.rcode.", "vpce_dns_queries", "rcode")}. Metrics
 * that are not counters-file counters register a {@link MultiCollector} or a client metric on {@link #registry}.
 */
public final class ApplianceMetrics
{
    /** Counters-file labels that are levels, not counts. */
    static final Set<String> GAUGES = Set.of("flows.active", "controlplane.enis_left_out");

    /** A port's labels: role and, for consumer ports, the Availability Zone. */
    public record PortLabels(String role, String availabilityZone)
    {
    }

    /** One ENI of an endpoint: {@code vpce_endpoint_info} joins per-port traffic to endpoints and zones. */
    public record EniLabels(String endpoint, String eni, String availabilityZone, String port, String id)
    {
        public EniLabels(final String endpoint, final String eni, final String availabilityZone, final String port)
        {
            this(endpoint, eni, availabilityZone, port, null);
        }
    }

    private record Family(String prefix, String name, String labelName, String help)
    {
    }

    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final List<Family> families = new CopyOnWriteArrayList<>();
    private final PrometheusTextFormatWriter writer = PrometheusTextFormatWriter.create();
    private final Counter apiRequests;
    private final Summary apiLatency;

    /**
     * @param counters the counters file's reader.
     * @param ports    port name to its labels.
     * @param enis     the ENIs of the snapshot in force, read at each scrape.
     */
    public ApplianceMetrics(final CountersReader counters, final Map<String, PortLabels> ports, final Supplier<List<EniLabels>> enis)
    {
        family("drop.", "vpce_drops", "reason", "Frames dropped, by reason (every validation failure and policy drop).");
        registry.register(new CountersCollector(counters, Map.copyOf(ports), enis));
        registry.register(new MultiCollector()
        {
            @Override
            public MetricSnapshots collect()
            {
                final GaugeSnapshot.Builder info = GaugeSnapshot.builder().name("vpce_endpoint_info")
                    .help("The endpoints' ENIs in force: endpoint, ENI address, Availability Zone and port (value 1).");
                for (final EniLabels eni : enis.get())
                {
                    info.dataPoint(GaugeSnapshot.GaugeDataPointSnapshot.builder().value(1).labels(Labels.of(
                        "availability_zone", eni.availabilityZone(), "endpoint", eni.endpoint(), "eni", eni.eni(),
                        "port", eni.port())).build());
                }
                return MetricSnapshots.of(info.build());
            }
        });
        apiRequests = Counter.builder().name("vpce_api_requests")
            .help("Management API requests by API, action and error code (none: success).")
            .labelNames("api", "action", "error").register(registry);
        apiLatency = Summary.builder().name("vpce_api_request_duration_seconds")
            .help("Management API request latency on the API thread.")
            .quantile(0.5, 0.05).quantile(0.9, 0.01).quantile(0.99, 0.001)
            .labelNames("api").register(registry);
    }

    /**
     * Makes counters-file counters whose label starts with {@code prefix} one family: {@code <name>_total} with the
     * rest of the label as the value of {@code labelName}. Call before the counters are scraped.
     */
    public void family(final String prefix, final String name, final String labelName, final String help)
    {
        families.add(new Family(prefix, name, labelName, help));
    }

    /** Where other parts of the appliance register metrics of their own. */
    public PrometheusRegistry registry()
    {
        return registry;
    }

    /** Counts the EC2 Query API's answers. */
    public Ec2QueryApi.AnswerListener ec2Listener()
    {
        return (action, errorCode, latencyNs) ->
        {
            apiRequests.labelValues("ec2", action == null ? "unknown" : action, errorCode == null ? "none" : errorCode).inc();
            apiLatency.labelValues("ec2").observe(latencyNs / 1e9);
        };
    }

    /** Counts the REST API's answers (action: the route's IAM action without {@code ec2:}). */
    public Ec2QueryApi.AnswerListener restListener()
    {
        return (action, errorCode, latencyNs) ->
        {
            apiRequests.labelValues("rest", action == null ? "unknown" : action, errorCode == null ? "none" : errorCode).inc();
            apiLatency.labelValues("rest").observe(latencyNs / 1e9);
        };
    }

    /** The exposition, for {@code GET /metrics}. */
    public TextBody scrape()
    {
        final ByteArrayOutputStream out = new ByteArrayOutputStream(16 * 1024);
        try
        {
            writer.write(out, registry.scrape());
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
        return new TextBody(PrometheusTextFormatWriter.CONTENT_TYPE, out.toByteArray());
    }

    static String metricName(final String label)
    {
        final StringBuilder name = new StringBuilder("vpce_");
        for (int i = 0; i < label.length(); i++)
        {
            final char c = label.charAt(i);
            name.append(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' ? c : '_');
        }
        return name.toString();
    }

    /** The counters file at scrape time. */
    private final class CountersCollector implements MultiCollector
    {
        private final CountersReader counters;
        private final Map<String, PortLabels> ports;
        private final Supplier<List<EniLabels>> enis;

        CountersCollector(final CountersReader counters, final Map<String, PortLabels> ports, final Supplier<List<EniLabels>> enis)
        {
            this.counters = counters;
            this.ports = ports;
            this.enis = enis;
        }

        @Override
        public MetricSnapshots collect()
        {
            final Map<String, CounterSnapshot.Builder> counterFamilies = new LinkedHashMap<>();
            final List<MetricSnapshot> gauges = new ArrayList<>();
            final Map<String, EniLabels> eniById = new java.util.HashMap<>();
            for (final EniLabels eni : enis.get())
            {
                if (eni.id() != null)
                {
                    eniById.put(eni.id(), eni);
                }
            }
            counters.forEach((counterId, typeId, keyBuffer, label) ->
            {
                final long value = counters.getCounterValue(counterId);
                if (label.startsWith("eni."))
                {
                    eniCounter(counterFamilies, eniById, label, value);
                    return;
                }
                if (GAUGES.contains(label))
                {
                    gauges.add(GaugeSnapshot.builder().name(metricName(label)).help("Counter " + label + " (a level).")
                        .dataPoint(GaugeSnapshot.GaugeDataPointSnapshot.builder().value(value).build()).build());
                    return;
                }
                String name = metricName(label);
                String help = "Counter " + label + ".";
                Labels labels = Labels.EMPTY;
                final int lastDot = label.lastIndexOf('.');
                if (label.startsWith("port.") && lastDot > 5)
                {
                    final String port = label.substring(5, lastDot);
                    final PortLabels portLabels = ports.getOrDefault(port, new PortLabels("", ""));
                    name = metricName("port." + label.substring(lastDot + 1));
                    help = "Per port: " + label.substring(lastDot + 1) + ".";
                    labels = Labels.of("availability_zone", portLabels.availabilityZone(), "port", port, "role", portLabels.role());
                }
                else
                {
                    for (final Family family : families)
                    {
                        if (label.startsWith(family.prefix()) && label.length() > family.prefix().length())
                        {
                            name = family.name();
                            help = family.help();
                            labels = Labels.of(family.labelName(), label.substring(family.prefix().length()));
                            break;
                        }
                    }
                }
                final String finalHelp = help;
                counterFamilies.computeIfAbsent(name, n -> CounterSnapshot.builder().name(n).help(finalHelp))
                    .dataPoint(CounterSnapshot.CounterDataPointSnapshot.builder().value(value).labels(labels).build());
            });
            final List<MetricSnapshot> all = new ArrayList<>(gauges);
            counterFamilies.values().forEach(builder -> all.add(builder.build()));
            return new MetricSnapshots(all);
        }

        /**
         * {@code eni.<id>.to_service_packets} and the like (EniCounters) become {@code vpce_endpoint_packets_total},
         * {@code _bytes_total} and {@code _drops_total} labelled by the ENI's endpoint, zone and address in the model
         * in force (empty once a reload removed the ENI: its counts stay, as counters must).
         */
        private void eniCounter(
            final Map<String, CounterSnapshot.Builder> counterFamilies,
            final Map<String, EniLabels> eniById,
            final String label,
            final long value)
        {
            final int idEnd = label.indexOf('.', 4);
            if (idEnd < 0)
            {
                return;
            }
            final String id = label.substring(4, idEnd);
            final String what = label.substring(idEnd + 1);
            final EniLabels eni = eniById.getOrDefault(id, new EniLabels("", "", "", "", id));
            final String name;
            final String help;
            final Labels labels;
            final Labels base = Labels.of("availability_zone", eni.availabilityZone(), "endpoint", eni.endpoint(),
                "eni", eni.eni(), "eni_id", id);
            if (what.startsWith("drop."))
            {
                name = "vpce_endpoint_drops";
                help = "Per endpoint ENI: packets dropped where the ENI was known, by reason.";
                labels = base.add("reason", what.substring(5));
            }
            else
            {
                final int split = what.lastIndexOf('_');
                final String direction = what.substring(0, split);
                final String unit = what.substring(split + 1);
                name = "vpce_endpoint_" + unit;
                help = "Per endpoint ENI: " + unit + " forwarded, by direction (frame bytes).";
                labels = base.add("direction", direction);
            }
            counterFamilies.computeIfAbsent(name, n -> CounterSnapshot.builder().name(n).help(help))
                .dataPoint(CounterSnapshot.CounterDataPointSnapshot.builder().value(value).labels(labels).build());
        }
    }
}
