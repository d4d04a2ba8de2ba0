package vpce.appliance;

import vpce.appliance.config.ApplianceModel;
import vpce.appliance.config.Ipv4;
import vpce.appliance.stats.CountersFile;
import vpce.flowtable.FlowTable;
import vpce.flowtable.TcpState;
import vpce.mgmt.JsonQuery;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.function.Supplier;

/**
 * The operator's read-only JSON queries ({@code vpce status}, {@code endpoints}, {@code flows}, {@code stats}),
 * answered on the management server's event loop from the counters file, the model in force and a scan of the flow
 * table.
 *
 * <p>The flow table belongs to the datapath thread; the scan reads it without that thread's cooperation (plain loads
 * of off-heap memory, no locks, nothing written), so a row may mix two moments of a flow that changes while it is
 * read. A row whose key or liveness changed between the first and the last read is left out (its slot was reused).
 * It is an operator's view, approximate by a few packets, never used for decisions; the datapath pays nothing.
 * The table outlives every query: the appliance closes the management server before it unmaps the table.
 */
final class OperatorQueries
{
    /** A scan looks at this many live flows at most, so a query's cost has a bound. */
    private static final int MAX_SCANNED = 4 << 20;
    static final int DEFAULT_TOP = 20;
    static final int MAX_TOP = 10_000;

    private final ApplianceModel fileModel;
    private final Supplier<ApplianceModel> inForce;
    private final CountersFile counters;
    private final FlowTable flows;
    private final java.util.function.BooleanSupplier draining;
    private final long startedAtMs = System.currentTimeMillis();

    OperatorQueries(final ApplianceModel fileModel, final Supplier<ApplianceModel> inForce, final CountersFile counters,
        final FlowTable flows, final java.util.function.BooleanSupplier draining)
    {
        this.draining = draining;
        this.fileModel = fileModel;
        this.inForce = inForce;
        this.counters = counters;
        this.flows = flows;
    }

    Map<String, JsonQuery> routes()
    {
        return Map.of("/v1/status", parameters -> status(), "/v1/endpoints", parameters -> endpoints(),
            "/v1/flows", this::flows, "/v1/stats", parameters -> stats());
    }

    private Map<String, Object> status()
    {
        final Map<String, Long> values = counters.snapshot();
        final ApplianceModel model = inForce.get();
        final Map<String, Object> status = new LinkedHashMap<>();
        status.put("pid", ProcessHandle.current().pid());
        status.put("uptimeSeconds", (System.currentTimeMillis() - startedAtMs) / 1000);
        status.put("region", model.region());
        status.put("stateDirectory", fileModel.stateDirectory().toString());
        final List<Map<String, Object>> ports = new ArrayList<>();
        for (final ApplianceModel.PortSpec port : fileModel.ports())
        {
            final Map<String, Object> row = new LinkedHashMap<>();
            row.put("name", port.name());
            row.put("role", port.role().name().toLowerCase());
            row.put("availabilityZone", port.availabilityZone());
            row.put("interface", port.interfaceName());
            row.put("rxPackets", values.getOrDefault("port." + port.name() + ".rx_packets", 0L));
            row.put("txPackets", values.getOrDefault("port." + port.name() + ".tx_packets", 0L));
            ports.add(row);
        }
        status.put("ports", ports);
        status.put("endpoints", model.endpoints().size());
        status.put("enis", model.endpoints().stream().mapToInt(e -> e.enis().size()).sum());
        status.put("flowsActive", values.getOrDefault("flows.active", 0L));
        status.put("drops", values.entrySet().stream().filter(e -> e.getKey().startsWith("drop.")).mapToLong(Map.Entry::getValue).sum());
        status.put("draining", draining.getAsBoolean());
        status.put("configReloads", values.getOrDefault("config.reloads", 0L));
        status.put("configReloadFailures", values.getOrDefault("config.reload_failures", 0L));
        return status;
    }

