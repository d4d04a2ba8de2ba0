package vpce.mgmt.rest;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.ser.std.StdSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import vpce.mgmt.ApiException;
import vpce.mgmt.auth.Principal;
import vpce.mgmt.auth.SigV4Verifier;
import vpce.mgmt.auth.SignableRequest;
import vpce.mgmt.controlplane.ConnectionEventType;
import vpce.mgmt.controlplane.ConnectionNotification;
import vpce.mgmt.controlplane.ControlPlane;
import vpce.mgmt.controlplane.EndpointService;
import vpce.mgmt.controlplane.EndpointState;
import vpce.mgmt.controlplane.ServiceState;
import vpce.mgmt.controlplane.VpcEndpoint;
import vpce.mgmt.ec2.Ec2QueryApi;

import java.io.IOException;
import java.io.InputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The JSON REST API ({@code /v1/vpcs}, {@code /v1/endpoints}, ...) over the same {@link ControlPlane} as the EC2 Query
 * API, without the transport. Every mutation calls the control-plane method the EC2 action calls, so validation and
 * error codes are the same; refusals become RFC 9457 {@code application/problem+json} documents
 * {@code {type, title, status, detail, code}} with the {@link ApiException}'s status and EC2 code.
 *
 * <p>Authentication: a SigV4 signature (service {@code ec2}, the same verifier and keys as the EC2 API, the body's hash
 * as signed) or {@code Authorization: Bearer <token>} with a configured {@link BearerToken}. Each route is authorized
 * with its EC2 action's IAM name ({@code POST /v1/endpoints} needs {@code ec2:CreateVpcEndpoint}). Only
 * {@code GET /v1/openapi.json} is served without authentication: it describes the API and holds no state.
 *
 * <p><b>Threading</b>: {@link #answer} must run on the control plane's writer thread (the management server's API
 * thread), like the EC2 actions. Never throws.
 */
public final class RestApi
{
    public static final String OPENAPI_PATH = "/v1/openapi.json";
    private static final Logger LOG = LoggerFactory.getLogger(RestApi.class);
    private static final String PROBLEM_TYPE_PREFIX = "https://vpce.invalid/problems/";

    private final ControlPlane controlPlane;
    private final SigV4Verifier verifier;
    private final List<BearerToken> tokens;
    private final List<Route> routes;
    private final byte[] openApi;
    private final Ec2QueryApi.AnswerListener listener;
    /** The matched route's action for the request in progress (the API thread's alone). */
    private String currentAction;
    final ObjectMapper json;

    /**
     * @param verifier the EC2 API's verifier, or null to accept bearer tokens only.
     * @param tokens   the configured bearer tokens (may be empty).
     */
    public RestApi(final ControlPlane controlPlane, final SigV4Verifier verifier, final List<BearerToken> tokens)
    {
        this(controlPlane, verifier, tokens, (action, errorCode, latencyNs) -> {});
    }

    /**
     * @param listener told of every answer, as the EC2 API's: the action is the route's IAM action without its
     *                 {@code ec2:} prefix ({@code ModifyVpcEndpoint}), null when no route matched.
     */
    public RestApi(final ControlPlane controlPlane, final SigV4Verifier verifier, final List<BearerToken> tokens,
        final Ec2QueryApi.AnswerListener listener)
    {
        this.listener = listener;
        this.controlPlane = controlPlane;
        this.verifier = verifier;
        this.tokens = List.copyOf(tokens);
        this.json = mapper();
        this.routes = new RestRoutes(controlPlane, json).routes();
        this.openApi = loadOpenApi();
    }

    /** @return every route served, as {@code "METHOD /v1/path/{param}"}, openapi.json included. */
    public Set<String> routeNames()
    {
        final Set<String> names = new LinkedHashSet<>();
        names.add("GET " + OPENAPI_PATH);
        for (final Route route : routes)
        {
            names.add(route.method() + " " + route.template());
        }
        return names;
    }

