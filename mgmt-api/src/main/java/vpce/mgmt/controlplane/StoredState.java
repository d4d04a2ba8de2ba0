package vpce.mgmt.controlplane;

import java.util.List;

/**
 * What a {@link StateStore} recovered at open: every resource of the last durable commit and that commit's sequence
 * (0 for an empty store).
 */
public record StoredState(long sequence, List<Resource> resources)
{
    public StoredState
    {
        resources = List.copyOf(resources);
    }

    public static StoredState empty()
    {
        return new StoredState(0, List.of());
    }
}
