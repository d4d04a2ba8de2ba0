package vpce.appliance.journal;

import java.nio.file.Path;

/** Child JVM of {@link ChronicleNativeClassesTest}: opens a journal in a fresh JVM and prints what the class cache did. */
public final class ChronicleNativeClassesProbe
{
    private ChronicleNativeClassesProbe()
    {
    }

    public static void main(final String[] args) throws Exception
    {
        final Path stateDirectory = Path.of(args[0]);
        // What FlowJournal.open will find, asked first: defineCached is idempotent once the class is loaded.
        final ChronicleNativeClasses.Outcome outcome = ChronicleNativeClasses.defineCached(stateDirectory);
        try (FlowJournal journal = FlowJournal.open(stateDirectory, 1024))
        {
            System.out.println("probe: outcome " + outcome + ", journal size " + journal.size());
        }
        if (outcome == ChronicleNativeClasses.Outcome.MISSING)
        {
            ChronicleNativeClasses.saveCompiled(stateDirectory);
        }
        Runtime.getRuntime().halt(0);
    }
}
