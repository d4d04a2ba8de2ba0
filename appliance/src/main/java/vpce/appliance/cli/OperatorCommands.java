package vpce.appliance.cli;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code vpce status}, {@code endpoints} and {@code flows}: what a running appliance says through its API. */
final class OperatorCommands
{
    private OperatorCommands()
    {
    }

    /** Runs a query and prints it; exit 0, or 1 when the appliance cannot be reached, 2 when the query is refused. */
    abstract static class Query implements Callable<Integer>
    {
        @Mixin
        ApiClient client;

        abstract String path();

        abstract void print(JsonNode answer);

        @Override
        public Integer call()
        {
            try
            {
                final JsonNode answer = client.get(path());
                if (client.json)
                {
                    System.out.println(ApiClient.pretty(answer));
                }
                else
                {
                    print(answer);
                }
                return 0;
            }
            catch (final ApiClient.UsageException ex)
            {
                System.err.println("vpce: " + ex.getMessage());
                return 2;
            }
            catch (final IOException ex)
            {
                System.err.println("vpce: " + ex.getMessage());
                return 1;
            }
        }
    }

    @Command(name = "status", description = "A running appliance: ports, endpoints, flows, reloads.")
    static final class Status extends Query
    {
        @Override
        String path()
        {
            return "/v1/status";
        }

        @Override
        void print(final JsonNode status)
        {
            System.out.printf("vpce pid %d, up %d s, region %s%s%n", status.path("pid").asLong(), status.path("uptimeSeconds").asLong(),
                status.path("region").asText(), status.path("draining").asBoolean() ? ", DRAINING (stopping)" : "");
            System.out.printf("%d endpoints, %d ENIs, %d active flows, %d frames dropped%n", status.path("endpoints").asInt(),
                status.path("enis").asInt(), status.path("flowsActive").asLong(), status.path("drops").asLong());
            System.out.printf("configuration: %d reloads, %d refused%n", status.path("configReloads").asLong(),
                status.path("configReloadFailures").asLong());
            System.out.printf("%-12s %-9s %-12s %-12s %16s %16s%n", "PORT", "ROLE", "ZONE", "INTERFACE", "RX PACKETS", "TX PACKETS");
            for (final JsonNode port : status.path("ports"))
            {
                System.out.printf("%-12s %-9s %-12s %-12s %,16d %,16d%n", port.path("name").asText(), port.path("role").asText(),
                    port.path("availabilityZone").asText("-"), port.path("interface").asText(), port.path("rxPackets").asLong(),
                    port.path("txPackets").asLong());
            }
        }
    }

    @Command(name = "endpoints", description = "The endpoints in force (file and API), with their ENIs.")
    static final class Endpoints extends Query
    {
        @Override
        String path()
        {
            return "/v1/endpoints";
        }

        @Override
        void print(final JsonNode endpoints)
        {
            System.out.printf("%-24s %-16s %-12s %-8s %-25s %s%n", "ENDPOINT", "ENI ADDRESS", "ZONE", "PORT", "ENI", "SERVICE");
            for (final JsonNode endpoint : endpoints)
            {
                for (final JsonNode eni : endpoint.path("enis"))
                {
                    System.out.printf("%-24s %-16s %-12s %-8s %-25s %s%n", endpoint.path("id").asText(), eni.path("address").asText(),
                        eni.path("availabilityZone").asText(), eni.path("port").asText(), eni.path("id").asText(),
                        endpoint.path("serviceName").asText());
                }
            }
        }
    }

    @Command(name = "flows", description = "The active flows with the most bytes (both directions), largest first.")
    static final class Flows extends Query
    {
        @Option(names = "--top", defaultValue = "20", description = "How many (1-10000, default: ${DEFAULT-VALUE}).")
        int top;

        @Override
        String path()
        {
            return "/v1/flows?top=" + top;
        }

        @Override
        void print(final JsonNode flows)
        {
            System.out.printf("%-21s %-21s %-24s %-21s %-12s %14s %14s%n", "CLIENT", "ENI", "ENDPOINT", "TARGET", "STATE", "BYTES IN",
                "BYTES OUT");
            for (final JsonNode flow : flows)
            {
                System.out.printf("%-21s %-21s %-24s %-21s %-12s %,14d %,14d%n", flow.path("client").asText(), flow.path("eni").asText(),
                    flow.path("endpoint").asText(), flow.path("target").asText(), flow.path("state").asText(),
                    flow.path("bytesIn").asLong(), flow.path("bytesOut").asLong());
            }
        }
    }

    /** {@code vpce stats --by port|az|endpoint}: one table from /v1/stats. */
    static int printStats(final ApiClient client, final String by)
    {
        final String section = switch (by)
        {
            case "port" -> "ports";
            case "az" -> "availabilityZones";
            case "endpoint" -> "endpoints";
            default -> null;
        };
        if (section == null)
        {
            System.err.println("vpce: --by port, az or endpoint");
            return 2;
        }
        final Query query = new Query()
        {
            @Override
            String path()
            {
                return "/v1/stats";
            }

            @Override
            void print(final JsonNode stats)
            {
                final Iterator<Map.Entry<String, JsonNode>> rows = stats.path(section).fields();
                while (rows.hasNext())
                {
                    final Map.Entry<String, JsonNode> row = rows.next();
                    System.out.println(row.getKey());
                    final Iterator<Map.Entry<String, JsonNode>> values = row.getValue().fields();
                    while (values.hasNext())
                    {
                        final Map.Entry<String, JsonNode> value = values.next();
                        System.out.printf("  %-36s %,20d%n", value.getKey(), value.getValue().asLong());
                    }
                }
            }
        };
        query.client = client;
        return query.call();
    }
}