    /**
     * @param method   the HTTP method.
     * @param path     the encoded path, e.g. {@code /v1/endpoints/vpce-0123}.
     * @param rawQuery the URI's query after {@code ?}, still encoded; empty when none.
     * @param headers  the request headers (any case).
     * @param body     the whole body.
     */
    public RestResponse answer(final String requestId, final String method, final String path, final String rawQuery,
        final Map<String, List<String>> headers, final byte[] body)
    {
        final long startNs = System.nanoTime();
        String who = "-";
        String errorCode = null;
        currentAction = null;
        RestResponse response;
        try
        {
            final Map<String, List<String>> query = decodeQuery(rawQuery);
            if (OPENAPI_PATH.equals(path))
            {
                if (!"GET".equals(method))
                {
                    throw new ApiException("MethodNotAllowed", OPENAPI_PATH + " answers GET", 405);
                }
                response = new RestResponse(200, RestResponse.JSON, openApi);
            }
            else
            {
                final Principal principal = authenticate(method, path, query, headers, body);
                who = principal.accessKeyId();
                response = route(method, path, query, body, principal);
            }
        }
        catch (final ApiException refusal)
        {
            errorCode = refusal.code();
            response = problem(refusal, path);
        }
        catch (final RuntimeException ex)
        {
            errorCode = "InternalError";
            LOG.error("{} the REST request failed", requestId, ex);
            response = problem(new ApiException("InternalError", "An internal error has occurred", ApiException.INTERNAL_ERROR), path);
        }
        LOG.info("{} rest {} {} key={} status={} {}us", requestId, method, path, who, response.status(),
            (System.nanoTime() - startNs) / 1000);
        try
        {
            listener.onAnswer(currentAction, errorCode, System.nanoTime() - startNs);
        }
        catch (final RuntimeException ex)
        {
            LOG.error("{} the answer listener failed", requestId, ex);
        }
        return response;
    }

    private Principal authenticate(final String method, final String path, final Map<String, List<String>> query,
        final Map<String, List<String>> headers, final byte[] body)
    {
        final List<String> authorizations = new ArrayList<>();
        headers.forEach((name, values) ->
        {
            if ("authorization".equalsIgnoreCase(name))
            {
                authorizations.addAll(values);
            }
        });
        if (authorizations.size() == 1 && authorizations.get(0).regionMatches(true, 0, "Bearer ", 0, 7))
        {
            final byte[] presented = authorizations.get(0).substring(7).trim().getBytes(StandardCharsets.UTF_8);
            BearerToken match = null;
            int index = -1;
            for (int i = 0; i < tokens.size(); i++)
            {
                // Compares every token in constant time, so timing reveals neither which nor how much matched.
                if (MessageDigest.isEqual(presented, tokens.get(i).token().getBytes(StandardCharsets.UTF_8)) && match == null)
                {
                    match = tokens.get(i);
                    index = i;
                }
            }
            if (match == null)
            {
                throw new ApiException(SigV4Verifier.AUTH_FAILURE, "The bearer token is not valid", ApiException.UNAUTHORIZED);
            }
            final String name = "bearer-" + index;
            return new Principal(name, null, BearerToken.asAccessKey(name, match.token(), match.allowedActions()));
        }
        if (verifier == null)
        {
            throw new ApiException(SigV4Verifier.AUTH_FAILURE,
                "The request is not authenticated: send Authorization: Bearer <token>", ApiException.UNAUTHORIZED);
        }
        return verifier.verify(new SignableRequest(method, path, query, headers, body));
    }

