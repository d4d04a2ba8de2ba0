package vpce.appliance.io;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * A network namespace created for one test class and deleted by {@link #close()}, so every
 * interface a test makes lives inside it and none touches the host. IPv6 is disabled in it so
 * that no router solicitations or MLD reports show up in the ports under test.
 */
final class TestNamespace implements AutoCloseable
{
    final String name;

    private TestNamespace(final String name)
    {
        this.name = name;
    }

    static TestNamespace create() throws Exception
    {
        final String name = "vpceio-" + Long.toHexString(ThreadLocalRandom.current().nextLong() & 0xFFFF_FFFFL);
        run("ip", "netns", "add", name);
        final TestNamespace namespace = new TestNamespace(name);
        try
        {
            NetworkNamespace.call(name, () ->
            {
                // /proc/sys/net resolves against the calling thread's namespace: this one.
                Files.writeString(Path.of("/proc/sys/net/ipv6/conf/all/disable_ipv6"), "1");
                Files.writeString(Path.of("/proc/sys/net/ipv6/conf/default/disable_ipv6"), "1");
                return null;
            });
            namespace.ip("link", "set", "lo", "up");
        }
        catch (final Exception ex)
        {
            namespace.close();
            throw ex;
        }
        return namespace;
    }

    /** Create a veth pair with both ends inside this namespace, both up. */
    void vethPair(final String a, final String b) throws IOException
    {
        ip("link", "add", a, "type", "veth", "peer", "name", b);
        ip("link", "set", a, "up");
        ip("link", "set", b, "up");
    }

    /** Run {@code ip -n NAME args...} and return its standard output. */
    String ip(final String... args) throws IOException
    {
        final List<String> command = new ArrayList<>();
        command.add("ip");
        command.add("-n");
        command.add(name);
        command.addAll(List.of(args));
        return run(command.toArray(new String[0]));
    }

    static String run(final String... command) throws IOException
    {
        final Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        try
        {
            if (!process.waitFor(10, TimeUnit.SECONDS))
            {
                process.destroyForcibly();
                throw new IOException("timed out: " + String.join(" ", command));
            }
        }
        catch (final InterruptedException ex)
        {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted: " + String.join(" ", command));
        }
        final String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (process.exitValue() != 0)
        {
            throw new IOException(String.join(" ", command) + " exited " + process.exitValue() + ": " + output);
        }
        return output;
    }

    public void close() throws IOException
    {
        run("ip", "netns", "del", name);
    }
}
