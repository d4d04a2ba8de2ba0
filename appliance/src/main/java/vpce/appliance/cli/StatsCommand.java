package vpce.appliance.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import vpce.appliance.config.ConfigException;
import vpce.appliance.config.ConfigLoader;
import vpce.appliance.stats.CountersFile;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "stats", description = "Print the counters of a running (or stopped) appliance; --by: per port, zone or endpoint.")
final class StatsCommand implements Callable<Integer>
{
    @Option(names = "--state-dir", paramLabel = "DIR", description = "The appliance's stateDirectory.")
    private Path stateDirectory;

    @Option(names = "--config", paramLabel = "FILE", description = "Read stateDirectory from this configuration file.")
    private Path config;

    @Option(names = "--all", description = "Also print counters that are zero.")
    private boolean all;

    @Option(names = "--by", paramLabel = "port|az|endpoint",
        description = "Ask the running appliance's API for the counters per port, per Availability Zone, or per endpoint (its active flows).")
    private String by;

    @Option(names = "--api", paramLabel = "HOST:PORT", description = "With --by: the management API (default: from the configuration).")
    private String api;

    @Override
    public Integer call() throws IOException
    {
        if (by != null)
        {
            final ApiClient client = new ApiClient();
            client.api = api;
            client.config = config;
            return OperatorCommands.printStats(client, by);
        }
        Path directory = stateDirectory;
        if (directory == null)
        {
            final Path file = config != null ? config : LabCommand.DEFAULT_RUN_DIRECTORY.resolve("vpce.yaml");
            try
            {
                directory = ConfigLoader.load(file).stateDirectory();
            }
            catch (final ConfigException ex)
            {
                System.err.println("vpce: " + ex.getMessage());
                return 2;
            }
        }
        try (CountersFile counters = CountersFile.open(directory))
        {
            for (final Map.Entry<String, Long> entry : counters.snapshot().entrySet())
            {
                if (all || entry.getValue() != 0)
                {
                    System.out.printf("%-40s %,20d%n", entry.getKey(), entry.getValue());
                }
            }
        }
        return 0;
    }
}
