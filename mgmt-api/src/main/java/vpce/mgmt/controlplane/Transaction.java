package vpce.mgmt.controlplane;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * One action being built on the writer thread: reads see the base state plus this action's own writes, writes go to
 * copies of the touched kinds' maps (the base state is never modified) and are recorded as {@link Change}s, last write
 * per resource winning. Validation happens while building, so an action that throws leaves nothing behind: the
 * transaction is simply dropped.
 */
final class Transaction
{
    private final ControlPlaneState base;
    private final long sequence;
    private final long nowMs;
    private final IdSource ids;
    private final String caller;
    private final Map<ResourceKind, TreeMap<String, Resource>> modified = new EnumMap<>(ResourceKind.class);
    private final Map<String, Change> changes = new LinkedHashMap<>();
    private final List<PendingEvent> events = new ArrayList<>();

    private record PendingEvent(ConnectionEventType type, String vpcEndpointId, String serviceId)
    {
    }

    /** @param caller the account the action runs as: it owns what the action creates and must own what it changes. */
    Transaction(final ControlPlaneState base, final long nowMs, final IdSource ids, final String caller)
    {
        this.base = base;
        this.caller = caller;
        this.sequence = base.sequence() + 1;
        this.nowMs = nowMs;
        this.ids = ids;
    }

    ControlPlaneState base()
    {
        return base;
    }

    /** @return the calling account (12 digits): the owner of what this action creates. */
    String caller()
    {
        return caller;
    }

    /** @return the caller's principal ARN (its account root), for service visibility. */
    String callerPrincipal()
    {
        return "arn:aws:iam::" + caller + ":root";
    }

    ControlPlaneSettings settings()
    {
        return base.settings();
    }

    /** @return the sequence this transaction commits as. */
    long sequence()
    {
        return sequence;
    }

    long nowMs()
    {
        return nowMs;
    }

    boolean isEmpty()
    {
        return changes.isEmpty();
    }

    private SortedMap<String, Resource> read(final ResourceKind kind)
    {
        final TreeMap<String, Resource> copy = modified.get(kind);
        return copy != null ? copy : base.map(kind);
    }

    private TreeMap<String, Resource> write(final ResourceKind kind)
    {
        return modified.computeIfAbsent(kind, k -> new TreeMap<>(base.map(k)));
    }

    @SuppressWarnings("unchecked")
    <T extends Resource> T get(final ResourceKind kind, final String id)
    {
        return id == null ? null : (T)read(kind).get(id);
    }

    @SuppressWarnings("unchecked")
    <T extends Resource> Collection<T> all(final ResourceKind kind)
    {
        return (Collection<T>)read(kind).values();
    }

    Vpc vpc(final String id)
    {
        return get(ResourceKind.VPC, id);
    }

    Subnet subnet(final String id)
    {
        return get(ResourceKind.SUBNET, id);
    }

    SecurityGroup securityGroup(final String id)
    {
        return get(ResourceKind.SECURITY_GROUP, id);
    }

    NetworkAcl networkAcl(final String id)
    {
        return get(ResourceKind.NETWORK_ACL, id);
    }

    VpcEndpoint vpcEndpoint(final String id)
    {
        return get(ResourceKind.VPC_ENDPOINT, id);
    }

    NetworkInterface networkInterface(final String id)
    {
        return get(ResourceKind.NETWORK_INTERFACE, id);
    }

    ConnectionNotification connectionNotification(final String id)
    {
        return get(ResourceKind.CONNECTION_NOTIFICATION, id);
    }

    /** @return the service by id: a catalog one, or one created through the API (as this transaction sees it). */
    EndpointService service(final String id)
    {
        final EndpointService catalog = base.service(id);
        if (catalog != null && catalog.origin() == ServiceOrigin.CATALOG)
        {
            return catalog;
        }
        return get(ResourceKind.ENDPOINT_SERVICE, id);
    }

    List<EndpointService> services()
    {
        final List<EndpointService> services = new ArrayList<>();
        for (final EndpointService service : base.services())
        {
            if (service.origin() == ServiceOrigin.CATALOG)
            {
                services.add(service);
            }
        }
        services.addAll(this.<EndpointService>all(ResourceKind.ENDPOINT_SERVICE));
        return services;
    }

    void put(final Resource resource)
    {
        write(resource.kind()).put(resource.id(), resource);
        changes.put(resource.kind() + "/" + resource.id(), new Change.Put(resource));
    }

    void remove(final ResourceKind kind, final String id)
    {
        write(kind).remove(id);
        changes.put(kind + "/" + id, new Change.Remove(kind, id));
    }

    /** @return a fresh id of {@code kind}, unique among the resources of that kind. */
    String newId(final ResourceKind kind)
    {
        while (true)
        {
            final String id = ids.next(kind.prefix());
            if (!read(kind).containsKey(id) && base.service(id) == null)
            {
                return id;
            }
        }
    }

    /** @return a fresh id for something that is not a resource of its own (rules, associations). */
    String newSubId(final String prefix)
    {
        return ids.next(prefix);
    }

    String newDnsLabel()
    {
        return ids.nextDnsLabel();
    }

    /** Records a connection event; it is matched to notifications and delivered only if the commit happens. */
    void event(final ConnectionEventType type, final VpcEndpoint endpoint)
    {
        events.add(new PendingEvent(type, endpoint.vpcEndpointId(), endpoint.serviceId()));
    }

    Commit commit(final String action)
    {
        return new Commit(sequence, nowMs, action, new ArrayList<>(changes.values()));
    }

    ControlPlaneState build()
    {
        final Map<ResourceKind, SortedMap<String, Resource>> maps = new EnumMap<>(ResourceKind.class);
        for (final ResourceKind kind : ResourceKind.values())
        {
            final TreeMap<String, Resource> copy = modified.get(kind);
            maps.put(kind, copy != null ? Collections.unmodifiableSortedMap(copy) : base.map(kind));
        }
        return ControlPlaneState.of(sequence, base.settings(), Collections.unmodifiableMap(maps));
    }

    /**
     * @return one event per matching notification: those of the endpoint and those of its service that subscribe to
     * the event's type, as they are in {@code after} (or, for a notification this commit removed, before it).
     */
    List<ConnectionEvent> connectionEvents(final ControlPlaneState after)
    {
        if (events.isEmpty())
        {
            return List.of();
        }
        final Map<String, ConnectionNotification> notifications = new TreeMap<>();
        for (final ConnectionNotification notification : base.connectionNotifications())
        {
            notifications.put(notification.id(), notification);
        }
        for (final ConnectionNotification notification : after.connectionNotifications())
        {
            notifications.put(notification.id(), notification);
        }
        final List<ConnectionEvent> delivered = new ArrayList<>();
        for (final PendingEvent event : events)
        {
            VpcEndpoint endpoint = after.vpcEndpoint(event.vpcEndpointId());
            if (endpoint == null)
            {
                endpoint = base.vpcEndpoint(event.vpcEndpointId());
            }
            for (final ConnectionNotification notification : notifications.values())
            {
                final boolean scoped = event.vpcEndpointId().equals(notification.vpcEndpointId()) ||
                    event.serviceId().equals(notification.serviceId());
                if (scoped && notification.connectionEvents().contains(event.type()))
                {
                    delivered.add(new ConnectionEvent(notification.connectionNotificationId(),
                        notification.connectionNotificationArn(), event.type(), event.vpcEndpointId(),
                        endpoint == null ? null : endpoint.ownerId(), event.serviceId(),
                        endpoint == null ? null : endpoint.state().wireName(), nowMs));
                }
            }
        }
        return delivered;
    }
}
