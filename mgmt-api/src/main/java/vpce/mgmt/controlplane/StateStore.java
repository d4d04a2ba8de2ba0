package vpce.mgmt.controlplane;

import java.io.IOException;

/**
 * Where the control plane's commits become durable ({@code vpce.mgmt.store.FileStateStore} on disk, or
 * {@link #inMemory()}). Called only by the control-plane writer thread.
 */
public interface StateStore extends AutoCloseable
{
    /** @return the state recovered when the store was opened. */
    StoredState recovered();

    /**
     * Makes {@code commit} durable: when this returns, the commit survives a crash; when it throws, the store holds
     * exactly what it held before (or refuses every later commit, if it cannot be sure of that).
     *
     * @param after the state including {@code commit}, should the store choose to compact into a snapshot now.
     */
    void append(Commit commit, ControlPlaneState after) throws IOException;

    @Override
    void close() throws IOException;

    /** @return a store that keeps nothing: for tests and for an appliance run without a state directory. */
    static StateStore inMemory()
    {
        return new StateStore()
        {
            @Override
            public StoredState recovered()
            {
                return StoredState.empty();
            }

            @Override
            public void append(final Commit commit, final ControlPlaneState after)
            {
            }

            @Override
            public void close()
            {
            }
        };
    }
}
