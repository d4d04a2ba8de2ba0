package vpce.mgmt.store;

import vpce.mgmt.controlplane.Fixture;

import java.nio.file.Path;

/**
 * The process the crash test kills: opens the store, then runs the workload, printing {@code ack <sequence> end}
 * after each action returns (the commit is durable by then). Arguments: state directory, steps, compaction size.
 */
public final class CrashChild
{
    private CrashChild()
    {
    }

    public static void main(final String[] args) throws Exception
    {
        final Path stateDirectory = Path.of(args[0]);
        final int steps = Integer.parseInt(args[1]);
        final long compactAfterBytes = Long.parseLong(args[2]);
        try (FileStateStore store = FileStateStore.open(stateDirectory, compactAfterBytes))
        {
            final Fixture fixture = new Fixture(StoreWorkload.settings(), store, StoreWorkload.SEED);
            System.out.println("ready " + fixture.state().sequence() + " end");
            System.out.flush();
            for (int i = 0; i < steps; i++)
            {
                StoreWorkload.step(fixture.controlPlane, fixture.clock, i);
                System.out.println("ack " + fixture.state().sequence() + " end");
                System.out.flush();
            }
        }
    }
}
