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

@Command(name = "stats", description = "Print the counters of a running (or stopped) appliance.")
final class StatsCommand implements Callable<Integer>
{
    @Option(names = "--state-dir", paramLabel = "DIR", description = "The appliance's stateDirectory.")
    private Path stateDirectory;

    @Option(names = "--config", paramLabel = "FILE", description = "Read stateDirectory from this configuration file.")
    private Path config;

    @Option(names = "--all", description = "Also print counters that are zero.")
    private boolean all;

    @Override
    public Integer call() throws IOException
    {
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
