package vpce.appliance.lab;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;

/**
 * The files a lab writes: {@code lab.json}, which describes a running lab to tools and tests, and
 * {@code vpce.yaml}, the appliance configuration for the lab's topology.
 *
 * <h2>lab.json</h2>
 * Keys are stable; values that do not apply are JSON null.
 * <table>
 *   <caption>lab.json keys</caption>
 *   <tr><th>Key</th><th>Type</th><th>Meaning</th></tr>
 *   <tr><td>name</td><td>string</td><td>lab name, the prefix of every namespace</td></tr>
 *   <tr><td>mode</td><td>string</td><td>{@code appliance} or {@code kernel}</td></tr>
 *   <tr><td>endpoints</td><td>string</td><td>{@code config} (the file declares the VPC and endpoint) or
 *       {@code api} (the management API makes them; the file has none)</td></tr>
 *   <tr><td>runDirectory</td><td>string</td><td>absolute path of the run directory</td></tr>
 *   <tr><td>configFile</td><td>string</td><td>the appliance configuration written for the lab
 *       (written in both modes; only the appliance mode runs it)</td></tr>
 *   <tr><td>region</td><td>string</td><td>region, e.g. us-east-1</td></tr>
 *   <tr><td>appliance.namespace</td><td>string</td><td>the appliance's namespace, {@code <name>-app}</td></tr>
 *   <tr><td>appliance.pid</td><td>number|null</td><td>appliance process id; null in kernel mode</td></tr>
 *   <tr><td>appliance.log</td><td>string|null</td><td>appliance stdout/stderr; null in kernel mode</td></tr>
 *   <tr><td>appliance.portType</td><td>string</td><td>{@code afpacket} (veth pairs) or {@code tap}
 *       (TAP devices the appliance creates in the client and service namespaces)</td></tr>
 *   <tr><td>appliance.ports[].name</td><td>string</td><td>netdev name in the appliance namespace</td></tr>
 *   <tr><td>appliance.ports[].role</td><td>string</td><td>{@code consumer} or {@code provider}</td></tr>
 *   <tr><td>appliance.ports[].availabilityZone</td><td>string|null</td><td>zone of a consumer port;
 *       null for the provider port</td></tr>
 *   <tr><td>consumers[].availabilityZone</td><td>string</td><td>zone of the client</td></tr>
 *   <tr><td>consumers[].namespace</td><td>string</td><td>client namespace, {@code <name>-c1}</td></tr>
 *   <tr><td>consumers[].interface</td><td>string</td><td>client interface, {@code eth0}</td></tr>
 *   <tr><td>consumers[].address</td><td>string</td><td>client IPv4 address</td></tr>
 *   <tr><td>consumers[].subnetCidr</td><td>string</td><td>subnet CIDR</td></tr>
 *   <tr><td>consumers[].subnetId</td><td>string|null</td><td>subnet id; null with {@code endpoints: api}</td></tr>
 *   <tr><td>consumers[].eniAddress</td><td>string|null</td><td>endpoint ENI address in that subnet; null with
 *       {@code endpoints: api}</td></tr>
 *   <tr><td>service.namespace</td><td>string</td><td>provider namespace, {@code <name>-svc}</td></tr>
 *   <tr><td>service.address</td><td>string</td><td>target address</td></tr>
 *   <tr><td>service.serviceName</td><td>string</td><td>endpoint service name</td></tr>
 *   <tr><td>service.privateDnsName</td><td>string</td><td>the service's private DNS name</td></tr>
 *   <tr><td>service.listeners[].port</td><td>number</td><td>port on the ENI address</td></tr>
 *   <tr><td>service.listeners[].targetPort</td><td>number</td><td>port on the target</td></tr>
 *   <tr><td>service.listeners[].application</td><td>string</td><td>{@code iperf3} or {@code http}</td></tr>
 *   <tr><td>endpoint.id</td><td>string|null</td><td>endpoint id; null with {@code endpoints: api}</td></tr>
 *   <tr><td>endpoint.serviceName</td><td>string</td><td>endpoint service name</td></tr>
 *   <tr><td>endpoint.vpcId</td><td>string|null</td><td>VPC id; null with {@code endpoints: api}</td></tr>
 *   <tr><td>dns.resolvers[].vpcCidr, .address</td><td>string</td><td>the VPC's resolver (base + 2), reachable from
 *       the clients; empty in kernel mode and with TAP ports</td></tr>
 *   <tr><td>dns.namespace, dns.upstream</td><td>string|null</td><td>where the responder forwards names it does not
 *       own (an address in that namespace); null when there is no resolver</td></tr>
 *   <tr><td>managementApi.namespace</td><td>string|null</td><td>where the API listens ({@code <name>-app});
 *       null in kernel mode</td></tr>
 *   <tr><td>managementApi.url</td><td>string|null</td><td>its base URL inside that namespace (the EC2 API's
 *       {@code --endpoint-url})</td></tr>
 *   <tr><td>managementApi.region</td><td>string|null</td><td>the region to sign for</td></tr>
 *   <tr><td>managementApi.accessKeyId</td><td>string|null</td><td>the lab's access key (every EC2 action)</td></tr>
 *   <tr><td>managementApi.secretAccessKey</td><td>string|null</td><td>its secret</td></tr>
 * </table>
 */
