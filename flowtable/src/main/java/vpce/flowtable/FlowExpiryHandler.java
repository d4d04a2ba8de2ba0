package vpce.flowtable;

/**
 * Told about a flow just before {@link FlowTable#expire(long, int, FlowExpiryHandler)} or
 * {@link FlowTable#removeByEndpoint(int, FlowExpiryHandler)} removes it, or
 * {@link FlowTable#create(int, int, int, int, int, int, int, int, int, long, FlowExpiryHandler)} evicts it (the
 * oldest embryonic flow, to make room), so the owner can release the flow's NAT port
 * ({@link NatPortAllocator#release(int, int, int, int)}) and journal the deletion. An eviction during a create that then
 * succeeds may hand the evicted id straight to the new flow.
 * <p>
 * The record is still live during the call, so every getter works. The handler runs on the table's writer thread
 * and must not create or remove flows: a removed id is reused LIFO by the next create, so a nested mutation could
 * make the scan remove a different flow than the one it reported. Implement it once as a field (not a capturing
 * lambda per call) to keep the scan allocation-free.
 */
@FunctionalInterface
public interface FlowExpiryHandler
{
    /**
     * Called once for each flow about to be removed.
     *
     * @param table  the table that owns the flow.
     * @param flowId the id of the flow, live until this method returns.
     */
    void onFlowExpired(FlowTable table, int flowId);
}
