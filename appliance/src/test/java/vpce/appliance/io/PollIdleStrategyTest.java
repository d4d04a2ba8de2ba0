package vpce.appliance.io;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(60)
class PollIdleStrategyTest
{
    @Test
    void workDoneReturnsAtOnceWithoutPolling()
    {
        final PollIdleStrategy idle = new PollIdleStrategy(new Port[] {new MemoryPort("m", 1, 1500, 128, 1, 0)}, 0, 1);
        assertEquals(0, idle.fdCount(), "a memory port has nothing to poll");
        idle.idle(5);
        assertEquals(0, idle.polls());
    }

    @Test
    void spinsThenPolls()
    {
        final PollIdleStrategy idle = new PollIdleStrategy(new Port[0], 3, 1);
        for (int i = 0; i < 3; i++)
        {
            idle.idle(0);
        }
        assertEquals(0, idle.polls(), "still spinning");
        idle.idle(0);
        assertEquals(1, idle.polls());
        idle.idle(1);
        idle.idle(0);
        assertEquals(1, idle.polls(), "work reset the spin count");
        idle.reset();
        idle.idle();
        assertEquals(1, idle.polls());
    }

    /**
     * An agent thread idles in poll with a timeout far longer than the test's deadline; a frame
     * sent from the other end of a veth must end the wait, and be there to receive.
     */
    @Test
    void frameArrivalEndsThePoll() throws Exception
    {
        try (TestNamespace namespace = TestNamespace.create())
        {
            namespace.vethPair("vpia", "vpib");
            try (AfPacketPort sender = AfPacketPort.open("a", namespace.name, "vpia", AfPacketPort.Options.DEFAULT);
                AfPacketPort receiver = AfPacketPort.open("b", namespace.name, "vpib", AfPacketPort.Options.DEFAULT))
            {
                final FrameBatch rx = new FrameBatch(16, FrameBatch.DEFAULT_SLOT_SIZE);
                receiver.receive(rx); // drain anything the link-up left behind
                final PollIdleStrategy idle = new PollIdleStrategy(new Port[] {receiver}, 0, 30_000);
                assertEquals(1, idle.fdCount());

                final CountDownLatch started = new CountDownLatch(1);
                final AtomicLong wakeups = new AtomicLong(-1);
                final Thread agent = new Thread(() ->
                {
                    started.countDown();
                    idle.idle(0);
                    wakeups.set(idle.wakeups());
                }, "poll-idle-test");
                agent.start();
                assertTrue(started.await(5, TimeUnit.SECONDS));

                final FrameBatch tx = new FrameBatch(1, 2048);
                final TxQueue queue = new TxQueue(1);
                Frames.queue(tx, 0, Frames.testFrame(receiver.macAddress(), sender.macAddress(), 7, 60), queue);
                assertEquals(1, sender.send(queue));

                agent.join(TimeUnit.SECONDS.toMillis(10));
                assertTrue(!agent.isAlive(), "poll did not return on frame arrival");
                assertEquals(1, wakeups.get());
                assertEquals(1, Frames.receive(receiver, rx, 1, f -> Frames.etherType(f) == Frames.ETHERTYPE_TEST).size());
            }
        }
    }
}
