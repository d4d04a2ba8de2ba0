package vpce.mgmt;

/**
 * What a {@link JsonQuery} returns to answer with bytes of its own rather than JSON: e.g. {@code /metrics} in the
 * Prometheus text exposition format.
 *
 * @param contentType the Content-Type header.
 * @param body        the whole answer.
 */
public record TextBody(String contentType, byte[] body)
{
}
