package vpce.appliance.controlplane;

import vpce.appliance.config.ApplianceModel;

/**
 * How the adapter reaches the datapath: the appliance's one publication path (the one SIGHUP reloads take) and the
 * generation the datapath agent runs with.
 */
public interface DatapathPublisher
{
    /**
     * Builds a snapshot of {@code model} off the packet path and publishes it. Control thread only.
     *
     * @return the snapshot's generation, larger than any published before.
     * @throws RuntimeException when no snapshot can be built from the model (nothing is published).
     */
    long publish(ApplianceModel model);

    /**
     * @return the generation of the snapshot the datapath agent runs with: an acquire load that pairs with the agent's
     * release store once it has taken that snapshot (and purged the flows of the ENIs it no longer has).
     */
    long programmedGeneration();
}
