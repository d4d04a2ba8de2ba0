package vpce.appliance.daemon;

import org.agrona.concurrent.Agent;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class WatchdogTest
{
    @Test
    void pingsOnlyWhileEveryAgentCompletesDutyCycles() throws Exception
    {
        final AgentHeartbeat datapath = new AgentHeartbeat(agent("datapath"));
        final AgentHeartbeat journal = new AgentHeartbeat(agent("journal"));
        final AtomicInteger pings = new AtomicInteger();
        final Watchdog watchdog = new Watchdog(List.of(
            new Watchdog.Watched("datapath", datapath::beats), new Watchdog.Watched("journal", journal::beats)), pings::incrementAndGet);

        datapath.doWork();
        journal.doWork();
        assertTrue(watchdog.check());
        assertEquals(1, pings.get());

        datapath.doWork(); // the journal is stuck
        assertFalse(watchdog.check());
        assertFalse(watchdog.check(), "still stuck");
        assertEquals(1, pings.get());

        datapath.doWork();
        journal.doWork();
        assertTrue(watchdog.check(), "pings resume once it works again");
        assertEquals(2, pings.get());

        assertFalse(watchdog.check(), "no duty cycle at all since the last check");
        assertEquals(3, datapath.beats());
    }

    private static Agent agent(final String name)
    {
        return new Agent()
        {
            @Override
            public int doWork()
            {
                return 0;
            }

            @Override
            public String roleName()
            {
                return name;
            }
        };
    }
}
