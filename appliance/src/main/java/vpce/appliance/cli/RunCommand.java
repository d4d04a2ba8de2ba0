package vpce.appliance.cli;

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
import sun.misc.SignalHandler;
import vpce.appliance.daemon.SystemdNotifier;
import vpce.appliance.daemon.Watchdog;

import java.io.IOException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

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

    private void reload(final Appliance appliance, final SystemdNotifier notifier)
    {
        notifier.reloading("reloading " + config);
        final String refused = appliance.reload(config);
        if (refused != null)
        {
            LOG.warn("reload of {} refused, the running configuration stays: {}", config, refused);
            notifier.reloaded("forwarding; the last reload was refused: " + refused);
        }
        else
        {
            notifier.reloaded("forwarding; configuration reloaded from " + config);
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
        // SIGTERM and SIGINT are ours, not the JVM's (whose shutdown hooks would race the drain and make the exit
        // status 143): the first starts the stop below, which ends with exit 0. Later ones change nothing: a terminal's
        // Ctrl-C reaches both the launcher and its java child, and the launcher passes it on too.
        final CountDownLatch stop = new CountDownLatch(1);
        final SignalHandler onStop = signal ->
        {
            LOG.info(stop.getCount() == 0 ? "SIG{}: already stopping" : "SIG{}: stopping", signal.getName());
            stop.countDown();
        };
        Signal.handle(new Signal("TERM"), onStop);
        Signal.handle(new Signal("INT"), onStop);
        // A SIGHUP during start-up must not kill the JVM (the default action): ignored until ready.
        Signal.handle(new Signal("HUP"), signal -> LOG.warn("SIGHUP ignored: the appliance is starting"));
        try (SystemdNotifier notifier = SystemdNotifier.fromEnvironment())
        {
            notifier.status("starting: opening ports");
            try (Appliance appliance = Appliance.start(model);
                ExecutorService control = Executors.newSingleThreadExecutor(runnable -> new Thread(runnable, "vpce-control")))
            {
                // Only now: every port is open, the datapath runs and the management API listens.
                notifier.ready("forwarding on " + model.ports().size() + " ports");
                final Watchdog watchdog = notifier.watchdogIntervalNs() > 0 ?
                    new Watchdog(appliance.watchedAgents(), notifier::watchdog).start(notifier.watchdogIntervalNs() / 2) : null;
                // SIGHUP: reread the file. One control thread applies reloads in order: the single
                // writer of the published snapshot.
                Signal.handle(new Signal("HUP"), signal ->
                {
                    try
                    {
                        control.execute(() -> reload(appliance, notifier));
                    }
                    catch (final RejectedExecutionException ex)
                    {
                        LOG.warn("SIGHUP ignored: the appliance is stopping");
                    }
                });
                stop.await();
                notifier.stopping("draining");
                Signal.handle(new Signal("HUP"), signal -> LOG.warn("SIGHUP ignored: the appliance is stopping"));
                control.shutdown();
                // Pings go on while draining (the agents still work); systemd's TimeoutStopSec bounds the stop.
                appliance.drain();
                if (watchdog != null)
                {
                    watchdog.close();
                }
                notifier.status("stopping: closing ports and the flow journal");
            }
            LOG.info("stopped");
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
