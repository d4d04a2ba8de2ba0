package vpce.mgmt.controlplane;

/**
 * One connection event to deliver to one SNS topic: produced by a commit, handed to the
 * {@link ConnectionEventListener}s after the commit is durable.
 *
 * @param connectionNotificationId the notification that subscribed to it.
 * @param endpointState            the endpoint's state after the event, lower camel case.
 * @param timeMs                   when the commit that produced it was made (epoch ms).
 */
public record ConnectionEvent(
    String connectionNotificationId,
    String topicArn,
    ConnectionEventType eventType,
    String vpcEndpointId,
    String vpcEndpointOwner,
    String serviceId,
    String endpointState,
    long timeMs)
{
}
