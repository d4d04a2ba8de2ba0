package vpce.appliance.lab;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * A lab of network namespaces standing in for the appliance's NICs, a consumer VPC with one client
 * per availability zone, and a provider service (see {@link LabPlan} for the topology).
 *
 * <p>Network safety: every interface is a veth pair created inside lab namespaces
 * ({@code ip -n A link add X type veth peer name Y netns B}); nothing is created in the root
 * namespace, no namespace gets a route toward the host's interfaces, and {@link #down(String, Path)}
 * removes everything {@link #up(LabPlan, LabMode)} created, even after a failed up.
 *
 * <p>Processes the lab starts (iperf3 and HTTP servers in the service namespace, the appliance in
 * the appliance namespace) outlive the JVM that started them, so that {@code vpce lab up} can
 * return; their pids are kept in {@code <run dir>/pids/<role>.pid} for down and status.
 */
public final class Lab implements AutoCloseable
{
    /** Deadline of each setup command (ip, sysctl, nft). */
    public static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(10);

    /** How long the service's servers get to start listening. */
    public static final Duration SERVER_START_TIMEOUT = Duration.ofSeconds(15);

    /** How long a process gets between SIGTERM and SIGKILL at down. */
    public static final Duration STOP_GRACE = Duration.ofSeconds(5);

    /** How long an AOT training run gets to exit and write the cache (seconds on a busy 2-core machine). */
    static final Duration AOT_TRAINING_EXIT_TIMEOUT = Duration.ofSeconds(90);

    static final String IPERF3 = "iperf3";
    static final String HTTP = "http";

    private static final ObjectMapper JSON = new ObjectMapper();

    private final LabPlan plan;
    private final LabMode mode;
    private Long appliancePid;

    private Lab(final LabPlan plan, final LabMode mode, final Long appliancePid)
    {
        this.plan = plan;
        this.mode = mode;
        this.appliancePid = appliancePid;
    }

    /**
     * Bring a lab up, first tearing down whatever is left of a lab of the same name and run
     * directory. On any failure everything created so far is removed before the exception leaves.
     *
     * @param plan topology.
     * @param mode who forwards: the appliance or the kernel.
     * @return the running lab; close it to tear it down.
     * @throws LabException naming the failed step, with the command output or the appliance log.
     */
    public static Lab up(final LabPlan plan, final LabMode mode)
    {
        if (LabPorts.TAP == plan.ports() && LabMode.APPLIANCE != mode)
        {
            throw new LabException("TAP ports exist only while the appliance holds them: kernel mode needs afpacket ports");
        }
        if (LabEndpoints.API == plan.endpoints() && LabMode.APPLIANCE != mode)
        {
            throw new LabException("endpoints made through the management API need the appliance: kernel mode needs config endpoints");
        }
        down(plan.name(), plan.runDirectory());
        try
        {
            prepareRunDirectory(plan);
            createNamespaces(plan);
            LabFiles.writeApplianceConfig(plan);
            Long appliancePid = null;
            if (LabPorts.TAP == plan.ports())
            {
                // The appliance creates the hosts' NICs; they are configured once it is ready.
                appliancePid = startAppliance(plan);
                configureHostInterfaces(plan);
            }
            else
            {
                createLinks(plan);
            }
            configureClients(plan);
            if (LabMode.KERNEL == mode)
            {
                configureKernelForwarder(plan);
            }
            else if (LabPorts.TAP != plan.ports())
            {
                configureResolver(plan);
            }
            startServices(plan);
            if (LabMode.APPLIANCE == mode && appliancePid == null)
            {
                appliancePid = startAppliance(plan);
            }
            LabFiles.writeLabFile(plan, mode, appliancePid);

            return new Lab(plan, mode, appliancePid);
        }
        catch (final RuntimeException ex)
        {
            try
            {
                down(plan.name(), plan.runDirectory());
            }
            catch (final RuntimeException downEx)
            {
                ex.addSuppressed(downEx);
            }
            throw ex;
        }
    }

    /**
     * Tear down a lab: stop the processes recorded in its pid files and any other process left in
     * its namespaces, delete its namespaces (which deletes their veths), remove lab.json and pid
     * files. Logs and vpce.yaml stay for post-mortems. Safe to call when nothing exists.
     *
     * @param name         lab name.
     * @param runDirectory run directory.
     * @throws LabException when a namespace could not be deleted.
     */
    public static void down(final String name, final Path runDirectory)
    {
        final Path runDir = runDirectory.toAbsolutePath().normalize();
        final Set<String> namespaces = labNamespaces(name, runDir);

        for (final String role : List.of(LabStatus.APPLIANCE, IPERF3, HTTP))
        {
            final Path pidFile = pidFile(runDir, role);
            final OptionalLong pid = readPid(pidFile);
            if (pid.isPresent())
            {
                liveProcess(runDir, pid.getAsLong(), role).ifPresent((p) -> Commands.kill(p, STOP_GRACE));
            }
            Commands.deleteQuietly(pidFile);
        }

        final List<String> failures = new ArrayList<>();
        for (final String namespace : namespaces)
        {
            if (!namespaceExists(namespace))
            {
                continue;
            }

            // A process still inside keeps the namespace's interfaces alive after 'ip netns del',
            // so anything left in a lab namespace is stopped: it can only have been started there
            // by this lab or by a test driving it.
            final ExecResult pids = Commands.run(COMMAND_TIMEOUT, "ip", "netns", "pids", namespace);
            for (final String line : pids.stdout().split("\\s+"))
            {
                if (!line.isBlank())
                {
                    ProcessHandle.of(Long.parseLong(line.trim())).ifPresent((p) -> Commands.kill(p, STOP_GRACE));
                }
            }

            final ExecResult del = Commands.run(COMMAND_TIMEOUT, "ip", "netns", "del", namespace);
            if (!del.ok() && namespaceExists(namespace))
            {
                failures.add(del.describe());
            }
        }

        Commands.deleteQuietly(runDir.resolve("lab.json"));
        Commands.deleteQuietly(runDir.resolve("state").resolve("ready"));

        if (!failures.isEmpty())
        {
            throw new LabException("lab " + name + " down left namespaces behind:\n" + String.join("\n", failures));
        }
    }

    /**
     * @param name         lab name.
     * @param runDirectory run directory.
     * @return which of the lab's namespaces exist and which recorded processes are alive.
     */
    public static LabStatus status(final String name, final Path runDirectory)
    {
        final Path runDir = runDirectory.toAbsolutePath().normalize();
        final JsonNode lab = LabFiles.readLabFile(runDir.resolve("lab.json"));
        LabMode mode = null;
        if (null != lab && lab.path("mode").isTextual())
        {
            mode = LabMode.parse(lab.path("mode").asText());
        }

        final List<LabStatus.NamespaceState> namespaces = new ArrayList<>();
        for (final String namespace : labNamespaces(name, runDir))
        {
            namespaces.add(new LabStatus.NamespaceState(namespace, namespaceExists(namespace)));
        }

        final List<LabStatus.ProcessState> processes = new ArrayList<>();
        for (final String role : List.of(LabStatus.APPLIANCE, IPERF3, HTTP))
        {
            final OptionalLong pid = readPid(pidFile(runDir, role));
            if (pid.isPresent())
            {
                processes.add(new LabStatus.ProcessState(
                    role, pid.getAsLong(), liveProcess(runDir, pid.getAsLong(), role).isPresent()));
            }
        }

        return new LabStatus(name, runDir, mode, namespaces, processes);
    }

    public LabPlan plan()
    {
        return plan;
    }

    public LabMode mode()
    {
        return mode;
    }

    /**
     * @return the appliance's pid; empty in kernel mode.
     */
    /**
     * Starts the appliance again with the lab's configuration (after it died or was killed),
     * waits until it is ready and records its new pid.
     *
     * @return the new pid.
     * @throws LabException in kernel mode, or when it does not come up.
     */
    public long restartAppliance()
    {
        if (LabMode.APPLIANCE != mode)
        {
            throw new LabException("a kernel-mode lab has no appliance");
        }
        try
        {
            Files.deleteIfExists(plan.readyFile());
        }
        catch (final IOException ex)
        {
            throw new LabException("cannot clear " + plan.readyFile() + ": " + ex.getMessage(), ex);
        }
        appliancePid = startAppliance(plan);
        LabFiles.writeLabFile(plan, mode, appliancePid);
        return appliancePid;
    }

    public OptionalLong appliancePid()
    {
        return null == appliancePid ? OptionalLong.empty() : OptionalLong.of(appliancePid);
    }

    /**
     * @return {@link #status(String, Path)} of this lab.
     */
    public LabStatus status()
    {
        return status(plan.name(), plan.runDirectory());
    }

    /**
     * Run a command inside one of the lab's namespaces.
     *
     * @param namespace a namespace of this lab.
     * @param timeout   deadline; the command is killed when it passes.
     * @param command   command and arguments.
     * @return exit code, stdout and stderr.
     * @throws IllegalArgumentException when the namespace is not one of this lab's.
     */
    public ExecResult exec(final String namespace, final Duration timeout, final String... command)
    {
        if (!plan.namespaces().contains(namespace))
        {
            throw new IllegalArgumentException(namespace + " is not a namespace of lab " + plan.name());
        }

        return Commands.run(Commands.inNamespace(namespace, command), timeout, null);
    }

    /**
     * Run an iperf3 TCP client ({@code iperf3 -c address -p port -t seconds -P streams -J}) in a
     * lab namespace. iperf3 3.x serves one test at a time, so a "server is busy" refusal (the
     * previous test's teardown still in flight) is retried for a few seconds.
     *
     * @param clientNamespace namespace to run the client in, e.g. {@code plan().consumers().get(0).namespace()}.
     * @param serverAddress   address to connect to, e.g. an ENI address.
     * @param port            port to connect to, e.g. 5201.
     * @param streams         parallel streams.
     * @param seconds         test duration.
     * @return the summary of the run.
     * @throws LabException when iperf3 fails, with its error.
     */
    public Iperf3Result iperf3(
        final String clientNamespace,
        final String serverAddress,
        final int port,
        final int streams,
        final int seconds)
    {
        final Duration timeout = Duration.ofSeconds(seconds + 30L);
        final long busyDeadlineNs = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (true)
        {
            final ExecResult result = exec(
                clientNamespace, timeout,
                "iperf3", "-c", serverAddress, "-p", Integer.toString(port),
                "-t", Integer.toString(seconds), "-P", Integer.toString(streams), "-J");

            final JsonNode json;
            try
            {
                json = JSON.readTree(result.stdout());
            }
            catch (final IOException ex)
            {
                throw new LabException("iperf3 output is not JSON: " + result.describe(), ex);
            }

            final String error = json.path("error").asText("");
            if (!error.isEmpty())
            {
                if (error.toLowerCase(Locale.ROOT).contains("busy") && System.nanoTime() - busyDeadlineNs < 0)
                {
                    Commands.pause();
                    continue;
                }
                throw new LabException("iperf3 to " + serverAddress + ":" + port + " failed: " + error);
            }
            result.requireOk("iperf3 to " + serverAddress + ":" + port);

            final JsonNode received = json.path("end").path("sum_received");
            final JsonNode sent = json.path("end").path("sum_sent");
            if (!received.has("bits_per_second"))
            {
                throw new LabException("iperf3 JSON has no end.sum_received: " + result.describe());
            }

            return new Iperf3Result(
                streams,
                seconds,
                received.path("bytes").asLong(),
                received.path("bits_per_second").asDouble(),
                sent.path("bytes").asLong(),
                sent.path("bits_per_second").asDouble(),
                sent.path("retransmits").asLong(-1));
        }
    }

    /**
     * Fetch a URL with curl from a lab namespace: {@code curl -sS --max-time 5 url}.
     *
     * @param clientNamespace namespace to run curl in.
     * @param url             e.g. {@code http://10.0.1.20/}.
     * @return curl's result; stdout is the body.
     */
    public ExecResult httpGet(final String clientNamespace, final String url)
    {
        return exec(clientNamespace, Duration.ofSeconds(10), "curl", "-sS", "--max-time", "5", url);
    }

    /**
     * Tear the lab down.
     */
    @Override
    public void close()
    {
        down(plan.name(), plan.runDirectory());
    }

    private static void prepareRunDirectory(final LabPlan plan)
    {
        try
        {
            Files.createDirectories(plan.runDirectory().resolve("pids"));
            Files.createDirectories(plan.stateDirectory());
            Files.createDirectories(plan.wwwDirectory());
            Files.deleteIfExists(plan.readyFile());
            // A new lab has new namespaces: flows journaled by an earlier one are meaningless, and so is what an
            // earlier one's management API made.
            Files.deleteIfExists(plan.stateDirectory().resolve("flows.dat"));
            deleteTree(plan.stateDirectory().resolve(vpce.mgmt.store.FileStateStore.DIRECTORY));
            Files.writeString(plan.wwwDirectory().resolve("index.html"), LabPlan.HTTP_BODY, StandardCharsets.UTF_8);
        }
        catch (final IOException ex)
        {
            throw new LabException("cannot prepare run directory " + plan.runDirectory() + ": " + ex.getMessage(), ex);
        }
    }

    private static void deleteTree(final Path directory) throws IOException
    {
        if (!Files.isDirectory(directory))
        {
            return;
        }
        try (var paths = Files.walk(directory))
        {
            for (final Path path : paths.sorted(java.util.Comparator.reverseOrder()).toList())
            {
                Files.delete(path);
            }
        }
    }

    private static void createNamespaces(final LabPlan plan)
    {
        for (final String namespace : plan.namespaces())
        {
            Commands.run(COMMAND_TIMEOUT, "ip", "netns", "add", namespace).requireOk("create namespace " + namespace);
            ip(namespace, "link", "set", "lo", "up");
        }
    }

    private static void createLinks(final LabPlan plan)
    {
        final String app = plan.appNamespace();
        final List<String> appPorts = new ArrayList<>();
        for (final LabPlan.Consumer consumer : plan.consumers())
        {
            veth(plan, app, consumer.portName(), consumer.namespace(), consumer.clientInterface());
            appPorts.add(consumer.portName());
        }
        final LabPlan.Service service = plan.service();
        veth(plan, app, service.portName(), service.namespace(), service.serviceInterface());
        appPorts.add(service.portName());

        // The appliance's ports carry no addresses: IPv6 off so the kernel sends no router
        // solicitations or DAD probes on them, and arp_ignore so that it never answers ARP there
        // even in kernel mode for addresses on another port.
        final List<String> settings = new ArrayList<>();
        for (final String port : appPorts)
        {
            settings.add("net.ipv6.conf." + port + ".disable_ipv6=1");
            settings.add("net.ipv4.conf." + port + ".arp_ignore=1");
        }
        sysctl(app, settings);

        for (final LabPlan.Consumer consumer : plan.consumers())
        {
            ip(app, "link", "set", consumer.portName(), "up");
        }
        ip(app, "link", "set", service.portName(), "up");
        configureHostInterfaces(plan);
    }

    /**
     * The client and service ends of the links: IPv4 only, so that the appliance's ports see only
     * traffic a test or benchmark sent, and up.
     */
    private static void configureHostInterfaces(final LabPlan plan)
    {
        final LabPlan.Service service = plan.service();
        for (final LabPlan.Consumer consumer : plan.consumers())
        {
            sysctl(consumer.namespace(), List.of("net.ipv6.conf." + consumer.clientInterface() + ".disable_ipv6=1"));
            ip(consumer.namespace(), "link", "set", consumer.clientInterface(), "up");
        }
        sysctl(service.namespace(), List.of("net.ipv6.conf." + service.serviceInterface() + ".disable_ipv6=1"));
        ip(service.namespace(), "link", "set", service.serviceInterface(), "up");
    }

    private static void veth(
        final LabPlan plan,
        final String namespace,
        final String name,
        final String peerNamespace,
        final String peerName)
    {
        // Created inside the lab namespaces directly: the root namespace never holds either end.
        ip(namespace, "link", "add", name, "type", "veth", "peer", "name", peerName, "netns", peerNamespace);
        final String mtu = Integer.toString(plan.mtu());
        final String txQueueLength = Integer.toString(plan.txQueueLength());
        ip(namespace, "link", "set", name, "mtu", mtu, "txqueuelen", txQueueLength);
        ip(peerNamespace, "link", "set", peerName, "mtu", mtu, "txqueuelen", txQueueLength);
    }

    private static void configureClients(final LabPlan plan)
    {
        for (final LabPlan.Consumer consumer : plan.consumers())
        {
            // Only the on-link route: a client reaches its subnet's ENI and nothing else.
            ip(consumer.namespace(), "addr", "add", consumer.clientAddress() + "/" + consumer.prefixLength(),
                "dev", consumer.clientInterface());
        }

        final LabPlan.Service service = plan.service();
        ip(service.namespace(), "addr", "add", service.address() + "/" + service.prefixLength(),
            "dev", service.serviceInterface());
        // Lets a test show that the service cannot open a connection into the VPC: the packets
        // reach the forwarder, which must drop them.
        ip(service.namespace(), "route", "add", plan.vpc().cidr(), "via", service.providerAddress(),
            "dev", service.serviceInterface());
    }

    /**
     * The VPC's resolver address (base + 2) as the appliance namespace's kernel's: a /32 on each consumer port, so the
     * kernel answers ARP for it and delivers the queries to the appliance's DNS listener (the datapath, which reads
     * the same frames with AF_PACKET, leaves frames for it alone), a route back to each client subnet from it, and
     * on each client a route to it on its link. With TAP ports the appliance owns the frames and the kernel never
     * sees them: no resolver there (see README).
     */
    private static void configureResolver(final LabPlan plan)
    {
        final String app = plan.appNamespace();
        final String resolver = plan.vpc().resolverAddress();
        for (final LabPlan.Consumer consumer : plan.consumers())
        {
            ip(app, "addr", "add", resolver + "/32", "dev", consumer.portName());
            ip(app, "route", "add", consumer.subnetCidr(), "dev", consumer.portName(), "src", resolver);
            ip(consumer.namespace(), "route", "add", resolver + "/32", "dev", consumer.clientInterface());
        }
    }

    private static void configureKernelForwarder(final LabPlan plan)
    {
        final String app = plan.appNamespace();
        for (final LabPlan.Consumer consumer : plan.consumers())
        {
            ip(app, "addr", "add", consumer.eniAddress() + "/" + consumer.prefixLength(), "dev", consumer.portName());
        }
        final LabPlan.Service service = plan.service();
        ip(app, "addr", "add", service.providerAddress() + "/" + service.prefixLength(), "dev", service.portName());
        sysctl(app, List.of("net.ipv4.ip_forward=1"));

        Commands.run(Commands.inNamespace(app, "nft", "-f", "-"), COMMAND_TIMEOUT, kernelRuleset(plan))
            .requireOk("load nftables ruleset in " + app);
    }

    /**
     * The kernel's version of the endpoint: DNAT each ENI listener to the target, SNAT toward the
     * provider to the provider-side address, and forward nothing else, so that the service cannot
     * open connections into the VPC and the zones cannot reach each other, as with the appliance.
     *
     * @param plan the lab.
     * @return an nft script for {@code nft -f -} in the appliance namespace.
     */
    public static String kernelRuleset(final LabPlan plan)
    {
        final LabPlan.Service service = plan.service();
        final StringBuilder dnat = new StringBuilder();
        for (final LabPlan.Consumer consumer : plan.consumers())
        {
            for (final LabPlan.Listener listener : service.listeners())
            {
                dnat.append("        iifname \"").append(consumer.portName()).append("\" ip daddr ")
                    .append(consumer.eniAddress()).append(" tcp dport ").append(listener.port())
                    .append(" dnat to ").append(service.address()).append(':').append(listener.targetPort())
                    .append('\n');
            }
        }

        return "table ip vpce\n" +
            "delete table ip vpce\n" +
            "table ip vpce {\n" +
            "    chain prerouting {\n" +
            "        type nat hook prerouting priority dstnat; policy accept;\n" +
            dnat +
            "    }\n" +
            "    chain postrouting {\n" +
            "        type nat hook postrouting priority srcnat; policy accept;\n" +
            "        oifname \"" + service.portName() + "\" snat to " + service.providerAddress() + "\n" +
            "    }\n" +
            "    chain forward {\n" +
            "        type filter hook forward priority filter; policy drop;\n" +
            "        ct state established,related accept\n" +
            "        ct status dnat oifname \"" + service.portName() + "\" accept\n" +
            "    }\n" +
            "}\n";
    }

    private static void startServices(final LabPlan plan)
    {
        final LabPlan.Service service = plan.service();
        final LabPlan.Listener iperf3 = plan.iperf3Listener();
        final LabPlan.Listener http = plan.httpListener();

        final Process iperf3Server = startDetached(
            plan, IPERF3, plan.runDirectory().resolve("iperf3.log"),
            Commands.inNamespace(service.namespace(), "iperf3", "-s", "-p", Integer.toString(iperf3.targetPort())));
        final Process httpServer = startDetached(
            plan, HTTP, plan.runDirectory().resolve("http.log"),
            Commands.inNamespace(service.namespace(),
                python(), "-m", "http.server", Integer.toString(http.targetPort()),
                "--bind", service.address(), "--directory", plan.wwwDirectory().toString()));

        awaitListening(iperf3Server, iperf3.targetPort(), plan.runDirectory().resolve("iperf3.log"));
        awaitListening(httpServer, http.targetPort(), plan.runDirectory().resolve("http.log"));
    }

    private static long startAppliance(final LabPlan plan)
    {
        final LabPlan.ApplianceLaunch launch = plan.launch();
        final Path aotCache = launch.aotCache();
        if (aotCache != null && !Files.isRegularFile(aotCache))
        {
            trainAotCache(plan, aotCache);
        }
        final List<String> aotFlags = aotCache != null && Files.isRegularFile(aotCache) ?
            List.of("-XX:AOTCache=" + aotCache) : List.of();
        final Process appliance = startDetached(
            plan, LabStatus.APPLIANCE, plan.applianceLog(), applianceCommand(plan, aotFlags, launch.classpath()));

        final long deadlineNs = System.nanoTime() + launch.readyTimeout().toNanos();
        while (!Files.exists(plan.readyFile()))
        {
            if (!appliance.isAlive())
            {
                throw new LabException("appliance exited with status " + appliance.exitValue() +
                    " before it was ready; " + plan.applianceLog() + ":\n" + Commands.readTail(plan.applianceLog(), 4000));
            }
            if (System.nanoTime() - deadlineNs > 0)
            {
                throw new LabException("appliance not ready (no " + plan.readyFile() + ") within " +
                    launch.readyTimeout() + "; " + plan.applianceLog() + ":\n" +
                    Commands.readTail(plan.applianceLog(), 4000));
            }
            Commands.pause();
        }

        return appliance.pid();
    }

    private static List<String> applianceCommand(final LabPlan plan, final List<String> extraFlags, final String classpath)
    {
        final LabPlan.ApplianceLaunch launch = plan.launch();
        final List<String> command = new ArrayList<>();
        command.add(launch.javaCommand());
        command.addAll(launch.jvmFlags());
        command.addAll(extraFlags);
        command.add("-cp");
        command.add(classpath);
        command.add(launch.mainClass());
        command.add("run");
        command.add("--config");
        command.add(plan.configFile().toString());
        return Commands.inNamespace(plan.appNamespace(), command.toArray(new String[0]));
    }

    /**
     * Makes the appliance JVM's AOT cache (see {@link AotCache}) with a training run: the real
     * appliance started in this lab ({@code -XX:AOTCacheOutput}, JEP 514) and stopped with SIGTERM
     * once ready; the JVM writes the cache as it exits. Once per build, some seconds. Anything
     * going wrong only leaves the lab without a cache (the training's log says why): the appliance
     * then starts as it would without one, and reports its own failures.
     */
    private static void trainAotCache(final LabPlan plan, final Path cache)
    {
        final Path partial = cache.resolveSibling(cache.getFileName() + "." + ProcessHandle.current().pid() + ".partial");
        final Path log = plan.runDirectory().resolve("appliance-aot-training.log");
        final String trainingClasspath = String.join(File.pathSeparator, AotCache.leadingJars(plan.launch().classpath()));
        final Process training = startDetached(
            plan, LabStatus.APPLIANCE, log, applianceCommand(plan, List.of("-XX:AOTCacheOutput=" + partial), trainingClasspath));
        try
        {
            final long readyDeadlineNs = System.nanoTime() + plan.launch().readyTimeout().toNanos();
            while (!Files.exists(plan.readyFile()) && training.isAlive() && System.nanoTime() - readyDeadlineNs < 0)
            {
                Commands.pause();
            }
            if (Files.exists(plan.readyFile()))
            {
                training.destroy();
                training.waitFor(AOT_TRAINING_EXIT_TIMEOUT.toNanos(), TimeUnit.NANOSECONDS);
            }
            // The JVM writes the cache (in a child JVM it waits for) before it exits; SIGTERM makes
            // the exit status 143. Any other status, and the file may be incomplete.
            if (!training.isAlive() && (training.exitValue() == 0 || training.exitValue() == 128 + 15) &&
                Files.isRegularFile(partial))
            {
                Files.move(partial, cache, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                AotCache.prune(cache);
            }
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new LabException("interrupted training the appliance's AOT cache", ex);
        }
        catch (final IOException ex)
        {
            // No cache: the appliance starts without one.
        }
        finally
        {
            if (training.isAlive())
            {
                Commands.kill(training.toHandle(), Duration.ZERO);
            }
            Commands.deleteQuietly(partial);
            Commands.deleteQuietly(plan.readyFile());
        }
    }

    /**
     * Start a long-running process with output to a log and its pid in the run directory. It runs
     * in a session of its own (setsid, which execs in place so the pid stays the program's) so
     * that it survives the terminal and JVM that started it.
     */
    private static Process startDetached(
        final LabPlan plan,
        final String role,
        final Path log,
        final List<String> command)
    {
        final List<String> line = new ArrayList<>();
        if (Files.isExecutable(Path.of("/usr/bin/setsid")))
        {
            line.add("/usr/bin/setsid");
        }
        line.addAll(command);
        try
        {
            final Process process = new ProcessBuilder(line)
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
                .start();
            LabFiles.writeAtomically(pidFile(plan.runDirectory(), role), process.pid() + "\n");
            return process;
        }
        catch (final IOException ex)
        {
            throw new LabException("cannot start " + role + " (" + String.join(" ", line) + "): " + ex.getMessage(), ex);
        }
    }

    /**
     * Wait until a process listens on a TCP port. Read from /proc/[pid]/net/tcp{,6}, which show the
     * sockets of the process's own namespace, so no command is needed per poll.
     */
    private static void awaitListening(final Process process, final int port, final Path log)
    {
        final long deadlineNs = System.nanoTime() + SERVER_START_TIMEOUT.toNanos();
        while (!listening(process.pid(), port))
        {
            if (!process.isAlive())
            {
                throw new LabException("server for port " + port + " exited with status " + process.exitValue() +
                    "; " + log + ":\n" + Commands.readTail(log, 2000));
            }
            if (System.nanoTime() - deadlineNs > 0)
            {
                throw new LabException("nothing listening on port " + port + " within " + SERVER_START_TIMEOUT +
                    "; " + log + ":\n" + Commands.readTail(log, 2000));
            }
            Commands.pause();
        }
    }

    static boolean listening(final long pid, final int port)
    {
        // st 0A is TCP_LISTEN (include/net/tcp_states.h); local_address is hex "ADDR:PORT".
        final String portSuffix = String.format(Locale.ROOT, ":%04X", port);
        for (final String table : List.of("tcp", "tcp6"))
        {
            try
            {
                for (final String row : Files.readAllLines(Path.of("/proc", Long.toString(pid), "net", table)))
                {
                    final String[] fields = row.trim().split("\\s+");
                    if (fields.length > 3 && fields[1].endsWith(portSuffix) && "0A".equals(fields[3]))
                    {
                        return true;
                    }
                }
            }
            catch (final IOException ex)
            {
                // The process has gone, or has no IPv6 table: the caller's liveness check decides.
            }
        }
        return false;
    }

    private static String python()
    {
        // Prefer the distribution's interpreter over a version-manager shim that may re-exec.
        return Files.isExecutable(Path.of("/usr/bin/python3")) ? "/usr/bin/python3" : "python3";
    }

    private static void ip(final String namespace, final String... args)
    {
        final List<String> command = new ArrayList<>(args.length + 3);
        command.add("ip");
        command.add("-n");
        command.add(namespace);
        command.addAll(List.of(args));
        Commands.run(command, COMMAND_TIMEOUT, null).requireOk("ip in " + namespace);
    }

    private static void sysctl(final String namespace, final List<String> settings)
    {
        final List<String> command = new ArrayList<>(Commands.inNamespace(namespace, "sysctl", "-q", "-w"));
        command.addAll(settings);
        Commands.run(command, COMMAND_TIMEOUT, null).requireOk("sysctl in " + namespace);
    }

    private static Set<String> labNamespaces(final String name, final Path runDir)
    {
        final Set<String> namespaces = new LinkedHashSet<>(LabPlan.namespaces(name, 2));
        // A lab.json of this lab may name more consumers; only names under this lab's prefix are
        // trusted, so a stray or edited file can never make down delete someone else's namespace.
        for (final String recorded : LabFiles.recordedNamespaces(LabFiles.readLabFile(runDir.resolve("lab.json"))))
        {
            if (recorded.startsWith(name + "-"))
            {
                namespaces.add(recorded);
            }
        }
        return namespaces;
    }

    static boolean namespaceExists(final String namespace)
    {
        return Files.exists(Path.of("/run/netns", namespace));
    }

    private static Path pidFile(final Path runDir, final String role)
    {
        return runDir.resolve("pids").resolve(role + ".pid");
    }

    private static OptionalLong readPid(final Path pidFile)
    {
        try
        {
            if (Files.exists(pidFile))
            {
                return OptionalLong.of(Long.parseLong(Files.readString(pidFile).trim()));
            }
        }
        catch (final IOException | NumberFormatException ex)
        {
            // An unreadable pid file names no process we can safely stop.
        }
        return OptionalLong.empty();
    }

    /**
     * The recorded process, if it is alive and still runs the program of its role: a pid can be
     * reused after a reboot or a long time, and down must never signal an unrelated process.
     */
    private static Optional<ProcessHandle> liveProcess(final Path runDir, final long pid, final String role)
    {
        final String marker = switch (role)
        {
            // The appliance's command line names this lab's config file, whatever its main class.
            case LabStatus.APPLIANCE -> runDir.resolve("vpce.yaml").toString();
            case IPERF3 -> "iperf3";
            case HTTP -> "http.server";
            default -> throw new IllegalArgumentException(role);
        };

        try
        {
            final byte[] raw = Files.readAllBytes(Path.of("/proc", Long.toString(pid), "cmdline"));
            final String cmdline = new String(raw, StandardCharsets.UTF_8).replace('\0', ' ');
            if (cmdline.contains(marker))
            {
                return ProcessHandle.of(pid).filter(ProcessHandle::isAlive);
            }
        }
        catch (final IOException ex)
        {
            // Gone.
        }
        return Optional.empty();
    }
}
