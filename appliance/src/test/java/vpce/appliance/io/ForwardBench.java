package vpce.appliance.io;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Throughput of one TCP stream (iperf3) through a single-threaded AfPacketPort forwarder, with
 * the kernel doing the same job (a Linux bridge) as the reference in the same run.
 *
 * <pre>
 *  netns C: c0 10.9.0.1 ==veth== f0 [netns F: forwarder or bridge] f1 ==veth== s0 10.9.0.2 :netns S
 * </pre>
 *
 * Run as root: java --enable-native-access=ALL-UNNAMED -cp ... vpce.appliance.io.ForwardBench [seconds]
 * All namespaces are created here and deleted on exit.
 */
public final class ForwardBench
{
    private static final Pattern RECEIVED_BPS = Pattern.compile(
        "\"sum_received\"\\s*:\\s*\\{[^}]*?\"bits_per_second\"\\s*:\\s*([0-9.e+]+)", Pattern.DOTALL);

    private ForwardBench()
    {
    }

    public static void main(final String[] args) throws Exception
    {
        final int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 5;
        final String suffix = Long.toHexString(ThreadLocalRandom.current().nextLong() & 0xFFFFFFL);
        final String c = "vpceio-c" + suffix;
        final String s = "vpceio-s" + suffix;
        final String f = "vpceio-f" + suffix;
        try
        {
            for (final String ns : new String[] {c, s, f})
            {
                TestNamespace.run("ip", "netns", "add", ns);
                TestNamespace.run("ip", "-n", ns, "link", "set", "lo", "up");
            }
            TestNamespace.run("ip", "-n", f, "link", "add", "f0", "type", "veth", "peer", "name", "c0", "netns", c);
            TestNamespace.run("ip", "-n", f, "link", "add", "f1", "type", "veth", "peer", "name", "s0", "netns", s);
            TestNamespace.run("ip", "-n", c, "addr", "add", "10.9.0.1/24", "dev", "c0");
            TestNamespace.run("ip", "-n", s, "addr", "add", "10.9.0.2/24", "dev", "s0");
            for (final String[] link : new String[][] {{c, "c0"}, {s, "s0"}, {f, "f0"}, {f, "f1"}})
            {
                TestNamespace.run("ip", "-n", link[0], "link", "set", link[1], "up");
            }

            // Reference: the kernel bridging f0 and f1.
            TestNamespace.run("ip", "-n", f, "link", "add", "br0", "type", "bridge");
            TestNamespace.run("ip", "-n", f, "link", "set", "f0", "master", "br0");
            TestNamespace.run("ip", "-n", f, "link", "set", "f1", "master", "br0");
            TestNamespace.run("ip", "-n", f, "link", "set", "br0", "up");
            final double bridgeBps = iperf(c, s, seconds);
            System.out.printf("kernel bridge : %6.2f Gbit/s%n", bridgeBps / 1e9);
            TestNamespace.run("ip", "-n", f, "link", "del", "br0");

            try (AfPacketPort p0 = AfPacketPort.open("f0", f, "f0", AfPacketPort.Options.DEFAULT);
                AfPacketPort p1 = AfPacketPort.open("f1", f, "f1", AfPacketPort.Options.DEFAULT))
            {
                final Forwarder forwarder = new Forwarder(p0, p1);
                final Thread thread = new Thread(forwarder, "forwarder");
                thread.start();
                final double javaBps = iperf(c, s, seconds);
                forwarder.running = false;
                thread.join();
                System.out.printf("AfPacketPort  : %6.2f Gbit/s (%.2f of the bridge)%n", javaBps / 1e9, javaBps / bridgeBps);
                System.out.printf("frames %d/%d, bytes/frame %.0f, sendErrors %d/%d, truncated %d/%d%n",
                    p0.framesReceived(), p1.framesReceived(),
                    (double)forwarder.bytes / Math.max(1, p0.framesReceived() + p1.framesReceived()),
                    p0.sendErrors(), p1.sendErrors(), p0.truncatedFrames(), p1.truncatedFrames());
            }
        }
        finally
        {
            for (final String ns : new String[] {c, s, f})
            {
                try
                {
                    TestNamespace.run("ip", "netns", "del", ns);
                }
                catch (final IOException ignore)
                {
                    // not created
                }
            }
        }
    }

    static final class Forwarder implements Runnable
    {
        volatile boolean running = true;
        long bytes;
        private final AfPacketPort a;
        private final AfPacketPort b;

        Forwarder(final AfPacketPort a, final AfPacketPort b)
        {
            this.a = a;
            this.b = b;
        }

        public void run()
        {
            final FrameBatch fromA = new FrameBatch(64, FrameBatch.DEFAULT_SLOT_SIZE);
            final FrameBatch fromB = new FrameBatch(64, FrameBatch.DEFAULT_SLOT_SIZE);
            final TxQueue toA = new TxQueue(64);
            final TxQueue toB = new TxQueue(64);
            final PollIdleStrategy idle = new PollIdleStrategy(new Port[] {a, b});
            while (running)
            {
                final int work = forward(a, fromA, b, toB) + forward(b, fromB, a, toA);
                idle.idle(work);
            }
        }

        private int forward(final AfPacketPort from, final FrameBatch batch, final AfPacketPort to, final TxQueue queue)
        {
            final int count = from.receive(batch);
            for (int i = 0; i < count; i++)
            {
                queue.offer(batch.slotAddress(i), batch.frameLength(i));
                bytes += batch.frameLength(i);
            }
            if (count > 0)
            {
                to.send(queue);
            }
            return count;
        }
    }

    private static double iperf(final String client, final String server, final int seconds) throws Exception
    {
        final Process serverProcess = new ProcessBuilder("ip", "netns", "exec", server, "iperf3", "-s", "-1")
            .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        try
        {
            String output = "";
            for (int attempt = 0; attempt < 50; attempt++)
            {
                final Process clientProcess = new ProcessBuilder(
                    "ip", "netns", "exec", client, "iperf3", "-c", "10.9.0.2", "-t", Integer.toString(seconds), "-J")
                    .redirectErrorStream(true).start();
                output = new String(clientProcess.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                clientProcess.waitFor(seconds + 30L, TimeUnit.SECONDS);
                if (clientProcess.exitValue() == 0)
                {
                    final Matcher matcher = RECEIVED_BPS.matcher(output);
                    if (matcher.find())
                    {
                        return Double.parseDouble(matcher.group(1));
                    }
                }
                // The server may not be listening yet: try again shortly.
                Thread.onSpinWait();
                serverProcess.waitFor(100, TimeUnit.MILLISECONDS);
            }
            throw new IOException("iperf3 failed: " + output);
        }
        finally
        {
            serverProcess.destroy();
            serverProcess.waitFor(5, TimeUnit.SECONDS);
        }
    }
}
