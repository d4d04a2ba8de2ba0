package vpce.appliance.config;

/** A configuration file that cannot be used; the message names the field and the bad value. */
public final class ConfigException extends Exception
{
    public ConfigException(final String message)
    {
        super(message);
    }

    public ConfigException(final String message, final Throwable cause)
    {
        super(message, cause);
    }
}
