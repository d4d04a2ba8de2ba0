package vpce.appliance.config;

import com.fasterxml.jackson.annotation.JsonProperty;

import java.util.List;

/**
 * The configuration file exactly as written (YAML), before validation. Every field is nullable
 * here so that {@link ConfigValidator} can say which one is missing; the datapath never sees
 * this type, only the validated {@link ApplianceModel}. The schema is documented in README.md.
 */
public record ApplianceConfig(
    String region,
    String stateDirectory,
    Datapath datapath,
    List<Port> ports,
    List<Vpc> vpcs,
    List<Subnet> subnets,
    List<Service> services,
    List<Endpoint> endpoints)
{
    public record Datapath(
        Integer batchSize,
        String idleStrategy,
        Integer flowCapacity,
        Integer establishedIdleTimeoutSeconds)
    {
    }

    public record Port(
        String name,
        String type,
        @JsonProperty("interface") String interfaceName,
        String namespace,
        String role,
        String availabilityZone,
        List<String> addresses,
        String gateway,
        Boolean qdiscBypass)
    {
    }

    public record Vpc(String id, String cidr, Boolean enableDnsSupport, Boolean enableDnsHostnames)
    {
    }

    public record Subnet(String id, String vpc, String availabilityZone, String cidr, String port)
    {
    }

    public record Listener(Integer port, Integer targetPort)
    {
    }

    public record Service(
        String serviceName,
        List<String> availabilityZones,
        Boolean acceptanceRequired,
        List<Listener> listeners,
        List<String> targets)
    {
    }

    public record EndpointSubnet(String subnet, String eniAddress)
    {
    }

    public record Endpoint(String id, String vpc, String serviceName, List<EndpointSubnet> subnets)
    {
    }
}
