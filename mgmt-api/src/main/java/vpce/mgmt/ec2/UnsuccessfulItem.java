package vpce.mgmt.ec2;

import vpce.mgmt.ApiException;

/**
 * One id a batch action (DeleteVpcEndpoints, Accept/RejectVpcEndpointConnections, ...) could not process: written as
 * {@code <item><error><code/><message/></error><resourceId/></item>} in {@code <unsuccessful>}.
 */
public record UnsuccessfulItem(String resourceId, String code, String message)
{
    public static UnsuccessfulItem of(final String resourceId, final ApiException refusal)
    {
        return new UnsuccessfulItem(resourceId, refusal.code(), refusal.getMessage());
    }
}
