package vpce.acl;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Everything the classifier is compiled from. Subnets and ENIs are numbered by their position in the lists: the
 * datapath keeps the same indices in its own tables and passes them to the lookups.
 *
 * <p>Cross-references (a subnet's NACL, an ENI's groups, a rule's referenced group) and EC2's quotas are checked by
 * {@link AclCompiler#compile(AclModel)}, so that one message names whichever is wrong.
 *
 * @param nacls           the network ACLs, ids unique.
 * @param naclOfSubnet    for subnet index i, the id of its network ACL.
 * @param groups          the security groups, ids unique.
 * @param groupsOfEni     for ENI index i, the ids of its security groups (1..maxGroupsPerEni, no repeats).
 * @param members         security group id to the private addresses of the ENIs in it, for rules that reference the
 *                        group; a group missing from the map has no members.
 * @param maxGroupsPerEni EC2 quota "security groups per network interface": default 5, at most 16.
 */
public record AclModel(
    List<NetworkAcl> nacls,
    List<String> naclOfSubnet,
    List<SecurityGroup> groups,
    List<List<String>> groupsOfEni,
    Map<String, int[]> members,
    int maxGroupsPerEni)
{
    public static final int DEFAULT_MAX_GROUPS_PER_ENI = 5;
    public static final int MAX_GROUPS_PER_ENI_LIMIT = 16;
    /**
     * EC2: "The quota for inbound or outbound rules per security group multiplied by the quota for security groups
     * per network interface cannot exceed 1,000." Applied to the rules an ENI's groups actually hold, per direction.
     */
    public static final int MAX_RULES_PER_ENI = 1000;
    /**
     * EC2 allows 20 entries per direction by default, adjustable to 40; the classifier accepts up to 255 so a
     * raised quota never needs a different structure.
     */
    public static final int MAX_NACL_ENTRIES_PER_DIRECTION = 255;

    public AclModel
    {
        Objects.requireNonNull(nacls, "nacls");
        Objects.requireNonNull(naclOfSubnet, "naclOfSubnet");
        Objects.requireNonNull(groups, "groups");
        Objects.requireNonNull(groupsOfEni, "groupsOfEni");
        Objects.requireNonNull(members, "members");
        if (maxGroupsPerEni < 1 || maxGroupsPerEni > MAX_GROUPS_PER_ENI_LIMIT)
        {
            throw new IllegalArgumentException(
                "maxGroupsPerEni " + maxGroupsPerEni + " is not in 1.." + MAX_GROUPS_PER_ENI_LIMIT);
        }
        nacls = List.copyOf(nacls);
        naclOfSubnet = List.copyOf(naclOfSubnet);
        groups = List.copyOf(groups);
        groupsOfEni = groupsOfEni.stream().map(List::copyOf).toList();
        // Copy the arrays too: the compiled structure and the reference must see the same membership for ever.
        final Map<String, int[]> copy = new HashMap<>();
        for (final Map.Entry<String, int[]> entry : members.entrySet())
        {
            copy.put(Objects.requireNonNull(entry.getKey(), "members key"),
                Objects.requireNonNull(entry.getValue(), "members of " + entry.getKey()).clone());
        }
        members = Map.copyOf(copy);
    }

    public AclModel(
        final List<NetworkAcl> nacls,
        final List<String> naclOfSubnet,
        final List<SecurityGroup> groups,
        final List<List<String>> groupsOfEni,
        final Map<String, int[]> members)
    {
        this(nacls, naclOfSubnet, groups, groupsOfEni, members, DEFAULT_MAX_GROUPS_PER_ENI);
    }

    /**
     * @return the private addresses of the members of a group, a copy; empty when it has none.
     */
    public int[] membersOf(final String groupId)
    {
        final int[] addresses = members.get(groupId);
        return null == addresses ? new int[0] : addresses.clone();
    }
}
