package vpce.appliance.cli;

import org.agrona.concurrent.ShutdownSignalBarrier;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import vpce.appliance.Appliance;
import vpce.appliance.config.ApplianceModel;
import vpce.appliance.config.ConfigException;
import vpce.appliance.config.ConfigLoader;
import vpce.appliance.io.PortException;

import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.Callable;

@Command(name = "run", description = "Run the appliance in the foreground until SIGTERM or SIGINT.")
final class RunCommand implements Callable<Integer>
{
    @Option(names = "--config", required = true, paramLabel = "FILE", description = "The YAML configuration file.")
    private Path config;

    @Override
    public Integer call() throws Exception
    {
        final ApplianceModel model;
        try
        {
            model = ConfigLoader.load(config);
        }
        catch (final ConfigException ex)
        {
            System.err.println("vpce: bad configuration: " + ex.getMessage());
            return 2;
        }
        // Closed last: Agrona's shutdown hook waits for the barrier's close, so SIGTERM returns
        // from await(), the appliance stops, and only then may the JVM exit.
        try (ShutdownSignalBarrier barrier = new ShutdownSignalBarrier();
            Appliance ignored = Appliance.start(model))
        {
            barrier.await();
        }
        catch (final PortException ex)
        {
            System.err.println("vpce: cannot open port: " + ex.getMessage());
            return 1;
        }
        catch (final IOException ex)
        {
            System.err.println("vpce: cannot start: " + ex.getMessage());
            return 1;
        }
        return 0;
    }
}
