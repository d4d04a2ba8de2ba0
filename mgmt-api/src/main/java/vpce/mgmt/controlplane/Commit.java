package vpce.mgmt.controlplane;

import java.util.List;

/**
 * The effects of one action, the unit of atomicity and durability: the store makes it durable whole (or not at all)
 * before the new state is published.
 *
 * @param sequence one more than the previous commit's; never reused, across restarts too.
 * @param timeMs   when it was made (epoch ms, the control plane's clock).
 * @param action   the action's name (e.g. {@code CreateVpcEndpoint}), for the log and for people reading the store.
 */
public record Commit(long sequence, long timeMs, String action, List<Change> changes)
{
    public Commit
    {
        changes = List.copyOf(changes);
    }
}
