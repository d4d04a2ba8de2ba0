package vpce.mgmt;

/**
 * A refused management API request: an EC2 error code (e.g. {@code InvalidVpcEndpointId.NotFound}), a message for
 * people, and the HTTP status EC2 answers it with. Both the EC2 Query API and the JSON REST view render it (an
 * {@code <Errors>} document or RFC 9457 problem+json), so the same refusal has the same code on either.
 * <p>
 * Thrown before any state changes: an action that throws it has changed nothing.
 */
public final class ApiException extends RuntimeException
{
    public static final int BAD_REQUEST = 400;
    public static final int UNAUTHORIZED = 401;
    public static final int FORBIDDEN = 403;
    public static final int PRECONDITION_FAILED = 412;
    public static final int INTERNAL_ERROR = 500;
    public static final int UNAVAILABLE = 503;

    private final String code;
    private final int httpStatus;

    public ApiException(final String code, final String message)
    {
        this(code, message, BAD_REQUEST);
    }

    public ApiException(final String code, final String message, final int httpStatus)
    {
        super(message, null, false, false);
        this.code = code;
        this.httpStatus = httpStatus;
    }

    /**
     * @return the EC2 error code, e.g. {@code InvalidParameterValue}.
     */
    public String code()
    {
        return code;
    }

    /**
     * @return the HTTP status: 400 for client errors, 401 AuthFailure, 403 UnauthorizedOperation, 412
     * DryRunOperation, 500 InternalError, 503 Unavailable.
     */
    public int httpStatus()
    {
        return httpStatus;
    }
}
