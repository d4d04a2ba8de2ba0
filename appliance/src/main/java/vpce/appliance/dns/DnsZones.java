package vpce.appliance.dns;

import vpce.appliance.config.ApplianceModel;
import vpce.appliance.config.ApplianceModel.EndpointSpec;
import vpce.appliance.config.ApplianceModel.EniSpec;
import vpce.appliance.config.ApplianceModel.ServiceSpec;
import vpce.appliance.config.ApplianceModel.VpcSpec;
import vpce.dns.DnsZoneSnapshot;
import vpce.mgmt.controlplane.CatalogService;
import vpce.mgmt.controlplane.ControlPlaneState;
import vpce.mgmt.controlplane.DnsEntry;
import vpce.mgmt.controlplane.DnsNames;
import vpce.mgmt.controlplane.VpcEndpoint;

import java.util.HashMap;
import java.util.Map;

/**
 * The DNS responder's zones, from the datapath's model (the file's entities and the control plane's, merged) and the
 * control plane's state (the API endpoints' names and private DNS switch):
 * <ul>
 * <li>every VPC with {@code enableDnsSupport} is served, at its resolver address (VPC base + 2 unless configured);
 * a VPC without it is not (its queries are REFUSED, as its AmazonProvidedDNS would be off);</li>
 * <li>the region's {@code vpce.amazonaws.com} zone holds each endpoint's regional name (all its ENIs) and zonal names
 * (that zone's ENI), answered in every VPC served, as EC2's public names are. The endpoints are the ones the datapath
 * forwards: {@code pending} or {@code available} (so a name resolves as soon as CreateVpcEndpoint has returned);
 * an API endpoint's names are its DnsEntries; a file endpoint's are {@code <id>.<base>} and
 * {@code <id>-<az>.<base>}, with the service's base name as EC2 forms it;</li>
 * <li>the service's private DNS name, a private hosted zone of the endpoint's VPC, when the endpoint has private DNS
 * on (a file endpoint has it when its service names one) and the VPC has both {@code enableDnsSupport} and
 * {@code enableDnsHostnames}; other VPCs get the upstream's answer.</li>
 * </ul>
 */
public final class DnsZones
{
    private DnsZones()
    {
    }

    /**
     * @param model    the datapath's model.
     * @param state    the control plane's state; null without the EC2 API.
     * @param dns      the responder's settings.
     */
    public static DnsZoneSnapshot build(final ApplianceModel model, final ControlPlaneState state, final ApplianceModel.DnsSpec dns,
        final long generation)
    {
        final DnsZoneSnapshot.Builder builder = new DnsZoneSnapshot.Builder();
        final Map<String, VpcSpec> vpcs = new HashMap<>();
        for (final VpcSpec vpc : model.vpcs())
        {
            vpcs.put(vpc.id(), vpc);
            if (vpc.enableDnsSupport())
            {
                builder.vpc(vpc.id(), vpc.cidr().address(), vpc.cidr().prefixLength(), dns.resolverAddress(vpc.id(), vpc.cidr()));
            }
        }
        builder.sharedZone(model.region() + ".vpce.amazonaws.com");
        for (final EndpointSpec endpoint : model.endpoints())
        {
            final VpcEndpoint api = state == null ? null : state.vpcEndpoint(endpoint.id());
            final VpcSpec vpc = vpcs.get(endpoint.vpcId());
            final boolean privateDns = vpc != null && vpc.enableDnsSupport() && vpc.enableDnsHostnames() && builder.hasVpc(vpc.id());
            if (api != null)
            {
                for (final DnsEntry entry : api.dnsEntries())
                {
                    if (entry.privateName())
                    {
                        if (privateDns && api.privateDnsEnabled())
                        {
                            builder.privateZone(vpc.id(), entry.dnsName());
                            endpoint.enis().forEach(eni -> builder.privateAddress(vpc.id(), entry.dnsName(), eni.address()));
                        }
                        continue;
                    }
                    for (final EniSpec eni : endpoint.enis())
                    {
                        if (entry.availabilityZone() == null || entry.availabilityZone().equals(eni.availabilityZone()))
                        {
                            builder.sharedAddress(entry.dnsName(), eni.address());
                        }
                    }
                }
                continue;
            }
            final String base = DnsNames.baseEndpointDnsName(endpoint.serviceName(), CatalogService.serviceIdFor(endpoint.serviceName()),
                model.region());
            for (final EniSpec eni : endpoint.enis())
            {
                builder.sharedAddress(endpoint.id() + "." + base, eni.address());
                builder.sharedAddress(endpoint.id() + "-" + eni.availabilityZone() + "." + base, eni.address());
            }
            final ServiceSpec service = model.service(endpoint.serviceName());
            if (privateDns && service != null && service.privateDnsName() != null)
            {
                builder.privateZone(vpc.id(), service.privateDnsName());
                endpoint.enis().forEach(eni -> builder.privateAddress(vpc.id(), service.privateDnsName(), eni.address()));
            }
        }
        return builder.build(generation);
    }
}
