package vpce.mgmt.controlplane;

/** The VPC attributes ModifyVpcAttribute/DescribeVpcAttribute handle ({@link #wireName()} is EC2's name). */
public enum VpcAttribute
{
    ENABLE_DNS_SUPPORT("enableDnsSupport"),
    ENABLE_DNS_HOSTNAMES("enableDnsHostnames");

    private final String wireName;

    VpcAttribute(final String wireName)
    {
        this.wireName = wireName;
    }

    public String wireName()
    {
        return wireName;
    }
}
