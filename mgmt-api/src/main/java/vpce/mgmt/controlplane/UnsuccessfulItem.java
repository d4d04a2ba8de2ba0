package vpce.mgmt.controlplane;

/**
 * One id a batch action (DeleteVpcEndpoints, Accept/RejectVpcEndpointConnections, Delete…) could not act on; the
 * others were acted on. EC2's {@code UnsuccessfulItem}: {@code <error><code/><message/></error><resourceId/>}.
 */
public record UnsuccessfulItem(String resourceId, String code, String message)
{
}
