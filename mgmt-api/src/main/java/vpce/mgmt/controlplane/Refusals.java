package vpce.mgmt.controlplane;

import vpce.mgmt.ApiException;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;

/** The checks every action shares, each refusing with EC2's code. */
final class Refusals
{
    private Refusals()
    {
    }

    static ApiException dryRunOperation()
    {
        return new ApiException("DryRunOperation", "Request would have succeeded, but DryRun flag is set.",
            ApiException.PRECONDITION_FAILED);
    }

    static String required(final String value, final String parameter)
    {
        if (value == null || value.isEmpty())
        {
            throw missing(parameter);
        }
        return value;
    }

    static ApiException missing(final String parameter)
    {
        return new ApiException("MissingParameter", "The request must contain the parameter " + parameter);
    }

    static ApiException invalidValue(final String parameter, final Object value, final String why)
    {
        return new ApiException("InvalidParameterValue", "Value (" + value + ") for parameter " + parameter + " is invalid. " + why);
    }

    static ApiException invalidParameter(final String message)
    {
        return new ApiException("InvalidParameter", message);
    }

    static ApiException dependencyViolation(final String message)
    {
        return new ApiException("DependencyViolation", message);
    }

    /** A batch action's ids: at least one, else MissingParameter naming {@code parameter}. */
    static void requireAny(final List<String> ids, final String parameter)
    {
        if (ids == null || ids.isEmpty())
        {
            throw missing(parameter);
        }
    }

    /**
     * For batch actions, which answer per id: a malformed id becomes an unsuccessful item with the kind's Malformed
     * code instead of refusing the whole call.
     *
     * @return true if {@code id} is well formed.
     */
    static boolean wellFormedOrUnsuccessful(final ResourceKind kind, final String id, final List<UnsuccessfulItem> unsuccessful)
    {
        if (kind.isWellFormed(id))
        {
            return true;
        }
        unsuccessful.add(new UnsuccessfulItem(id, kind.malformedCode(), "Invalid id: '" + id + "'"));
        return false;
    }

    /** @return the ids without repeats, in order, each well formed. */
    static List<String> distinctIds(final ResourceKind kind, final List<String> ids)
    {
        final LinkedHashSet<String> unique = new LinkedHashSet<>();
        for (final String id : ids)
        {
            unique.add(kind.requireWellFormed(id));
        }
        return new ArrayList<>(unique);
    }

    static <T extends Resource> T require(final Transaction tx, final ResourceKind kind, final String id, final String parameter)
    {
        required(id, parameter);
        kind.requireWellFormed(id);
        final T resource = tx.get(kind, id);
        if (resource == null || !ownedByCaller(tx, resource))
        {
            throw kind.notFound(id);
        }
        return resource;
    }

    /** @return whether the calling account owns the resource (kinds without an owner: always). */
    static boolean ownedByCaller(final Transaction tx, final Resource resource)
    {
        final String owner = switch (resource)
        {
            case Vpc vpc -> vpc.ownerId();
            case Subnet subnet -> subnet.ownerId();
            case SecurityGroup group -> group.ownerId();
            case NetworkAcl acl -> acl.ownerId();
            case VpcEndpoint endpoint -> endpoint.ownerId();
            default -> null;
        };
        return owner == null || owner.equals(tx.caller());
    }

    static Vpc vpc(final Transaction tx, final String vpcId)
    {
        return require(tx, ResourceKind.VPC, vpcId, "VpcId");
    }

    static Subnet subnet(final Transaction tx, final String subnetId)
    {
        return require(tx, ResourceKind.SUBNET, subnetId, "SubnetId");
    }

    static SecurityGroup securityGroup(final Transaction tx, final String groupId)
    {
        return require(tx, ResourceKind.SECURITY_GROUP, groupId, "GroupId");
    }

    static NetworkAcl networkAcl(final Transaction tx, final String aclId)
    {
        return require(tx, ResourceKind.NETWORK_ACL, aclId, "NetworkAclId");
    }

    /** @return the parsed canonical IPv4 CIDR, else InvalidParameterValue naming the parameter. */
    static Ipv4Cidr cidr(final String text, final String parameter)
    {
        required(text, parameter);
        final Ipv4Cidr cidr = Ipv4Cidr.parseOrNull(text);
        if (cidr == null)
        {
            throw invalidValue(parameter, text, "This is not a valid IPv4 CIDR block (a.b.c.d/n with no host bits set).");
        }
        return cidr;
    }

    /** The caller asked for something IPv6 (or dual-stack): the appliance carries IPv4 only. */
    static void ipv4Only(final String parameter, final String value)
    {
        if (value != null && !value.equals("ipv4"))
        {
            throw invalidValue(parameter, value, "Only ipv4 is supported.");
        }
    }
}
