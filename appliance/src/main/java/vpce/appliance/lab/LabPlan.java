package vpce.appliance.lab;

import java.io.File;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.security.CodeSource;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Everything a lab is made of: namespace names, interface names, addresses, the endpoint service and
 * how to launch the appliance. One immutable value so that tests, the perf harness and the CLI all
 * read the same names and addresses rather than repeating literals.
 *
 * <pre>
 *   name-c1                 name-app                         name-svc
 *   eth0 10.0.1.10/24 --- az1  (ENI 10.0.1.20, us-east-1a)
 *                              prov (10.100.0.1) ---------- eth0 10.100.0.10/24
 *   name-c2                                                  iperf3 -s :5201, http :8080
 *   eth0 10.0.2.10/24 --- az2  (ENI 10.0.2.20, us-east-1b)
 * </pre>
 *
 * @param name             lab name, the prefix of every namespace; lower-case letters, digits and
 *                         '-', at most 24 characters.
 * @param runDirectory     where the lab keeps its files: lab.json, vpce.yaml, pid files, logs, www.
 * @param region           region written into the appliance configuration.
 * @param appNamespace     the appliance's namespace, {@code <name>-app}.
 * @param vpc              the consumer VPC.
 * @param consumers        one client namespace per availability zone.
 * @param service          the provider service namespace and its listeners.
 * @param endpoint         the interface endpoint that connects the VPC to the service.
 * @param launch           how the appliance process is started in {@link LabMode#APPLIANCE}.
 * @param txQueueLength    txqueuelen of every lab veth.
 * @param mtu              MTU of every lab veth.
 * @param ports            what the appliance's ports are.
 * @param endpoints        whether the file declares the VPC and endpoint, or the management API makes them.
 * @param credentials      the management API's access key for this lab (allowed every EC2 action).
 */
public record LabPlan(
    String name,
    Path runDirectory,
    String region,
    String appNamespace,
    Vpc vpc,
    List<Consumer> consumers,
    Service service,
    Endpoint endpoint,
    ApplianceLaunch launch,
    int txQueueLength,
    int mtu,
    LabPorts ports,
    LabEndpoints endpoints,
    ApiCredentials credentials)
{
    /** Lab name used by {@code vpce lab up} without options. */
    public static final String DEFAULT_NAME = "vpce";

    /** Run directory used by {@code vpce lab up} without options. */
    public static final Path DEFAULT_RUN_DIRECTORY = Path.of("/run/vpce-lab");

    /**
     * JVM flags the appliance process needs: FFM (AF_PACKET via the foreign function API) without
     * warnings, Agrona's access to jdk.internal.misc, and a throughput collector since the datapath
     * allocates nothing after start-up. JIT thresholds ×10: on two cores the compiler threads
     * took half the CPU of a start (code that runs once, compiled), and a restart's outage is its
     * start-up; the datapath's loops still reach C2 within a fraction of a second of traffic.
     */
    public static final List<String> APPLIANCE_JVM_FLAGS = List.of(
        "--enable-native-access=ALL-UNNAMED",
        "--add-exports=java.base/jdk.internal.misc=ALL-UNNAMED",
        // Chronicle Map, the flow journal:
        "--add-opens=java.base/java.lang=ALL-UNNAMED",
        "--add-opens=java.base/java.lang.reflect=ALL-UNNAMED",
        "--add-exports=java.base/sun.nio.ch=ALL-UNNAMED",
        "--add-exports=jdk.compiler/com.sun.tools.javac.file=ALL-UNNAMED",
        "-Dchronicle.analytics.disable=true",
        "-XX:+UseParallelGC",
        "-XX:CompileThresholdScaling=10");

    /** Main class of the appliance command line. */
    public static final String APPLIANCE_MAIN_CLASS = "vpce.appliance.cli.VpceCli";

    /** Body of the service's index.html, so that a test can recognise a response end to end. */
    public static final String HTTP_BODY = "vpce lab service\n";

    private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9-]{0,23}");

    public LabPlan
    {
        Objects.requireNonNull(name, "name");
        if (!NAME.matcher(name).matches())
        {
            throw new IllegalArgumentException(
                "lab name must match " + NAME.pattern() + " (it prefixes namespace names): " + name);
        }
        Objects.requireNonNull(runDirectory, "runDirectory");
        runDirectory = runDirectory.toAbsolutePath().normalize();
        consumers = List.copyOf(consumers);
        Objects.requireNonNull(ports, "ports");
        Objects.requireNonNull(endpoints, "endpoints");
        Objects.requireNonNull(credentials, "credentials");
        if (consumers.isEmpty())
        {
            throw new IllegalArgumentException("a lab needs at least one consumer");
        }
    }

    /**
     * The default topology for a lab name and run directory.
     *
     * @param name         lab name, the namespace prefix.
     * @param runDirectory the lab's run directory.
     * @return the plan.
     */
    public static LabPlan defaults(final String name, final Path runDirectory)
    {
        final String region = "us-east-1";
        final Vpc vpc = new Vpc("vpc-0a11ce0000000001", "10.0.0.0/16");
        final List<Consumer> consumers = List.of(
            new Consumer(
                region + "a", name + "-c1", "az1", "eth0",
                "10.0.1.10", 24, "10.0.1.0/24", "subnet-0a11ce00000000a1", "10.0.1.20"),
            new Consumer(
                region + "b", name + "-c2", "az2", "eth0",
                "10.0.2.10", 24, "10.0.2.0/24", "subnet-0a11ce00000000b1", "10.0.2.20"));
        final String serviceName = "com.amazonaws.vpce." + region + ".vpce-svc-0a11ce0000000001";
        final Service service = new Service(
            name + "-svc", "eth0", "prov", "10.100.0.10", "10.100.0.1", 24, serviceName,
            List.of(new Listener(5201, 5201, "iperf3"), new Listener(80, 8080, "http")));
        final Endpoint endpoint = new Endpoint("vpce-0a11ce0000000001", serviceName, vpc.id());

        return new LabPlan(
            name, runDirectory, region, name + "-app", vpc, consumers, service, endpoint,
            ApplianceLaunch.current(), 1000, 1500, LabPorts.AFPACKET, LabEndpoints.CONFIG, ApiCredentials.generate());
    }

    /**
     * A copy with a different appliance launch, e.g. a classpath of target/appliance.jar + lib/*.
     *
     * @param launch how to start the appliance.
     * @return the new plan.
     */
    public LabPlan withLaunch(final ApplianceLaunch launch)
    {
        return new LabPlan(
            name, runDirectory, region, appNamespace, vpc, consumers, service, endpoint, launch,
            txQueueLength, mtu, ports, endpoints, credentials);
    }

    /**
     * A copy whose appliance ports are of another kind.
     *
     * @param ports veth + AF_PACKET, or TAP devices created in the host namespaces.
     * @return the new plan.
     */
    public LabPlan withPorts(final LabPorts ports)
    {
        return new LabPlan(
            name, runDirectory, region, appNamespace, vpc, consumers, service, endpoint, launch,
            txQueueLength, mtu, ports, endpoints, credentials);
    }

    /**
     * A copy whose VPC and endpoint come from elsewhere.
     *
     * @param endpoints the configuration file, or the management API (which then starts with none).
     * @return the new plan.
     */
    public LabPlan withEndpoints(final LabEndpoints endpoints)
    {
        return new LabPlan(
            name, runDirectory, region, appNamespace, vpc, consumers, service, endpoint, launch,
            txQueueLength, mtu, ports, endpoints, credentials);
    }

    /**
     * @return every namespace of the lab: app, consumers, service.
     */
    public List<String> namespaces()
    {
        return namespaces(name, consumers.size());
    }

    /**
     * Names of the namespaces a lab of this name owns, for {@link Lab#down(String, Path)} which has
     * no plan: app, c1..cN, svc.
     *
     * @param name          lab name.
     * @param consumerCount how many consumer namespaces.
     * @return namespace names.
     */
    static List<String> namespaces(final String name, final int consumerCount)
    {
        final List<String> names = new ArrayList<>();
        names.add(name + "-app");
        for (int i = 1; i <= consumerCount; i++)
        {
            names.add(name + "-c" + i);
        }
        names.add(name + "-svc");
        return names;
    }

    /**
     * @param availabilityZone e.g. us-east-1a.
     * @return the consumer in that zone.
     */
    public Consumer consumer(final String availabilityZone)
    {
        for (final Consumer consumer : consumers)
        {
            if (consumer.availabilityZone().equals(availabilityZone))
            {
                return consumer;
            }
        }

        throw new IllegalArgumentException("no consumer in availability zone " + availabilityZone);
    }

    /**
     * @return the listener whose target is iperf3.
     */
    public Listener iperf3Listener()
    {
        return service.listener("iperf3");
    }

    /**
     * @return the listener whose target is the HTTP server.
     */
    public Listener httpListener()
    {
        return service.listener("http");
    }

    public Path labFile()
    {
        return runDirectory.resolve("lab.json");
    }

    public Path configFile()
    {
        return runDirectory.resolve("vpce.yaml");
    }

    public Path stateDirectory()
    {
        return runDirectory.resolve("state");
    }

    /** The appliance creates this file once its ports are open. */
    public Path readyFile()
    {
        return stateDirectory().resolve("ready");
    }

    /** VPC Flow Logs of the lab's appliance (off until enabled for a subnet or endpoint). */
    public Path flowLogFile()
    {
        return runDirectory.resolve("flow-logs.log");
    }

    public Path applianceLog()
    {
        return runDirectory.resolve("appliance.log");
    }

    public Path wwwDirectory()
    {
        return runDirectory.resolve("www");
    }

    /**
     * The management API's access key of a lab, allowed every EC2 action; published in lab.json.
     *
     * @param accessKeyId     {@code AKIA} and 16 characters, as AWS spells them.
     * @param secretAccessKey 40 characters.
     */
    public record ApiCredentials(String accessKeyId, String secretAccessKey)
    {
        private static final String KEY_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
        private static final String SECRET_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

        /** @return a fresh random key: a lab's credentials are its own. */
        public static ApiCredentials generate()
        {
            final java.security.SecureRandom random = new java.security.SecureRandom();
            final StringBuilder id = new StringBuilder("AKIA");
            for (int i = 0; i < 16; i++)
            {
                id.append(KEY_ALPHABET.charAt(random.nextInt(KEY_ALPHABET.length())));
            }
            final StringBuilder secret = new StringBuilder();
            for (int i = 0; i < 40; i++)
            {
                secret.append(SECRET_ALPHABET.charAt(random.nextInt(SECRET_ALPHABET.length())));
            }
            return new ApiCredentials(id.toString(), secret.toString());
        }

        @Override
        public String toString()
        {
            return "ApiCredentials[accessKeyId=" + accessKeyId + ", secretAccessKey=***]";
        }
    }

    /**
     * The consumer VPC.
     *
     * @param id   VPC id.
     * @param cidr VPC CIDR; the service namespace routes it via the provider-side address.
     */
    public record Vpc(String id, String cidr)
    {
        /** @return the VPC's resolver address, its base + 2 (as AmazonProvidedDNS). */
        public String resolverAddress()
        {
            final vpce.appliance.config.Ipv4.Cidr block = vpce.appliance.config.Ipv4.Cidr.parse(cidr);
            final int mask = block.prefixLength() == 0 ? 0 : -1 << (32 - block.prefixLength());
            return vpce.appliance.config.Ipv4.format((block.address() & mask) + 2);
        }
    }

    /**
     * One client namespace, standing in for an instance in one availability zone's subnet.
     *
     * @param availabilityZone e.g. us-east-1a.
     * @param namespace        the client namespace, {@code <name>-c1}.
     * @param portName         the appliance's consumer port facing it, e.g. az1.
     * @param clientInterface  the client's interface, the veth peer of the port.
     * @param clientAddress    the client's address.
     * @param prefixLength     subnet prefix length.
     * @param subnetCidr       subnet CIDR.
     * @param subnetId         subnet id.
     * @param eniAddress       the endpoint network interface address in this subnet.
     */
    public record Consumer(
        String availabilityZone,
        String namespace,
        String portName,
        String clientInterface,
        String clientAddress,
        int prefixLength,
        String subnetCidr,
        String subnetId,
        String eniAddress)
    {
    }

    /**
     * The provider: one target namespace running iperf3 and an HTTP server.
     *
     * @param namespace        the service namespace, {@code <name>-svc}.
     * @param serviceInterface the service's interface, the veth peer of the provider port.
     * @param portName         the appliance's provider port, prov.
     * @param address          the target address.
     * @param providerAddress  the appliance's provider-side (source NAT) address.
     * @param prefixLength     prefix length of the provider link.
     * @param serviceName      endpoint service name.
     * @param listeners        listener port to target port.
     */
    public record Service(
        String namespace,
        String serviceInterface,
        String portName,
        String address,
        String providerAddress,
        int prefixLength,
        String serviceName,
        List<Listener> listeners)
    {
        public Service
        {
            listeners = List.copyOf(listeners);
        }

        /**
         * @param application "iperf3" or "http".
         * @return the listener of that application.
         */
        public Listener listener(final String application)
        {
            for (final Listener listener : listeners)
            {
                if (listener.application().equals(application))
                {
                    return listener;
                }
            }

            throw new IllegalArgumentException("no listener for " + application);
        }
    }

    /**
     * One endpoint service listener.
     *
     * @param port        port on the ENI address.
     * @param targetPort  port on the target.
     * @param application what answers on the target: "iperf3" or "http".
     */
    public record Listener(int port, int targetPort, String application)
    {
    }

    /**
     * The interface endpoint.
     *
     * @param id          endpoint id.
     * @param serviceName service it connects to.
     * @param vpcId       VPC it lives in.
     */
    public record Endpoint(String id, String serviceName, String vpcId)
    {
    }

    /**
     * How the appliance process is launched inside the appliance namespace.
     *
     * @param javaCommand  the java executable.
     * @param jvmFlags     flags before -cp.
     * @param classpath    classpath holding {@link #APPLIANCE_MAIN_CLASS} and its dependencies.
     * @param mainClass    main class.
     * @param readyTimeout how long to wait for the appliance's ready file.
     * @param aotCache     the JVM's AOT cache for this java, flags and classpath, or null for none.
     *                     Used when the file exists; when it does not, {@link Lab} first starts the
     *                     appliance as a training run that writes it (once per build).
     */
    public record ApplianceLaunch(
        String javaCommand,
        List<String> jvmFlags,
        String classpath,
        String mainClass,
        Duration readyTimeout,
        Path aotCache)
    {
        public ApplianceLaunch
        {
            jvmFlags = List.copyOf(jvmFlags);
        }

        /** A launch without an AOT cache (e.g. a stand-in appliance). */
        public ApplianceLaunch(
            final String javaCommand,
            final List<String> jvmFlags,
            final String classpath,
            final String mainClass,
            final Duration readyTimeout)
        {
            this(javaCommand, jvmFlags, classpath, mainClass, readyTimeout, null);
        }

        /**
         * Launch with this JVM's java and classpath: works from the vpce launcher (appliance.jar +
         * lib/*) and from surefire (whose manifest-only booter jar names the test classpath). Jars
         * come first (directories such as test classes after them) so that the appliance's JVM can
         * use an AOT cache of them; see {@link AotCache}.
         *
         * @return the launch.
         */
        public static ApplianceLaunch current()
        {
            final String javaCommand = ProcessHandle.current().info().command()
                .orElseGet(() -> Path.of(System.getProperty("java.home"), "bin", "java").toString());
            final String classpath = jarsFirst(System.getProperty("java.class.path"));

            return new ApplianceLaunch(
                javaCommand,
                APPLIANCE_JVM_FLAGS,
                classpath,
                APPLIANCE_MAIN_CLASS,
                Duration.ofSeconds(30),
                AotCache.forLaunch(javaCommand, APPLIANCE_JVM_FLAGS, classpath, applianceJar()));
        }

        static String jarsFirst(final String classpath)
        {
            final List<String> jars = new ArrayList<>();
            final List<String> others = new ArrayList<>();
            for (final String entry : classpath.split(File.pathSeparator))
            {
                if (!entry.isEmpty())
                {
                    (entry.endsWith(".jar") ? jars : others).add(entry);
                }
            }
            jars.addAll(others);
            return String.join(File.pathSeparator, jars);
        }

        /** @return the jar this class was loaded from, or null (a classes directory). */
        private static Path applianceJar()
        {
            try
            {
                final CodeSource source = LabPlan.class.getProtectionDomain().getCodeSource();
                final Path location = source == null ? null : Path.of(source.getLocation().toURI());
                return location != null && location.toString().endsWith(".jar") ? location : null;
            }
            catch (final URISyntaxException | RuntimeException ex)
            {
                return null;
            }
        }
    }
}