    private List<Map<String, Object>> endpoints()
    {
        final List<Map<String, Object>> endpoints = new ArrayList<>();
        for (final ApplianceModel.EndpointSpec endpoint : inForce.get().endpoints())
        {
            final Map<String, Object> row = new LinkedHashMap<>();
            row.put("id", endpoint.id());
            row.put("vpc", endpoint.vpcId());
            row.put("serviceName", endpoint.serviceName());
            final List<Map<String, Object>> enis = new ArrayList<>();
            for (final ApplianceModel.EniSpec eni : endpoint.enis())
            {
                final Map<String, Object> item = new LinkedHashMap<>();
                item.put("id", eni.id(endpoint.id()));
                item.put("address", Ipv4.format(eni.address()));
                item.put("availabilityZone", eni.availabilityZone());
                item.put("subnet", eni.subnetId());
                item.put("port", eni.portName());
                enis.add(item);
            }
            row.put("enis", enis);
            endpoints.add(row);
        }
        return endpoints;
    }

    /** GET /v1/flows[?top=N]: the N flows with the most bytes (both directions), largest first. */
    private List<Map<String, Object>> flows(final Map<String, String> parameters) throws JsonQuery.BadRequestException
    {
        final int top;
        try
        {
            top = Integer.parseInt(parameters.getOrDefault("top", Integer.toString(DEFAULT_TOP)));
        }
        catch (final NumberFormatException ex)
        {
            throw new JsonQuery.BadRequestException("top must be a number 1-" + MAX_TOP);
        }
        if (top < 1 || top > MAX_TOP)
        {
            throw new JsonQuery.BadRequestException("top must be 1-" + MAX_TOP);
        }
        final Map<Integer, String> endpointOfEni = endpointOfEni();
        final PriorityQueue<Map<String, Object>> largest = new PriorityQueue<>(Comparator.comparingLong(row -> (long)row.get("bytes")));
        scan((flow, bytes) ->
        {
            if (largest.size() < top || bytes > (long)largest.peek().get("bytes"))
            {
                final Map<String, Object> row = describe(flow, endpointOfEni);
                if (row != null)
                {
                    largest.add(row);
                    if (largest.size() > top)
                    {
                        largest.poll();
                    }
                }
            }
        });
        final List<Map<String, Object>> rows = new ArrayList<>(largest);
        rows.sort(Comparator.comparingLong((Map<String, Object> row) -> (long)row.get("bytes")).reversed());
        return rows;
    }

