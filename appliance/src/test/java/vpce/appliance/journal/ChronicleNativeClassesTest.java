package vpce.appliance.journal;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Each case is a fresh JVM (the class, once defined, stays for the JVM's life), run with
 * {@code -verbose:class} so that the test sees whether javac was loaded.
 */
@Timeout(120)
class ChronicleNativeClassesTest
{
    private static final String JAVAC = "com.sun.tools.javac.main.JavaCompiler ";

    @Test
    void theFirstStartCompilesAndCachesTheClassAndTheNextDefinesItWithoutJavac(@TempDir final Path state) throws Exception
    {
        final String first = probe(state);
        assertTrue(first.contains("probe: outcome MISSING"), first);
        assertTrue(first.contains(JAVAC), "javac compiled the class");
        final Path cached = ChronicleNativeClasses.cacheFile(state);
        assertNotNull(cached);
        assertTrue(Files.size(cached) > 1000, "cached " + cached);
        final byte[] bytes = Files.readAllBytes(cached);

        final String second = probe(state);
        assertTrue(second.contains("probe: outcome DEFINED"), second);
        assertFalse(second.contains(JAVAC), "no javac when the class is cached");
        assertTrue(second.contains("journal size 0"), second);
        assertArrayEquals(bytes, Files.readAllBytes(cached), "the cache is left as it was");
    }

    @Test
    void aDamagedCacheIsReplacedNotFatal(@TempDir final Path state) throws Exception
    {
        final Path cached = ChronicleNativeClasses.cacheFile(state);
        assertNotNull(cached);
        Files.createDirectories(cached.getParent());
        Files.write(cached, "not a class file".getBytes(StandardCharsets.US_ASCII));

        final String output = probe(state);
        assertTrue(output.contains("probe: outcome MISSING"), output);
        assertTrue(output.contains("ignoring the cached"), output);
        assertEquals((byte)0xCA, Files.readAllBytes(cached)[0], "a real class file (0xCAFEBABE) replaced it");
    }

    private static String probe(final Path state) throws IOException, InterruptedException
    {
        final List<String> command = new ArrayList<>();
        command.add(ProcessHandle.current().info().command().orElseThrow());
        // The surefire argLine: the flags Chronicle needs.
        command.addAll(ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
            .filter(a -> a.startsWith("--add-") || a.startsWith("--enable-native-access") || a.startsWith("-Dchronicle"))
            .toList());
        command.add("-verbose:class");
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(ChronicleNativeClassesProbe.class.getName());
        command.add(state.toString());
        final Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        final byte[] output = process.getInputStream().readAllBytes();
        assertTrue(process.waitFor(60, TimeUnit.SECONDS));
        final String text = new String(output, StandardCharsets.UTF_8);
        assertEquals(0, process.exitValue(), text.length() > 4000 ? text.substring(text.length() - 4000) : text);
        return text;
    }
}
