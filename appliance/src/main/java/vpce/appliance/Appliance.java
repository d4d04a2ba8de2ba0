package vpce.appliance;

import org.agrona.CloseHelper;
import org.agrona.ErrorHandler;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.BusySpinIdleStrategy;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.SleepingMillisIdleStrategy;
import org.agrona.concurrent.SystemEpochClock;
import org.agrona.concurrent.SystemNanoClock;
import org.agrona.concurrent.status.AtomicCounter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import vpce.appliance.config.ApplianceModel;
import vpce.appliance.config.ConfigException;
import vpce.appliance.config.ConfigLoader;
import vpce.appliance.config.ApplianceModel.PortRole;
import vpce.appliance.config.ApplianceModel.PortSpec;
import vpce.appliance.config.Ipv4;
import vpce.appliance.datapath.DatapathAgent;
import vpce.appliance.datapath.DatapathCounters;
import vpce.appliance.datapath.DatapathSnapshot;
import vpce.appliance.datapath.DatapathSnapshotHolder;
import vpce.appliance.datapath.EniCounters;
import vpce.appliance.explain.ReachabilityExplainer;
import vpce.appliance.flowlog.FlowLogAggregator;
import vpce.appliance.flowlog.FlowLogWriterAgent;
import vpce.appliance.flowlog.FlowLogs;
import vpce.appliance.io.AfPacketPort;
import vpce.appliance.journal.FlowJournal;
import vpce.appliance.io.PollIdleStrategy;
import vpce.appliance.io.Port;
import vpce.appliance.io.PortException;
import vpce.appliance.io.TapPort;
import vpce.appliance.stats.CountersFile;
import vpce.appliance.controlplane.ControlPlaneDatapathAdapter;
import vpce.appliance.dns.DnsZones;
import vpce.dns.DnsCounters;
import vpce.dns.DnsResponderConfig;
import vpce.dns.DnsServer;
import vpce.dns.DnsZoneHolder;
import vpce.appliance.controlplane.ControlPlaneModel;
import vpce.appliance.controlplane.NotificationCountersAdapter;
import vpce.appliance.controlplane.DatapathPublisher;
import vpce.appliance.daemon.AgentHeartbeat;
import vpce.appliance.daemon.Watchdog;
import vpce.appliance.metrics.ApplianceMetrics;
import vpce.flowtable.FlowTable;
import vpce.flowtable.NatPortAllocator;
import vpce.mgmt.JsonQuery;
import vpce.mgmt.ManagementServer;
import vpce.mgmt.auth.AccessKeys;
import vpce.mgmt.auth.SigV4Verifier;
import vpce.mgmt.controlplane.ControlPlane;
import vpce.mgmt.controlplane.ControlPlaneSettings;
import vpce.mgmt.controlplane.IdSource;
import vpce.mgmt.ec2.Ec2QueryApi;
import vpce.mgmt.rest.RestApi;
import vpce.mgmt.ec2.actions.Ec2ActionCatalog;
import vpce.mgmt.notify.DeliveryPolicy;
import vpce.mgmt.notify.SnsDeliveryAgent;
import vpce.mgmt.store.FileStateStore;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.LockSupport;

/**
 * A running appliance: owns the ports, the counters file, the flow table and the datapath
 * agent's thread. Built from a validated model; {@link #close()} stops the agent, closes the
 * ports and removes the ready marker.
 */
public final class Appliance implements AutoCloseable
{
    /** Written once every port is open and the datapath runs; removed on shutdown. */
    public static final String READY_FILE = "ready";

    private static final Logger LOG = LoggerFactory.getLogger(Appliance.class);
    /** Flow-log records one aggregation window holds before it logs SKIPDATA. */
    private static final int FLOW_LOG_RECORDS = 65_536;
    /** The journal's map is sized for this many established flows at most (its file is sparse). */
    private static final int MAX_JOURNALED_FLOWS = 1 << 20;
    /** How long a reload waits for the management API's thread to take it and apply it. */
    private static final long API_THREAD_WAIT_NS = TimeUnit.SECONDS.toNanos(60);
    /** A drain ends early when no port has received a frame for this long. */
    private static final long DRAIN_QUIET_NS = TimeUnit.SECONDS.toNanos(1);

