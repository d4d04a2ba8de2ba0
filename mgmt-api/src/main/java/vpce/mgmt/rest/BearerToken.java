package vpce.mgmt.rest;

import vpce.mgmt.auth.AccessKey;

import java.util.List;

/**
 * A bearer token of the REST API ({@code Authorization: Bearer <token>}) and the IAM actions it may call, matched
 * exactly like an access key's allow-list ({@code ec2:CreateVpcEndpoint}, {@code ec2:Describe*}, {@code *}).
 *
 * @param token          16 to 4096 printable ASCII characters without spaces; never logged or echoed.
 * @param allowedActions IAM action patterns; an empty list allows nothing.
 */
public record BearerToken(String token, List<String> allowedActions)
{
    public static final int MIN_LENGTH = 16;
    public static final int MAX_LENGTH = 4096;

    /** @throws IllegalArgumentException naming what is wrong (never the token). */
    public BearerToken
    {
        if (token == null || token.length() < MIN_LENGTH || token.length() > MAX_LENGTH || !token.chars().allMatch(c -> c > 0x20 && c < 0x7f))
        {
            throw new IllegalArgumentException("token must be " + MIN_LENGTH + "-" + MAX_LENGTH + " printable ASCII characters without spaces");
        }
        if (allowedActions == null)
        {
            throw new IllegalArgumentException("allowedActions is missing");
        }
        allowedActions = List.copyOf(allowedActions);
        // Validates the patterns with the access keys' rules.
        asAccessKey("bearer-0", token, allowedActions);
    }

    static AccessKey asAccessKey(final String name, final String token, final List<String> allowedActions)
    {
        return new AccessKey(name, token.length() > 256 ? token.substring(0, 256) : token, allowedActions);
    }

    @Override
    public String toString()
    {
        return "BearerToken[allowedActions=" + allowedActions + "]";
    }
}
