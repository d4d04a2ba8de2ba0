package vpce.mgmt.controlplane;

import java.security.SecureRandom;
import java.util.random.RandomGenerator;

/**
 * Makes resource ids ({@code prefix + 17 lower-case hex}) and the 8-character random part of endpoint DNS names.
 * Production draws from a {@link SecureRandom} (ids are not guessable, as in EC2); tests inject a seeded generator so
 * that ids, and therefore everything sorted by id, are reproducible.
 * <p>
 * Not thread-safe: only the control-plane writer thread draws ids.
 */
public final class IdSource
{
    private static final char[] HEX = "0123456789abcdef".toCharArray();
    private static final char[] DNS_LABEL = "abcdefghijklmnopqrstuvwxyz0123456789".toCharArray();

    private final RandomGenerator random;

    public IdSource(final RandomGenerator random)
    {
        this.random = random;
    }

    public static IdSource secure()
    {
        return new IdSource(new SecureRandom());
    }

    /** @return {@code prefix} followed by 17 lower-case hex digits (68 random bits). */
    public String next(final String prefix)
    {
        final StringBuilder id = new StringBuilder(prefix.length() + 17).append(prefix);
        for (int i = 0; i < 17; i++)
        {
            id.append(HEX[random.nextInt(16)]);
        }
        return id.toString();
    }

    /** @return 8 characters of [a-z0-9], the random part EC2 puts in an endpoint's DNS names. */
    public String nextDnsLabel()
    {
        final char[] label = new char[8];
        for (int i = 0; i < label.length; i++)
        {
            label[i] = DNS_LABEL[random.nextInt(DNS_LABEL.length)];
        }
        return new String(label);
    }
}
