package vpce.mgmt.ec2;

import java.util.List;

/**
 * One {@code Filter.N}: a name ({@code vpc-id}, {@code tag:Name}) and its values, which are ORed; separate filters
 * are ANDed. Whether the name is valid for the action ({@code InvalidFilter}) is the action's business.
 */
public record Filter(String name, List<String> values)
{
    public Filter
    {
        values = List.copyOf(values);
    }
}
