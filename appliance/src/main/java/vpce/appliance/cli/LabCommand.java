package vpce.appliance.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Mixin;
import vpce.appliance.lab.Lab;
import vpce.appliance.lab.LabEndpoints;
import vpce.appliance.lab.LabMode;
import vpce.appliance.lab.LabPlan;
import vpce.appliance.lab.LabPorts;
import vpce.appliance.lab.LabStatus;

import java.nio.file.Path;
import java.util.concurrent.Callable;

@Command(
    name = "lab",
    description = "A lab of network namespaces standing in for NICs, a consumer VPC and a provider service.",
    subcommands = {LabCommand.Up.class, LabCommand.Down.class, LabCommand.Status.class})
final class LabCommand
{
    static final Path DEFAULT_RUN_DIRECTORY = LabPlan.DEFAULT_RUN_DIRECTORY;

    /** Which lab: every subcommand takes these, after its own name (`vpce lab up --name x`). */
    static final class Which
    {
        @Option(names = "--name", defaultValue = LabPlan.DEFAULT_NAME, description = "Lab name, the namespace prefix (default: ${DEFAULT-VALUE}).")
        String name;

        @Option(names = "--dir", defaultValue = "/run/vpce-lab", description = "Run directory with lab.json (default: ${DEFAULT-VALUE}).")
        Path runDirectory;
    }

    @Command(name = "up", description = "Build the lab (tearing down a previous one of the same name) and start the appliance in it.")
    static final class Up implements Callable<Integer>
    {
        @Mixin
        private Which lab;

        @Option(names = "--mode", defaultValue = "appliance", description = "appliance, or kernel for the Linux reference (default: ${DEFAULT-VALUE}).")
        private String mode;

        @Option(names = "--ports", defaultValue = "afpacket",
            description = "The appliance's ports: afpacket (veth pairs) or tap (TAP devices it creates as the hosts' NICs) (default: ${DEFAULT-VALUE}).")
        private String ports;

        @Option(names = "--endpoints", defaultValue = "config",
            description = "config: the configuration declares the VPC and endpoint; api: it declares none, the management API makes them (default: ${DEFAULT-VALUE}).")
        private String endpoints;

        @Override
        public Integer call() throws Exception
        {
            final LabMode labMode;
            final LabPorts labPorts;
            final LabEndpoints labEndpoints;
            try
            {
                labMode = LabMode.parse(mode);
                labPorts = LabPorts.parse(ports);
                labEndpoints = LabEndpoints.parse(endpoints);
            }
            catch (final IllegalArgumentException ex)
            {
                System.err.println("vpce: " + ex.getMessage());
                return 2;
            }
            final LabPlan plan = LabPlan.defaults(lab.name, lab.runDirectory).withPorts(labPorts).withEndpoints(labEndpoints);
            // The lab outlives this command: it is left running, not closed.
            final Lab running = Lab.up(plan, labMode);
            final var c1 = plan.consumers().get(0);
            final var c2 = plan.consumers().get(1);
            System.out.println("lab " + plan.name() + " is up (" + labMode.label() +
                (labMode == LabMode.APPLIANCE ? ", " + labPorts.label() + " ports, endpoints from " + labEndpoints.label() : "") +
                "); description: " + plan.runDirectory().resolve("lab.json"));
            if (running.appliancePid().isPresent())
            {
                System.out.println("appliance pid " + running.appliancePid().getAsLong() + ", log " +
                    plan.runDirectory().resolve("appliance.log"));
            }
            System.out.println();
            System.out.println("Try:");
            if (labMode == LabMode.APPLIANCE)
            {
                // The lab's own key, for a lab on this host only; lab.json has it too.
                System.out.println("  export AWS_ACCESS_KEY_ID=" + plan.credentials().accessKeyId() + " AWS_SECRET_ACCESS_KEY=" +
                    plan.credentials().secretAccessKey() + " AWS_DEFAULT_REGION=" + plan.region());
                System.out.println("  ip netns exec " + plan.appNamespace() + " aws ec2 describe-vpc-endpoint-services --endpoint-url http://" +
                    vpce.appliance.lab.LabFiles.MANAGEMENT_API_LISTEN);
            }
            if (labEndpoints == LabEndpoints.API)
            {
                System.out.println("  (no endpoint yet: create a VPC, subnets " + c1.subnetCidr() + " in " + c1.availabilityZone() +
                    " and " + c2.subnetCidr() + " in " + c2.availabilityZone() + ", a security group and an endpoint; see README)");
                System.out.println("  ./vpce lab down");
                return 0;
            }
            System.out.println("  ip netns exec " + c1.namespace() + " iperf3 -c " + c1.eniAddress() + " -t 5      # AZ " + c1.availabilityZone() + " client -> ENI -> service");
            System.out.println("  ip netns exec " + c2.namespace() + " iperf3 -c " + c2.eniAddress() + " -t 5      # AZ " + c2.availabilityZone());
            System.out.println("  ip netns exec " + c1.namespace() + " curl -s http://" + c1.eniAddress() + "/");
            System.out.println("  ./vpce stats --config " + plan.runDirectory().resolve("vpce.yaml"));
            System.out.println("  ./vpce lab down");
            return 0;
        }
    }

    @Command(name = "down", description = "Stop the lab's processes and remove its namespaces (safe to repeat).")
    static final class Down implements Callable<Integer>
    {
        @Mixin
        private Which lab;

        @Override
        public Integer call() throws Exception
        {
            Lab.down(lab.name, lab.runDirectory);
            System.out.println("lab " + lab.name + " is down");
            return 0;
        }
    }

    @Command(name = "status", description = "Show the lab's namespaces and processes.")
    static final class Status implements Callable<Integer>
    {
        @Mixin
        private Which lab;

        @Override
        public Integer call() throws Exception
        {
            final LabStatus status = Lab.status(lab.name, lab.runDirectory);
            System.out.println("lab " + status.name() + " (" + status.runDirectory() + "): " +
                (status.up() ? "up" : status.down() ? "down" : "partly up") +
                (status.mode() == null ? "" : ", mode " + status.mode().label()));
            status.namespaces().forEach(ns -> System.out.println("  namespace " + ns.name() + (ns.present() ? "" : " (missing)")));
            status.processes().forEach(p -> System.out.println("  " + p.role() + " pid " + p.pid() + (p.alive() ? "" : " (not running)")));
            return status.up() ? 0 : 3;
        }
    }
}
