package vpce.appliance.io;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LibCTest
{
    @Test
    void errnoIsCapturedPerCall()
    {
        try (Arena arena = Arena.ofConfined())
        {
            final MemorySegment callState = LibC.allocateCallState(arena);
            assertEquals(-1, LibC.open(callState, arena.allocateFrom("/nonexistent/vpce"), LibC.O_RDONLY));
            assertEquals(2, LibC.errno(callState)); // ENOENT
            assertEquals(-1, LibC.close(callState, -1));
            assertEquals(9, LibC.errno(callState)); // EBADF
            assertTrue(LibC.strerror(2).toLowerCase().contains("no such file"), LibC.strerror(2));
        }
    }

    @Test
    void pollWithNoFdsTimesOut()
    {
        try (Arena arena = Arena.ofConfined())
        {
            assertEquals(0, LibC.poll(LibC.allocateCallState(arena), 0L, 0, 1));
        }
    }
}
