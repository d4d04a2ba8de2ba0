package vpce.appliance.controlplane;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import vpce.appliance.config.ApplianceModel;
import vpce.mgmt.controlplane.CatalogService;
import vpce.mgmt.controlplane.Commit;
import vpce.mgmt.controlplane.ControlPlane;
import vpce.mgmt.controlplane.ControlPlaneState;
import vpce.mgmt.controlplane.EndpointState;
import vpce.mgmt.controlplane.StateListener;
import vpce.mgmt.controlplane.VpcEndpoint;

import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongConsumer;

/**
 * Carries the control plane's state to the datapath: on every commit it merges the state with the configuration file's
 * model ({@link ControlPlaneModel#merge}), publishes a snapshot of the result when it differs from the last one, and
 * once the datapath agent runs with that snapshot tells the control plane ({@link ControlPlane#onDatapathProgrammed}),
 * which makes {@code pending} endpoints {@code available} and {@code deleting} ones {@code deleted}.
 *
 * <p><b>One control thread.</b> The API thread (the management server's, which is also the control plane's writer) is
 * the only thread that publishes snapshots once the appliance runs: API commits reach this listener there, and a
 * configuration reload (SIGHUP) is posted there by the appliance and waited for, so commits and reloads are applied
 * one after the other, each on the latest of the other. The periodic tick ({@link ControlPlane#onTick}) is posted
 * there too. Before the server starts, the start-up thread builds the first snapshot from {@link #initialModel()}.
 *
 * <p><b>Programmed.</b> A snapshot carries the control-plane sequence of the state it was merged from (or of a later
 * state that merges to the same model). When {@link DatapathPublisher#programmedGeneration()} (acquire; the agent's
 * release store once it took the snapshot and purged the flows of the ENIs it dropped) reaches that snapshot's
 * generation, this adapter calls {@code onDatapathProgrammed(sequence)} from a task on the API thread: it looks, and
 * while the agent has not caught up (it is at most one poll timeout, 1 ms, away) parks {@value #CONFIRM_PARK_NS} ns
 * and posts itself again, so requests queued meanwhile are served. After {@link #CONFIRM_PATIENCE_NS} it leaves the
 * rest to the tick.
 */
public final class ControlPlaneDatapathAdapter implements StateListener, AutoCloseable
{
    public static final long TICK_INTERVAL_MS = 1_000;
    static final long CONFIRM_PARK_NS = 20_000;
    static final long CONFIRM_PATIENCE_NS = TimeUnit.SECONDS.toNanos(1);
    private static final Logger LOG = LoggerFactory.getLogger(ControlPlaneDatapathAdapter.class);

    private final ControlPlane controlPlane;
    private final DatapathPublisher publisher;
    private final LongConsumer leftOutGauge;
    /** Start-up thread until {@link #start}, then the API thread only (the executor orders the hand-over). */
    private ApplianceModel config;
    private ApplianceModel published;
    private long carriedSequence;
    private long carriedGeneration;
    private List<String> leftOut = List.of();
    private boolean confirmPosted;
    private long waitingSinceNs;
    /** When the oldest commit still waiting for confirmation reached this listener; 0 when none waits. */
    private long oldestUnconfirmedNs;
    /** Set by the start-up thread; read by the API thread, which may run a commit before {@link #start} returns. */
    private volatile Executor apiThread;
    private ScheduledExecutorService ticker;

    /**
     * Registers itself as the control plane's state listener: call while wiring, before the API serves requests.
     *
     * @param config       the configuration file's model.
     * @param leftOutGauge told how many API entities the datapath does not carry (see {@link ControlPlaneModel}).
     */
    public ControlPlaneDatapathAdapter(
        final ApplianceModel config, final ControlPlane controlPlane, final DatapathPublisher publisher, final LongConsumer leftOutGauge)
    {
        this.config = config;
        this.controlPlane = controlPlane;
        this.publisher = publisher;
        this.leftOutGauge = leftOutGauge;
        controlPlane.addStateListener(this);
    }

    /** Start-up thread: the model of the first snapshot, the file's and the recovered control-plane state merged. */
    public ApplianceModel initialModel()
    {
        final ControlPlaneState state = controlPlane.state();
        final ControlPlaneModel.Merged merged = ControlPlaneModel.merge(config, state);
        report(merged);
        published = merged.model();
        carriedSequence = state.sequence();
        return published;
    }

    /** Start-up thread: the first snapshot, of {@link #initialModel()}, has this generation. */
    public void initialGeneration(final long generation)
    {
        carriedGeneration = generation;
    }

    /**
     * Start-up thread, once the API thread exists: from now on everything runs there. Endpoints recovered
     * {@code pending} or {@code deleting} are confirmed as soon as the agent runs with the first snapshot.
     */
    public void start(final Executor apiThread)
    {
        this.apiThread = apiThread;
        apiThread.execute(this::confirmSoon);
        ticker = Executors.newSingleThreadScheduledExecutor(runnable -> Thread.ofPlatform().name("vpce-control-tick").daemon(true)
            .unstarted(runnable));
        ticker.scheduleWithFixedDelay(() -> post(this::onTick), TICK_INTERVAL_MS, TICK_INTERVAL_MS, TimeUnit.MILLISECONDS);
    }

