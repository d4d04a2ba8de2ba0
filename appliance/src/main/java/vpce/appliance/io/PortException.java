package vpce.appliance.io;

import java.io.IOException;

/**
 * A port could not be opened or configured. Thrown at start-up only: the packet path reports
 * failures as counts, never as exceptions.
 */
public final class PortException extends IOException
{
    private static final long serialVersionUID = 1L;

    private final int errno;

    public PortException(final String message, final int errno)
    {
        super(errno == 0 ? message : message + ": " + LibC.describe(errno));
        this.errno = errno;
    }

    /** The errno of the failing call, 0 when the failure was not a system call's. */
    public int errno()
    {
        return errno;
    }
}
