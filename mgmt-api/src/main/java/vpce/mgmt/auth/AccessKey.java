package vpce.mgmt.auth;

import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * One API access key from the configuration: its id, the secret both sides sign with, and the actions it may call in
 * IAM form ({@code ec2:DescribeVpcEndpoints}, {@code ec2:Describe*}, {@code ec2:*}, {@code *}; {@code ?} matches one
 * character; matched without case, as IAM does).
 *
 * @param accessKeyId     1 to 128 of {@code [A-Za-z0-9._-]}; it is the first part of the SigV4 {@code Credential=}.
 * @param secretAccessKey what the client signs with; never logged or echoed.
 * @param allowedActions  IAM action patterns; an empty list allows nothing.
 * @param sessionToken    null for a long-term key; otherwise the {@code X-Amz-Security-Token} every request with this
 *                        key must carry (and sign), so credentials shaped like temporary ones can be configured too.
 * @param accountId       the 12-digit account the key belongs to, or null for the appliance's owner account: calls
 *                        signed with it create resources that account owns and change only that account's resources.
 */
public record AccessKey(String accessKeyId, String secretAccessKey, List<String> allowedActions, String sessionToken,
    String accountId)
{
    private static final Pattern ACCOUNT_ID = Pattern.compile("[0-9]{12}");
    private static final Pattern KEY_ID = Pattern.compile("[A-Za-z0-9._-]{1,128}");
    private static final Pattern ACTION_PATTERN = Pattern.compile("\\*|[A-Za-z0-9-]+:[A-Za-z0-9*?]+");

    /**
     * @throws IllegalArgumentException naming the field and, except for secrets, the bad value.
     */
    public AccessKey
    {
        if (accessKeyId == null || !KEY_ID.matcher(accessKeyId).matches())
        {
            throw new IllegalArgumentException("accessKeyId '" + accessKeyId + "' must be 1-128 of [A-Za-z0-9._-]");
        }
        if (secretAccessKey == null || secretAccessKey.isBlank() || secretAccessKey.length() > 256)
        {
            throw new IllegalArgumentException("secretAccessKey of " + accessKeyId + " must be 1-256 characters");
        }
        if (allowedActions == null)
        {
            throw new IllegalArgumentException("allowedActions of " + accessKeyId + " is missing");
        }
        allowedActions = List.copyOf(allowedActions);
        for (final String action : allowedActions)
        {
            if (!ACTION_PATTERN.matcher(action).matches())
            {
                throw new IllegalArgumentException("allowedActions of " + accessKeyId + ": '" + action +
                    "' is not an IAM action pattern such as ec2:DescribeVpcEndpoints, ec2:Describe* or ec2:*");
            }
        }
        if (sessionToken != null && (sessionToken.isEmpty() || sessionToken.length() > 4096))
        {
            throw new IllegalArgumentException("sessionToken of " + accessKeyId + " must be 1-4096 characters when given");
        }
        if (accountId != null && !ACCOUNT_ID.matcher(accountId).matches())
        {
            throw new IllegalArgumentException("accountId of " + accessKeyId + ": '" + accountId + "' must be 12 digits");
        }
    }

    public AccessKey(final String accessKeyId, final String secretAccessKey, final List<String> allowedActions,
        final String sessionToken)
    {
        this(accessKeyId, secretAccessKey, allowedActions, sessionToken, null);
    }

    public AccessKey(final String accessKeyId, final String secretAccessKey, final List<String> allowedActions)
    {
        this(accessKeyId, secretAccessKey, allowedActions, null);
    }

    /**
     * @param iamAction e.g. {@code ec2:CreateVpcEndpoint}.
     * @return whether one of {@link #allowedActions()} matches it.
     */
    public boolean allows(final String iamAction)
    {
        final String action = iamAction.toLowerCase(Locale.ROOT);
        for (final String pattern : allowedActions)
        {
            if (globMatches(pattern.toLowerCase(Locale.ROOT), action))
            {
                return true;
            }
        }
        return false;
    }

    /** Keeps the secret and the token out of logs and exception messages. */
    @Override
    public String toString()
    {
        return "AccessKey[" + accessKeyId + ", allowedActions=" + allowedActions + (sessionToken != null ? ", with session token]" : "]");
    }

    /** Wildcard match ({@code *} any run, {@code ?} one character) in linear time: no backtracking blow-up. */
    static boolean globMatches(final String pattern, final String text)
    {
        int p = 0;
        int t = 0;
        int starP = -1;
        int starT = 0;
        while (t < text.length())
        {
            if (p < pattern.length() && (pattern.charAt(p) == '?' || pattern.charAt(p) == text.charAt(t)))
            {
                p++;
                t++;
            }
            else if (p < pattern.length() && pattern.charAt(p) == '*')
            {
                starP = p++;
                starT = t;
            }
            else if (starP >= 0)
            {
                p = starP + 1;
                t = ++starT;
            }
            else
            {
                return false;
            }
        }
        while (p < pattern.length() && pattern.charAt(p) == '*')
        {
            p++;
        }
        return p == pattern.length();
    }
}