    private final ApplianceModel model;
    private final List<Port> ports = new ArrayList<>();
    private final List<String> portNames = new ArrayList<>();
    private DatapathSnapshotHolder snapshots;
    /** The model the current snapshot was built from; written by the control thread only, read by metrics scrapes. */
    private volatile ApplianceModel current;
    /** The current snapshot's generation; written by the control thread only. */
    private long generation;
    /** With the EC2 API on: the control plane's store and the adapter that carries its state to the datapath. */
    private FileStateStore controlPlaneStore;
    private ControlPlane controlPlane;
    private ControlPlaneDatapathAdapter controlPlaneAdapter;
    private SnsDeliveryAgent notifications;
    private CountersFile counters;
    private ApplianceMetrics metrics;
    private AtomicCounter reloads;
    private AtomicCounter reloadFailures;
    /** Per-ENI counters, allocated as snapshots are built (start-up and {@link #publish}, the control thread). */
    private EniCounters.Registry eniCounters;
    private AgentRunner runner;
    private DatapathAgent datapathAgent;
    /** The datapath and journal agents' duty-cycle counts, for the watchdog. */
    private AgentHeartbeat datapathHeartbeat;
    private AgentHeartbeat journalHeartbeat;
    /** From the file last loaded (start or reload): how long SIGTERM waits for flows to end. */
    private volatile ApplianceModel.ShutdownSettings shutdown;
    /** Set by {@link #drain}; read by the status query. */
    private volatile boolean draining;
    /** Used by the datapath agent's thread alone once it runs. */
    private FlowTable flows;
    private ManagementServer managementServer;
    private FlowJournal journal;
    /** The journal opening on its own thread during start-up. */
    private StartupTask<FlowJournal> journalOpening;
    private AgentRunner journalRunner;
    private FlowLogs flowLogs;
    private AgentRunner flowLogRunner;
    /** With the dns section: the responder's zones, published by the control thread after each snapshot. */
    private DnsZoneHolder dnsZones;
    private long dnsGeneration;
    private DnsServer dnsServer;

    private Appliance(final ApplianceModel model)
    {
        this.model = model;
        this.shutdown = model.shutdown();
    }

    public static Appliance start(final ApplianceModel model) throws IOException, PortException
    {
        final Appliance appliance = new Appliance(model);
        try
        {
            appliance.startDatapath();
            return appliance;
        }
        catch (final IOException | RuntimeException ex)
        {
            appliance.close();
            throw ex;
        }
    }

