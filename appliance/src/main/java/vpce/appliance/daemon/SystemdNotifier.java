package vpce.appliance.daemon;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * sd_notify(3) for a {@code Type=notify} service: READY=1, STATUS=..., WATCHDOG=1 and STOPPING=1
 * as datagrams to {@code $NOTIFY_SOCKET}. Without that variable (not under systemd) every call
 * does nothing. A send that fails is logged once and otherwise ignored: the service manager's
 * absence must never stop the datapath. Safe from several threads (each send is one syscall).
 */
public final class SystemdNotifier implements AutoCloseable
{
    private static final Logger LOG = LoggerFactory.getLogger(SystemdNotifier.class);

    private final String address;
    private final long watchdogIntervalNs;
    private final UnixDatagramSocket socket;
    private volatile boolean failureLogged;

    private SystemdNotifier(final String address, final long watchdogIntervalNs, final UnixDatagramSocket socket)
    {
        this.address = address;
        this.watchdogIntervalNs = watchdogIntervalNs;
        this.socket = socket;
    }

    /** From the process environment. */
    public static SystemdNotifier fromEnvironment()
    {
        return from(System.getenv(), ProcessHandle.current().pid());
    }

    /**
     * @param environment NOTIFY_SOCKET, WATCHDOG_USEC and WATCHDOG_PID as systemd sets them.
     * @param pid         this process: the watchdog is ours only when WATCHDOG_PID is absent or names it.
     */
    public static SystemdNotifier from(final Map<String, String> environment, final long pid)
    {
        final String address = environment.get("NOTIFY_SOCKET");
        long watchdogNs = 0;
        final String usec = environment.get("WATCHDOG_USEC");
        final String watchdogPid = environment.get("WATCHDOG_PID");
        if (usec != null && (watchdogPid == null || watchdogPid.equals(Long.toString(pid))))
        {
            try
            {
                watchdogNs = TimeUnit.MICROSECONDS.toNanos(Long.parseLong(usec.trim()));
            }
            catch (final NumberFormatException ex)
            {
                LOG.warn("WATCHDOG_USEC={} is not a number: no watchdog pings", usec);
            }
        }
        if (address == null || address.isEmpty())
        {
            return new SystemdNotifier(null, 0, null);
        }
        try
        {
            return new SystemdNotifier(address, Math.max(0, watchdogNs), UnixDatagramSocket.open());
        }
        catch (final IOException ex)
        {
            LOG.warn("NOTIFY_SOCKET={}: cannot open a socket, no notifications: {}", address, ex.getMessage());
            return new SystemdNotifier(null, 0, null);
        }
    }

    /** @return true when there is a service manager to tell. */
    public boolean enabled()
    {
        return socket != null;
    }

    /** @return WATCHDOG_USEC in ns when the watchdog is on for this process, else 0. */
    public long watchdogIntervalNs()
    {
        return watchdogIntervalNs;
    }

    /** Start-up is complete: ports open, datapath running, API listening. */
    public void ready(final String status)
    {
        send("READY=1\nSTATUS=" + oneLine(status) + "\nMAINPID=" + ProcessHandle.current().pid());
    }

    public void status(final String status)
    {
        send("STATUS=" + oneLine(status));
    }

    public void reloading(final String status)
    {
        // MONOTONIC_USEC: CLOCK_MONOTONIC (System.nanoTime on Linux), which systemd wants with RELOADING=1.
        send("RELOADING=1\nMONOTONIC_USEC=" + System.nanoTime() / 1000 + "\nSTATUS=" + oneLine(status));
    }

    /** After a reload (applied or refused): the service is ready again. */
    public void reloaded(final String status)
    {
        send("READY=1\nSTATUS=" + oneLine(status));
    }

    public void watchdog()
    {
        send("WATCHDOG=1");
    }

    public void stopping(final String status)
    {
        send("STOPPING=1\nSTATUS=" + oneLine(status));
    }

    private static String oneLine(final String status)
    {
        return status.replace('\n', ' ');
    }

    void send(final String message)
    {
        if (socket == null)
        {
            return;
        }
        try
        {
            socket.send(address, message.getBytes(StandardCharsets.UTF_8));
        }
        catch (final IOException | RuntimeException ex)
        {
            if (!failureLogged)
            {
                failureLogged = true;
                LOG.warn("cannot notify the service manager at {}: {}", address, ex.getMessage());
            }
        }
    }

    @Override
    public void close()
    {
        if (socket != null)
        {
            socket.close();
        }
    }
}
