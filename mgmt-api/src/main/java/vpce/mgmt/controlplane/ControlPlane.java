package vpce.mgmt.controlplane;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import vpce.mgmt.ApiException;

import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;

/**
 * The authoritative model of the management API: every EC2 action of the VPC-endpoint API (and the JSON REST view)
 * maps onto one method here, with the same validation and the same refusals ({@link ApiException} carrying EC2's
 * code, always thrown before anything changed).
 * <p>
 * <b>Threading: one writer.</b> Every mutating method (those taking {@code dryRun}, and {@link #onDatapathProgrammed},
 * {@link #onTick}, {@link #updateCatalog}) must be called on one thread, the control-plane thread: the management
 * server's event loop or a dedicated single-thread executor that the appliance also posts its calls to. The first
 * mutating call binds that thread, and a call from another thread is refused with an IllegalStateException rather
 * than corrupting anything. Reads go through {@link #state()} from any thread.
 * <p>
 * <b>A commit</b>: the action is built as a {@link Transaction} on the current state (validation throws before any
 * change); with {@code dryRun} the transaction is dropped and {@code DryRunOperation} (412) thrown; otherwise its
 * {@link Commit} is appended to the {@link StateStore} and made durable (fsync), and only then is the new immutable
 * {@link ControlPlaneState} published, with a release store that pairs with the acquire load in {@link #state()}.
 * If the store fails, nothing is published and the caller gets {@code InternalError} (500): the action did not
 * happen. After publishing, the {@link StateListener}s are told (the datapath adapter), then the
 * {@link ConnectionEventListener}s get the commit's connection events.
 */
public final class ControlPlane
{
    private static final Logger LOG = LoggerFactory.getLogger(ControlPlane.class);
    private static final VarHandle STATE;

    static
    {
        try
        {
            STATE = MethodHandles.lookup().findVarHandle(ControlPlane.class, "state", ControlPlaneState.class);
        }
        catch (final ReflectiveOperationException ex)
        {
            throw new ExceptionInInitializerError(ex);
        }
    }

    private final StateStore store;
    private final InstantSource clock;
    private final IdSource ids;
    private final List<StateListener> stateListeners = new CopyOnWriteArrayList<>();
    private final List<ConnectionEventListener> eventListeners = new CopyOnWriteArrayList<>();
    /** Written with setRelease by the writer thread only; read with getAcquire in {@link #state()}. */
    @SuppressWarnings("unused")
    private ControlPlaneState state;
    private Thread writer;
    private boolean notifying;
    /** The account the current API call runs as ({@link #asCaller}); null: the owner account. Writer thread only. */
    private String caller;

    /**
     * @param store what the control plane recovers from ({@link StateStore#recovered()}) and appends commits to; it
     *              stays owned by the caller, who closes it after the control plane's last use.
     * @param clock wall-clock time for creation timestamps and retention.
     * @param ids   id source: {@link IdSource#secure()} in production, seeded in tests.
     */
    public ControlPlane(final ControlPlaneSettings settings, final StateStore store, final InstantSource clock, final IdSource ids)
    {
        this.store = store;
        this.clock = clock;
        this.ids = ids;
        STATE.setRelease(this, ControlPlaneState.of(settings, store.recovered()));
    }

    /**
     * @return the current state: an acquire load that pairs with the release store publishing each commit, so that
     * everything in the returned state (it is immutable) is visible to the calling thread. Any thread.
     */
    public ControlPlaneState state()
    {
        return (ControlPlaneState)STATE.getAcquire(this);
    }

    /** Adds a listener for new states. Call while wiring, before the first mutation. */
    public void addStateListener(final StateListener listener)
    {
        stateListeners.add(listener);
    }

    /** Adds a listener for connection events. Call while wiring, before the first mutation. */
    public void addConnectionEventListener(final ConnectionEventListener listener)
    {
        eventListeners.add(listener);
    }

    /** @return the refusal a mutating action answers with when {@code dryRun} is set and it would have succeeded. */
    public static ApiException dryRunOperation()
    {
        return Refusals.dryRunOperation();
    }

    // ---------------------------------------------------------------- VPCs and subnets

