package vpce.appliance.cli;

import org.agrona.concurrent.ShutdownSignalBarrier;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import vpce.appliance.Appliance;
import vpce.appliance.StartupClock;
import vpce.appliance.config.ApplianceModel;
import vpce.appliance.config.ConfigException;
import vpce.appliance.config.ConfigLoader;
import vpce.appliance.io.PortException;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sun.misc.Signal;

import java.io.IOException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.nio.file.Path;
import java.util.concurrent.Callable;

@Command(name = "run", description = "Run the appliance in the foreground until SIGTERM or SIGINT; SIGHUP rereads the file.")
final class RunCommand implements Callable<Integer>
{
    private static final Logger LOG = LoggerFactory.getLogger(RunCommand.class);

    @Option(names = "--config", required = true, paramLabel = "FILE", description = "The YAML configuration file.")
    private Path config;

    /** {@code run --config FILE} without picocli; errors end as picocli's handler ends them. */
    static int runPlain(final Path config)
    {
        final RunCommand command = new RunCommand();
        command.config = config;
        try
        {
            return command.call();
        }
        catch (final Exception ex)
        {
            System.err.println("vpce: " + ex.getMessage());
            return 1;
        }
    }

    private void reload(final Appliance appliance)
    {
        final String refused = appliance.reload(config);
        if (refused != null)
        {
            LOG.warn("reload of {} refused, the running configuration stays: {}", config, refused);
        }
    }

    @Override
    public Integer call() throws Exception
    {
        StartupClock.phase("main");
        final ApplianceModel model;
        try
        {
            model = ConfigLoader.load(config);
            StartupClock.phase("configuration loaded");
        }
        catch (final ConfigException ex)
        {
            System.err.println("vpce: bad configuration: " + ex.getMessage());
            return 2;
        }
        // Closed last: Agrona's shutdown hook waits for the barrier's close, so SIGTERM returns
        // from await(), the appliance stops, and only then may the JVM exit.
        // A SIGHUP during start-up must not kill the JVM (the default action): ignored until ready.
        Signal.handle(new Signal("HUP"), signal -> LOG.warn("SIGHUP ignored: the appliance is starting"));
        try (ShutdownSignalBarrier barrier = new ShutdownSignalBarrier();
            Appliance appliance = Appliance.start(model);
            ExecutorService control = Executors.newSingleThreadExecutor(runnable -> new Thread(runnable, "vpce-control")))
        {
            // SIGHUP: reread the file. One control thread applies reloads in order: the single
            // writer of the published snapshot.
            Signal.handle(new Signal("HUP"), signal ->
            {
                try
                {
                    control.execute(() -> reload(appliance));
                }
                catch (final RejectedExecutionException ex)
                {
                    LOG.warn("SIGHUP ignored: the appliance is stopping");
                }
            });
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
