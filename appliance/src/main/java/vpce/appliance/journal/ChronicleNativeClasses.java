package vpce.appliance.journal;

import net.openhft.chronicle.bytes.BytesStore;
import net.openhft.chronicle.core.Jvm;
import net.openhft.chronicle.hash.VanillaGlobalMutableState;
import net.openhft.chronicle.map.ChronicleMap;
import net.openhft.chronicle.values.Values;
import net.openhft.compiler.CompilerUtils;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.lang.invoke.MethodHandles;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.CodeSource;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;

/**
 * Keeps the class Chronicle Map compiles at every start, so that a restart does not compile it
 * again.
 *
 * <p>Opening a map asks chronicle-values for {@code VanillaGlobalMutableState$$Native}, the map
 * header's off-heap flyweight. chronicle-values first tries to load that class and, when it is
 * not there, writes its source and compiles it with javac inside the JVM: some 1,150 javac
 * classes and about 1 s of mostly interpreted work, the largest part of a restart's outage.
 * After the first start compiled it, its bytes are written to
 * {@code <stateDirectory>/classes/}; the next start defines them (the supported
 * {@link MethodHandles.Lookup#defineClass} in the class's own package and loader) before the map
 * opens, and chronicle-values then finds the class instead of compiling it.
 *
 * <p>The file name carries a digest of the interface's class file, the Chronicle jars' names
 * (with their versions) and the Java feature version, so an upgrade of a library or of the JDK
 * looks for another file and compiles afresh. A file that does not define cleanly is deleted and the class is
 * compiled as before: the cache can only save time, never stop a start.
 */
final class ChronicleNativeClasses
{
    private static final Logger LOG = LoggerFactory.getLogger(ChronicleNativeClasses.class);
    private static final Class<?> VALUE_INTERFACE = VanillaGlobalMutableState.class;
    private static final String NATIVE_CLASS = VALUE_INTERFACE.getName() + "$$Native";
    /** The generator and what the generated code calls: their jars (names carry versions) key the cache. */
    private static final Class<?>[] LIBRARIES = {Values.class, BytesStore.class, Jvm.class, ChronicleMap.class};
    static final String DIRECTORY = "classes";

    private ChronicleNativeClasses()
    {
    }

    /** What {@link #defineCached(Path)} found. */
    enum Outcome
    {
        /** Defined from the cache: Chronicle will not compile it. */
        DEFINED,
        /** Already loaded in this JVM (an earlier map): nothing to do. */
        ALREADY_LOADED,
        /** No usable cached file: Chronicle compiles it, {@link #saveCompiled(Path)} keeps it. */
        MISSING
    }

    /** Before the first map opens in this JVM. */
    static Outcome defineCached(final Path stateDirectory)
    {
        final ClassLoader loader = VALUE_INTERFACE.getClassLoader();
        try
        {
            Class.forName(NATIVE_CLASS, false, loader);
            return Outcome.ALREADY_LOADED;
        }
        catch (final ClassNotFoundException expected)
        {
            // Not loaded and not on the classpath: look in the cache.
        }
        final Path file = cacheFile(stateDirectory);
        if (file == null || !Files.isRegularFile(file))
        {
            return Outcome.MISSING;
        }
        try
        {
            final byte[] bytes = Files.readAllBytes(file);
            MethodHandles.privateLookupIn(VALUE_INTERFACE, MethodHandles.lookup()).defineClass(bytes);
            return Outcome.DEFINED;
        }
        catch (final IOException | IllegalAccessException | LinkageError | RuntimeException ex)
        {
            LOG.warn("ignoring the cached {} ({}); Chronicle compiles it", file, ex.toString());
            deleteQuietly(file);
            return Outcome.MISSING;
        }
    }

    /** After a map opened, when {@link #defineCached(Path)} said MISSING: keeps what Chronicle compiled. */
    static void saveCompiled(final Path stateDirectory)
    {
        final Path file = cacheFile(stateDirectory);
        if (file == null)
        {
            return;
        }
        final byte[][] compiled = {null};
        CompilerUtils.CACHED_COMPILER.updateFileManagerForClassLoader(
            VALUE_INTERFACE.getClassLoader(), fileManager ->
            {
                final Map<String, byte[]> buffers = fileManager.getAllBuffers();
                compiled[0] = buffers.get(NATIVE_CLASS);
            });
        if (compiled[0] == null)
        {
            return;
        }
        try
        {
            Files.createDirectories(file.getParent());
            final Path temporary = Files.createTempFile(file.getParent(), "native", ".tmp");
            Files.write(temporary, compiled[0]);
            try
            {
                Files.move(temporary, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            }
            catch (final AtomicMoveNotSupportedException ex)
            {
                Files.move(temporary, file, StandardCopyOption.REPLACE_EXISTING);
            }
            LOG.info("cached Chronicle Map's generated {} in {}: later starts skip compiling it", NATIVE_CLASS, file);
        }
        catch (final IOException ex)
        {
            LOG.warn("could not cache {} in {}: {}", NATIVE_CLASS, file, ex.toString());
        }
    }

    /** @return the cache file for this interface, generator and JDK; null if they cannot be read. */
    static Path cacheFile(final Path stateDirectory)
    {
        try (InputStream interfaceBytes = VALUE_INTERFACE.getResourceAsStream(VALUE_INTERFACE.getSimpleName() + ".class"))
        {
            if (interfaceBytes == null)
            {
                return null;
            }
            final MessageDigest digest = MessageDigest.getInstance("SHA-256");
            digest.update(interfaceBytes.readAllBytes());
            for (final Class<?> library : LIBRARIES)
            {
                final CodeSource jar = library.getProtectionDomain().getCodeSource();
                digest.update(String.valueOf(jar == null ? null : jar.getLocation()).getBytes(StandardCharsets.UTF_8));
            }
            digest.update(Integer.toString(Runtime.version().feature()).getBytes(StandardCharsets.UTF_8));
            final String key = HexFormat.of().formatHex(digest.digest(), 0, 8);
            return stateDirectory.resolve(DIRECTORY).resolve(NATIVE_CLASS.substring(NATIVE_CLASS.lastIndexOf('.') + 1) + "-" + key + ".class");
        }
        catch (final IOException | NoSuchAlgorithmException | SecurityException ex)
        {
            return null;
        }
    }

    private static void deleteQuietly(final Path file)
    {
        try
        {
            Files.deleteIfExists(file);
        }
        catch (final IOException ignored)
        {
            // The next start tries again and compiles.
        }
    }
}
