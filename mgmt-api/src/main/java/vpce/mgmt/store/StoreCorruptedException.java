package vpce.mgmt.store;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A store file that cannot be read without losing acknowledged commits: the appliance refuses to start rather than
 * drop them. The message names the file and the byte offset, for an operator (or a restore from backup) to act on.
 */
public final class StoreCorruptedException extends IOException
{
    private final Path file;
    private final long offset;

    public StoreCorruptedException(final Path file, final long offset, final String problem, final Throwable cause)
    {
        super(file + " at offset " + offset + ": " + problem, cause);
        this.file = file;
        this.offset = offset;
    }

    public Path file()
    {
        return file;
    }

    public long offset()
    {
        return offset;
    }
}
