package vpce.appliance.lab;

import java.util.Locale;

/** Where a lab's VPC and endpoint come from. */
public enum LabEndpoints
{
    /** The lab's configuration file declares the VPC, its subnets and the endpoint (the default). */
    CONFIG,
    /**
     * The file declares ports and the service only: VPCs, subnets, security groups and endpoints are made through
     * the management API (appliance mode only).
     */
    API;

    public static LabEndpoints parse(final String value)
    {
        for (final LabEndpoints endpoints : values())
        {
            if (endpoints.name().equalsIgnoreCase(value.trim()))
            {
                return endpoints;
            }
        }
        throw new IllegalArgumentException("lab endpoints must be config or api: " + value);
    }

    public String label()
    {
        return name().toLowerCase(Locale.ROOT);
    }
}
