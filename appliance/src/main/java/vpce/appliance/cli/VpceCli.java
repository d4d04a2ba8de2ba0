package vpce.appliance.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The `vpce` command line. The launcher script (bin/vpce) runs this class with the JVM flags
 * the datapath needs. Exit codes: 0 success, 1 runtime failure, 2 bad usage or configuration.
 */
@Command(
    name = "vpce",
    mixinStandardHelpOptions = true,
    version = "vpce 0.1.0",
    description = "Userspace interface VPC endpoint appliance.",
    subcommands = {RunCommand.class, ConfigCommand.class, StatsCommand.class, ExplainCommand.class, LabCommand.class})
public final class VpceCli
{
    public static void main(final String[] args)
    {
        System.exit(execute(args));
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
