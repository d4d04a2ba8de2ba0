package vpce.mgmt.controlplane;

import java.util.List;

/**
 * The common part of a Describe: ids (every one must exist, else the kind's NotFound code), filters, and
 * pagination ({@code maxResults} null for everything).
 */
public record DescribeRequest(List<String> ids, List<Filter> filters, Integer maxResults, String nextToken)
{
    public DescribeRequest
    {
        ids = ids == null ? List.of() : List.copyOf(ids);
        filters = filters == null ? List.of() : List.copyOf(filters);
    }

    public static DescribeRequest all()
    {
        return new DescribeRequest(List.of(), List.of(), null, null);
    }

    public static DescribeRequest ids(final String... ids)
    {
        return new DescribeRequest(List.of(ids), List.of(), null, null);
    }

    public static DescribeRequest filters(final Filter... filters)
    {
        return new DescribeRequest(List.of(), List.of(filters), null, null);
    }

    public DescribeRequest page(final Integer newMaxResults, final String newNextToken)
    {
        return new DescribeRequest(ids, filters, newMaxResults, newNextToken);
    }
}
