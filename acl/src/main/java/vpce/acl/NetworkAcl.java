package vpce.acl;

import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * A network ACL: numbered ingress and egress entries, stateless, first match by lowest number wins, and an
 * implicit final {@code *} entry that denies.
 *
 * @param id      e.g. {@code acl-0a11ce0000000001}.
 * @param entries both directions, in any order; a rule number appears at most once per direction.
 */
public record NetworkAcl(String id, List<NaclEntry> entries)
{
    /** The rule number EC2 gives the allow-all entries of a VPC's default network ACL. */
    public static final int DEFAULT_RULE_NUMBER = 100;

    public NetworkAcl
    {
        if (null == id || id.isEmpty())
        {
            throw new IllegalArgumentException("network acl: id '" + id + "' is empty");
        }
        Objects.requireNonNull(entries, "entries");
        entries = List.copyOf(entries);
        final Set<Integer> ingress = new HashSet<>();
        final Set<Integer> egress = new HashSet<>();
        for (final NaclEntry entry : entries)
        {
            if (!(entry.egress() ? egress : ingress).add(entry.ruleNumber()))
            {
                throw new IllegalArgumentException("network acl " + id + ": ruleNumber " + entry.ruleNumber() +
                    " appears twice in the " + (entry.egress() ? "egress" : "ingress") + " entries");
            }
        }
    }

    /**
     * A VPC's default network ACL: rule 100 allows all traffic in each direction (then the implicit deny).
     */
    public static NetworkAcl defaultAllowAll(final String id)
    {
        return new NetworkAcl(id, List.of(
            NaclEntry.allTraffic(DEFAULT_RULE_NUMBER, false, true, 0, 0),
            NaclEntry.allTraffic(DEFAULT_RULE_NUMBER, true, true, 0, 0)));
    }

    /**
     * A newly created custom network ACL: no entries, so the implicit {@code *} entry denies everything.
     */
    public static NetworkAcl denyAll(final String id)
    {
        return new NetworkAcl(id, List.of());
    }

    /**
     * @return the entries of one direction, lowest rule number first: the order EC2 evaluates them in.
     */
    public List<NaclEntry> entries(final boolean egress)
    {
        return entries.stream()
            .filter(entry -> entry.egress() == egress)
            .sorted((a, b) -> Integer.compare(a.ruleNumber(), b.ruleNumber()))
            .toList();
    }
}
