package vpce.mgmt.notify;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import vpce.mgmt.controlplane.ConnectionEvent;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/**
 * The body of an SNS HTTP notification for a connection event.
 * <p>
 * The envelope has the ten fields SNS posts to HTTP subscribers. There is no SNS signing key here, so
 * {@code SignatureVersion} is "1" (the field's usual value) but {@code Signature}, {@code SigningCertURL} and
 * {@code UnsubscribeURL} are empty strings: parsers that expect the fields find them, and a subscriber that verifies
 * signatures fails clearly instead of trusting a made-up one. Trust comes from where the subscriber listens.
 * <p>
 * {@code Message} is a JSON object in a string, as SNS carries it. AWS does not publish the schema of the message its
 * PrivateLink notifications carry, so this one is the appliance's own: the event and the endpoint it concerns, named
 * as EC2's API names them (see the README).
 */
public final class SnsMessageFormat
{
    /** SNS's Timestamp form: ISO 8601, UTC, milliseconds. */
    static final DateTimeFormatter TIMESTAMP = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'")
        .withZone(ZoneOffset.UTC);

    private static final ObjectMapper JSON = new ObjectMapper();

    private SnsMessageFormat()
    {
    }

    public static String subject(final ConnectionEvent event)
    {
        return "VPC endpoint " + event.vpcEndpointId() + " connection event: " + event.eventType().wireName();
    }

    /** The inner Message: the event as a JSON object. */
    public static String message(final ConnectionEvent event)
    {
        final ObjectNode message = JSON.createObjectNode()
            .put("eventType", event.eventType().wireName())
            .put("eventTime", TIMESTAMP.format(Instant.ofEpochMilli(event.timeMs())))
            .put("connectionNotificationId", event.connectionNotificationId())
            .put("connectionNotificationArn", event.topicArn())
            .put("vpcEndpointId", event.vpcEndpointId())
            .put("vpcEndpointOwner", event.vpcEndpointOwner())
            .put("vpcEndpointState", event.endpointState())
            .put("serviceId", event.serviceId());
        return write(message);
    }

    /** The whole HTTP body SNS would post. */
    public static String notification(final ConnectionEvent event, final String messageId)
    {
        final ObjectNode body = JSON.createObjectNode()
            .put("Type", "Notification")
            .put("MessageId", messageId)
            .put("TopicArn", event.topicArn())
            .put("Subject", subject(event))
            .put("Message", message(event))
            .put("Timestamp", TIMESTAMP.format(Instant.ofEpochMilli(event.timeMs())))
            .put("SignatureVersion", "1")
            .put("Signature", "")
            .put("SigningCertURL", "")
            .put("UnsubscribeURL", "");
        return write(body);
    }

    private static String write(final ObjectNode node)
    {
        try
        {
            return JSON.writeValueAsString(node);
        }
        catch (final JsonProcessingException ex)
        {
            throw new IllegalStateException("a tree of strings always serialises", ex);
        }
    }
}