    public Vpc createVpc(final String cidrBlock, final Map<String, String> tags, final boolean dryRun)
    {
        return commit("CreateVpc", dryRun, tx -> NetworkRules.createVpc(tx, cidrBlock, tags));
    }

    /** Deletes a VPC with its default security group and network ACL; DependencyViolation while anything else uses it. */
    public void deleteVpc(final String vpcId, final boolean dryRun)
    {
        commit("DeleteVpc", dryRun, tx -> run(() -> NetworkRules.deleteVpc(tx, vpcId)));
    }

    public void modifyVpcAttribute(final String vpcId, final VpcAttribute attribute, final boolean value, final boolean dryRun)
    {
        commit("ModifyVpcAttribute", dryRun, tx -> run(() -> NetworkRules.modifyVpcAttribute(tx, vpcId, attribute, value)));
    }

    /**
     * @param availabilityZone   zone name, or null.
     * @param availabilityZoneId zone id, or null; with neither, the first configured zone.
     */
    public Subnet createSubnet(final String vpcId, final String cidrBlock, final String availabilityZone,
        final String availabilityZoneId, final Map<String, String> tags, final boolean dryRun)
    {
        return commit("CreateSubnet", dryRun,
            tx -> NetworkRules.createSubnet(tx, vpcId, cidrBlock, availabilityZone, availabilityZoneId, tags));
    }

    public void deleteSubnet(final String subnetId, final boolean dryRun)
    {
        commit("DeleteSubnet", dryRun, tx -> run(() -> NetworkRules.deleteSubnet(tx, subnetId)));
    }

    // ---------------------------------------------------------------- security groups

    public SecurityGroup createSecurityGroup(final String vpcId, final String groupName, final String description,
        final Map<String, String> tags, final boolean dryRun)
    {
        return commit("CreateSecurityGroup", dryRun,
            tx -> NetworkRules.createSecurityGroup(tx, vpcId, groupName, description, tags));
    }

    /** By id, or by name when {@code groupId} is null (the name must be unique across VPCs). */
    public void deleteSecurityGroup(final String groupId, final String groupName, final boolean dryRun)
    {
        commit("DeleteSecurityGroup", dryRun, tx -> run(() -> NetworkRules.deleteSecurityGroup(tx, groupId, groupName)));
    }

    /** @return the rules added (with their {@code sgr-} ids), one per range and per group of each permission. */
    public List<SecurityGroupRule> authorizeSecurityGroupIngress(final String groupId, final List<IpPermission> permissions,
        final boolean dryRun)
    {
        return commit("AuthorizeSecurityGroupIngress", dryRun, tx -> NetworkRules.authorize(tx, groupId, false, permissions));
    }

    public List<SecurityGroupRule> authorizeSecurityGroupEgress(final String groupId, final List<IpPermission> permissions,
        final boolean dryRun)
    {
        return commit("AuthorizeSecurityGroupEgress", dryRun, tx -> NetworkRules.authorize(tx, groupId, true, permissions));
    }

    /** Revokes rules given as permissions and/or by {@code sgr-} id; any that does not exist refuses the whole call. */
    public void revokeSecurityGroupIngress(final String groupId, final List<IpPermission> permissions,
        final List<String> securityGroupRuleIds, final boolean dryRun)
    {
        commit("RevokeSecurityGroupIngress", dryRun,
            tx -> run(() -> NetworkRules.revoke(tx, groupId, false, permissions, securityGroupRuleIds)));
    }

    public void revokeSecurityGroupEgress(final String groupId, final List<IpPermission> permissions,
        final List<String> securityGroupRuleIds, final boolean dryRun)
    {
        commit("RevokeSecurityGroupEgress", dryRun,
            tx -> run(() -> NetworkRules.revoke(tx, groupId, true, permissions, securityGroupRuleIds)));
    }

    // ---------------------------------------------------------------- network ACLs

    public NetworkAcl createNetworkAcl(final String vpcId, final Map<String, String> tags, final boolean dryRun)
    {
        return commit("CreateNetworkAcl", dryRun, tx -> NetworkRules.createNetworkAcl(tx, vpcId, tags));
    }

