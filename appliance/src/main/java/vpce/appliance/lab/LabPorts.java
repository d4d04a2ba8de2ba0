package vpce.appliance.lab;

import java.util.Locale;

/** What the appliance's ports are in a lab. */
public enum LabPorts
{
    /** veth pairs: the appliance holds one end of each through an AF_PACKET socket. */
    AFPACKET,
    /**
     * TAP devices the appliance creates inside the client and service namespaces, where they are
     * those hosts' NICs: no veth in between (appliance mode only).
     */
    TAP;

    public static LabPorts parse(final String value)
    {
        for (final LabPorts ports : values())
        {
            if (ports.name().equalsIgnoreCase(value.trim()))
            {
                return ports;
            }
        }
        throw new IllegalArgumentException("lab ports must be afpacket or tap: " + value);
    }

    public String label()
    {
        return name().toLowerCase(Locale.ROOT);
    }
}
