package vpce.mgmt.ec2.actions;

import vpce.mgmt.ec2.Ec2Action.Commit;
import vpce.mgmt.ec2.Ec2Call;
import vpce.mgmt.ec2.Ec2Errors;
import vpce.mgmt.ec2.Ec2Params;
import vpce.mgmt.ec2.Ec2XmlWriter;
import vpce.mgmt.controlplane.DescribeRequest;
import vpce.mgmt.controlplane.Filter;
import vpce.mgmt.controlplane.UnsuccessfulItem;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;

/**
 * What the action families share: reading the common parameter groups (tags, Describe paging, parameters the
 * appliance refuses) and the two-step shape of a mutating action.
 *
 * <p><b>Mutations and DryRun.</b> {@link vpce.mgmt.controlplane.ControlPlane} validates inside its mutating methods
 * (against the state it is about to change), so a handler cannot finish validating before it calls them. So
 * {@code prepare} reads and checks the parameters, then: for {@code DryRun=true} it calls the control plane with
 * {@code dryRun=true} right away, which throws {@code DryRunOperation} (412) exactly when the real call would succeed
 * and the real refusal otherwise; for a real call it returns a commit that calls the control plane with
 * {@code dryRun=false}, whose refusal (if any) the dispatcher answers as the error document. Either way a refused call
 * has changed nothing: the control plane refuses before it commits.
 *
 * <p><b>Describes</b> run entirely in {@code prepare} on one {@link vpce.mgmt.controlplane.ControlPlaneState}: they
 * change nothing, their refusals (unknown ids, bad filters or tokens) are then also their DryRun's answer, and the
 * commit renders the page from that same state.
 */
final class Requests
{
    private Requests()
    {
    }

    /** A control-plane mutation with a result, called with the request's DryRun flag. */
    @FunctionalInterface
    interface Change<R>
    {
        R apply(boolean dryRun);
    }

    /** A control-plane mutation without a result. */
    @FunctionalInterface
    interface VoidChange
    {
        void apply(boolean dryRun);
    }

    /**
     * @param answer writes the response members from the mutation's result.
     * @return the commit of a real call; for a dry run, throws what the control plane's dry run throws.
     */
    static <R> Commit change(final Ec2Call call, final Change<R> change, final BiConsumer<Ec2XmlWriter, R> answer)
    {
        if (call.dryRun())
        {
            change.apply(true);
            throw Ec2Errors.dryRunOperation(); // the control plane always throws on a dry run; this keeps it so
        }
        return response -> answer.accept(response, change.apply(false));
    }

    /** As {@link #change}, answering {@code <return>true</return>}. */
    static Commit returnTrue(final Ec2Call call, final VoidChange change)
    {
        return change(call, dryRun ->
        {
            change.apply(dryRun);
            return Boolean.TRUE;
        }, (response, ignored) -> response.returnTrue());
    }

    /** As {@link #change} for a batch action: {@code <unsuccessful>} holds the ids it could not act on. */
    static Commit batch(final Ec2Call call, final Change<List<UnsuccessfulItem>> change)
    {
        return change(call, change, Requests::unsuccessful);
    }

    static void unsuccessful(final Ec2XmlWriter response, final List<UnsuccessfulItem> items)
    {
        final List<vpce.mgmt.ec2.UnsuccessfulItem> wire = new ArrayList<>(items.size());
        for (final UnsuccessfulItem item : items)
        {
            wire.add(new vpce.mgmt.ec2.UnsuccessfulItem(item.resourceId(), item.code(), item.message()));
        }
        response.unsuccessful(wire);
    }

    /**
     * The tags of {@code TagSpecification.N} for the one resource type the action creates. EC2 refuses a tag
     * specification for another type ({@code 'vpc' is not a valid taggable resource type for this operation}) and a
     * key given twice.
     *
     * @param resourceType EC2's name, e.g. {@code vpc-endpoint}.
     */
    static Map<String, String> tags(final Ec2Params params, final String resourceType)
    {
        final Map<String, String> tags = new LinkedHashMap<>();
        for (final Ec2Params specification : params.structList("TagSpecification"))
        {
            final String type = specification.requiredString("ResourceType");
            if (!type.equals(resourceType))
            {
                throw Ec2Errors.invalidParameterValue(specification.fullName("ResourceType"), type,
                    "'" + type + "' is not a valid taggable resource type for this operation (expecting " + resourceType + ")");
            }
            for (final Ec2Params tag : specification.structList("Tag"))
            {
                final String key = tag.requiredString("Key");
                if (tags.putIfAbsent(key, tag.optionalString("Value", "")) != null)
                {
                    throw Ec2Errors.invalidParameterValue(tag.fullName("Key"), key, "the tag key is given twice");
                }
            }
        }
        return tags;
    }

    /**
     * Ids, {@code Filter.N}, {@code MaxResults} and {@code NextToken}: the control plane judges the ids, filter names
     * and the page size ({@code InvalidMaxResults}) as EC2 does.
     *
     * @param idList the id list's name without index ({@code VpcId} for {@code VpcId.N}), or null for none.
     */
    static DescribeRequest describe(final Ec2Params params, final String idList)
    {
        return new DescribeRequest(idList == null ? List.of() : params.stringList(idList), filters(params),
            maxResults(params), nextToken(params));
    }

    static List<Filter> filters(final Ec2Params params)
    {
        final List<Filter> filters = new ArrayList<>();
        for (final vpce.mgmt.ec2.Filter filter : params.filters())
        {
            filters.add(new Filter(filter.name(), filter.values()));
        }
        return filters;
    }

    static Integer maxResults(final Ec2Params params)
    {
        return params.optionalInt("MaxResults", Integer.MIN_VALUE, Integer.MAX_VALUE);
    }

    /** Null when absent or empty: an empty token is "from the start", as the first page's request. */
    static String nextToken(final Ec2Params params)
    {
        final String token = params.optionalString("NextToken");
        return token == null || token.isEmpty() ? null : token;
    }

    /**
     * Refuses parameters the model has and the appliance cannot honour (IPv6, IPAM pools, Outposts, ...): silently
     * ignoring them would answer success for something that did not happen.
     *
     * @param names parameter names, or structure/list names ({@code SubnetConfiguration} for
     *              {@code SubnetConfiguration.N.SubnetId}).
     */
    static void unsupported(final Ec2Params params, final String... names)
    {
        for (final String name : names)
        {
            if (params.hasAny(name))
            {
                throw Ec2Errors.invalidParameterValue(params.fullName(name), valueOf(params, name),
                    "it is not supported by this appliance (IPv4 interface endpoints in one region)");
            }
        }
    }

    /** Refuses a boolean parameter set to true (false asks for what the appliance does anyway). */
    static void unsupportedIfTrue(final Ec2Params params, final String name)
    {
        if (params.optionalBoolean(name, false))
        {
            throw Ec2Errors.invalidParameterValue(params.fullName(name), "true",
                "it is not supported by this appliance (IPv4 interface endpoints in one region)");
        }
    }

    /**
     * Cross-region parameters ({@code ServiceRegion}, {@code SupportedRegion.N}): only the appliance's own region.
     */
    static void ownRegionOnly(final Ec2Params params, final String list, final String region)
    {
        for (final String value : params.stringList(list))
        {
            if (!value.equals(region))
            {
                throw Ec2Errors.invalidParameterValue(params.fullName(list), value,
                    "this appliance serves " + region + " only");
            }
        }
    }

    private static String valueOf(final Ec2Params params, final String name)
    {
        return params.has(name) ? params.optionalString(name) : "";
    }
}
