package vpce.appliance.cli;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import vpce.appliance.config.ApplianceModel;
import vpce.appliance.config.ConfigException;
import vpce.appliance.config.ConfigLoader;
import vpce.appliance.config.Ipv4;
import vpce.appliance.datapath.DatapathSnapshot;
import vpce.appliance.explain.ReachabilityExplainer;

import java.nio.file.Path;
import java.util.concurrent.Callable;

@Command(
    name = "explain",
    description = "Which network ACL entry and security-group rule decide a consumer's packet to an ENI, both ways.")
final class ExplainCommand implements Callable<Integer>
{
    @Option(names = "--config", paramLabel = "FILE", description = "Configuration file (default: the lab's).")
    private Path config = LabCommand.DEFAULT_RUN_DIRECTORY.resolve("vpce.yaml");

    @Option(names = "--eni", required = true, paramLabel = "ADDRESS", description = "The ENI's address.")
    private String eni;

    @Option(names = "--source", required = true, paramLabel = "ADDRESS", description = "The consumer's address.")
    private String source;

    @Option(names = "--protocol", defaultValue = "tcp", description = "tcp, udp, icmp or a number (default: ${DEFAULT-VALUE}).")
    private String protocol;

    @Option(names = "--port", defaultValue = "443", description = "Destination port on the ENI, or the ICMP type (default: ${DEFAULT-VALUE}).")
    private int port;

    @Option(names = "--source-port", defaultValue = "49152",
        description = "The consumer's port, where the replies go, or the ICMP code (default: ${DEFAULT-VALUE}).")
    private int sourcePort;

    @Option(names = "--api", paramLabel = "HOST:PORT",
        description = "Ask the running appliance (its rules in force, API-made endpoints included) instead of reading --config.")
    private String api;

    @Override
    public Integer call()
    {
        if (api != null)
        {
            return callApi();
        }
        final ApplianceModel model;
        final int eniAddress;
        final int sourceAddress;
        final int protocolNumber;
        try
        {
            model = ConfigLoader.load(config);
            eniAddress = Ipv4.parseAddress(eni);
            sourceAddress = Ipv4.parseAddress(source);
            protocolNumber = ReachabilityExplainer.parseProtocol(protocol);
            if (protocolNumber < 0 || protocolNumber > 255 || port < 0 || port > 65535 || sourcePort < 0 || sourcePort > 65535)
            {
                throw new IllegalArgumentException("protocol must be 0-255, --port and --source-port 0-65535");
            }
        }
        catch (final ConfigException | IllegalArgumentException ex)
        {
            System.err.println("vpce: " + ex.getMessage());
            return 2;
        }
        final DatapathSnapshot snapshot = new DatapathSnapshot(
            model, model.ports().stream().map(ApplianceModel.PortSpec::name).toList());
        final ReachabilityExplainer.Explanation explanation =
            ReachabilityExplainer.explain(snapshot, eniAddress, sourceAddress, protocolNumber, sourcePort, port);
        System.out.println(explanation.text());
        return explanation.allowed() ? 0 : 1;
    }

    private int callApi()
    {
        final ApiClient client = new ApiClient();
        client.api = api;
        try
        {
            final JsonNode answer = client.get("/v1/explain?eni=" + encode(eni) + "&source=" + encode(source) + "&protocol=" +
                encode(protocol) + "&port=" + port + "&sourcePort=" + sourcePort);
            // The answer is ReachabilityExplainer.Explanation as JSON; its text is its lines.
            for (final JsonNode line : answer.path("lines"))
            {
                System.out.println(line.asText());
            }
            return answer.path("allowed").asBoolean() ? 0 : 1;
        }
        catch (final ApiClient.UsageException ex)
        {
            System.err.println("vpce: " + ex.getMessage());
            return 2;
        }
        catch (final java.io.IOException ex)
        {
            System.err.println("vpce: " + ex.getMessage());
            return 1;
        }
    }

    private static String encode(final String value)
    {
        return java.net.URLEncoder.encode(value, java.nio.charset.StandardCharsets.UTF_8);
    }
}