    public void deleteNetworkAcl(final String networkAclId, final boolean dryRun)
    {
        commit("DeleteNetworkAcl", dryRun, tx -> run(() -> NetworkRules.deleteNetworkAcl(tx, networkAclId)));
    }

    /**
     * @param entry as requested: protocol by name or number ({@code tcp}, {@code 6}, {@code -1}), action
     *              {@code allow|deny}; it is stored normalized (numeric protocol, ports or ICMP only where they apply).
     */
    public void createNetworkAclEntry(final String networkAclId, final NetworkAclEntry entry, final boolean dryRun)
    {
        commit("CreateNetworkAclEntry", dryRun, tx -> run(() -> NetworkRules.putNetworkAclEntry(tx, networkAclId, entry, false)));
    }

    public void replaceNetworkAclEntry(final String networkAclId, final NetworkAclEntry entry, final boolean dryRun)
    {
        commit("ReplaceNetworkAclEntry", dryRun, tx -> run(() -> NetworkRules.putNetworkAclEntry(tx, networkAclId, entry, true)));
    }

    public void deleteNetworkAclEntry(final String networkAclId, final int ruleNumber, final boolean egress, final boolean dryRun)
    {
        commit("DeleteNetworkAclEntry", dryRun,
            tx -> run(() -> NetworkRules.deleteNetworkAclEntry(tx, networkAclId, ruleNumber, egress)));
    }

    /** @return the new association id ({@code aclassoc-…}). */
    public String replaceNetworkAclAssociation(final String associationId, final String networkAclId, final boolean dryRun)
    {
        return commit("ReplaceNetworkAclAssociation", dryRun,
            tx -> NetworkRules.replaceNetworkAclAssociation(tx, associationId, networkAclId));
    }

    // ---------------------------------------------------------------- consumer

    /**
     * Creates an Interface endpoint with one ENI per subnet; it starts {@code pendingAcceptance} when the service
     * requires acceptance, else {@code pending}, and becomes {@code available} through {@link #onDatapathProgrammed}.
     * With a known {@code clientToken} and the same parameters it answers the endpoint that token made, changing
     * nothing.
     */
    public VpcEndpoint createVpcEndpoint(final CreateVpcEndpointRequest request, final boolean dryRun)
    {
        return commit("CreateVpcEndpoint", dryRun, tx -> EndpointRules.createVpcEndpoint(tx, request));
    }

    /** Adds/removes subnets (a removed subnet's ENI is deleted), security groups, and toggles private DNS. */
    public void modifyVpcEndpoint(final ModifyVpcEndpointRequest request, final boolean dryRun)
    {
        commit("ModifyVpcEndpoint", dryRun, tx -> run(() -> EndpointRules.modifyVpcEndpoint(tx, request)));
    }

    /** Moves each endpoint to {@code deleting}; @return the ids it could not act on. */
    public List<UnsuccessfulItem> deleteVpcEndpoints(final List<String> vpcEndpointIds, final boolean dryRun)
    {
        return commit("DeleteVpcEndpoints", dryRun, tx -> EndpointRules.deleteVpcEndpoints(tx, vpcEndpointIds));
    }

    /** For a service ({@code serviceId}) or an endpoint ({@code vpcEndpointId}); events Accept|Connect|Delete|Reject. */
    public ConnectionNotification createVpcEndpointConnectionNotification(final String serviceId, final String vpcEndpointId,
        final String connectionNotificationArn, final List<String> connectionEvents, final String clientToken,
        final boolean dryRun)
    {
        return commit("CreateVpcEndpointConnectionNotification", dryRun, tx -> EndpointRules.createNotification(tx, serviceId,
            vpcEndpointId, connectionNotificationArn, connectionEvents, clientToken));
    }

    /** Null {@code connectionNotificationArn} / empty {@code connectionEvents}: unchanged (one of them is required). */
    public void modifyVpcEndpointConnectionNotification(final String connectionNotificationId,
        final String connectionNotificationArn, final List<String> connectionEvents, final boolean dryRun)
    {
        commit("ModifyVpcEndpointConnectionNotification", dryRun, tx -> run(() -> EndpointRules.modifyNotification(tx,
            connectionNotificationId, connectionNotificationArn, connectionEvents)));
    }