    /** API thread: a commit (or a catalog update) was made durable and published. */
    @Override
    public void onStateCommitted(final ControlPlaneState state, final Commit commit)
    {
        final ControlPlaneModel.Merged merged = ControlPlaneModel.merge(config, state);
        report(merged);
        if (!merged.model().equals(published))
        {
            try
            {
                carriedGeneration = publisher.publish(merged.model());
                published = merged.model();
            }
            catch (final RuntimeException ex)
            {
                LOG.error("{} (commit {}) cannot reach the datapath, which stays at commit {}: {}", commit.action(),
                    commit.sequence(), carriedSequence, ex.getMessage(), ex);
                return;
            }
        }
        carriedSequence = state.sequence();
        if (unconfirmed(state))
        {
            if (oldestUnconfirmedNs == 0)
            {
                oldestUnconfirmedNs = System.nanoTime();
            }
            confirmSoon();
        }
    }

    /**
     * API thread: a configuration reload whose restart-only parts are unchanged. Publishes the new file's model
     * merged with the control plane's state, then hands the control plane the new catalog.
     *
     * @return null when applied, else why not (nothing changed).
     */
    public String onConfigReloaded(final ApplianceModel next)
    {
        final List<CatalogService> catalog = ControlPlaneModel.catalog(next);
        final ControlPlaneState state = controlPlane.state();
        try
        {
            state.settings().withCatalog(catalog);
        }
        catch (final IllegalArgumentException ex)
        {
            return "the services cannot be the management API's catalog: " + ex.getMessage();
        }
        final ControlPlaneModel.Merged merged = ControlPlaneModel.merge(next, state);
        final long generation;
        try
        {
            generation = publisher.publish(merged.model());
        }
        catch (final RuntimeException ex)
        {
            return "cannot build the datapath snapshot: " + ex.getMessage();
        }
        config = next;
        published = merged.model();
        carriedGeneration = generation;
        carriedSequence = state.sequence();
        report(merged);
        // Tells this listener again, which finds the model it just published.
        controlPlane.updateCatalog(catalog);
        return null;
    }

    /** API thread, every {@value #TICK_INTERVAL_MS} ms: expire deleted endpoints, confirm what is still waiting. */
    void onTick()
    {
        try
        {
            controlPlane.onTick();
        }
        catch (final RuntimeException ex)
        {
            LOG.error("control-plane tick failed", ex);
        }
        if (unconfirmed(controlPlane.state()))
        {
            confirmSoon();
        }
    }

    private void confirmSoon()
    {
        if (!confirmPosted)
        {
            waitingSinceNs = System.nanoTime();
            confirmPosted = post(this::confirm);
        }
    }

    private void confirm()
    {
        confirmPosted = false;
        if (!unconfirmed(controlPlane.state()))
        {
            return;
        }
        if (publisher.programmedGeneration() >= carriedGeneration)
        {
            try
            {
                final int changed = controlPlane.onDatapathProgrammed(carriedSequence);
                if (oldestUnconfirmedNs != 0)
                {
                    // The figure behind "CreateVpcEndpoint -> available": commit published to state changed.
                    LOG.info("datapath runs commit {} (snapshot {}): {} endpoint(s) available or deleted {} us after their commit",
                        carriedSequence, carriedGeneration, changed, (System.nanoTime() - oldestUnconfirmedNs) / 1000);
                    oldestUnconfirmedNs = 0;
                }
            }
            catch (final RuntimeException ex)
            {
                LOG.error("cannot record that the datapath runs commit {}; the tick retries", carriedSequence, ex);
            }
            return;
        }
        if (System.nanoTime() - waitingSinceNs > CONFIRM_PATIENCE_NS)
        {
            LOG.warn("the datapath has not taken snapshot {} after {} ms (it runs {}); the tick retries", carriedGeneration,
                TimeUnit.NANOSECONDS.toMillis(CONFIRM_PATIENCE_NS), publisher.programmedGeneration());
            return;
        }
        LockSupport.parkNanos(CONFIRM_PARK_NS);
        confirmPosted = post(this::confirm);
    }

    /** Whether an endpoint the published snapshot already reflects waits to be told so. */
    private boolean unconfirmed(final ControlPlaneState state)
    {
        for (final VpcEndpoint endpoint : state.vpcEndpoints())
        {
            if ((endpoint.state() == EndpointState.PENDING || endpoint.state() == EndpointState.DELETING) &&
                endpoint.stateSequence() <= carriedSequence)
            {
                return true;
            }
        }
        return false;
    }

    /**
     * On the API thread, or from the tick thread; a full queue or a closing server leaves it to the next tick.
     *
     * @return whether the task was queued.
     */
    private boolean post(final Runnable task)
    {
        final Executor executor = apiThread;
        if (executor == null)
        {
            return false;
        }
        try
        {
            executor.execute(task);
            return true;
        }
        catch (final RejectedExecutionException ex)
        {
            LOG.debug("API thread busy or closing: {}", ex.toString());
            return false;
        }
    }

    private void report(final ControlPlaneModel.Merged merged)
    {
        if (!merged.leftOut().equals(leftOut))
        {
            merged.leftOut().forEach(line -> LOG.warn("management API: left out of the datapath: {}", line));
            leftOut = merged.leftOut();
        }
        leftOutGauge.accept(leftOut.size());
    }

    @Override
    public void close()
    {
        if (ticker != null)
        {
            ticker.shutdownNow();
        }
    }
}
