package vpce.mgmt;

import java.util.Map;

/**
 * A read-only JSON endpoint of the REST view: query parameters in, an object Jackson can write
 * out (records included). It runs on the HTTP event loop: it may only read published state
 * (snapshots), never block or change the datapath.
 */
@FunctionalInterface
public interface JsonQuery
{
    Object answer(Map<String, String> parameters) throws BadRequestException;

    /** The request cannot be answered as asked: HTTP 400 with this message. */
    final class BadRequestException extends Exception
    {
        public BadRequestException(final String message)
        {
            super(message);
        }
    }
}