    public List<UnsuccessfulItem> deleteVpcEndpointConnectionNotifications(final List<String> connectionNotificationIds,
        final boolean dryRun)
    {
        return commit("DeleteVpcEndpointConnectionNotifications", dryRun,
            tx -> EndpointRules.deleteNotifications(tx, connectionNotificationIds));
    }

    // ---------------------------------------------------------------- provider

    /** A new service over the targets of catalog load balancers; its name is {@code com.amazonaws.vpce.<region>.<id>}. */
    public EndpointService createVpcEndpointServiceConfiguration(final CreateServiceConfigurationRequest request,
        final boolean dryRun)
    {
        return commit("CreateVpcEndpointServiceConfiguration", dryRun,
            tx -> EndpointRules.createServiceConfiguration(tx, request));
    }

    public void modifyVpcEndpointServiceConfiguration(final ModifyServiceConfigurationRequest request, final boolean dryRun)
    {
        commit("ModifyVpcEndpointServiceConfiguration", dryRun,
            tx -> run(() -> EndpointRules.modifyServiceConfiguration(tx, request)));
    }

    public List<UnsuccessfulItem> deleteVpcEndpointServiceConfigurations(final List<String> serviceIds, final boolean dryRun)
    {
        return commit("DeleteVpcEndpointServiceConfigurations", dryRun,
            tx -> EndpointRules.deleteServiceConfigurations(tx, serviceIds));
    }

    /** Moves {@code pendingAcceptance} endpoints of the service to {@code pending}; @return the ids it could not. */
    public List<UnsuccessfulItem> acceptVpcEndpointConnections(final String serviceId, final List<String> vpcEndpointIds,
        final boolean dryRun)
    {
        return commit("AcceptVpcEndpointConnections", dryRun,
            tx -> EndpointRules.acceptOrReject(tx, serviceId, vpcEndpointIds, true));
    }

    /** Moves the service's endpoints (pendingAcceptance, pending or available) to {@code rejected}. */
    public List<UnsuccessfulItem> rejectVpcEndpointConnections(final String serviceId, final List<String> vpcEndpointIds,
        final boolean dryRun)
    {
        return commit("RejectVpcEndpointConnections", dryRun,
            tx -> EndpointRules.acceptOrReject(tx, serviceId, vpcEndpointIds, false));
    }

    // ---------------------------------------------------------------- several actions, one commit

    /**
     * Runs several actions as one commit: {@code body} calls the {@link Batch}'s methods, every one on the same
     * transaction; the first refusal throws before anything is stored or published (the earlier parts are dropped
     * with the transaction), with {@code dryRun} every part is validated and then {@code DryRunOperation} thrown, and
     * otherwise the whole is one {@link Commit} named {@code action}: one store record, one published state. The REST
     * API's multi-part PATCH requests use it.
     */
    public <R> R atomically(final String action, final boolean dryRun, final Function<Batch, R> body)
    {
        return commit(action, dryRun, tx -> body.apply(new Batch(tx)));
    }

    /**
     * Runs {@code body} (an API call: its control-plane calls) as {@code accountId}: what it creates is owned by that
     * account, and it can change only what that account owns — its VPCs, subnets, groups, ACLs and endpoints as the
     * consumer, its services (accepting and rejecting their connections) as the provider; another account's resource
     * is NotFound, as in EC2. A null account is the owner account ({@code managementApi.ownerId}), as are calls made
     * outside this method (the appliance's own). Control-plane thread.
     */
    public void asCaller(final String accountId, final Runnable body)
    {
        if (accountId == null)
        {
            body.run();
            return;
        }
        checkWriter();
        final String previous = caller;
        caller = accountId;
        try
        {
            body.run();
        }
        finally
        {
            caller = previous;
        }
    }

    // ---------------------------------------------------------------- the appliance's calls

