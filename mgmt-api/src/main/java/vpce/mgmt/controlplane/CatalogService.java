package vpce.mgmt.controlplane;

import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An endpoint service the appliance offers, as its configuration defines it: the input the appliance hands the
 * control plane (which does not persist it). Its targets and listeners stay with the appliance, which finds them by
 * {@link #loadBalancerArn()}: the same ARN is how a provider names this target set when it creates a service
 * configuration of its own through the API.
 *
 * @param serviceName        e.g. {@code com.amazonaws.vpce.us-east-1.vpce-svc-0a11ce0000000001} or
 *                           {@code com.amazonaws.us-east-1.s3}.
 * @param serviceId          {@code vpce-svc-} id; {@link #serviceIdFor} derives one from the name.
 * @param owner              12-digit account id, or {@code amazon} for AWS services.
 * @param availabilityZones  zones the service is offered in (each one of the control plane's zones).
 * @param privateDnsName     the name private DNS answers for (e.g. {@code s3.us-east-1.amazonaws.com}), or null.
 * @param acceptanceRequired whether new endpoints wait in pendingAcceptance for the provider.
 * @param loadBalancerArn    the network load balancer ARN naming the service's targets.
 * @param allowedPrincipals  principal ARNs allowed to see and connect to it ({@code *} is anyone); empty is anyone.
 */
public record CatalogService(
    String serviceName,
    String serviceId,
    String owner,
    List<String> availabilityZones,
    String privateDnsName,
    boolean acceptanceRequired,
    String loadBalancerArn,
    List<String> allowedPrincipals)
{
    private static final Pattern EMBEDDED_ID = Pattern.compile("com\\.amazonaws\\.vpce\\.[a-z0-9-]+\\.(vpce-svc-[0-9a-f]{8,17})");

    public CatalogService
    {
        availabilityZones = List.copyOf(availabilityZones);
        allowedPrincipals = allowedPrincipals == null ? List.of() : List.copyOf(allowedPrincipals);
    }

    /**
     * @return the {@code vpce-svc-} id in a customer service name ({@code com.amazonaws.vpce.<region>.vpce-svc-…}),
     * else a stable id hashed from the name (so that it survives restarts without being stored).
     */
    public static String serviceIdFor(final String serviceName)
    {
        final Matcher matcher = EMBEDDED_ID.matcher(serviceName);
        if (matcher.matches())
        {
            return matcher.group(1);
        }
        return "vpce-svc-" + DnsNames.hashHex(serviceName, 17);
    }

    /**
     * @return a network load balancer ARN for a configured service that names none:
     * {@code arn:aws:elasticloadbalancing:<region>:<owner>:loadbalancer/net/<service id>/<16 hex>}.
     */
    public static String defaultLoadBalancerArn(final String region, final String ownerId, final String serviceId)
    {
        return String.format(Locale.ROOT, "arn:aws:elasticloadbalancing:%s:%s:loadbalancer/net/%s/%s", region, ownerId,
            serviceId, DnsNames.hashHex(serviceId, 16));
    }
}
