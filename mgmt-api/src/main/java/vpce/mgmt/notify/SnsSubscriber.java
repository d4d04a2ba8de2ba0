package vpce.mgmt.notify;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * One HTTP endpoint subscribed to one SNS topic. Only {@code http}: HTTPS would need a trust-store setting (subscribers
 * on a management network usually carry private CAs) and a TLS path we would ship untested, so it is left out until a
 * deployment needs it.
 *
 * @param subscriptionArn what SNS would call the subscription ({@code topicArn:uuid}); sent as
 *                        {@code x-amz-sns-subscription-arn}, stable for a topic and endpoint.
 */
public record SnsSubscriber(String topicArn, URI endpoint, String subscriptionArn)
{
    /** SNS topic ARN: partition, region, 12-digit account, a name of 1-256 [A-Za-z0-9_-] (FIFO topics end in .fifo). */
    private static final Pattern TOPIC_ARN =
        Pattern.compile("arn:aws(-[a-z]+)*:sns:[a-z]{2}(-[a-z]+)+-\\d:\\d{12}:[A-Za-z0-9_-]{1,256}(\\.fifo)?");

    /** @throws IllegalArgumentException naming what is wrong with the ARN or the endpoint URL. */
    public static SnsSubscriber of(final String topicArn, final String endpoint)
    {
        final String refusal = topicArnRefusal(topicArn);
        if (refusal != null)
        {
            throw new IllegalArgumentException(refusal);
        }
        final URI uri = parseEndpoint(endpoint);
        final String subscriptionArn = topicArn + ":" +
            UUID.nameUUIDFromBytes((topicArn + " " + uri).getBytes(StandardCharsets.UTF_8));
        return new SnsSubscriber(topicArn, uri, subscriptionArn);
    }

    /** @return null when {@code arn} is an SNS topic ARN, else why not. */
    public static String topicArnRefusal(final String arn)
    {
        if (arn == null || !TOPIC_ARN.matcher(arn).matches())
        {
            return "is not an SNS topic ARN (arn:aws:sns:<region>:<12-digit account>:<topic name>)";
        }
        return null;
    }

    /**
     * @return the absolute {@code http://host[:port][/path][?query]} URL.
     * @throws IllegalArgumentException for another scheme, no host, user info or a fragment.
     */
    public static URI parseEndpoint(final String endpoint)
    {
        final URI uri;
        try
        {
            uri = new URI(endpoint == null ? "" : endpoint);
        }
        catch (final URISyntaxException ex)
        {
            throw new IllegalArgumentException("is not a URL: " + ex.getReason());
        }
        if (!"http".equals(uri.getScheme()))
        {
            throw new IllegalArgumentException("must be an http:// URL (https is not supported)");
        }
        if (uri.getHost() == null || uri.getRawUserInfo() != null || uri.getRawFragment() != null)
        {
            throw new IllegalArgumentException("must be http://host[:port][/path] without user info or fragment");
        }
        return uri.getRawPath() == null || uri.getRawPath().isEmpty() ? uri.resolve("/") : uri;
    }
}
