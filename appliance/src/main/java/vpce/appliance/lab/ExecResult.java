package vpce.appliance.lab;

import java.util.List;

/**
 * Outcome of one bounded command.
 *
 * @param command  the command line as run.
 * @param exitCode exit status; -1 when the command was killed at its deadline.
 * @param stdout   standard output, decoded as UTF-8.
 * @param stderr   standard error, decoded as UTF-8.
 * @param timedOut true when the deadline passed and the command was killed.
 */
public record ExecResult(List<String> command, int exitCode, String stdout, String stderr, boolean timedOut)
{
    public ExecResult
    {
        command = List.copyOf(command);
    }

    /**
     * @return true when the command finished in time with status 0.
     */
    public boolean ok()
    {
        return !timedOut && exitCode == 0;
    }

    /**
     * @param step what the command was for, used in the error.
     * @return this, when {@link #ok()}.
     * @throws LabException with the command, status and output otherwise.
     */
    public ExecResult requireOk(final String step)
    {
        if (!ok())
        {
            throw new LabException(step + " failed: " + describe());
        }

        return this;
    }

    /**
     * @return command, status and output in one line-wrapped string for errors and logs.
     */
    public String describe()
    {
        return String.join(" ", command) +
            (timedOut ? " -> killed at deadline" : " -> exit " + exitCode) +
            (stdout.isBlank() ? "" : "\nstdout: " + stdout.strip()) +
            (stderr.isBlank() ? "" : "\nstderr: " + stderr.strip());
    }
}