    /**
     * GET /v1/stats: the counters per port and per Availability Zone; per endpoint, its ENIs' counters (packets and
     * bytes each direction, drops) and its active flows and their bytes; per zone, also its endpoint ENIs' counters.
     */
    private Map<String, Object> stats()
    {
        final Map<String, Long> values = counters.snapshot();
        final Map<String, Map<String, Long>> ports = new LinkedHashMap<>();
        final Map<String, Map<String, Long>> zones = new LinkedHashMap<>();
        for (final ApplianceModel.PortSpec port : fileModel.ports())
        {
            final Map<String, Long> row = new LinkedHashMap<>();
            final String prefix = "port." + port.name() + ".";
            values.forEach((label, value) ->
            {
                if (label.startsWith(prefix))
                {
                    row.put(label.substring(prefix.length()), value);
                }
            });
            ports.put(port.name(), row);
            if (port.availabilityZone() != null)
            {
                final Map<String, Long> zone = zones.computeIfAbsent(port.availabilityZone(), z -> new LinkedHashMap<>());
                row.forEach((name, value) -> zone.merge(name, value, Long::sum));
            }
        }
        final Map<Integer, String> endpointOfEni = endpointOfEni();
        final Map<String, long[]> perEndpoint = new HashMap<>();
        scan((flow, bytes) ->
        {
            final String endpoint = endpointOfEni.get(flows.eniIp(flow));
            if (endpoint != null)
            {
                final long[] sums = perEndpoint.computeIfAbsent(endpoint, e -> new long[3]);
                sums[0]++;
                sums[1] += flows.forwardBytes(flow);
                sums[2] += flows.reverseBytes(flow);
            }
        });
        final Map<String, Map<String, Long>> endpoints = new LinkedHashMap<>();
        for (final ApplianceModel.EndpointSpec endpoint : inForce.get().endpoints())
        {
            final long[] sums = perEndpoint.getOrDefault(endpoint.id(), new long[3]);
            final Map<String, Long> row = new LinkedHashMap<>();
            row.put("active_flows", sums[0]);
            row.put("active_flows_bytes_in", sums[1]);
            row.put("active_flows_bytes_out", sums[2]);
            for (final ApplianceModel.EniSpec eni : endpoint.enis())
            {
                // The datapath's per-ENI counters (EniCounters): every packet since start, not only live flows'.
                final String prefix = "eni." + eni.id(endpoint.id()) + ".";
                final Map<String, Long> zone = eni.availabilityZone() == null ? null
                    : zones.computeIfAbsent(eni.availabilityZone(), z -> new LinkedHashMap<>());
                values.forEach((label, value) ->
                {
                    if (label.startsWith(prefix))
                    {
                        final String what = label.substring(prefix.length());
                        final String name = what.startsWith("drop.") ? "drops" : what;
                        row.merge(name, value, Long::sum);
                        if (zone != null)
                        {
                            zone.merge("endpoint_" + name, value, Long::sum);
                        }
                    }
                });
            }
            endpoints.put(endpoint.id(), row);
        }
        final Map<String, Object> stats = new LinkedHashMap<>();
        stats.put("ports", ports);
        stats.put("availabilityZones", zones);
        stats.put("endpoints", endpoints);
        return stats;
    }

    private Map<Integer, String> endpointOfEni()
    {
        final Map<Integer, String> endpoints = new HashMap<>();
        for (final ApplianceModel.EndpointSpec endpoint : inForce.get().endpoints())
        {
            for (final ApplianceModel.EniSpec eni : endpoint.enis())
            {
                endpoints.put(eni.address(), endpoint.id());
            }
        }
        return endpoints;
    }

    private interface FlowVisitor
    {
        void onFlow(int flow, long bytes);
    }

    private void scan(final FlowVisitor visitor)
    {
        int seen = 0;
        for (int flow = 0; flow < flows.capacity() && seen < MAX_SCANNED; flow++)
        {
            if (flows.isLive(flow))
            {
                seen++;
                visitor.onFlow(flow, flows.forwardBytes(flow) + flows.reverseBytes(flow));
            }
        }
    }

    /** The flow as a row, or null when it changed while read (see the class comment). */
    private Map<String, Object> describe(final int flow, final Map<Integer, String> endpointOfEni)
    {
        final int clientIp = flows.clientIp(flow);
        final int clientPort = flows.clientPort(flow);
        final int eniIp = flows.eniIp(flow);
        final int eniPort = flows.eniPort(flow);
        final Map<String, Object> row = new LinkedHashMap<>();
        row.put("client", Ipv4.format(clientIp) + ":" + clientPort);
        row.put("eni", Ipv4.format(eniIp) + ":" + eniPort);
        row.put("endpoint", endpointOfEni.getOrDefault(eniIp, "-"));
        row.put("target", Ipv4.format(flows.targetIp(flow)) + ":" + flows.targetPort(flow));
        row.put("nat", Ipv4.format(flows.natIp(flow)) + ":" + flows.natPort(flow));
        row.put("state", TcpState.name(flows.tcpState(flow)));
        final long in = flows.forwardBytes(flow);
        final long out = flows.reverseBytes(flow);
        row.put("bytesIn", in);
        row.put("bytesOut", out);
        row.put("bytes", in + out);
        if (!flows.isLive(flow) || flows.clientIp(flow) != clientIp || flows.clientPort(flow) != clientPort ||
            flows.eniIp(flow) != eniIp || flows.eniPort(flow) != eniPort)
        {
            return null;
        }
        return row;
    }
}
