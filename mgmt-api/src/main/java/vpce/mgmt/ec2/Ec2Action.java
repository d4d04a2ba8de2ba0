package vpce.mgmt.ec2;

import java.util.Objects;
import java.util.regex.Pattern;

/**
 * One EC2 action the dispatcher serves: its name, the IAM action a caller's allow-list must cover, the parameters it
 * knows, and its handler.
 *
 * <p>A handler works in two steps so that {@code DryRun} cannot be forgotten:
 * <ol>
 *   <li>{@link Handler#prepare} reads and validates everything (parameters, referenced resources, quotas) and throws
 *       {@link vpce.mgmt.ApiException} for any refusal. It must not change state.</li>
 *   <li>It returns a {@link Commit}: the change and the response body. The dispatcher runs it only when the request
 *       is not a dry run; for {@code DryRun=true} it answers {@code DryRunOperation} (412) instead.</li>
 * </ol>
 * Read-only actions follow the same shape: the commit reads and writes the answer.
 *
 * @param name       the {@code Action} parameter, e.g. {@code CreateVpcEndpoint}.
 * @param iamAction  what the caller's key must allow, e.g. {@code ec2:CreateVpcEndpoint}.
 * @param parameters the parameters the action knows (others are {@code UnknownParameter}).
 */
public record Ec2Action(String name, String iamAction, ParameterSchema parameters, Handler handler)
{
    private static final Pattern NAME = Pattern.compile("[A-Z][A-Za-z0-9]*");

    public Ec2Action
    {
        if (name == null || !NAME.matcher(name).matches())
        {
            throw new IllegalArgumentException("bad action name " + name);
        }
        Objects.requireNonNull(iamAction, "iamAction");
        Objects.requireNonNull(parameters, "parameters");
        Objects.requireNonNull(handler, "handler");
    }

    /** An action whose IAM action is {@code ec2:<name>}, as for every EC2 action. */
    public static Ec2Action of(final String name, final ParameterSchema parameters, final Handler handler)
    {
        return new Ec2Action(name, "ec2:" + name, parameters, handler);
    }

    /** Validates a request and returns what committing it does. */
    @FunctionalInterface
    public interface Handler
    {
        /**
         * @param params the request's parameters, already checked against the schema.
         * @return the commit; never null.
         * @throws vpce.mgmt.ApiException when the request would be refused; nothing has changed.
         */
        Commit prepare(Ec2Params params, Ec2Call call);
    }

    /** The validated change, run at most once and never for a dry run. */
    @FunctionalInterface
    public interface Commit
    {
        /** For actions that answer {@code <return>true</return>}. */
        Commit RETURN_TRUE = Ec2XmlWriter::returnTrue;

        /**
         * Applies the change and writes the response members after {@code <requestId>}.
         *
         * @throws vpce.mgmt.ApiException if the change is refused after all; the response is then the error
         *                                document, whatever was written.
         */
        void commit(Ec2XmlWriter response);
    }
}