    /**
     * The datapath now runs on a snapshot compiled from the state with sequence {@code generation}: every endpoint
     * that entered {@code pending} at or before it becomes {@code available}, every one that entered
     * {@code deleting} becomes {@code deleted} (its ENIs removed; removed altogether when the retention is 0). One
     * commit, none when nothing changes. Control-plane thread.
     *
     * @return the number of endpoints that changed state.
     */
    public int onDatapathProgrammed(final long generation)
    {
        return commit("DatapathProgrammed", false, tx -> EndpointRules.datapathProgrammed(tx, generation));
    }

    /**
     * Drops deleted endpoints older than the retention period (and their notifications). Call periodically (e.g.
     * every second) on the control-plane thread.
     *
     * @return the number of endpoints dropped.
     */
    public int onTick()
    {
        return commit("ExpireDeletedEndpoints", false, EndpointRules::expireDeleted);
    }

    /**
     * Replaces the catalog (a configuration reload): a new state with the same sequence is published and the state
     * listeners are told with an empty commit. Nothing is persisted. Services created through the API that name a load
     * balancer no longer in the catalog keep existing but have no targets (logged).
     */
    public void updateCatalog(final List<CatalogService> catalog)
    {
        checkWriter();
        final ControlPlaneState current = state();
        final ControlPlaneState next = current.withSettings(current.settings().withCatalog(catalog));
        for (final EndpointService service : next.services())
        {
            for (final String arn : service.networkLoadBalancerArns())
            {
                if (catalog.stream().noneMatch(entry -> entry.loadBalancerArn().equals(arn)))
                {
                    LOG.warn("service {} names load balancer {}, which the catalog no longer has", service.serviceId(), arn);
                }
            }
        }
        STATE.setRelease(this, next);
        notifyStateListeners(next, new Commit(next.sequence(), clock.millis(), "UpdateCatalog", List.of()));
    }

    // ---------------------------------------------------------------- the commit

    private static Void run(final Runnable body)
    {
        body.run();
        return null;
    }

    private <R> R commit(final String action, final boolean dryRun, final Function<Transaction, R> body)
    {
        checkWriter();
        if (notifying)
        {
            // A nested commit would publish a newer state while later listeners still get the older one.
            throw new IllegalStateException(action + " called from a state listener: post it to the control-plane thread");
        }
        final ControlPlaneState current = state();
        final Transaction tx = new Transaction(current, clock.millis(), ids,
            caller != null ? caller : current.settings().ownerId());
        final R result = body.apply(tx);
        if (dryRun)
        {
            throw Refusals.dryRunOperation();
        }
        if (tx.isEmpty())
        {
            return result;
        }
        final Commit commit = tx.commit(action);
        final ControlPlaneState next = tx.build();
        try
        {
            store.append(commit, next);
        }
        catch (final IOException | RuntimeException ex)
        {
            LOG.error("{} (commit {}) was not made durable; nothing changed", action, commit.sequence(), ex);
            throw new ApiException("InternalError", "The state store failed: the request was not carried out.",
                ApiException.INTERNAL_ERROR);
        }
        STATE.setRelease(this, next);
        notifyStateListeners(next, commit);
        final List<ConnectionEvent> events = tx.connectionEvents(next);
        for (final ConnectionEvent event : events)
        {
            for (final ConnectionEventListener listener : eventListeners)
            {
                try
                {
                    listener.onConnectionEvent(event);
                }
                catch (final RuntimeException ex)
                {
                    LOG.error("connection event listener failed on {}", event, ex);
                }
            }
        }
        return result;
    }

    private void notifyStateListeners(final ControlPlaneState next, final Commit commit)
    {
        notifying = true;
        try
        {
            for (final StateListener listener : new ArrayList<>(stateListeners))
            {
                try
                {
                    listener.onStateCommitted(next, commit);
                }
                catch (final RuntimeException ex)
                {
                    LOG.error("state listener failed on commit {}", commit.sequence(), ex);
                }
            }
        }
        finally
        {
            notifying = false;
        }
    }

    private void checkWriter()
    {
        final Thread current = Thread.currentThread();
        if (writer == null)
        {
            writer = current;
        }
        else if (writer != current)
        {
            throw new IllegalStateException("control plane mutated from " + current.getName() + "; its writer thread is " +
                writer.getName());
        }
    }
}
