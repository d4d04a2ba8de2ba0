package vpce.mgmt.controlplane;

import vpce.mgmt.ApiException;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.function.Function;

/**
 * MaxResults/NextToken over a list sorted by a unique key. The token is opaque to callers: base64url of the
 * operation's name and the last key returned, so the next page starts after that key even if resources came or went
 * in between (nothing is skipped or repeated that existed throughout), and a token of another operation, or garbage,
 * is {@code InvalidNextToken}.
 */
final class Pagination
{
    static final int MIN_RESULTS = 5;
    static final int MAX_RESULTS = 1000;
    private static final Base64.Encoder ENCODER = Base64.getUrlEncoder().withoutPadding();
    private static final Base64.Decoder DECODER = Base64.getUrlDecoder();

    private Pagination()
    {
    }

    /**
     * @param sorted     items in ascending {@code key} order.
     * @param clampAbove true where EC2 documents "if the value is greater than 1000, we return only 1000 items";
     *                   otherwise a value above 1000 is InvalidMaxResults. Below 5 is always InvalidMaxResults.
     */
    static <T> Page<T> page(final String operation, final List<T> sorted, final Function<T, String> key,
        final Integer maxResults, final String nextToken, final boolean clampAbove)
    {
        int limit = Integer.MAX_VALUE;
        if (maxResults != null)
        {
            if (maxResults < MIN_RESULTS || (maxResults > MAX_RESULTS && !clampAbove))
            {
                throw new ApiException("InvalidMaxResults", "Value (" + maxResults + ") for parameter maxResults is invalid. " +
                    "Expecting a value between " + MIN_RESULTS + " and " + MAX_RESULTS + ".");
            }
            limit = Math.min(maxResults, MAX_RESULTS);
        }
        int start = 0;
        if (nextToken != null)
        {
            final String after = decode(operation, nextToken);
            while (start < sorted.size() && key.apply(sorted.get(start)).compareTo(after) <= 0)
            {
                start++;
            }
        }
        final int end = (int)Math.min(sorted.size(), (long)start + limit);
        final List<T> items = new ArrayList<>(sorted.subList(start, end));
        final String token = end < sorted.size() && !items.isEmpty() ? encode(operation, key.apply(items.getLast())) : null;
        return new Page<>(items, token);
    }

    static String encode(final String operation, final String lastKey)
    {
        return ENCODER.encodeToString((operation + "\n" + lastKey).getBytes(StandardCharsets.UTF_8));
    }

    private static String decode(final String operation, final String token)
    {
        final String text;
        try
        {
            text = new String(DECODER.decode(token), StandardCharsets.UTF_8);
        }
        catch (final IllegalArgumentException ex)
        {
            throw invalid(token);
        }
        final int newline = text.indexOf('\n');
        if (newline < 0 || !text.substring(0, newline).equals(operation) || newline == text.length() - 1)
        {
            throw invalid(token);
        }
        return text.substring(newline + 1);
    }

    private static ApiException invalid(final String token)
    {
        return new ApiException("InvalidNextToken", "The token '" + token + "' is invalid");
    }
}
