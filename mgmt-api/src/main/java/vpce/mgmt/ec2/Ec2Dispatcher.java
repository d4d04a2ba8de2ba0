package vpce.mgmt.ec2;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import vpce.mgmt.ApiException;
import vpce.mgmt.auth.Principal;

import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Routes a decoded, authenticated EC2 request to its {@link Ec2Action} and turns the outcome into a response. In
 * order: {@code Action} present ({@code MissingAction}) and registered ({@code InvalidAction}); the caller allowed
 * ({@code UnauthorizedOperation}, 403); {@code Version} present and {@value #API_VERSION}
 * ({@code MissingParameter}, {@code NoSuchVersion}); every parameter known ({@code UnknownParameter});
 * {@code DryRun} a boolean; the handler's {@code prepare}; then {@code DryRunOperation} (412) for a dry run, else
 * the commit and a 200 answer.
 *
 * <p>Never throws: a refusal is its error document; anything unexpected is logged with the request id and answered
 * {@code InternalError} (500). Immutable and thread-safe; the handlers decide their own threading.
 */
public final class Ec2Dispatcher
{
    public static final String API_VERSION = "2016-11-15";
    private static final Logger LOG = LoggerFactory.getLogger(Ec2Dispatcher.class);

    /** Runs an authorized call's handler as the caller's account (the control plane's {@code asCaller}). */
    @FunctionalInterface
    public interface CallerScope
    {
        CallerScope NONE = (accountId, body) -> body.run();

        /** @param accountId the signing key's account, or null for the owner account. */
        void run(String accountId, Runnable body);
    }

    private final Map<String, Ec2Action> actions;
    private final CallerScope callerScope;

    /**
     * @throws IllegalArgumentException when two actions share a name.
     */
    public Ec2Dispatcher(final Collection<Ec2Action> actions)
    {
        this(actions, CallerScope.NONE);
    }

    /**
     * @param callerScope what the handler of each call runs inside, given the signing key's account.
     * @throws IllegalArgumentException when two actions share a name.
     */
    public Ec2Dispatcher(final Collection<Ec2Action> actions, final CallerScope callerScope)
    {
        this.callerScope = callerScope;
        final Map<String, Ec2Action> byName = new HashMap<>();
        for (final Ec2Action action : actions)
        {
            if (byName.putIfAbsent(action.name(), action) != null)
            {
                throw new IllegalArgumentException("action " + action.name() + " is registered twice");
            }
        }
        this.actions = Map.copyOf(byName);
    }

    public Ec2Dispatcher(final Ec2Action... actions)
    {
        this(List.of(actions));
    }

    public Set<String> actionNames()
    {
        return actions.keySet();
    }

    public Ec2Response dispatch(final QueryParameters parameters, final Principal principal, final String requestId)
    {
        final String actionName = parameters.get("Action");
        String known = null; // the registered name: client text never reaches a log line
        try
        {
            if (actionName == null || actionName.isEmpty())
            {
                throw new ApiException(Ec2Errors.MISSING_ACTION, "The request must contain the parameter Action");
            }
            final Ec2Action action = actions.get(actionName);
            if (action == null)
            {
                throw Ec2Errors.invalidAction(actionName);
            }
            known = action.name();
            principal.authorize(action.iamAction());
            final String version = parameters.get("Version");
            if (version == null || version.isEmpty())
            {
                throw Ec2Errors.missingParameter("Version");
            }
            if (!API_VERSION.equals(version))
            {
                throw new ApiException(Ec2Errors.NO_SUCH_VERSION, "The requested version (" + Ec2Errors.echo(version) +
                    ") of service AmazonEC2 does not exist; this endpoint serves " + API_VERSION);
            }
            final Ec2Params params = Ec2Params.of(parameters, action.parameters());
            final boolean dryRun = params.optionalBoolean("DryRun", false);
            if (LOG.isDebugEnabled())
            {
                final List<String> ignored = action.parameters().ignoredIn(parameters);
                if (!ignored.isEmpty())
                {
                    LOG.debug("{} {} ignores {}", requestId, actionName, ignored);
                }
            }
            final Ec2Call call = new Ec2Call(actionName, requestId, principal.accessKeyId(), principal.region(), dryRun);
            final Ec2XmlWriter response = Ec2XmlWriter.response(actionName, requestId);
            callerScope.run(principal.accountId(), () ->
            {
                final Ec2Action.Commit commit = action.handler().prepare(params, call);
                if (commit == null)
                {
                    throw new IllegalStateException("the handler of " + actionName + " returned no commit");
                }
                if (dryRun)
                {
                    throw Ec2Errors.dryRunOperation();
                }
                commit.commit(response);
            });
            return new Ec2Response(200, response.finish(), known, null);
        }
        catch (final ApiException refusal)
        {
            return Ec2Response.error(refusal, requestId, known);
        }
        catch (final RuntimeException | StackOverflowError | LinkageError | AssertionError ex)
        {
            LOG.error("{} {} failed", requestId, known, ex);
            return Ec2Response.error(Ec2Errors.internalError(), requestId, known);
        }
    }
}
