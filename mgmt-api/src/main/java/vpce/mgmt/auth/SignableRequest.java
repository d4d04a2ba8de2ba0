package vpce.mgmt.auth;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * What a SigV4 signature covers, as received: method, path, decoded query parameters, headers, body.
 *
 * @param method          e.g. {@code POST}.
 * @param path            the encoded path, e.g. {@code /}.
 * @param queryParameters decoded query parameters (name to values).
 * @param headers         header name to values; names are lower-cased here, values kept as received.
 * @param body            the raw body (empty, never null).
 */
public record SignableRequest(
    String method, String path, Map<String, List<String>> queryParameters, Map<String, List<String>> headers, byte[] body)
{
    public SignableRequest
    {
        final TreeMap<String, List<String>> lower = new TreeMap<>();
        for (final Map.Entry<String, List<String>> header : headers.entrySet())
        {
            lower.computeIfAbsent(header.getKey().toLowerCase(Locale.ROOT), k -> new ArrayList<>()).addAll(header.getValue());
        }
        lower.replaceAll((name, values) -> List.copyOf(values));
        headers = java.util.Collections.unmodifiableMap(lower);
        queryParameters = Map.copyOf(queryParameters);
        body = body == null ? new byte[0] : body;
    }

    /**
     * @param lowerCaseName e.g. {@code x-amz-date}.
     * @return its values, empty when absent.
     */
    public List<String> header(final String lowerCaseName)
    {
        return headers.getOrDefault(lowerCaseName, List.of());
    }
}
