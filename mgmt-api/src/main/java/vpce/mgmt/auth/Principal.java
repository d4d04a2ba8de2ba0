package vpce.mgmt.auth;

import vpce.mgmt.ApiException;

/**
 * Who signed a verified request.
 *
 * @param accessKeyId the key's id (safe to log).
 * @param region      the region of the signature's credential scope (any region is accepted).
 * @param key         the configured key, for its allow-list.
 */
public record Principal(String accessKeyId, String region, AccessKey key)
{
    public static final String UNAUTHORIZED_OPERATION = "UnauthorizedOperation";

    /** @return the account the key belongs to, or null for the appliance's owner account. */
    public String accountId()
    {
        return key.accountId();
    }

    public boolean allows(final String iamAction)
    {
        return key.allows(iamAction);
    }

    /**
     * @throws ApiException {@code UnauthorizedOperation} (403) when the key's allow-list does not cover the action.
     */
    public void authorize(final String iamAction)
    {
        if (!allows(iamAction))
        {
            throw new ApiException(UNAUTHORIZED_OPERATION,
                "You are not authorized to perform this operation. User: " + accessKeyId + " Action: " + iamAction,
                ApiException.FORBIDDEN);
        }
    }
}