    private RestResponse route(final String method, final String path, final Map<String, List<String>> query,
        final byte[] body, final Principal principal)
    {
        final String[] segments = path.split("/", -1);
        boolean pathKnown = false;
        for (final Route route : routes)
        {
            final Map<String, String> parameters = route.match(segments);
            if (parameters == null)
            {
                continue;
            }
            pathKnown = true;
            if (!route.method().equals(method))
            {
                continue;
            }
            currentAction = route.iamAction().startsWith("ec2:") ? route.iamAction().substring(4) : route.iamAction();
            principal.authorize(route.iamAction());
            final Call call = new Call(parameters, query, parseBody(method, body), principal, dryRun(query));
            final Object[] answer = new Object[1];
            controlPlane.asCaller(principal.accountId(), () -> answer[0] = route.handler().handle(call));
            final Object result = answer[0];
            if (route.status() == 204)
            {
                return new RestResponse(204, RestResponse.JSON, new byte[0]);
            }
            return new RestResponse(route.status(), RestResponse.JSON, write(result));
        }
        if (pathKnown)
        {
            throw new ApiException("MethodNotAllowed", "The resource " + path + " does not answer " + method, 405);
        }
        throw new ApiException("NotFound", "There is no resource " + path, 404);
    }

    private JsonNode parseBody(final String method, final byte[] body)
    {
        if (body.length == 0)
        {
            return NullNode.getInstance();
        }
        if ("GET".equals(method) || "DELETE".equals(method))
        {
            throw new ApiException("InvalidRequest", method + " requests carry no body", ApiException.BAD_REQUEST);
        }
        try
        {
            final JsonNode node = json.readTree(body);
            if (node == null || !node.isObject())
            {
                throw new ApiException("InvalidRequest", "The body must be a JSON object", ApiException.BAD_REQUEST);
            }
            return node;
        }
        catch (final IOException ex)
        {
            throw new ApiException("InvalidRequest", "The body is not valid JSON", ApiException.BAD_REQUEST);
        }
    }

    private static boolean dryRun(final Map<String, List<String>> query)
    {
        final List<String> values = query.get("dryRun");
        if (values == null)
        {
            return false;
        }
        if (values.size() == 1 && ("true".equals(values.get(0)) || "false".equals(values.get(0))))
        {
            return "true".equals(values.get(0));
        }
        throw new ApiException("InvalidParameterValue", "dryRun must be true or false", ApiException.BAD_REQUEST);
    }

    private byte[] write(final Object value)
    {
        try
        {
            return json.writeValueAsBytes(value);
        }
        catch (final JsonProcessingException ex)
        {
            throw new IllegalStateException("cannot write the answer", ex);
        }
    }

    /** RFC 9457: type names the EC2 code, status and code are the refusal's. */
    RestResponse problem(final ApiException refusal, final String instance)
    {
        final Map<String, Object> problem = new LinkedHashMap<>();
        problem.put("type", PROBLEM_TYPE_PREFIX + refusal.code());
        problem.put("title", refusal.code());
        problem.put("status", refusal.httpStatus());
        problem.put("detail", refusal.getMessage());
        problem.put("code", refusal.code());
        problem.put("instance", instance);
        return new RestResponse(refusal.httpStatus(), RestResponse.PROBLEM_JSON, write(problem));
    }

    private static Map<String, List<String>> decodeQuery(final String rawQuery)
    {
        final Map<String, List<String>> query = new LinkedHashMap<>();
        if (rawQuery == null || rawQuery.isEmpty())
        {
            return query;
        }
        try
        {
            for (final String pair : rawQuery.split("&"))
            {
                if (pair.isEmpty())
                {
                    continue;
                }
                final int eq = pair.indexOf('=');
                final String name = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
                final String value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
                query.computeIfAbsent(name, n -> new ArrayList<>(1)).add(value);
            }
        }
        catch (final IllegalArgumentException ex)
        {
            throw new ApiException("InvalidRequest", "The query string has a bad escape", ApiException.BAD_REQUEST);
        }
        return query;
    }

    private static byte[] loadOpenApi()
    {
        try (InputStream in = RestApi.class.getResourceAsStream("/openapi.json"))
        {
            if (in == null)
            {
                throw new IllegalStateException("openapi.json is missing from the classpath");
            }
            return in.readAllBytes();
        }
        catch (final IOException ex)
        {
            throw new IllegalStateException("cannot read openapi.json", ex);
        }
    }

