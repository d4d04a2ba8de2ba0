package vpce.appliance.lab;

/**
 * What forwards between the consumer ports and the provider port of a lab's appliance namespace.
 */
public enum LabMode
{
    /**
     * The vpce appliance, run as a child process inside the appliance namespace on raw ports that
     * carry no kernel addresses.
     */
    APPLIANCE,

    /**
     * The Linux kernel doing the same job with addresses, IP forwarding and nftables DNAT/SNAT: the
     * reference that benchmarks compare the appliance against.
     */
    KERNEL;

    /**
     * Parse a mode name case-insensitively, as written on a command line or in {@code lab.json}.
     *
     * @param value "kernel" or "appliance".
     * @return the mode.
     * @throws IllegalArgumentException naming the bad value.
     */
    public static LabMode parse(final String value)
    {
        for (final LabMode mode : values())
        {
            if (mode.name().equalsIgnoreCase(value.trim()))
            {
                return mode;
            }
        }

        throw new IllegalArgumentException("lab mode must be kernel or appliance: " + value);
    }

    /**
     * @return the lower-case name used in files and on command lines.
     */
    public String label()
    {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
