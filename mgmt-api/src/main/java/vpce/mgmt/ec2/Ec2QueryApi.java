package vpce.mgmt.ec2;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import vpce.mgmt.ApiException;
import vpce.mgmt.auth.Principal;
import vpce.mgmt.auth.SigV4Verifier;
import vpce.mgmt.auth.SignableRequest;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The EC2 Query API over HTTP, without the transport: {@code POST /} with a form body, or {@code GET /?Action=...}.
 * <ol>
 *   <li>The URI's query is decoded ({@code MalformedQueryString} even before authentication: the signature covers
 *       the decoded parameters).</li>
 *   <li>The SigV4 signature is verified over the method, path, query, signed headers and raw body
 *       ({@code AuthFailure}, 401). Nothing else about the request is looked at before.</li>
 *   <li>A POST body must be {@code application/x-www-form-urlencoded} (charset UTF-8 if named) and is decoded; its
 *       parameters join the query's (a name in both is refused).</li>
 *   <li>The {@link Ec2Dispatcher} authorizes and runs the action.</li>
 * </ol>
 * Logs one line per request: request id, access key, action, status, error code, time. Never throws.
 */
public final class Ec2QueryApi
{
    public static final String FORM_CONTENT_TYPE = "application/x-www-form-urlencoded";
    private static final Logger LOG = LoggerFactory.getLogger(Ec2QueryApi.class);

    /** Told of every answer, on the API thread, after it is made: metrics count requests by action and error. */
    @FunctionalInterface
    public interface AnswerListener
    {
        /**
         * @param action    the registered action's name, or null when the request named none that exists.
         * @param errorCode the EC2 error code, or null for success.
         * @param latencyNs from the request's arrival on the API thread to its answer.
         */
        void onAnswer(String action, String errorCode, long latencyNs);
    }

    private final SigV4Verifier verifier;
    private final Ec2Dispatcher dispatcher;
    private final AnswerListener listener;

    public Ec2QueryApi(final SigV4Verifier verifier, final Ec2Dispatcher dispatcher)
    {
        this(verifier, dispatcher, (action, errorCode, latencyNs) -> {});
    }

    public Ec2QueryApi(final SigV4Verifier verifier, final Ec2Dispatcher dispatcher, final AnswerListener listener)
    {
        this.verifier = verifier;
        this.dispatcher = dispatcher;
        this.listener = listener;
    }

    public Ec2Dispatcher dispatcher()
    {
        return dispatcher;
    }

    /**
     * @param requestId a fresh id (UUID) for the response and the log.
     * @param method    the HTTP method.
     * @param path      the encoded path ({@code /}).
     * @param rawQuery  the URI's query after {@code ?}, still encoded; empty when none.
     * @param headers   the request headers (any case).
     * @param body      the whole body.
     */
    public Ec2Response answer(
        final String requestId,
        final String method,
        final String path,
        final String rawQuery,
        final Map<String, List<String>> headers,
        final byte[] body)
    {
        final long startNs = System.nanoTime();
        Principal principal = null;
        Ec2Response response;
        try
        {
            if (!"POST".equals(method) && !"GET".equals(method))
            {
                throw new ApiException("MethodNotAllowed", "The EC2 Query API answers POST / and GET /?Action=...", 405);
            }
            final QueryParameters query = FormDecoder.decode(rawQuery);
            final Map<String, List<String>> signedQuery = new LinkedHashMap<>();
            query.asMap().forEach((name, value) -> signedQuery.put(name, List.of(value)));
            principal = verifier.verify(new SignableRequest(method, path, signedQuery, headers, body));
            QueryParameters parameters = query;
            if ("POST".equals(method))
            {
                checkContentType(headers);
                parameters = query.merge(FormDecoder.decode(body));
            }
            else if (body.length > 0)
            {
                throw Ec2Errors.malformedQueryString("A GET request carries its parameters in the query, not a body");
            }
            response = dispatcher.dispatch(parameters, principal, requestId);
        }
        catch (final ApiException refusal)
        {
            response = Ec2Response.error(refusal, requestId, null);
        }
        catch (final RuntimeException ex)
        {
            LOG.error("{} the EC2 request failed", requestId, ex);
            response = Ec2Response.error(Ec2Errors.internalError(), requestId, null);
        }
        LOG.info("{} ec2 key={} action={} status={} {} {}us", requestId,
            principal == null ? "-" : principal.accessKeyId(),
            response.action() == null ? "-" : response.action(),
            response.httpStatus(),
            response.errorCode() == null ? "OK" : response.errorCode(),
            (System.nanoTime() - startNs) / 1000);
        try
        {
            listener.onAnswer(response.action(), response.errorCode(), System.nanoTime() - startNs);
        }
        catch (final RuntimeException ex)
        {
            LOG.warn("{} the answer listener failed", requestId, ex);
        }
        return response;
    }

    private static void checkContentType(final Map<String, List<String>> headers)
    {
        String contentType = null;
        for (final Map.Entry<String, List<String>> header : headers.entrySet())
        {
            if ("content-type".equalsIgnoreCase(header.getKey()) && !header.getValue().isEmpty())
            {
                contentType = header.getValue().get(0);
            }
        }
        if (contentType == null)
        {
            return; // curl -d and hand-written clients; the body is still decoded strictly
        }
        final String[] parts = contentType.toLowerCase(Locale.ROOT).split(";");
        boolean ok = FORM_CONTENT_TYPE.equals(parts[0].trim());
        for (int i = 1; ok && i < parts.length; i++)
        {
            final String parameter = parts[i].trim();
            if (parameter.startsWith("charset="))
            {
                ok = "utf-8".equals(parameter.substring("charset=".length()).replace("\"", ""));
            }
        }
        if (!ok)
        {
            throw Ec2Errors.malformedQueryString("The body must be " + FORM_CONTENT_TYPE + " (charset UTF-8), not " +
                Ec2Errors.echo(contentType.replaceAll("[^\\x20-\\x7e]", "?")));
        }
    }
}