    /** Records as they are, enums in their EC2 spelling, without the internal idempotency fingerprints. */
    static ObjectMapper mapper()
    {
        final SimpleModule module = new SimpleModule("vpce-rest");
        module.addSerializer(EndpointState.class, new WireName<>(EndpointState.class, EndpointState::wireName));
        module.addSerializer(ServiceState.class, new WireName<>(ServiceState.class, ServiceState::wireName));
        module.addSerializer(ConnectionEventType.class, new WireName<>(ConnectionEventType.class, ConnectionEventType::wireName));
        module.setMixInAnnotation(VpcEndpoint.class, Internal.class);
        module.setMixInAnnotation(EndpointService.class, Internal.class);
        module.setMixInAnnotation(ConnectionNotification.class, Internal.class);
        return new ObjectMapper()
            .registerModule(module)
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES);
    }

    /** Converts a JSON body to a request record; unknown members are refused as EC2 refuses unknown parameters. */
    static <T> T read(final ObjectMapper json, final JsonNode body, final Class<T> type)
    {
        try
        {
            return json.treeToValue(body.isNull() ? json.createObjectNode() : body, type);
        }
        catch (final UnrecognizedPropertyException ex)
        {
            throw new ApiException("UnknownParameter", "The parameter " + ex.getPropertyName() + " is not recognized",
                ApiException.BAD_REQUEST);
        }
        catch (final JsonProcessingException | IllegalArgumentException ex)
        {
            final String at = ex instanceof com.fasterxml.jackson.databind.JsonMappingException mapping ? mapping.getPathReference() : "";
            throw new ApiException("InvalidParameterValue", "A member of the body has the wrong type " +
                at.replaceAll("[^\\x20-\\x7e]", "?").replaceAll("^.*\\[\"", "[\""), ApiException.BAD_REQUEST);
        }
    }

    @JsonIgnoreProperties({"requestFingerprint", "stateSequence"})
    private abstract static class Internal
    {
    }

    private static final class WireName<E extends Enum<E>> extends StdSerializer<E>
    {
        private final java.util.function.Function<E, String> name;

        WireName(final Class<E> type, final java.util.function.Function<E, String> name)
        {
            super(type);
            this.name = name;
        }

        @Override
        public void serialize(final E value, final JsonGenerator out, final SerializerProvider provider) throws IOException
        {
            out.writeString(name.apply(value));
        }
    }

    /** One request as a handler sees it. */
    record Call(Map<String, String> path, Map<String, List<String>> query, JsonNode body, Principal principal, boolean dryRun)
    {
        String id(final String name)
        {
            return path.get(name);
        }
    }

    @FunctionalInterface
    interface Handler
    {
        Object handle(Call call);
    }

    /**
     * @param template e.g. {@code /v1/vpcs/{vpcId}}.
     * @param status   on success: 200, 201 (created) or 204 (no body).
     */
    record Route(String method, String template, String iamAction, int status, Handler handler)
    {
        /** @return the path parameters when the path has this template's shape, else null. */
        Map<String, String> match(final String[] segments)
        {
            final String[] expected = template.split("/", -1);
            if (expected.length != segments.length)
            {
                return null;
            }
            final Map<String, String> parameters = new LinkedHashMap<>();
            for (int i = 0; i < expected.length; i++)
            {
                if (expected[i].startsWith("{"))
                {
                    final String value = URLDecoder.decode(segments[i], StandardCharsets.UTF_8);
                    if (value.isEmpty())
                    {
                        return null;
                    }
                    parameters.put(expected[i].substring(1, expected[i].length() - 1), value);
                }
                else if (!expected[i].equals(segments[i]))
                {
                    return null;
                }
            }
            return parameters;
        }
    }
}
