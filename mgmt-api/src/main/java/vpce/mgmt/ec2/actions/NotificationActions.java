package vpce.mgmt.ec2.actions;

import vpce.mgmt.controlplane.ConnectionNotification;
import vpce.mgmt.controlplane.ControlPlane;
import vpce.mgmt.controlplane.Page;
import vpce.mgmt.ec2.Ec2Action;
import vpce.mgmt.ec2.ParameterSchema;

import java.util.List;

/**
 * Create/Describe/Modify/DeleteVpcEndpointConnectionNotification(s): SNS topics told about the Connect, Accept,
 * Reject and Delete events of one endpoint (the consumer's) or of every endpoint of one service (the provider's).
 */
final class NotificationActions
{
    private final ControlPlane controlPlane;

    NotificationActions(final ControlPlane controlPlane)
    {
        this.controlPlane = controlPlane;
    }

    List<Ec2Action> actions()
    {
        return List.of(createNotification(), describeNotifications(), modifyNotification(), deleteNotifications());
    }

    private Ec2Action createNotification()
    {
        return Ec2Action.of("CreateVpcEndpointConnectionNotification",
            ParameterSchema.of("ServiceId", "VpcEndpointId", "ConnectionNotificationArn", "ConnectionEvents.N", "ClientToken"),
            (params, call) ->
            {
                final String serviceId = params.optionalString("ServiceId");
                final String endpointId = params.optionalString("VpcEndpointId");
                final String topicArn = params.requiredString("ConnectionNotificationArn");
                final List<String> events = params.requiredStringList("ConnectionEvents");
                final String clientToken = params.optionalString("ClientToken");
                return Requests.change(call, dryRun -> controlPlane.createVpcEndpointConnectionNotification(serviceId, endpointId,
                        topicArn, events, clientToken, dryRun),
                    (out, notification) -> out
                        .struct("connectionNotification", body -> Ec2Shapes.connectionNotification(body, notification))
                        .text("clientToken", clientToken));
            });
    }

    private Ec2Action describeNotifications()
    {
        return Ec2Action.of("DescribeVpcEndpointConnectionNotifications",
            ParameterSchema.builder().accept("ConnectionNotificationId", "MaxResults", "NextToken").filters().build(),
            (params, call) ->
            {
                final String id = params.optionalString("ConnectionNotificationId");
                final Page<ConnectionNotification> page = controlPlane.state().describeVpcEndpointConnectionNotifications(
                    id == null || id.isEmpty() ? null : id, Requests.filters(params), Requests.maxResults(params),
                    Requests.nextToken(params));
                return out -> out.list("connectionNotificationSet", page.items(), Ec2Shapes::connectionNotification)
                    .text("nextToken", page.nextToken());
            });
    }

    private Ec2Action modifyNotification()
    {
        return Ec2Action.of("ModifyVpcEndpointConnectionNotification",
            ParameterSchema.of("ConnectionNotificationId", "ConnectionNotificationArn", "ConnectionEvents.N"),
            (params, call) ->
            {
                final String id = params.requiredString("ConnectionNotificationId");
                final String topicArn = params.optionalString("ConnectionNotificationArn");
                final List<String> events = params.stringList("ConnectionEvents");
                return Requests.returnTrue(call,
                    dryRun -> controlPlane.modifyVpcEndpointConnectionNotification(id, topicArn, events, dryRun));
            });
    }

    private Ec2Action deleteNotifications()
    {
        return Ec2Action.of("DeleteVpcEndpointConnectionNotifications", ParameterSchema.of("ConnectionNotificationId.N"),
            (params, call) ->
            {
                final List<String> ids = params.requiredStringList("ConnectionNotificationId");
                return Requests.batch(call, dryRun -> controlPlane.deleteVpcEndpointConnectionNotifications(ids, dryRun));
            });
    }
}
