package vpce.mgmt.ec2;

import vpce.mgmt.ApiException;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Test actions over a stub state (a change counter and a list of VPC ids), written the way real handlers must be:
 * everything validated in prepare, every change in the commit. They cover the accessor kinds (lists, filters, nested
 * structures, booleans, integer ranges, enums, batches) so the tests and the fuzzers exercise them.
 */
final class StubActions
{
    static final List<String> ZONES = List.of("us-east-1a", "us-east-1b", "us-east-1c");

    /** Changes committed: must not move for a refused request or a dry run. */
    final AtomicLong changes = new AtomicLong();
    final List<String> vpcIds = new ArrayList<>();

    /** Back to the empty state, so one dispatcher serves many fuzz inputs. */
    void reset()
    {
        changes.set(0);
        vpcIds.clear();
    }

    List<Ec2Action> actions()
    {
        return List.of(describeAvailabilityZones(), createVpc(), modifyVpcAttribute(), authorizeSecurityGroupIngress(),
            createNetworkAclEntry(), deleteVpcEndpoints());
    }

    Ec2Dispatcher dispatcher()
    {
        return new Ec2Dispatcher(actions());
    }

    private Ec2Action describeAvailabilityZones()
    {
        return Ec2Action.of("DescribeAvailabilityZones",
            ParameterSchema.builder().accept("ZoneName.N", "ZoneId.N", "AllAvailabilityZones").filters().build(),
            (params, call) ->
            {
                final List<String> names = params.stringList("ZoneName");
                params.stringList("ZoneId");
                params.optionalBoolean("AllAvailabilityZones", false);
                for (final Filter filter : params.filters())
                {
                    if (!filter.name().equals("zone-name") && !filter.name().equals("state"))
                    {
                        throw new ApiException("InvalidFilter", "The filter '" + filter.name() + "' is invalid");
                    }
                }
                for (final String name : names)
                {
                    if (!ZONES.contains(name))
                    {
                        throw Ec2Errors.invalidParameterValue("ZoneName", name, "no such zone");
                    }
                }
                final List<String> zones = names.isEmpty() ? ZONES : names;
                return out -> out.list("availabilityZoneInfo", zones, (item, zone) -> item
                    .text("zoneName", zone)
                    .text("zoneState", "available")
                    .text("regionName", "us-east-1")
                    .text("zoneId", "use1-az" + (ZONES.indexOf(zone) + 1))
                    .list("messageSet", List.<String>of(), (m, text) -> m.text("message", text)));
            });
    }

    private Ec2Action createVpc()
    {
        return Ec2Action.of("CreateVpc",
            ParameterSchema.builder()
                .accept("CidrBlock", "InstanceTenancy")
                .tagSpecifications()
                .ignore("AmazonProvidedIpv6CidrBlock", "Ipv6Pool", "Ipv6CidrBlock", "Ipv4IpamPoolId", "Ipv4NetmaskLength",
                    "Ipv6IpamPoolId", "Ipv6NetmaskLength", "Ipv6CidrBlockNetworkBorderGroup", "VpcEncryptionControl")
                .build(),
            (params, call) ->
            {
                final String cidr = params.requiredString("CidrBlock");
                if (!cidr.matches("\\d{1,3}(\\.\\d{1,3}){3}/(1[6-9]|2[0-8])"))
                {
                    throw new ApiException("InvalidVpc.Range", "The CIDR '" + cidr + "' is invalid.");
                }
                final String tenancy = params.optionalOneOf("InstanceTenancy", "default", "dedicated", "host");
                for (final Ec2Params spec : params.structList("TagSpecification"))
                {
                    spec.requiredOneOf("ResourceType", "vpc");
                    for (final Ec2Params tag : spec.structList("Tag"))
                    {
                        tag.requiredString("Key");
                        tag.optionalString("Value", "");
                    }
                }
                return out ->
                {
                    final String vpcId = String.format("vpc-%017x", changes.incrementAndGet());
                    vpcIds.add(vpcId);
                    out.struct("vpc", vpc -> vpc
                        .text("vpcId", vpcId)
                        .text("state", "available")
                        .text("cidrBlock", cidr)
                        .text("instanceTenancy", tenancy == null ? "default" : tenancy)
                        .bool("isDefault", false)
                        .text("ownerId", "123456789012")
                        .list("tagSet", List.<String>of(), (t, key) -> t.text("key", key)));
                };
            });
    }

