package vpce.mgmt.controlplane;

import java.util.List;

/**
 * A connection notification: an SNS topic told about Connect/Accept/Reject/Delete events of one endpoint (the
 * consumer's) or of every endpoint of one service (the provider's). Its type is always {@code Topic} and its state
 * {@code Enabled}.
 *
 * @param serviceId     set for a service notification, else null.
 * @param vpcEndpointId set for an endpoint notification, else null.
 */
public record ConnectionNotification(
    String connectionNotificationId,
    String serviceId,
    String vpcEndpointId,
    String connectionNotificationArn,
    List<ConnectionEventType> connectionEvents,
    String clientToken,
    String requestFingerprint,
    long creationTimeMs) implements Resource
{
    public static final String STATE_ENABLED = "Enabled";
    public static final String TYPE_TOPIC = "Topic";

    public ConnectionNotification
    {
        connectionEvents = List.copyOf(connectionEvents);
    }

    @Override
    public String id()
    {
        return connectionNotificationId;
    }

    @Override
    public ResourceKind kind()
    {
        return ResourceKind.CONNECTION_NOTIFICATION;
    }

    public ConnectionNotification with(final String arn, final List<ConnectionEventType> events)
    {
        return new ConnectionNotification(connectionNotificationId, serviceId, vpcEndpointId, arn, events, clientToken,
            requestFingerprint, creationTimeMs);
    }
}
