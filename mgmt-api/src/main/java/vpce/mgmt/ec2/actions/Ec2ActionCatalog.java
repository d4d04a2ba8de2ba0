package vpce.mgmt.ec2.actions;

import vpce.mgmt.controlplane.ControlPlane;
import vpce.mgmt.ec2.Ec2Action;

import java.util.ArrayList;
import java.util.List;

/**
 * Every EC2 action the appliance serves, over one {@link ControlPlane}: hand the list to
 * {@link vpce.mgmt.ec2.Ec2Dispatcher}. The actions run on the API thread, which becomes the control plane's writer
 * thread with its first mutating call.
 */
public final class Ec2ActionCatalog
{
    private Ec2ActionCatalog()
    {
    }

    /** @return a dispatcher of every action, each call run as its signing key's account ({@link ControlPlane#asCaller}). */
    public static vpce.mgmt.ec2.Ec2Dispatcher dispatcher(final ControlPlane controlPlane)
    {
        return new vpce.mgmt.ec2.Ec2Dispatcher(actions(controlPlane), controlPlane::asCaller);
    }

    public static List<Ec2Action> actions(final ControlPlane controlPlane)
    {
        final List<Ec2Action> actions = new ArrayList<>();
        actions.addAll(new VpcActions(controlPlane).actions());
        actions.addAll(new SubnetActions(controlPlane).actions());
        actions.addAll(new SecurityGroupActions(controlPlane).actions());
        actions.addAll(new NetworkAclActions(controlPlane).actions());
        actions.addAll(new EndpointActions(controlPlane).actions());
        actions.addAll(new ServiceActions(controlPlane).actions());
        actions.addAll(new NotificationActions(controlPlane).actions());
        return List.copyOf(actions);
    }
}