    private void startDatapath() throws IOException, PortException
    {
        final Path stateDirectory = model.stateDirectory();
        Files.createDirectories(stateDirectory);
        Files.deleteIfExists(stateDirectory.resolve(READY_FILE));
        // Two steps on threads of their own while the ports open and the snapshot is built (see
        // StartupTask): the journal (Chronicle's set-up and the map's recovery), and the flow
        // table (~100 MB at the default capacity, zeroed page by page). Both are awaited below,
        // before the restore and the datapath.
        final ApplianceModel.DatapathSettings settings = model.datapath();
        journalOpening = StartupTask.start("flow journal",
            () -> FlowJournal.open(stateDirectory, Math.min(settings.flowCapacity(), MAX_JOURNALED_FLOWS)));
        // Endpoints' own timeouts are profiles the datapath installs from each snapshot.
        final StartupTask<FlowTable> flowTableSetUp =
            StartupTask.start("flow table", () -> new FlowTable(settings.flowCapacity(), settings.idleTimeouts()));

        final boolean[] consumerRole = new boolean[model.ports().size()];
        for (int p = 0; p < model.ports().size(); p++)
        {
            final PortSpec spec = model.ports().get(p);
            if (spec.namespace() == null && spec.type() == ApplianceModel.PortType.AFPACKET)
            {
                // A TAP's kernel side is the peer host's NIC, and another namespace's sysctls are
                // not ours to reach from /proc: host setup applies to our own raw ports only.
                HostSetup.preparePort(spec.interfaceName(), model.dns() != null && spec.role() == PortRole.CONSUMER);
            }
            ports.add(openPort(spec));
            portNames.add(spec.name());
            consumerRole[p] = spec.role() == PortRole.CONSUMER;
            LOG.info("port {} ({} {}{}, {}{}) open: mac {} mtu {}", spec.name(), spec.type().name().toLowerCase(),
                spec.interfaceName(), spec.namespace() == null ? "" : " in netns " + spec.namespace(),
                spec.role().name().toLowerCase(), spec.availabilityZone() == null ? "" : " " + spec.availabilityZone(),
                formatMac(ports.get(p).macAddress()), ports.get(p).mtu());
        }

        StartupClock.phase("ports open");
        counters = CountersFile.create(stateDirectory);
        final DatapathCounters datapathCounters = new DatapathCounters(counters.manager(), portNames);
        final AtomicCounter errors = counters.manager().newCounter("appliance.agent_errors");
        reloads = counters.manager().newCounter("config.reloads");
        reloadFailures = counters.manager().newCounter("config.reload_failures");

        final PortSpec provider = model.ports().stream().filter(p -> p.role() == PortRole.PROVIDER).findFirst().orElseThrow();
        final NatPortAllocator natPorts = new NatPortAllocator(provider.addresses().size());

        ApplianceModel datapathModel = model;
        if (model.dns() != null)
        {
            dnsZones = new DnsZoneHolder();
        }
        if (model.managementApi() != null && model.managementApi().ec2Enabled())
        {
            // Before the first snapshot, so that it carries the API's endpoints and the journal's flows through them
            // are restored.
            openControlPlane(stateDirectory);
            datapathModel = controlPlaneAdapter.initialModel();
        }
        eniCounters = new EniCounters.Registry(counters.manager());
        final DatapathSnapshot initial = new DatapathSnapshot(datapathModel, portNames, ++generation);
        eniCounters.countFor(initial);
        snapshots = new DatapathSnapshotHolder(initial);
        current = datapathModel;
        publishDnsZones();
        if (controlPlaneAdapter != null)
        {
            controlPlaneAdapter.initialGeneration(initial.generation());
        }

        final ErrorHandler errorHandler = throwable ->
        {
            // Atomic: the datapath, journal and flow-log agents share this handler from their own threads.
            errors.increment();
            LOG.error("agent error", throwable);
        };
        FlowLogAggregator flowLog = null;
        if (model.flowLogs() != null)
        {
            final ApplianceModel.FlowLogsSpec spec = model.flowLogs();
            flowLogs = new FlowLogs(spec.file(), spec.accountId(), initial.eniIds(), FLOW_LOG_RECORDS,
                spec.aggregationIntervalNs(), FlowLogs.DEFAULT_RING_BYTES, FlowLogs.DEFAULT_MAX_INTERFACES,
                FlowLogAggregator.DEFAULT_MAX_RECORDS_PER_FLUSH, FlowLogWriterAgent.DEFAULT_MESSAGES_PER_BATCH, errorHandler);
            flowLog = flowLogs.aggregator();
            // The writer may sleep: it only follows the aggregation windows.
            flowLogRunner = new AgentRunner(new SleepingMillisIdleStrategy(10), errorHandler, null, flowLogs.writerAgent());
            AgentRunner.startOnThread(flowLogRunner);
            LOG.info("flow logs to {} every {} s", spec.file(), spec.aggregationIntervalNs() / 1_000_000_000L);
        }

        final int[] natAddresses = provider.addresses().stream().mapToInt(Ipv4.Cidr::address).toArray();
        StartupClock.phase("snapshot built");
        flows = flowTableSetUp.await();
        journal = journalOpening.await();
        StartupClock.phase("flow table and journal ready");
        final DatapathAgent agent = new DatapathAgent(
            ports.toArray(Port[]::new), consumerRole, settings.batchSize(), snapshots, flows, natPorts,
            natAddresses, flowLog, journal, datapathCounters, new SystemNanoClock(), SystemEpochClock.INSTANCE);
        restoreFlows(initial, flows, natPorts, natAddresses, agent);
        StartupClock.phase("flows restored");
        journalHeartbeat = new AgentHeartbeat(journal.agent());
        journalRunner = new AgentRunner(new SleepingMillisIdleStrategy(1), errorHandler, null, journalHeartbeat);
        AgentRunner.startOnThread(journalRunner);
        datapathAgent = agent;
        datapathHeartbeat = new AgentHeartbeat(agent);
        runner = new AgentRunner(idleStrategy(settings.idleStrategy()), errorHandler, null, datapathHeartbeat);
        AgentRunner.startOnThread(runner);
        StartupClock.phase("datapath running");
        if (model.dns() != null)
        {
            startDnsResponder();
        }

        for (final ApplianceModel.EndpointSpec endpoint : current.endpoints())
        {
            for (final ApplianceModel.EniSpec eni : endpoint.enis())
            {
                LOG.info("endpoint {} ENI {} in {} on port {}", endpoint.id(), Ipv4.format(eni.address()),
                    eni.availabilityZone(), eni.portName());
            }
        }
        if (model.managementApi() != null)
        {
            // After the datapath runs: the metrics' classes load while traffic already flows (a restart's outage is
            // its start-up).
            metrics = new ApplianceMetrics(counters.reader(), portLabels(), this::eniLabels);
            if (model.dns() != null)
            {
                // The responder's counters (DnsCounter#label): answers by rcode and drops by reason as two families.
                metrics.family("dns.rcode.", "vpce_dns_queries", "rcode", "DNS queries answered by the responder itself, by rcode.");
                metrics.family("dns.dropped.", "vpce_dns_dropped", "reason", "DNS queries dropped unanswered, by reason.");
            }
            try
            {
                final SigV4Verifier verifier = new SigV4Verifier(AccessKeys.of(model.managementApi().accessKeys()), Clock.systemUTC());
                managementServer = ManagementServer.start(model.managementApi().listen(),
                    queryRoutes(),
                    controlPlane == null ? null : new Ec2QueryApi(verifier,
                        Ec2ActionCatalog.dispatcher(controlPlane), metrics.ec2Listener()),
                    controlPlane == null ? null : new RestApi(controlPlane, verifier, model.managementApi().bearerTokens(),
                        metrics.restListener()));
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted starting the management API", ex);
            }
            if (controlPlaneAdapter != null)
            {
                // From here on the API thread is the one control thread: it publishes every snapshot.
                controlPlaneAdapter.start(managementServer::executeOnApiThread);
            }
        }
        StartupClock.phase("management API started");
        Files.writeString(stateDirectory.resolve(READY_FILE), ProcessHandle.current().pid() + "\n", StandardCharsets.US_ASCII);
        LOG.info("datapath running; counters in {}", stateDirectory.resolve(CountersFile.FILE_NAME));
    }

