package vpce.mgmt.ec2;

import vpce.mgmt.ApiException;

/**
 * The EC2 error codes of the wire layer, and the refusals built from them. Action-specific codes
 * ({@code InvalidVpcEndpointId.NotFound}, ...) belong to the actions.
 */
public final class Ec2Errors
{
    public static final String MALFORMED_QUERY_STRING = "MalformedQueryString";
    public static final String MISSING_ACTION = "MissingAction";
    public static final String INVALID_ACTION = "InvalidAction";
    public static final String NO_SUCH_VERSION = "NoSuchVersion";
    public static final String MISSING_PARAMETER = "MissingParameter";
    public static final String UNKNOWN_PARAMETER = "UnknownParameter";
    public static final String INVALID_PARAMETER_VALUE = "InvalidParameterValue";
    public static final String INVALID_PARAMETER_COMBINATION = "InvalidParameterCombination";
    public static final String FILTER_LIMIT_EXCEEDED = "FilterLimitExceeded";
    public static final String DRY_RUN_OPERATION = "DryRunOperation";
    public static final String INTERNAL_ERROR = "InternalError";
    public static final String UNAVAILABLE = "Unavailable";
    public static final String REQUEST_LIMIT_EXCEEDED = "RequestLimitExceeded";

    /** Longest echo of client input in a message: enough to recognise it, not a way to amplify a request. */
    static final int MAX_ECHO = 128;

    private Ec2Errors()
    {
    }

    public static ApiException malformedQueryString(final String why)
    {
        return new ApiException(MALFORMED_QUERY_STRING, why);
    }

    public static ApiException missingParameter(final String name)
    {
        return new ApiException(MISSING_PARAMETER, "The request must contain the parameter " + echo(name));
    }

    public static ApiException unknownParameter(final String name)
    {
        return new ApiException(UNKNOWN_PARAMETER, "The parameter " + echo(name) + " is not recognized");
    }

    /**
     * @param name the full parameter name, e.g. {@code IpPermissions.1.FromPort}.
     * @param why  what the value must be, e.g. {@code "must be an integer from 0 to 65535"}.
     */
    public static ApiException invalidParameterValue(final String name, final String value, final String why)
    {
        return new ApiException(INVALID_PARAMETER_VALUE,
            "Value (" + echo(value) + ") for parameter " + echo(name) + " is invalid: " + why);
    }

    public static ApiException invalidParameterCombination(final String message)
    {
        return new ApiException(INVALID_PARAMETER_COMBINATION, message);
    }

    public static ApiException invalidAction(final String action)
    {
        return new ApiException(INVALID_ACTION, "The action " + echo(action) + " is not valid for this web service.");
    }

    public static ApiException dryRunOperation()
    {
        return new ApiException(DRY_RUN_OPERATION, "Request would have succeeded, but DryRun flag is set.",
            ApiException.PRECONDITION_FAILED);
    }

    public static ApiException internalError()
    {
        return new ApiException(INTERNAL_ERROR, "An internal error has occurred", ApiException.INTERNAL_ERROR);
    }

    /** Client input in a message: cut to {@link #MAX_ECHO} characters (the XML writer escapes it). */
    static String echo(final String value)
    {
        if (value == null)
        {
            return "null";
        }
        return value.length() <= MAX_ECHO ? value : value.substring(0, MAX_ECHO) + "...";
    }
}
