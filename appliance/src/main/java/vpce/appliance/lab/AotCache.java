package vpce.appliance.lab;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Where the appliance JVM's AOT cache lives (JDK 25, JEP 483/514/515: the classes of a training
 * run loaded and linked ahead of time, with their method profiles). A restart's outage is its
 * start-up, and most of a start is class loading, linking and interpreting start-up code.
 *
 * <p>The file is {@code ${XDG_CACHE_HOME:-~/.cache}/vpce/appliance-<key>.aot}, the key a digest
 * of the java binary and its runtime image, the JVM flags and every classpath jar's path, size
 * and modification time: a rebuilt jar, another JDK or other flags look for another file, so a
 * stale cache is never used (and if one were, the JVM would reject it with a warning and start
 * without). The directory must be the user's own and not writable by others, since the JVM
 * would map whatever the file holds; otherwise there is no cache.
 *
 * <p>The JVM can only cache classes from jars: the training classpath is the leading jars of the
 * launch classpath, which must hold the appliance itself; directories after them (test classes)
 * stay out of the cache and are still on the classpath when the appliance runs.
 */
final class AotCache
{
    /** Caches of earlier builds kept besides the newest (~50 MB each). */
    static final int KEPT = 3;
    private static final String PREFIX = "appliance-";
    private static final String SUFFIX = ".aot";

    private AotCache()
    {
    }

    /**
     * @return the cache file for this launch (it may not exist yet), or null when this launch
     *     cannot have one: the appliance's classes do not come from a jar, or no safe directory.
     */
    static Path forLaunch(final String javaCommand, final List<String> jvmFlags, final String classpath, final Path applianceJar)
    {
        final String xdg = System.getenv("XDG_CACHE_HOME");
        final Path base = xdg != null && !xdg.isBlank() ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".cache");
        return forLaunch(javaCommand, jvmFlags, classpath, applianceJar, base.resolve("vpce"));
    }

    static Path forLaunch(
        final String javaCommand, final List<String> jvmFlags, final String classpath, final Path applianceJar, final Path cacheDirectory)
    {
        final List<String> jars = leadingJars(classpath);
        if (applianceJar == null || !jars.contains(applianceJar.toString()))
        {
            return null;
        }
        final Path directory = usableDirectory(cacheDirectory);
        if (directory == null)
        {
            return null;
        }
        try
        {
            final MessageDigest digest = MessageDigest.getInstance("SHA-256");
            final Path java = Path.of(javaCommand).toRealPath();
            update(digest, java.toString());
            // A JDK updated in place keeps its path: its runtime image tells.
            stamp(digest, java.getParent().resolveSibling("lib").resolve("modules"));
            jvmFlags.forEach(flag -> update(digest, flag));
            for (final String jar : jars)
            {
                stamp(digest, Path.of(jar));
            }
            return directory.resolve(PREFIX + HexFormat.of().formatHex(digest.digest(), 0, 12) + SUFFIX);
        }
        catch (final IOException | NoSuchAlgorithmException | RuntimeException ex)
        {
            return null;
        }
    }

    /** @return the classpath's entries up to the first that is not a jar: what the JVM can cache. */
    static List<String> leadingJars(final String classpath)
    {
        final List<String> jars = new ArrayList<>();
        for (final String entry : classpath.split(File.pathSeparator))
        {
            if (!entry.endsWith(".jar") || !Files.isRegularFile(Path.of(entry)))
            {
                break;
            }
            jars.add(entry);
        }
        return jars;
    }

    /** Deletes all but the newest {@link #KEPT} caches besides {@code keep}, and leftovers of trainings. */
    static void prune(final Path keep)
    {
        final Path directory = keep.getParent();
        try (Stream<Path> files = Files.list(directory))
        {
            final List<Path> others = files
                .filter(f -> f.getFileName().toString().startsWith(PREFIX) && !f.equals(keep))
                .sorted(Comparator.comparingLong(AotCache::modifiedMs).reversed())
                .toList();
            int kept = 0;
            for (final Path other : others)
            {
                final boolean finished = other.getFileName().toString().endsWith(SUFFIX);
                final boolean recent = System.currentTimeMillis() - modifiedMs(other) < 3_600_000L;
                if (finished && kept < KEPT)
                {
                    kept++;
                }
                else if (finished || !recent)
                {
                    // Older caches, and what a training that died left (a running one is recent).
                    Files.deleteIfExists(other);
                }
            }
        }
        catch (final IOException ex)
        {
            // Pruning only saves disk space.
        }
    }

    /** @return the directory, created if missing, when it is the user's own and no one else can write it; else null. */
    static Path usableDirectory(final Path directory)
    {
        try
        {
            if (!Files.isDirectory(directory, LinkOption.NOFOLLOW_LINKS))
            {
                Files.createDirectories(directory, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            }
            final PosixFileAttributes attributes =
                Files.readAttributes(directory, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            final Set<PosixFilePermission> permissions = attributes.permissions();
            if (!attributes.isDirectory() || !attributes.owner().getName().equals(System.getProperty("user.name")) ||
                permissions.contains(PosixFilePermission.GROUP_WRITE) || permissions.contains(PosixFilePermission.OTHERS_WRITE))
            {
                return null;
            }
            return directory;
        }
        catch (final IOException | UnsupportedOperationException | SecurityException ex)
        {
            return null;
        }
    }

    private static void stamp(final MessageDigest digest, final Path file) throws IOException
    {
        update(digest, file + " " + Files.size(file) + " " + Files.getLastModifiedTime(file).toMillis());
    }

    private static void update(final MessageDigest digest, final String text)
    {
        digest.update(text.getBytes(StandardCharsets.UTF_8));
        digest.update((byte)0);
    }

    private static long modifiedMs(final Path file)
    {
        try
        {
            return Files.getLastModifiedTime(file).toMillis();
        }
        catch (final IOException ex)
        {
            return 0;
        }
    }
}
