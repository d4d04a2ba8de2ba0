package vpce.mgmt.controlplane;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * What the control plane takes from the appliance's configuration; not persisted (the configuration file is the
 * source), checked once here.
 *
 * @param region                     e.g. {@code us-east-1}: endpoints only reach services of this region.
 * @param ownerId                    the 12-digit account that owns everything created through the API.
 * @param availabilityZones          the zones subnets can be created in (the appliance's consumer ports' zones).
 * @param catalog                    the endpoint services the appliance's configuration defines.
 * @param endpointsPerVpc            interface endpoints per VPC (EC2's default quota: 50) -> VpcEndpointLimitExceeded.
 * @param securityGroupsPerInterface security groups per endpoint ENI (EC2: 5, at most 16).
 * @param deletedEndpointRetentionMs how long a deleted endpoint stays visible in state {@code deleted} before it
 *                                   disappears ({@link ControlPlane#onTick()}); 0 drops it as soon as it is deleted.
 */
public record ControlPlaneSettings(
    String region,
    String ownerId,
    List<AvailabilityZone> availabilityZones,
    List<CatalogService> catalog,
    int endpointsPerVpc,
    int securityGroupsPerInterface,
    long deletedEndpointRetentionMs)
{
    public static final int DEFAULT_ENDPOINTS_PER_VPC = 50;
    public static final int DEFAULT_SECURITY_GROUPS_PER_INTERFACE = 5;
    public static final long DEFAULT_DELETED_ENDPOINT_RETENTION_MS = 60_000;

    public ControlPlaneSettings
    {
        if (region == null || !region.matches("[a-z]{2}(-[a-z]+)+-\\d+"))
        {
            throw new IllegalArgumentException("region: '" + region + "' is not a region name");
        }
        if (ownerId == null || !ownerId.matches("\\d{12}"))
        {
            throw new IllegalArgumentException("ownerId: '" + ownerId + "' is not a 12-digit account id");
        }
        availabilityZones = List.copyOf(availabilityZones);
        catalog = catalog == null ? List.of() : List.copyOf(catalog);
        if (availabilityZones.isEmpty())
        {
            throw new IllegalArgumentException("availabilityZones: at least one zone is needed");
        }
        final Set<String> zoneNames = new HashSet<>();
        final Set<String> zoneIds = new HashSet<>();
        for (final AvailabilityZone zone : availabilityZones)
        {
            if (!zone.zoneName().startsWith(region) || !zoneNames.add(zone.zoneName()) || !zoneIds.add(zone.zoneId()))
            {
                throw new IllegalArgumentException("availabilityZones: '" + zone.zoneName() + "' is repeated or not in " + region);
            }
        }
        final Set<String> names = new HashSet<>();
        final Set<String> ids = new HashSet<>();
        final Set<String> arns = new HashSet<>();
        for (final CatalogService service : catalog)
        {
            final String at = "catalog '" + service.serviceName() + "': ";
            if (!names.add(service.serviceName()) || !ids.add(service.serviceId()))
            {
                throw new IllegalArgumentException(at + "service name or id is repeated");
            }
            if (!ResourceKind.ENDPOINT_SERVICE.isWellFormed(service.serviceId()))
            {
                throw new IllegalArgumentException(at + "'" + service.serviceId() + "' is not a vpce-svc- id");
            }
            if (service.loadBalancerArn() == null || !arns.add(service.loadBalancerArn()))
            {
                throw new IllegalArgumentException(at + "load balancer ARN missing or repeated");
            }
            if (service.owner() == null || !(service.owner().equals("amazon") || service.owner().matches("\\d{12}")))
            {
                throw new IllegalArgumentException(at + "owner '" + service.owner() + "' is neither 'amazon' nor an account id");
            }
            if (service.availabilityZones().isEmpty() || !zoneNames.containsAll(service.availabilityZones()))
            {
                throw new IllegalArgumentException(at + "zones " + service.availabilityZones() + " are not all among " + zoneNames);
            }
        }
        if (endpointsPerVpc < 1 || securityGroupsPerInterface < 1 || securityGroupsPerInterface > 16 ||
            deletedEndpointRetentionMs < 0)
        {
            throw new IllegalArgumentException("limits: endpointsPerVpc >= 1, securityGroupsPerInterface 1..16, retention >= 0");
        }
    }

    /** @return settings with EC2's default quotas. */
    public static ControlPlaneSettings of(final String region, final String ownerId, final List<AvailabilityZone> zones,
        final List<CatalogService> catalog)
    {
        return new ControlPlaneSettings(region, ownerId, zones, catalog, DEFAULT_ENDPOINTS_PER_VPC,
            DEFAULT_SECURITY_GROUPS_PER_INTERFACE, DEFAULT_DELETED_ENDPOINT_RETENTION_MS);
    }

    public ControlPlaneSettings withCatalog(final List<CatalogService> newCatalog)
    {
        return new ControlPlaneSettings(region, ownerId, availabilityZones, newCatalog, endpointsPerVpc,
            securityGroupsPerInterface, deletedEndpointRetentionMs);
    }

    public AvailabilityZone zoneByName(final String name)
    {
        for (final AvailabilityZone zone : availabilityZones)
        {
            if (zone.zoneName().equals(name))
            {
                return zone;
            }
        }
        return null;
    }

    public AvailabilityZone zoneById(final String id)
    {
        for (final AvailabilityZone zone : availabilityZones)
        {
            if (zone.zoneId().equals(id))
            {
                return zone;
            }
        }
        return null;
    }

    /** @return the principal a caller is when the API layer names none: the owner account's root. */
    public String ownerPrincipal()
    {
        return "arn:aws:iam::" + ownerId + ":root";
    }
}
