package vpce.mgmt.controlplane;

import vpce.mgmt.ApiException;

/** The events a connection notification can subscribe to ({@link #wireName()} is EC2's spelling). */
public enum ConnectionEventType
{
    ACCEPT("Accept"),
    CONNECT("Connect"),
    DELETE("Delete"),
    REJECT("Reject");

    private final String wireName;

    ConnectionEventType(final String wireName)
    {
        this.wireName = wireName;
    }

    public String wireName()
    {
        return wireName;
    }

    /** @throws ApiException InvalidParameterValue for anything but Accept, Connect, Delete, Reject (case as EC2). */
    public static ConnectionEventType ofWireName(final String name)
    {
        for (final ConnectionEventType type : values())
        {
            if (type.wireName.equals(name))
            {
                return type;
            }
        }
        throw new ApiException("InvalidParameterValue",
            "Invalid connection event '" + name + "': expecting Accept, Connect, Delete or Reject");
    }
}
