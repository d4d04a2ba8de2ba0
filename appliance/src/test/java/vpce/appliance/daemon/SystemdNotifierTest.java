package vpce.appliance.daemon;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SystemdNotifierTest
{
    @TempDir
    Path directory;

    @Test
    void sendsEachStateAsOneDatagramToAPathSocket() throws Exception
    {
        final String address = directory.resolve("notify.sock").toString();
        try (UnixDatagramSocket receiver = UnixDatagramSocket.bind(address);
            SystemdNotifier notifier = SystemdNotifier.from(Map.of("NOTIFY_SOCKET", address, "WATCHDOG_USEC", "2000000"), 42))
        {
            assertTrue(notifier.enabled());
            assertEquals(2_000_000_000L, notifier.watchdogIntervalNs());
            notifier.status("starting");
            notifier.ready("forwarding\non 3 ports");
            notifier.watchdog();
            notifier.stopping("draining");
            assertEquals("STATUS=starting", text(receiver.receive(1000)));
            final String ready = text(receiver.receive(1000));
            assertTrue(ready.startsWith("READY=1\nSTATUS=forwarding on 3 ports\nMAINPID="), ready);
            assertEquals("WATCHDOG=1", text(receiver.receive(1000)));
            assertEquals("STOPPING=1\nSTATUS=draining", text(receiver.receive(1000)));
            assertNull(receiver.receive(50), "nothing more");
        }
    }

    @Test
    void reachesAnAbstractSocketWrittenWithAnAt() throws Exception
    {
        final String address = "@vpce-test-" + Long.toHexString(ThreadLocalRandom.current().nextLong());
        try (UnixDatagramSocket receiver = UnixDatagramSocket.bind(address);
            SystemdNotifier notifier = SystemdNotifier.from(Map.of("NOTIFY_SOCKET", address), 42))
        {
            notifier.watchdog();
            assertEquals("WATCHDOG=1", text(receiver.receive(1000)));
            assertEquals(0, notifier.watchdogIntervalNs(), "no WATCHDOG_USEC: no watchdog");
        }
    }

    @Test
    void theWatchdogOfAnotherPidIsNotOurs()
    {
        try (SystemdNotifier notifier = SystemdNotifier.from(
            Map.of("NOTIFY_SOCKET", "/nonexistent/notify.sock", "WATCHDOG_USEC", "1000000", "WATCHDOG_PID", "7"), 42))
        {
            assertEquals(0, notifier.watchdogIntervalNs());
            notifier.ready("a socket no one listens on is logged, not thrown");
        }
    }

    @Test
    void withoutNotifySocketEverythingIsANoOp()
    {
        try (SystemdNotifier notifier = SystemdNotifier.from(Map.of("WATCHDOG_USEC", "1000000"), 42))
        {
            assertFalse(notifier.enabled());
            notifier.ready("nobody to tell");
            notifier.watchdog();
        }
    }

    @Test
    void refusesAddressesThatAreNotUnixSocketAddresses() throws Exception
    {
        assertThrows(java.io.IOException.class, () -> UnixDatagramSocket.bind("relative/path"));
        assertThrows(java.io.IOException.class, () -> UnixDatagramSocket.bind("/" + "x".repeat(107)));
        try (UnixDatagramSocket socket = UnixDatagramSocket.open())
        {
            assertThrows(java.io.IOException.class, () -> socket.send("", new byte[1]));
            assertNotNull(socket);
        }
    }

    private static String text(final byte[] datagram)
    {
        assertNotNull(datagram, "a datagram within the timeout");
        return new String(datagram, StandardCharsets.UTF_8);
    }
}