public final class LabFiles
{
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    private static final ObjectMapper YAML = new ObjectMapper(YAMLFactory.builder()
        .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
        .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
        .enable(YAMLGenerator.Feature.INDENT_ARRAYS_WITH_INDICATOR)
        .build());

    /** Datapath batch size written into the lab's appliance configuration. */
    public static final int BATCH_SIZE = 64;

    /** The management API of the lab's appliance, inside its namespace. */
    public static final String MANAGEMENT_API_LISTEN = "127.0.0.1:8787";

    /** The private DNS name of the lab's service, which endpoints made with private DNS enabled answer for. */
    public static final String SERVICE_PRIVATE_DNS_NAME = "lab-service.example.com";

    /**
     * Where the lab's DNS responder forwards names it does not own: the appliance namespace's loopback, where a test
     * may run an upstream (nothing does by default: such names get SERVFAIL after {@link #DNS_UPSTREAM_TIMEOUT_MS}).
     */
    public static final String DNS_UPSTREAM = "127.0.0.1:5300";
    public static final int DNS_UPSTREAM_TIMEOUT_MS = 1_000;

    /** Idle strategy written into the lab's appliance configuration. */
    public static final String IDLE_STRATEGY = "poll";

    private LabFiles()
    {
    }

    /**
     * The lab.json document.
     *
     * @param plan         the lab.
     * @param mode         its mode.
     * @param appliancePid appliance pid, or null in kernel mode.
     * @return the document.
     */
    public static ObjectNode labDocument(final LabPlan plan, final LabMode mode, final Long appliancePid)
    {
        final ObjectNode root = JSON.createObjectNode();
        root.put("name", plan.name());
        root.put("mode", mode.label());
        root.put("endpoints", plan.endpoints().label());
        root.put("runDirectory", plan.runDirectory().toString());
        root.put("configFile", plan.configFile().toString());
        root.put("region", plan.region());

        final ObjectNode appliance = root.putObject("appliance");
        appliance.put("namespace", plan.appNamespace());
        if (null == appliancePid)
        {
            appliance.putNull("pid");
            appliance.putNull("log");
        }
        else
        {
            appliance.put("pid", appliancePid.longValue());
            appliance.put("log", plan.applianceLog().toString());
        }
        appliance.put("portType", plan.ports().label());
        final ArrayNode ports = appliance.putArray("ports");
        for (final LabPlan.Consumer consumer : plan.consumers())
        {
            ports.addObject()
                .put("name", consumer.portName())
                .put("role", "consumer")
                .put("availabilityZone", consumer.availabilityZone());
        }
        ports.addObject()
            .put("name", plan.service().portName())
            .put("role", "provider")
            .putNull("availabilityZone");

        final boolean fromFile = plan.endpoints() == LabEndpoints.CONFIG;
        final ArrayNode consumers = root.putArray("consumers");
        for (final LabPlan.Consumer consumer : plan.consumers())
        {
            consumers.addObject()
                .put("availabilityZone", consumer.availabilityZone())
                .put("namespace", consumer.namespace())
                .put("interface", consumer.clientInterface())
                .put("address", consumer.clientAddress())
                .put("subnetCidr", consumer.subnetCidr())
                .put("subnetId", fromFile ? consumer.subnetId() : null)
                .put("eniAddress", fromFile ? consumer.eniAddress() : null);
        }

        final ObjectNode service = root.putObject("service");
        service.put("namespace", plan.service().namespace());
        service.put("address", plan.service().address());
        service.put("serviceName", plan.service().serviceName());
        service.put("privateDnsName", SERVICE_PRIVATE_DNS_NAME);
        final ArrayNode listeners = service.putArray("listeners");
        for (final LabPlan.Listener listener : plan.service().listeners())
        {
            listeners.addObject()
                .put("port", listener.port())
                .put("targetPort", listener.targetPort())
                .put("application", listener.application());
        }

        root.putObject("endpoint")
            .put("id", fromFile ? plan.endpoint().id() : null)
            .put("serviceName", plan.endpoint().serviceName())
            .put("vpcId", fromFile ? plan.endpoint().vpcId() : null);

        final ObjectNode api = root.putObject("managementApi");
        if (LabMode.APPLIANCE == mode)
        {
            api.put("namespace", plan.appNamespace()).put("url", "http://" + MANAGEMENT_API_LISTEN)
                .put("region", plan.region())
                .put("accessKeyId", plan.credentials().accessKeyId())
                .put("secretAccessKey", plan.credentials().secretAccessKey());
        }
        else
        {
            api.putNull("namespace").putNull("url").putNull("region").putNull("accessKeyId").putNull("secretAccessKey");
        }

        // The resolver the clients reach (afpacket ports, appliance mode only; see Lab#configureResolver).
        final ObjectNode dns = root.putObject("dns");
        final ArrayNode resolvers = dns.putArray("resolvers");
        final boolean resolving = LabMode.APPLIANCE == mode && plan.ports() != LabPorts.TAP;
        if (resolving)
        {
            resolvers.addObject().put("vpcCidr", plan.vpc().cidr()).put("address", plan.vpc().resolverAddress());
            dns.put("namespace", plan.appNamespace()).put("upstream", DNS_UPSTREAM);
        }
        else
        {
            dns.putNull("namespace").putNull("upstream");
        }

        return root;
    }

