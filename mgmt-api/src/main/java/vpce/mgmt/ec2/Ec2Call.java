package vpce.mgmt.ec2;

/**
 * Who called which action, for handlers that need it (owner ids, logs).
 *
 * @param action      e.g. {@code CreateVpcEndpoint}.
 * @param requestId   the UUID in the response and the log line.
 * @param accessKeyId the verified caller.
 * @param region      the region the caller signed for.
 * @param dryRun      whether DryRun=true was given. Handlers need not look: the dispatcher never runs the commit of
 *                    a dry run.
 */
public record Ec2Call(String action, String requestId, String accessKeyId, String region, boolean dryRun)
{
}
