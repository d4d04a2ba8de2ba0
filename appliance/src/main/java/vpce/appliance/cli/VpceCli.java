package vpce.appliance.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import vpce.appliance.StartupWarmUp;

import java.nio.file.Path;

/**
 * The `vpce` command line. The launcher script (bin/vpce) runs this class with the JVM flags
 * the datapath needs. Exit codes: 0 success, 1 runtime failure, 2 bad usage or configuration.
 */
@Command(
    name = "vpce",
    mixinStandardHelpOptions = true,
    version = "vpce 0.1.0",
    description = "Userspace interface VPC endpoint appliance.",
    subcommands = {RunCommand.class, ConfigCommand.class, StatsCommand.class, ExplainCommand.class, LabCommand.class,
        OperatorCommands.Status.class, OperatorCommands.Endpoints.class, OperatorCommands.Flows.class})
public final class VpceCli
{
    public static void main(final String[] args)
    {
        final Path runConfig = plainRunConfig(args);
        if (runConfig != null)
        {
            // Before anything else (RunCommand's logger sets up logging): see StartupWarmUp.
            StartupWarmUp.start();
            System.exit(RunCommand.runPlain(runConfig));
        }
        System.exit(execute(args));
    }

    /**
     * The configuration file when the arguments are exactly {@code run --config FILE} (or
     * {@code --config=FILE}), which is how the lab and a service manager start the appliance; null
     * for anything else, which picocli parses. Picocli builds its model of every command by
     * reflection, and its classes (Java 5 bytecode) can be neither AOT-linked nor verified
     * quickly: some 0.3 s of CPU on every start, and a restart's outage is its start-up.
     */
    static Path plainRunConfig(final String[] args)
    {
        if (args.length == 3 && "run".equals(args[0]) && "--config".equals(args[1]) && !args[2].startsWith("-"))
        {
            return Path.of(args[2]);
        }
        if (args.length == 2 && "run".equals(args[0]) && args[1].startsWith("--config=") && args[1].length() > 9)
        {
            return Path.of(args[1].substring(9));
        }
        return null;
    }

    public static int execute(final String... args)
    {
        final CommandLine commandLine = new CommandLine(new VpceCli());
        commandLine.setExecutionExceptionHandler((ex, cmd, parseResult) ->
        {
            cmd.getErr().println("vpce: " + ex.getMessage());
            return 1;
        });
        return commandLine.execute(args);
    }
}
