package vpce.mgmt.controlplane;

import java.util.List;

/**
 * One page of a Describe: the items and, when more match, the opaque token for the next page (else null).
 */
public record Page<T>(List<T> items, String nextToken)
{
    public Page
    {
        items = List.copyOf(items);
    }
}
