package vpce.appliance.lab;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AotCacheTest
{
    private static final String JAVA = ProcessHandle.current().info().command().orElseThrow();
    private static final List<String> FLAGS = List.of("-XX:+UseParallelGC");

    @Test
    void theKeyFollowsTheJarsAndTheFlags(@TempDir final Path dir) throws Exception
    {
        final Path appliance = Files.writeString(dir.resolve("appliance.jar"), "a");
        final Path lib = Files.writeString(dir.resolve("lib.jar"), "b");
        final String classpath = appliance + File.pathSeparator + lib;
        final Path cacheDirectory = dir.resolve("cache");

        final Path cache = AotCache.forLaunch(JAVA, FLAGS, classpath, appliance, cacheDirectory);
        assertNotNull(cache);
        assertEquals(cacheDirectory, cache.getParent());
        assertEquals(cache, AotCache.forLaunch(JAVA, FLAGS, classpath, appliance, cacheDirectory), "deterministic");
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(cacheDirectory)));

        assertNotEquals(cache, AotCache.forLaunch(JAVA, List.of("-XX:+UseSerialGC"), classpath, appliance, cacheDirectory));
        Files.setLastModifiedTime(lib, FileTime.fromMillis(Files.getLastModifiedTime(lib).toMillis() - 60_000));
        assertNotEquals(cache, AotCache.forLaunch(JAVA, FLAGS, classpath, appliance, cacheDirectory), "a rebuilt jar: another cache");
    }

    @Test
    void onlyLeadingJarsCanBeCachedAndTheApplianceMustBeAmongThem(@TempDir final Path dir) throws Exception
    {
        final Path appliance = Files.writeString(dir.resolve("appliance.jar"), "a");
        final Path classes = Files.createDirectories(dir.resolve("test-classes"));
        final Path later = Files.writeString(dir.resolve("later.jar"), "c");
        final String classpath = appliance + File.pathSeparator + classes + File.pathSeparator + later;

        assertEquals(List.of(appliance.toString()), AotCache.leadingJars(classpath));
        assertNotNull(AotCache.forLaunch(JAVA, FLAGS, classpath, appliance, dir.resolve("cache")));
        assertNull(AotCache.forLaunch(JAVA, FLAGS, classpath, later, dir.resolve("cache")), "behind a directory");
        assertNull(AotCache.forLaunch(JAVA, FLAGS, classpath, null, dir.resolve("cache")), "appliance classes in a directory");
        assertEquals(appliance + File.pathSeparator + later + File.pathSeparator + classes,
            LabPlan.ApplianceLaunch.jarsFirst(classes + File.pathSeparator + appliance + File.pathSeparator + later));
    }

    @Test
    void aDirectoryOthersCanWriteIsNotUsed(@TempDir final Path dir) throws Exception
    {
        final Path shared = Files.createDirectories(dir.resolve("shared"));
        Files.setPosixFilePermissions(shared, PosixFilePermissions.fromString("rwxrwxrwx"));
        assertNull(AotCache.usableDirectory(shared));
        final Path link = Files.createSymbolicLink(dir.resolve("link"), Files.createDirectories(dir.resolve("target")));
        assertNull(AotCache.usableDirectory(link));
        assertNotNull(AotCache.usableDirectory(dir.resolve("own")));
    }

    @Test
    void pruningKeepsTheNewestFewAndLiveTrainings(@TempDir final Path dir) throws Exception
    {
        final Path keep = Files.writeString(dir.resolve("appliance-0.aot"), "x");
        for (int i = 1; i <= AotCache.KEPT + 2; i++)
        {
            final Path older = Files.writeString(dir.resolve("appliance-" + i + ".aot"), "x");
            Files.setLastModifiedTime(older, FileTime.fromMillis(System.currentTimeMillis() - i * 1000L));
        }
        final Path training = Files.writeString(dir.resolve("appliance-9.aot.123.partial"), "x");
        final Path deadTraining = Files.writeString(dir.resolve("appliance-8.aot.124.partial"), "x");
        Files.setLastModifiedTime(deadTraining, FileTime.fromMillis(System.currentTimeMillis() - 7_200_000L));
        final Path unrelated = Files.writeString(dir.resolve("run-1.aot"), "x");

        AotCache.prune(keep);

        assertTrue(Files.exists(keep));
        for (int i = 1; i <= AotCache.KEPT; i++)
        {
            assertTrue(Files.exists(dir.resolve("appliance-" + i + ".aot")), "newest kept: " + i);
        }
        assertFalse(Files.exists(dir.resolve("appliance-" + (AotCache.KEPT + 1) + ".aot")));
        assertFalse(Files.exists(dir.resolve("appliance-" + (AotCache.KEPT + 2) + ".aot")));
        assertTrue(Files.exists(training), "a training in progress");
        assertFalse(Files.exists(deadTraining));
        assertTrue(Files.exists(unrelated), "the launcher's own caches are its business");
    }
}