    /**
     * The appliance configuration for the lab: its three ports, the VPC, one subnet per consumer,
     * the service and the endpoint with one ENI per subnet (with {@link LabEndpoints#API}: the ports
     * and the service only), and the management API with the lab's access key.
     *
     * @param plan the lab.
     * @return the document, in the schema the appliance's configuration loader reads.
     */
    public static ObjectNode applianceConfig(final LabPlan plan)
    {
        final ObjectNode root = YAML.createObjectNode();
        root.put("region", plan.region());
        root.put("stateDirectory", plan.stateDirectory().toString());
        root.putObject("datapath")
            .put("batchSize", BATCH_SIZE)
            .put("idleStrategy", IDLE_STRATEGY);

        final ArrayNode ports = root.putArray("ports");
        final boolean tap = plan.ports() == LabPorts.TAP;
        for (final LabPlan.Consumer consumer : plan.consumers())
        {
            final ObjectNode port = ports.addObject()
                .put("name", consumer.portName())
                .put("type", plan.ports().label());
            if (tap)
            {
                // The TAP is the client's NIC: created in its namespace under the client's name.
                port.put("interface", consumer.clientInterface()).put("namespace", consumer.namespace());
            }
            port.put("role", "consumer").put("availabilityZone", consumer.availabilityZone());
        }
        final ObjectNode provider = ports.addObject()
            .put("name", plan.service().portName())
            .put("type", plan.ports().label());
        if (tap)
        {
            provider.put("interface", plan.service().serviceInterface()).put("namespace", plan.service().namespace());
        }
        provider.put("role", "provider");
        provider.putArray("addresses")
            .add(plan.service().providerAddress() + "/" + plan.service().prefixLength());

        final boolean fromFile = plan.endpoints() == LabEndpoints.CONFIG;
        if (fromFile)
        {
            root.putArray("vpcs").addObject()
                .put("id", plan.vpc().id())
                .put("cidr", plan.vpc().cidr())
                .put("enableDnsSupport", true)
                .put("enableDnsHostnames", true);

            final ArrayNode subnets = root.putArray("subnets");
            for (final LabPlan.Consumer consumer : plan.consumers())
            {
                subnets.addObject()
                    .put("id", consumer.subnetId())
                    .put("vpc", plan.vpc().id())
                    .put("availabilityZone", consumer.availabilityZone())
                    .put("cidr", consumer.subnetCidr())
                    .put("port", consumer.portName());
            }
        }

        final ObjectNode service = root.putArray("services").addObject();
        service.put("serviceName", plan.service().serviceName());
        final ArrayNode zones = service.putArray("availabilityZones");
        for (final LabPlan.Consumer consumer : plan.consumers())
        {
            zones.add(consumer.availabilityZone());
        }
        service.put("acceptanceRequired", false);
        service.put("privateDnsName", SERVICE_PRIVATE_DNS_NAME);
        final ArrayNode listeners = service.putArray("listeners");
        for (final LabPlan.Listener listener : plan.service().listeners())
        {
            listeners.addObject()
                .put("port", listener.port())
                .put("targetPort", listener.targetPort());
        }
        service.putArray("targets").add(plan.service().address());

        if (fromFile)
        {
            fileEndpoint(plan, root);
        }

        // On the appliance namespace's loopback: reachable with ip netns exec, from nowhere else.
        final ObjectNode api = root.putObject("managementApi").put("listen", MANAGEMENT_API_LISTEN);
        final ObjectNode key = api.putArray("accessKeys").addObject()
            .put("accessKeyId", plan.credentials().accessKeyId())
            .put("secretAccessKey", plan.credentials().secretAccessKey());
        key.putArray("allowedActions").add("ec2:*");

        // Every address of the appliance namespace: the VPC's resolver address on the consumer ports (Lab), loopback.
        final ObjectNode dns = root.putObject("dns");
        dns.putArray("listen").add("0.0.0.0:53");
        dns.put("upstream", DNS_UPSTREAM).put("upstreamTimeoutMs", DNS_UPSTREAM_TIMEOUT_MS);

        // Ready to log, off until a reload lists subnets or endpoints (the sink needs a restart).
        final ObjectNode flowLogs = root.putObject("flowLogs")
            .put("file", plan.flowLogFile().toString())
            .put("accountId", "123456789012")
            .put("aggregationIntervalSeconds", 60);
        flowLogs.putArray("subnets");
        flowLogs.putArray("endpoints");

        return root;
    }

