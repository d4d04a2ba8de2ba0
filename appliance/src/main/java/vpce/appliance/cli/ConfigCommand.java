package vpce.appliance.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import vpce.appliance.config.ApplianceModel;
import vpce.appliance.config.ConfigException;
import vpce.appliance.config.ConfigLoader;
import vpce.appliance.config.Ipv4;

import java.nio.file.Path;
import java.util.concurrent.Callable;

@Command(name = "check-config", description = "Validate a configuration file and print what it declares.")
final class ConfigCommand implements Callable<Integer>
{
    @Parameters(paramLabel = "FILE", description = "The YAML configuration file.")
    private Path config;

    @Override
    public Integer call()
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
        System.out.println(config + ": valid");
        model.ports().forEach(p -> System.out.println("  port " + p.name() + " " + p.type().name().toLowerCase() +
            " " + p.role().name().toLowerCase() + (p.availabilityZone() == null ? " " + p.addresses() : " " + p.availabilityZone())));
        model.endpoints().forEach(e -> e.enis().forEach(eni -> System.out.println("  endpoint " + e.id() + " " +
            e.serviceName() + " ENI " + eni.id(e.id()) + " " + Ipv4.format(eni.address()) + " " + eni.availabilityZone() +
            " on " + eni.portName() + " groups " + e.securityGroupIds())));
        return 0;
    }
}
