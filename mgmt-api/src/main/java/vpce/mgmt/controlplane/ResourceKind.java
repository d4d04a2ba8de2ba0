package vpce.mgmt.controlplane;

import vpce.mgmt.ApiException;

import java.util.regex.Pattern;

/**
 * The kinds of persisted resource, each with its id prefix and the EC2 codes for an id that is malformed or names
 * nothing (casing as EC2 documents it: {@code InvalidVpcID} but {@code InvalidSubnetId.Malformed}).
 * <p>
 * An id is well formed when it is the prefix followed by 8 to 17 lower-case hex digits: EC2 hands out 17 and still
 * accepts its older 8-digit ids, and the appliance's configuration file uses lengths in between.
 */
public enum ResourceKind
{
    VPC("vpc-", "InvalidVpcID.Malformed", "InvalidVpcID.NotFound", "VPC"),
    SUBNET("subnet-", "InvalidSubnetId.Malformed", "InvalidSubnetID.NotFound", "subnet"),
    SECURITY_GROUP("sg-", "InvalidGroupId.Malformed", "InvalidGroup.NotFound", "security group"),
    NETWORK_ACL("acl-", "InvalidNetworkAclId.Malformed", "InvalidNetworkAclID.NotFound", "network ACL"),
    ENDPOINT_SERVICE("vpce-svc-", "InvalidVpcEndpointServiceIdId.Malformed", "InvalidVpcEndpointServiceId.NotFound",
        "VPC endpoint service"),
    VPC_ENDPOINT("vpce-", "InvalidVpcEndpointId.Malformed", "InvalidVpcEndpointId.NotFound", "VPC endpoint"),
    NETWORK_INTERFACE("eni-", "InvalidNetworkInterfaceID.Malformed", "InvalidNetworkInterfaceID.NotFound",
        "network interface"),
    CONNECTION_NOTIFICATION("vpce-nfn-", "InvalidConnectionNotification", "InvalidConnectionNotification",
        "connection notification");

    private final String prefix;
    private final String malformedCode;
    private final String notFoundCode;
    private final String description;
    private final Pattern pattern;

    ResourceKind(final String prefix, final String malformedCode, final String notFoundCode, final String description)
    {
        this.prefix = prefix;
        this.malformedCode = malformedCode;
        this.notFoundCode = notFoundCode;
        this.description = description;
        this.pattern = Pattern.compile(Pattern.quote(prefix) + "[0-9a-f]{8,17}");
    }

    public String prefix()
    {
        return prefix;
    }

    public String malformedCode()
    {
        return malformedCode;
    }

    public String notFoundCode()
    {
        return notFoundCode;
    }

    public boolean isWellFormed(final String id)
    {
        return id != null && pattern.matcher(id).matches();
    }

    /** @throws ApiException with {@link #malformedCode()} unless {@link #isWellFormed}. */
    public String requireWellFormed(final String id)
    {
        if (!isWellFormed(id))
        {
            throw new ApiException(malformedCode, "Invalid id: '" + id + "' (expecting '" + prefix + "...')");
        }
        return id;
    }

    public ApiException notFound(final String id)
    {
        return new ApiException(notFoundCode, "The " + description + " ID '" + id + "' does not exist");
    }
}
