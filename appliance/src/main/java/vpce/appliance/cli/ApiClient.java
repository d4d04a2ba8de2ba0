package vpce.appliance.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import picocli.CommandLine.Option;
import vpce.appliance.config.ApplianceModel;
import vpce.appliance.config.ConfigException;
import vpce.appliance.config.ConfigLoader;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * The operator commands' way to a running appliance: its management API's read-only JSON queries. Where it listens:
 * {@code --api}, else the {@code managementApi.listen} of {@code --config} (default: /etc/vpce/vpce.yaml when
 * installed, else the lab's file). A picocli mixin.
 */
final class ApiClient
{
    static final Path INSTALLED_CONFIG = Path.of("/etc/vpce/vpce.yaml");
    private static final ObjectMapper JSON = new ObjectMapper();

    @Option(names = "--api", paramLabel = "HOST:PORT", description = "The management API (default: from the configuration).")
    String api;

    @Option(names = "--config", paramLabel = "FILE",
        description = "Read managementApi.listen from this file (default: /etc/vpce/vpce.yaml, else the lab's).")
    Path config;

    @Option(names = "--json", description = "Print the API's JSON as it is.")
    boolean json;

    /** A query's answer; {@link UsageException} or {@link IOException} say why there is none. */
    JsonNode get(final String pathAndQuery) throws IOException, UsageException
    {
        final String address = address();
        final HttpRequest request = HttpRequest.newBuilder(URI.create("http://" + address + pathAndQuery))
            .timeout(Duration.ofSeconds(10)).GET().build();
        final HttpResponse<String> response;
        try (HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build())
        {
            response = client.send(request, HttpResponse.BodyHandlers.ofString());
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted");
        }
        catch (final IOException ex)
        {
            throw new IOException("cannot reach the management API at " + address + " (is the appliance running?): " + ex, ex);
        }
        final JsonNode body = JSON.readTree(response.body());
        if (response.statusCode() != 200)
        {
            throw new UsageException(body.path("message").asText("HTTP " + response.statusCode()));
        }
        return body;
    }

    String address() throws UsageException
    {
        if (api != null)
        {
            return api;
        }
        final Path file = config != null ? config :
            Files.exists(INSTALLED_CONFIG) ? INSTALLED_CONFIG : LabCommand.DEFAULT_RUN_DIRECTORY.resolve("vpce.yaml");
        final ApplianceModel model;
        try
        {
            model = ConfigLoader.load(file);
        }
        catch (final ConfigException ex)
        {
            throw new UsageException(ex.getMessage());
        }
        if (model.managementApi() == null)
        {
            throw new UsageException(file + " has no managementApi section: the appliance serves no API");
        }
        return model.managementApi().listen().getHostString() + ":" + model.managementApi().listen().getPort();
    }

    static String pretty(final JsonNode node) throws IOException
    {
        return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(node);
    }

    /** Bad usage or a refused query: exit status 2. */
    static final class UsageException extends Exception
    {
        UsageException(final String message)
        {
            super(message);
        }
    }
}
