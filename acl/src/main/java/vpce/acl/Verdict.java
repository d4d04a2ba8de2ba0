package vpce.acl;

/**
 * Result conventions of the lookups, as ints so the packet path never allocates.
 *
 * <p>A network ACL verdict packs the deciding entry's rule number (bits 0..14, 1..32766, or 0 for the implicit
 * {@code *} entry) and whether it allows (bit 15). It is never negative, and {@link #IMPLICIT_DENY} is 0.
 *
 * <p>A security group lookup returns the index of an allowing rule in the ENI's rule list, or {@link #DENY}.
 */
public final class Verdict
{
    /** No security group rule allows the flow. */
    public static final int DENY = -1;
    /** The implicit final {@code *} entry of a network ACL: deny, rule number 0. */
    public static final int IMPLICIT_DENY = 0;

    private static final int ALLOW_BIT = 1 << 15;
    private static final int RULE_NUMBER_MASK = ALLOW_BIT - 1;

    private Verdict()
    {
    }

    public static int nacl(final boolean allow, final int ruleNumber)
    {
        return (allow ? ALLOW_BIT : 0) | ruleNumber;
    }

    /**
     * @param verdict a network ACL verdict ({@link #DENY} also answers false).
     */
    public static boolean allowed(final int verdict)
    {
        return (verdict & (ALLOW_BIT | Integer.MIN_VALUE)) == ALLOW_BIT;
    }

    /**
     * @return the deciding entry's number, 0 for the implicit {@code *} entry.
     */
    public static int ruleNumber(final int verdict)
    {
        return verdict & RULE_NUMBER_MASK;
    }

    public static String toString(final int naclVerdict)
    {
        return (allowed(naclVerdict) ? "allow" : "deny") + " by rule " +
            (0 == ruleNumber(naclVerdict) ? "*" : Integer.toString(ruleNumber(naclVerdict)));
    }
}
