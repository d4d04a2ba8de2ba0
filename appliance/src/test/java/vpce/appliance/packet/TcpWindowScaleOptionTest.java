package vpce.appliance.packet;

import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The Window Scale option (RFC 7323) in well-formed and hostile option lists: the parser never reads past the
 * header, and agrees with Linux's tcp_parse_options on what counts.
 */
class TcpWindowScaleOptionTest
{
    private static final int BASE = 5; // odd: unaligned
    private static final int SENTINEL = 0xA5;

    @Test
    void aLinuxSynCarriesScaleSeven()
    {
        // MSS 1460, SACK permitted, timestamps, NOP, window scale 7: what Linux puts in a SYN.
        assertEquals(7, windowScale(2, 4, 0x05, 0xB4, 4, 2, 8, 10, 0, 0, 0, 1, 0, 0, 0, 0, 1, 3, 3, 7));
    }

    @Test
    void noOptionsOrNoWindowScaleOptionMeansNone()
    {
        assertEquals(TcpFlyweight.NO_WINDOW_SCALE, windowScale());
        assertEquals(TcpFlyweight.NO_WINDOW_SCALE, windowScale(2, 4, 0x05, 0xB4));
        assertEquals(TcpFlyweight.NO_WINDOW_SCALE, windowScale(1, 1, 1, 1));
    }

    @Test
    void theShiftCountIsReportedAsSent()
    {
        assertEquals(0, windowScale(3, 3, 0, 0));
        assertEquals(14, windowScale(3, 3, 14, 0));
        assertEquals(255, windowScale(3, 3, 255, 0), "clamping to 14 is the flow table's job");
    }

    @Test
    void parsingStopsAtTheEndOfOptionListAndAtMalformedOptionsKeepingWhatCameBefore()
    {
        assertEquals(TcpFlyweight.NO_WINDOW_SCALE, windowScale(0, 3, 3, 7), "after End of Option List");
        assertEquals(TcpFlyweight.NO_WINDOW_SCALE, windowScale(8, 0, 3, 3, 7, 0, 0, 0), "length 0 would loop");
        assertEquals(TcpFlyweight.NO_WINDOW_SCALE, windowScale(8, 1, 3, 3, 7, 0, 0, 0), "length 1 would loop");
        assertEquals(TcpFlyweight.NO_WINDOW_SCALE, windowScale(8, 40, 3, 3, 7, 0, 0, 0), "runs past the header");
        assertEquals(5, windowScale(3, 3, 5, 8, 40, 0, 0, 0), "a malformed option after the scale");
        assertEquals(TcpFlyweight.NO_WINDOW_SCALE, windowScale(1, 1, 1, 3), "the kind is the last header byte");
        assertEquals(TcpFlyweight.NO_WINDOW_SCALE, windowScale(1, 1, 3, 3), "the value would be past the header");
        assertEquals(TcpFlyweight.NO_WINDOW_SCALE, windowScale(3, 4, 7, 0), "a scale option must be 3 bytes long");
        assertEquals(9, windowScale(3, 3, 2, 3, 3, 9, 0, 0), "the last copy counts");
    }

    @Test
    void aHeaderLengthBeyondTheWrappedLengthIsCutAtTheLength()
    {
        final byte[] bytes = header(3, 3, 7, 0);
        final TcpFlyweight tcp = new TcpFlyweight().wrap(MemorySegment.ofArray(bytes), BASE, 20 + 2);
        assertEquals(TcpFlyweight.NO_WINDOW_SCALE, tcp.windowScale(), "the option's value lies beyond the length");
    }

    @Test
    void randomOptionBytesNeverReadPastTheHeader()
    {
        final Random random = new Random(5961);
        for (int round = 0; round < 100_000; round++)
        {
            final int[] options = new int[4 * random.nextInt(11)];
            for (int i = 0; i < options.length; i++)
            {
                options[i] = random.nextInt(4) == 0 ? random.nextInt(4) : random.nextInt(256);
            }
            final byte[] bytes = header(options);
            // The header is followed by bytes that would be a valid scale option if read.
            final byte[] padded = java.util.Arrays.copyOf(bytes, bytes.length + 3);
            padded[bytes.length] = 3;
            padded[bytes.length + 1] = 3;
            padded[bytes.length + 2] = (byte)SENTINEL;
            final int scale = new TcpFlyweight().wrap(MemorySegment.ofArray(padded), BASE, padded.length - BASE)
                .windowScale();
            assertTrue(scale == TcpFlyweight.NO_WINDOW_SCALE || (scale >= 0 && scale <= 255 && scale != SENTINEL ||
                containsScale(options, SENTINEL)), "round " + round + ": " + scale);
        }
    }

    private static boolean containsScale(final int[] options, final int value)
    {
        for (int i = 0; i + 2 < options.length; i++)
        {
            if (options[i] == 3 && options[i + 1] == 3 && options[i + 2] == value)
            {
                return true;
            }
        }
        return false;
    }

    private static int windowScale(final int... options)
    {
        final byte[] bytes = header(options);
        return new TcpFlyweight().wrap(MemorySegment.ofArray(bytes), BASE, bytes.length - BASE).windowScale();
    }

    /** A TCP header whose data offset covers exactly the options (padded with zeros to 32 bits). */
    private static byte[] header(final int... options)
    {
        final int optionLength = (options.length + 3) & ~3;
        final byte[] bytes = new byte[BASE + 20 + optionLength];
        bytes[BASE + TcpFlyweight.DATA_OFFSET_OFFSET] = (byte)(((20 + optionLength) / 4) << 4);
        bytes[BASE + TcpFlyweight.FLAGS_OFFSET] = (byte)TcpFlyweight.SYN;
        for (int i = 0; i < options.length; i++)
        {
            bytes[BASE + 20 + i] = (byte)options[i];
        }
        return bytes;
    }
}
