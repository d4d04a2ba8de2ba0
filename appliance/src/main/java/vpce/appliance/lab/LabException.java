package vpce.appliance.lab;

/**
 * A lab could not be brought up, torn down or driven; the message names the step and carries
 * the failing command's output so that a CI log explains itself.
 */
public class LabException extends RuntimeException
{
    private static final long serialVersionUID = 1L;

    public LabException(final String message)
    {
        super(message);
    }

    public LabException(final String message, final Throwable cause)
    {
        super(message, cause);
    }
}
