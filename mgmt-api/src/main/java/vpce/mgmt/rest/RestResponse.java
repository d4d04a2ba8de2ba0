package vpce.mgmt.rest;

/**
 * One answer of the REST API: status, content type ({@code application/json} or {@code application/problem+json}),
 * body (empty for 204).
 */
public record RestResponse(int status, String contentType, byte[] body)
{
    public static final String JSON = "application/json";
    public static final String PROBLEM_JSON = "application/problem+json";
}
