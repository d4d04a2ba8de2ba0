package vpce.mgmt.controlplane;

import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * A network ACL of a VPC: its entries (kept sorted by direction, then rule number) and the subnets associated with
 * it. The VPC's default ACL allows all traffic (rule 100) both ways; a new custom ACL only has the rule-32767 denies.
 */
public record NetworkAcl(
    String networkAclId,
    String vpcId,
    String ownerId,
    boolean isDefault,
    List<NetworkAclEntry> entries,
    List<NetworkAclAssociation> associations,
    Map<String, String> tags,
    long creationTimeMs) implements Resource
{
    private static final Comparator<NetworkAclEntry> ORDER =
        Comparator.comparing(NetworkAclEntry::egress).thenComparingInt(NetworkAclEntry::ruleNumber);

    public NetworkAcl
    {
        entries = entries.stream().sorted(ORDER).toList();
        associations = List.copyOf(associations);
        tags = Tags.copyOf(tags);
    }

    @Override
    public String id()
    {
        return networkAclId;
    }

    @Override
    public ResourceKind kind()
    {
        return ResourceKind.NETWORK_ACL;
    }

    public NetworkAclEntry entry(final int ruleNumber, final boolean egress)
    {
        for (final NetworkAclEntry entry : entries)
        {
            if (entry.ruleNumber() == ruleNumber && entry.egress() == egress)
            {
                return entry;
            }
        }
        return null;
    }

    public NetworkAcl withEntries(final List<NetworkAclEntry> newEntries)
    {
        return new NetworkAcl(networkAclId, vpcId, ownerId, isDefault, newEntries, associations, tags, creationTimeMs);
    }

    public NetworkAcl withAssociations(final List<NetworkAclAssociation> newAssociations)
    {
        return new NetworkAcl(networkAclId, vpcId, ownerId, isDefault, entries, newAssociations, tags, creationTimeMs);
    }
}
