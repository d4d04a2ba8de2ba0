package vpce.mgmt.auth;

import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The configured access keys, looked up by id. Immutable: a configuration reload builds a new one.
 */
public final class AccessKeys
{
    private final Map<String, AccessKey> byId;

    private AccessKeys(final Map<String, AccessKey> byId)
    {
        this.byId = byId;
    }

    /**
     * @throws IllegalArgumentException when two keys share an id.
     */
    public static AccessKeys of(final Collection<AccessKey> keys)
    {
        final Map<String, AccessKey> byId = new HashMap<>();
        for (final AccessKey key : keys)
        {
            if (byId.putIfAbsent(key.accessKeyId(), key) != null)
            {
                throw new IllegalArgumentException("accessKeyId '" + key.accessKeyId() + "' is configured twice");
            }
        }
        return new AccessKeys(Map.copyOf(byId));
    }

    public static AccessKeys of(final AccessKey... keys)
    {
        return of(List.of(keys));
    }

    /**
     * @return the key, or null when no key has this id.
     */
    public AccessKey find(final String accessKeyId)
    {
        return byId.get(accessKeyId);
    }

    public int size()
    {
        return byId.size();
    }
}