    private Ec2Action modifyVpcAttribute()
    {
        return Ec2Action.of("ModifyVpcAttribute",
            ParameterSchema.builder().accept("VpcId", "EnableDnsHostnames.Value", "EnableDnsSupport.Value")
                .ignore("EnableNetworkAddressUsageMetrics.Value").build(),
            (params, call) ->
            {
                final String vpcId = params.requiredString("VpcId");
                final Boolean hostnames = params.struct("EnableDnsHostnames").optionalBoolean("Value");
                final Boolean support = params.optionalBoolean("EnableDnsSupport.Value");
                if ((hostnames == null) == (support == null))
                {
                    throw Ec2Errors.invalidParameterCombination("Exactly one attribute must be modified per call");
                }
                if (!vpcIds.contains(vpcId))
                {
                    throw new ApiException("InvalidVpcID.NotFound", "The vpc ID '" + vpcId + "' does not exist");
                }
                return out ->
                {
                    changes.incrementAndGet();
                    out.returnTrue();
                };
            });
    }

    private Ec2Action authorizeSecurityGroupIngress()
    {
        return Ec2Action.of("AuthorizeSecurityGroupIngress",
            ParameterSchema.builder()
                .accept("GroupId", "IpPermissions.N.IpProtocol", "IpPermissions.N.FromPort", "IpPermissions.N.ToPort",
                    "IpPermissions.N.IpRanges.M.CidrIp", "IpPermissions.N.IpRanges.M.Description")
                .ignore("IpPermissions.N.Ipv6Ranges.M.CidrIpv6", "IpPermissions.N.Ipv6Ranges.M.Description")
                .tagSpecifications()
                .build(),
            (params, call) ->
            {
                params.requiredString("GroupId");
                final List<Ec2Params> permissions = params.structList("IpPermissions");
                if (permissions.isEmpty())
                {
                    throw Ec2Errors.missingParameter("IpPermissions");
                }
                int ranges = 0;
                for (final Ec2Params permission : permissions)
                {
                    permission.requiredOneOf("IpProtocol", "tcp", "udp", "icmp", "-1");
                    final int from = permission.optionalInt("FromPort", -1, -1, 65535);
                    final int to = permission.optionalInt("ToPort", -1, -1, 65535);
                    if (to < from)
                    {
                        throw Ec2Errors.invalidParameterValue(permission.fullName("ToPort"), Integer.toString(to), "below FromPort");
                    }
                    for (final Ec2Params range : permission.structList("IpRanges"))
                    {
                        range.requiredString("CidrIp");
                        range.optionalString("Description");
                        ranges++;
                    }
                }
                final int added = ranges;
                return out ->
                {
                    changes.addAndGet(added);
                    out.returnTrue();
                };
            });
    }

    private Ec2Action createNetworkAclEntry()
    {
        return Ec2Action.of("CreateNetworkAclEntry",
            ParameterSchema.of("NetworkAclId", "RuleNumber", "Protocol", "RuleAction", "Egress", "CidrBlock",
                "PortRange.From", "PortRange.To", "Icmp.Code", "Icmp.Type"),
            (params, call) ->
            {
                params.requiredString("NetworkAclId");
                params.requiredInt("RuleNumber", 1, 32766);
                params.requiredString("Protocol");
                params.requiredOneOf("RuleAction", "allow", "deny");
                params.requiredBoolean("Egress");
                params.optionalString("CidrBlock");
                final Ec2Params ports = params.struct("PortRange");
                if (ports.hasAny("From") || ports.hasAny("To"))
                {
                    ports.requiredInt("From", 0, 65535);
                    ports.requiredInt("To", 0, 65535);
                }
                params.optionalInt("Icmp.Code", -1, 255);
                params.optionalInt("Icmp.Type", -1, 255);
                return out ->
                {
                    changes.incrementAndGet();
                    out.returnTrue();
                };
            });
    }

    private Ec2Action deleteVpcEndpoints()
    {
        return Ec2Action.of("DeleteVpcEndpoints", ParameterSchema.of("VpcEndpointId.N"), (params, call) ->
        {
            final List<String> ids = params.requiredStringList("VpcEndpointId");
            return out ->
            {
                final List<UnsuccessfulItem> failed = new ArrayList<>();
                for (final String id : ids)
                {
                    if (id.startsWith("vpce-gone"))
                    {
                        failed.add(new UnsuccessfulItem(id, "InvalidVpcEndpoint.NotFound", "The VPC endpoint '" + id + "' does not exist"));
                    }
                    else
                    {
                        changes.incrementAndGet();
                    }
                }
                out.unsuccessful(failed);
            };
        });
    }
}