    private Map<String, JsonQuery> queryRoutes()
    {
        final Map<String, JsonQuery> routes = new java.util.HashMap<>(
            new OperatorQueries(model, () -> current, counters, flows, () -> draining).routes());
        routes.put("/v1/explain", this::explain);
        routes.put("/metrics", parameters -> metrics.scrape());
        return routes;
    }

    /**
     * The Prometheus metrics served at {@code /metrics}: where other parts register theirs (see ApplianceMetrics);
     * null without the management API.
     */
    public ApplianceMetrics metrics()
    {
        return metrics;
    }

    private Map<String, ApplianceMetrics.PortLabels> portLabels()
    {
        final Map<String, ApplianceMetrics.PortLabels> labels = new java.util.HashMap<>();
        for (final PortSpec port : model.ports())
        {
            labels.put(port.name(), new ApplianceMetrics.PortLabels(port.role().name().toLowerCase(),
                port.availabilityZone() == null ? "" : port.availabilityZone()));
        }
        return labels;
    }

    /** The ENIs of the model in force; on the scraping thread (one volatile read of {@link #current}). */
    private List<ApplianceMetrics.EniLabels> eniLabels()
    {
        final ApplianceModel inForce = current;
        final List<ApplianceMetrics.EniLabels> enis = new ArrayList<>();
        if (inForce != null)
        {
            for (final ApplianceModel.EndpointSpec endpoint : inForce.endpoints())
            {
                for (final ApplianceModel.EniSpec eni : endpoint.enis())
                {
                    enis.add(new ApplianceMetrics.EniLabels(endpoint.id(), Ipv4.format(eni.address()), eni.availabilityZone(),
                        eni.portName(), eni.id(endpoint.id())));
                }
            }
        }
        return enis;
    }

    /** The agents the systemd watchdog watches: each must complete duty cycles for the pings to go on. */
    public List<Watchdog.Watched> watchedAgents()
    {
        return List.of(
            new Watchdog.Watched(datapathHeartbeat.roleName(), datapathHeartbeat::beats),
            new Watchdog.Watched(journalHeartbeat.roleName(), journalHeartbeat::beats));
    }

    /** @return the counter with this label (see {@link CountersFile#value}). */
    public long counter(final String label)
    {
        return counters.value(label);
    }

    private long receivedFrames()
    {
        long frames = 0;
        for (final String port : portNames)
        {
            frames += counters.value("port." + port + ".rx_packets");
        }
        return frames;
    }

