package vpce.appliance;

/**
 * Initialises, on a thread of its own, the classes whose static set-up is the slowest part of a
 * start after the configuration: the FFM downcall handles of the ports ({@code LibC}: the linker
 * spins a few hundred hidden classes) and Chronicle's core ({@code ChronicleMapBuilder} pulls in
 * {@code Jvm}, its JNR-based POSIX layer and the affinity library). Started first thing by
 * {@code vpce run}, it overlaps them with reading the configuration on the other core; a
 * restart's outage is its start-up.
 *
 * <p>Nothing here is needed for correctness: the JVM runs a class's initialiser once, and a
 * thread that needs the class meanwhile waits for it; a failure here is left for that thread to
 * meet and report.
 */
public final class StartupWarmUp
{
    /** One thread each: Chronicle's set-up alone takes about as long as reading the configuration. */
    private static final String[] CLASSES = {
        "net.openhft.chronicle.map.ChronicleMapBuilder",
        "vpce.appliance.io.LibC",
    };

    private StartupWarmUp()
    {
    }

    /** Starts the warm-up (daemon threads); returns at once. */
    public static void start()
    {
        for (final String name : CLASSES)
        {
            Thread.ofPlatform().name("vpce-warm-up").daemon(true).start(() -> initialise(name));
        }
    }

    private static void initialise(final String name)
    {
        try
        {
            Class.forName(name, true, StartupWarmUp.class.getClassLoader());
        }
        catch (final ClassNotFoundException | LinkageError ex)
        {
            // The thread that needs the class meets the same failure and reports it.
        }
    }
}
