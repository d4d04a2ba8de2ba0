package vpce.mgmt.controlplane;

/**
 * One effect of an action on the state: a resource written whole, or removed. A commit is the list of them; the store
 * journals exactly this, so replaying a commit needs none of the action's logic (ids, addresses and times are in it).
 */
public sealed interface Change
{
    record Put(Resource resource) implements Change
    {
    }

    record Remove(ResourceKind kind, String id) implements Change
    {
    }
}