    /**
     * The first half of a stop (SIGTERM): new flows are refused from now on, and this waits up to
     * {@code shutdown.drainSeconds} for the active ones to end, or until no port has received a frame for a second. {@link #close} then stops the agents; the journal
     * agent drains what it was handed and the map closes, so the flows still open are on disk for the next start.
     *
     * @return the flows still active when the wait ended.
     */
    public long drain()
    {
        datapathAgent.stopNewFlows();
        draining = true;
        final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(shutdown.drainSeconds());
        long active = counters.value("flows.active");
        LOG.info("draining: new flows refused; waiting up to {} s for {} active flows", shutdown.drainSeconds(), active);
        long received = receivedFrames();
        long quietSinceNs = System.nanoTime();
        while (active > 0 && System.nanoTime() - deadlineNs < 0 && System.nanoTime() - quietSinceNs < DRAIN_QUIET_NS)
        {
            // The flows end on their own (FIN, RST, idle expiry): nothing to do but look again. Flows in TIME_WAIT or
            // idle ones count as active for minutes: once no frame has come for a while, waiting serves no one.
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(100));
            active = counters.value("flows.active");
            final long now = receivedFrames();
            if (now != received)
            {
                received = now;
                quietSinceNs = System.nanoTime();
            }
        }
        LOG.info("drained: {} flows still active{}", active, active > 0 ? " (kept in the flow journal)" : "");
        return active;
    }

    /**
     * Opens the control plane's store under the state directory and wires the control plane to the datapath through
     * the adapter, whose {@link DatapathPublisher} is {@link #publish}.
     */
    private void openControlPlane(final Path stateDirectory) throws IOException
    {
        final ControlPlaneSettings settings;
        try
        {
            settings = ControlPlaneModel.settings(model);
        }
        catch (final IllegalArgumentException ex)
        {
            throw new IOException("managementApi: the control plane refuses the configuration: " + ex.getMessage(), ex);
        }
        controlPlaneStore = FileStateStore.open(stateDirectory);
        controlPlane = new ControlPlane(settings, controlPlaneStore, Clock.systemUTC(), IdSource.secure());
        final AtomicCounter leftOut = counters.manager().newCounter("controlplane.enis_left_out");
        controlPlaneAdapter = new ControlPlaneDatapathAdapter(model, controlPlane, new DatapathPublisher()
        {
            @Override
            public long publish(final ApplianceModel next)
            {
                return Appliance.this.publish(next);
            }

            @Override
            public long programmedGeneration()
            {
                return snapshots.programmedGeneration();
            }
        }, leftOut::setRelease);
        if (model.dns() != null)
        {
            // After the datapath adapter, which publishes the commit's snapshot first (and the zones with it): this
            // catches the commits that change only names (private DNS on or off), before the API call returns.
            controlPlane.addStateListener((state, commit) -> publishDnsZones());
        }
        if (!model.managementApi().notificationSubscribers().isEmpty())
        {
            // Connection events leave the API thread through the agent's bounded queue, after their commit.
            notifications = SnsDeliveryAgent.start(model.managementApi().notificationSubscribers(), DeliveryPolicy.DEFAULT,
                new NotificationCountersAdapter(counters.manager()));
            controlPlane.addConnectionEventListener(notifications);
        }
        LOG.info("control plane: state at commit {} recovered from {}", controlPlane.state().sequence(),
            stateDirectory.resolve(FileStateStore.DIRECTORY));
    }

    /**
     * The one way a snapshot is published after start: built here, off the packet path, and handed to the datapath
     * with one release store ({@link DatapathSnapshotHolder#publish}); the datapath takes it at its next duty cycle.
     * SIGHUP reloads and the control-plane adapter both come here, on the one control thread.
     *
     * @return the snapshot's generation.
     * @throws RuntimeException when the model does not compile (nothing is published).
     */
    private long publish(final ApplianceModel next)
    {
        final DatapathSnapshot snapshot = new DatapathSnapshot(next, portNames, generation + 1);
        if (flowLogs != null && snapshot.eniCount() > FlowLogs.DEFAULT_MAX_INTERFACES)
        {
            // The agent could not take it: its flow-log table has a slot per ENI.
            throw new IllegalArgumentException(snapshot.eniCount() + " ENIs; with flow logs on the datapath carries at most " +
                FlowLogs.DEFAULT_MAX_INTERFACES);
        }
        if (flowLogs != null)
        {
            // Before the datapath can use the new ENI indices for records.
            flowLogs.interfaceIds(snapshot.eniIds());
        }
        eniCounters.countFor(snapshot);
        snapshots.publish(snapshot);
        generation = snapshot.generation();
        current = next;
        publishDnsZones();
        return generation;
    }

    /**
     * Control thread: the DNS zones of the current model and the control plane's state, published whole (see
     * {@link DnsZoneHolder}) before the caller returns, so once an API call has returned no query gets an older
     * answer. A model whose names do not build leaves the previous zones (logged).
     */
    private void publishDnsZones()
    {
        if (dnsZones == null)
        {
            return;
        }
        try
        {
            dnsZones.publish(DnsZones.build(current, controlPlane == null ? null : controlPlane.state(), model.dns(), ++dnsGeneration));
        }
        catch (final RuntimeException ex)
        {
            LOG.error("DNS zones not updated: {}", ex.getMessage(), ex);
        }
    }

    private void startDnsResponder() throws IOException
    {
        final ApplianceModel.DnsSpec dns = model.dns();
        try
        {
            dnsServer = new DnsServer(new DnsResponderConfig(dns.listen(), dns.upstream(), dns.rateLimitPerSecond(), dns.maxUdpPayload(),
                dns.upstreamTimeoutMs()), dnsZones, new DnsCounters(counters.manager())).start();
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted starting the DNS responder", ex);
        }
        catch (final RuntimeException ex)
        {
            throw new IOException("dns: cannot listen on " + dns.listen() + ": " + ex.getMessage(), ex);
        }
        StartupClock.phase("DNS responder started");
    }

    /**
     * Rereads the configuration file and applies it to the running datapath: a new snapshot is built off the packet
     * path and published with one release store ({@link #publish}); the datapath takes it at its next duty cycle.
     * Pairs: {@link DatapathSnapshotHolder#publish} there with {@link DatapathSnapshotHolder#acquire} in the agent's duty
     * cycle; the flow-log writer's interface-id table is stored (volatile) before that publish (see
     * {@link FlowLogWriterAgent} for what this does not order).
     * What the snapshot does not cover (ports, datapath settings, state directory, the management API) needs a
     * restart: such a model is refused and the running one stays. Call from one control thread (SIGHUP's); with the
     * EC2 API on, the work is handed to the API thread, which publishes API commits too, and this waits for it.
     *
     * @return null when applied, else why not (the running configuration stays).
     */
    public String reload(final Path file)
    {
        final ApplianceModel next;
        try
        {
            next = ConfigLoader.load(file);
        }
        catch (final ConfigException ex)
        {
            reloadFailures.incrementRelease();
            return ex.getMessage();
        }
        String refused;
        try
        {
            refused = controlPlaneAdapter == null ? reload(next) : onApiThread(next);
            if (refused == null)
            {
                shutdown = next.shutdown();
            }
        }
        catch (final RuntimeException ex)
        {
            LOG.error("reload failed", ex);
            refused = "reload failed: " + ex;
        }
        if (refused == null)
        {
            reloads.incrementRelease();
        }
        else
        {
            reloadFailures.incrementRelease();
        }
        return refused;
    }

    private String reload(final ApplianceModel next)
    {
        if (!next.ports().equals(current.ports()) || !next.datapath().equals(current.datapath()) ||
            !next.stateDirectory().equals(current.stateDirectory()) || !next.region().equals(current.region()) ||
            !sameFlowLogSink(next.flowLogs(), current.flowLogs()) ||
            !java.util.Objects.equals(next.managementApi(), current.managementApi()) ||
            !java.util.Objects.equals(next.dns(), current.dns()))
        {
            return "ports, datapath settings, stateDirectory, region, the managementApi and dns sections and the flow log " +
                "file, account and interval change only with a restart";
        }
        if (controlPlaneAdapter != null)
        {
            // On the API thread: merged with the control plane's state, which then gets the new catalog.
            final String refused = controlPlaneAdapter.onConfigReloaded(next);
            if (refused != null)
            {
                return refused;
            }
        }
        else
        {
            try
            {
                publish(next);
            }
            catch (final IllegalArgumentException ex)
            {
                return "cannot build the datapath snapshot: " + ex.getMessage();
            }
        }
        LOG.info("configuration reloaded: {} endpoints, {} network ACLs, {} security groups",
            current.endpoints().size(), current.networkAcls().size(), current.securityGroups().size());
        return null;
    }

    /**
     * Runs a reload on the management API's thread, the one control thread while the EC2 API is on, and waits for
     * it: the thread that asked (SIGHUP's) never publishes itself.
     */
    private String onApiThread(final ApplianceModel next)
    {
        final FutureTask<String> task = new FutureTask<>(() -> reload(next));
        final long deadlineNs = System.nanoTime() + API_THREAD_WAIT_NS;
        while (true)
        {
            try
            {
                managementServer.executeOnApiThread(task);
                break;
            }
            catch (final RejectedExecutionException ex)
            {
                if (System.nanoTime() - deadlineNs > 0)
                {
                    return "the management API's thread did not take the reload (busy or stopping)";
                }
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
            }
        }
        try
        {
            return task.get(Math.max(0, deadlineNs - System.nanoTime()), TimeUnit.NANOSECONDS);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            return "interrupted waiting for the reload";
        }
        catch (final ExecutionException ex)
        {
            throw new IllegalStateException(ex.getCause());
        }
        catch (final TimeoutException ex)
        {
            return "the reload did not finish on the management API's thread in time; it applies when that thread gets to it";
        }
    }

    /**
     * Puts back the flows the journal holds (a restart): each whose ENI is still on its port gets
     * its record, state ESTABLISHED, and its exact NAT binding (address, port, target, target port)
     * claimed; the rest are forgotten. Before the datapath thread starts, which publishes all of it
     * to that thread.
     */
    private void restoreFlows(
        final DatapathSnapshot snapshot,
        final FlowTable flows,
        final NatPortAllocator natPorts,
        final int[] natAddresses,
        final DatapathAgent agent)
    {
        final long nowNs = System.nanoTime();
        final int[] restored = {0, 0};
        journal.forEach(f ->
        {
            int natIndex = -1;
            for (int a = 0; a < natAddresses.length; a++)
            {
                if (natAddresses[a] == f.natIp())
                {
                    natIndex = a;
                }
            }
            final boolean eniStillThere = f.consumerPortIndex() >= 0 && f.consumerPortIndex() < ports.size() &&
                snapshot.eniOn(f.consumerPortIndex(), f.eniIp()) != DatapathSnapshot.NOT_FOUND;
            final boolean claimed = natIndex >= 0 && eniStillThere &&
                natPorts.claim(natIndex, f.targetIp(), f.targetPort(), f.natPort());
            final int flow = !claimed ? -1 :
                flows.restoreEstablished(f.clientIp(), f.clientPort(), f.eniIp(), f.eniPort(), f.targetIp(), f.targetPort(),
                f.natIp(), f.natPort(), nowNs);
            if (flow < 0)
            {
                if (claimed)
                {
                    natPorts.release(natIndex, f.targetIp(), f.targetPort(), f.natPort());
                }
                journal.forget(f.natIp(), f.natPort(), f.targetIp(), f.targetPort());
                restored[1]++;
                return;
            }
            flows.consumerMac(flow, f.consumerMac());
            flows.consumerPortIndex(flow, f.consumerPortIndex());
            flows.endpointId(flow, f.eniIp());
            agent.markJournaled(flow);
            restored[0]++;
        });
        natPorts.claimsDone();
        if (restored[0] + restored[1] > 0)
        {
            LOG.info("flow journal: {} established flows restored, {} dropped", restored[0], restored[1]);
        }
    }

    /** GET /v1/explain?eni=&source=&port=[&protocol=tcp][&sourcePort=49152]: on the current snapshot. */
    private Object explain(final Map<String, String> parameters) throws JsonQuery.BadRequestException
    {
        try
        {
            final int eni = Ipv4.parseAddress(requiredParameter(parameters, "eni"));
            final int source = Ipv4.parseAddress(requiredParameter(parameters, "source"));
            final int protocol = ReachabilityExplainer.parseProtocol(parameters.getOrDefault("protocol", "tcp"));
            final int port = Integer.parseInt(requiredParameter(parameters, "port"));
            final int sourcePort = Integer.parseInt(parameters.getOrDefault("sourcePort", "49152"));
            if (protocol < 0 || protocol > 255 || port < 0 || port > 65535 || sourcePort < 0 || sourcePort > 65535)
            {
                throw new JsonQuery.BadRequestException("protocol 0-255, port and sourcePort 0-65535");
            }
            return ReachabilityExplainer.explain(snapshots.acquire(), eni, source, protocol, sourcePort, port);
        }
        catch (final IllegalArgumentException ex)
        {
            throw new JsonQuery.BadRequestException(ex.getMessage());
        }
    }

    private static String requiredParameter(final Map<String, String> parameters, final String name)
        throws JsonQuery.BadRequestException
    {
        final String value = parameters.get(name);
        if (value == null || value.isBlank())
        {
            throw new JsonQuery.BadRequestException(name + " is required");
        }
        return value;
    }

    private static boolean sameFlowLogSink(final ApplianceModel.FlowLogsSpec a, final ApplianceModel.FlowLogsSpec b)
    {
        return a == null ? b == null : b != null && a.file().equals(b.file()) && a.accountId().equals(b.accountId()) &&
            a.aggregationIntervalNs() == b.aggregationIntervalNs();
    }

    private Port openPort(final PortSpec spec) throws PortException
    {
        return switch (spec.type())
        {
            case AFPACKET ->
            {
                final AfPacketPort.Options defaults = AfPacketPort.Options.DEFAULT;
                final int batch = model.datapath().batchSize();
                final AfPacketPort.Options options = new AfPacketPort.Options(
                    spec.qdiscBypass(), defaults.receiveBufferBytes(), defaults.sendBufferBytes(), batch, batch);
                yield spec.namespace() == null ?
                    AfPacketPort.open(spec.name(), spec.interfaceName(), options) :
                    AfPacketPort.open(spec.name(), spec.namespace(), spec.interfaceName(), options);
            }
            case TAP -> spec.namespace() == null ?
                TapPort.open(spec.name(), spec.interfaceName(), TapPort.Options.DEFAULT) :
                TapPort.open(spec.name(), spec.namespace(), spec.interfaceName(), TapPort.Options.DEFAULT);
        };
    }

    private IdleStrategy idleStrategy(final ApplianceModel.IdleStrategyKind kind)
    {
        return switch (kind)
        {
            case POLL -> new PollIdleStrategy(ports.toArray(Port[]::new));
            case BACKOFF -> new BackoffIdleStrategy();
            case SPIN -> new BusySpinIdleStrategy();
        };
    }

    static String formatMac(final long mac)
    {
        final StringBuilder text = new StringBuilder(17);
        for (int shift = 40; shift >= 0; shift -= 8)
        {
            if (text.length() > 0)
            {
                text.append(':');
            }
            final int octet = (int)(mac >>> shift) & 0xFF;
            text.append(Character.forDigit(octet >> 4, 16)).append(Character.forDigit(octet & 0xF, 16));
        }
        return text.toString();
    }

    @Override
    public void close()
    {
        CloseHelper.quietClose(dnsServer);
        CloseHelper.quietClose(controlPlaneAdapter);
        // Lets the API thread finish what it runs, then the store it commits to closes.
        CloseHelper.quietClose(managementServer);
        // No more events once the API thread has stopped: deliver what is queued for a moment, count the rest.
        CloseHelper.quietClose(notifications);
        CloseHelper.quietClose(controlPlaneStore);
        // The datapath hands its open flow-log window to the writer as it closes; then the writer
        // drains, forces and closes the file.
        CloseHelper.quietClose(runner);
        // Unmap the flow table only once the agent's thread is done with it; if the close gave up waiting, the
        // table's cleaner unmaps it when nothing refers to it any more.
        if (flows != null && (runner == null || runner.isClosed()))
        {
            flows.close();
        }
        CloseHelper.quietClose(flowLogRunner);
        CloseHelper.quietClose(flowLogs);
        // After the datapath: the journal agent drains what it was handed, then the map closes.
        CloseHelper.quietClose(journalRunner);
        if (journal == null && journalOpening != null)
        {
            // A start that failed before it took the journal: wait for the opening so the map closes.
            journal = journalOpening.awaitQuietly();
        }
        CloseHelper.quietClose(journal);
        for (final Port port : ports)
        {
            CloseHelper.quietClose(port);
        }
        ports.clear();
        CloseHelper.quietClose(counters);
        try
        {
            Files.deleteIfExists(model.stateDirectory().resolve(READY_FILE));
        }
        catch (final IOException ex)
        {
            LOG.warn("could not remove {}", model.stateDirectory().resolve(READY_FILE), ex);
        }
    }
}