    /** The endpoint the file declares, with one ENI per consumer subnet, and the VPC's default security group. */
    private static void fileEndpoint(final LabPlan plan, final ObjectNode root)
    {
        final ObjectNode endpoint = root.putArray("endpoints").addObject();
        endpoint.put("id", plan.endpoint().id());
        endpoint.put("vpc", plan.endpoint().vpcId());
        endpoint.put("serviceName", plan.endpoint().serviceName());
        final ArrayNode endpointSubnets = endpoint.putArray("subnets");
        for (final LabPlan.Consumer consumer : plan.consumers())
        {
            endpointSubnets.addObject()
                .put("subnet", consumer.subnetId())
                .put("eniAddress", consumer.eniAddress());
        }

        // The endpoint has no groups of its own, so it gets the VPC's default security group,
        // which admits its members; the clients are in it, as instances launched without a
        // group are in EC2. The rules are the default's own, written out.
        final String defaultGroup = "sg-" + plan.vpc().id().substring("vpc-".length());
        final ObjectNode group = root.putArray("securityGroups").addObject()
            .put("id", defaultGroup)
            .put("vpc", plan.vpc().id());
        group.putArray("ingress").addObject().put("protocol", "-1").put("groupId", defaultGroup);
        group.putArray("egress").addObject().put("protocol", "-1").put("cidrIp", "0.0.0.0/0");
        final ArrayNode members = group.putArray("members");
        for (final LabPlan.Consumer consumer : plan.consumers())
        {
            members.add(consumer.clientAddress());
        }
    }

    /**
     * @param plan the lab.
     * @return {@link #applianceConfig(LabPlan)} as YAML text.
     */
    public static String applianceConfigYaml(final LabPlan plan)
    {
        try
        {
            return YAML.writeValueAsString(applianceConfig(plan));
        }
        catch (final IOException ex)
        {
            throw new LabException("cannot render appliance configuration", ex);
        }
    }

    static void writeLabFile(final LabPlan plan, final LabMode mode, final Long appliancePid)
    {
        writeAtomically(plan.labFile(), toJson(labDocument(plan, mode, appliancePid)));
    }

    static void writeApplianceConfig(final LabPlan plan)
    {
        writeAtomically(plan.configFile(), applianceConfigYaml(plan));
    }

    /**
     * @param labFile path of a lab.json.
     * @return its contents, or null when the file does not exist or cannot be parsed (a lab that
     * died half-way must still be torn down).
     */
    public static JsonNode readLabFile(final Path labFile)
    {
        try
        {
            return Files.exists(labFile) ? JSON.readTree(labFile.toFile()) : null;
        }
        catch (final IOException ex)
        {
            return null;
        }
    }

    /**
     * Consumer namespaces recorded in a lab.json, so that down removes a lab that was brought up
     * with a non-default plan.
     */
    static List<String> recordedNamespaces(final JsonNode lab)
    {
        final List<String> names = new ArrayList<>();
        if (null != lab)
        {
            addText(names, lab.path("appliance").path("namespace"));
            for (final JsonNode consumer : lab.path("consumers"))
            {
                addText(names, consumer.path("namespace"));
            }
            addText(names, lab.path("service").path("namespace"));
        }
        return names;
    }

    private static void addText(final List<String> names, final JsonNode node)
    {
        if (node.isTextual())
        {
            names.add(node.asText());
        }
    }

    static String toJson(final JsonNode node)
    {
        try
        {
            return JSON.writeValueAsString(node) + "\n";
        }
        catch (final IOException ex)
        {
            throw new LabException("cannot render JSON", ex);
        }
    }

    /**
     * Write via a temporary file and rename, so that a reader (the appliance, a status command)
     * never sees half a file.
     */
    static void writeAtomically(final Path file, final String text)
    {
        try
        {
            Files.createDirectories(file.getParent());
            final Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
            Files.writeString(tmp, text);
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        }
        catch (final IOException ex)
        {
            throw new LabException("cannot write " + file + ": " + ex.getMessage(), ex);
        }
    }
}
