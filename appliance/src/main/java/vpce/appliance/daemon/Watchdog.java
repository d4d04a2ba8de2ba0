package vpce.appliance.daemon;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongSupplier;

/**
 * systemd's watchdog: every half of WATCHDOG_USEC, one WATCHDOG=1, but only while every agent
 * it watches has completed a duty cycle since the previous check. A worker stuck inside
 * {@code doWork} (or whose thread died) stops the pings, and systemd restarts the service
 * after WatchdogSec (Restart=on-failure). Its own thread, so a busy API or GC-free datapath
 * never delays a ping; the decision ({@link #check}) is separate from the timing so that tests
 * drive it without a clock.
 */
public final class Watchdog implements AutoCloseable
{
    private static final Logger LOG = LoggerFactory.getLogger(Watchdog.class);

    /** An agent to watch: its duty-cycle count (see {@link AgentHeartbeat}). */
    public record Watched(String name, LongSupplier beats)
    {
    }

    private final List<Watched> watched;
    private final long[] lastBeats;
    private final Runnable ping;
    private String stuck;
    private Thread thread;
    private volatile boolean running = true;

    /**
     * @param watched the agents; their counts at construction are the first reference.
     * @param ping    what to do when all are alive (send WATCHDOG=1).
     */
    public Watchdog(final List<Watched> watched, final Runnable ping)
    {
        this.watched = List.copyOf(watched);
        this.lastBeats = new long[watched.size()];
        for (int i = 0; i < lastBeats.length; i++)
        {
            lastBeats[i] = this.watched.get(i).beats().getAsLong();
        }
        this.ping = ping;
    }

    /**
     * One check: pings when every agent has moved since the last check, else logs (once per
     * stall) which has not.
     *
     * @return true when it pinged.
     */
    public boolean check()
    {
        String notMoving = null;
        for (int i = 0; i < lastBeats.length; i++)
        {
            final long beats = watched.get(i).beats().getAsLong();
            if (beats == lastBeats[i] && notMoving == null)
            {
                notMoving = watched.get(i).name();
            }
            lastBeats[i] = beats;
        }
        if (notMoving == null)
        {
            if (stuck != null)
            {
                LOG.warn("watchdog: {} works again; pings resume", stuck);
                stuck = null;
            }
            ping.run();
            return true;
        }
        if (!notMoving.equals(stuck))
        {
            LOG.error("watchdog: agent {} completed no duty cycle in the last interval; no WATCHDOG=1 until it does", notMoving);
            stuck = notMoving;
        }
        return false;
    }

    /** Starts the pinging thread: a check every {@code intervalNs}. */
    public Watchdog start(final long intervalNs)
    {
        thread = Thread.ofPlatform().name("vpce-watchdog").daemon(true).start(() ->
        {
            long nextNs = System.nanoTime() + intervalNs;
            while (running)
            {
                final long waitNs = nextNs - System.nanoTime();
                if (waitNs > 0)
                {
                    LockSupport.parkNanos(waitNs);
                    continue;
                }
                nextNs += intervalNs;
                check();
            }
        });
        LOG.info("watchdog: WATCHDOG=1 every {} ms while the agents work", TimeUnit.NANOSECONDS.toMillis(intervalNs));
        return this;
    }

    @Override
    public void close()
    {
        running = false;
        if (thread != null)
        {
            LockSupport.unpark(thread);
            try
            {
                thread.join(TimeUnit.SECONDS.toMillis(1));
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
            }
        }
    }
}
