package vpce.appliance.packet;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Random;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static vpce.appliance.packet.TestFrames.referenceSum;

class ChecksumTest
{
    /** Wikipedia "IPv4 header checksum" example: 4500 0073 0000 4000 4011 b861 c0a8 0001 c0a8 00c7. */
    private static final byte[] WIKIPEDIA_HEADER =
    {
        0x45, 0x00, 0x00, 0x73, 0x00, 0x00, 0x40, 0x00, 0x40, 0x11, (byte)0xb8, 0x61,
        (byte)0xc0, (byte)0xa8, 0x00, 0x01, (byte)0xc0, (byte)0xa8, 0x00, (byte)0xc7,
    };

    @Test
    void rfc1071NumericalExample()
    {
        // RFC 1071 section 3: 00 01 f2 03 f4 f5 f6 f7 sums to ddf2.
        final byte[] bytes = { 0x00, 0x01, (byte)0xf2, 0x03, (byte)0xf4, (byte)0xf5, (byte)0xf6, (byte)0xf7 };
        assertEquals(0xDDF2, Checksum.sum(MemorySegment.ofArray(bytes), 0, 8));
    }

    @Test
    void wikipediaIpv4HeaderSumsToAllOnesAndRecomputes()
    {
        final MemorySegment segment = MemorySegment.ofArray(WIKIPEDIA_HEADER.clone());
        assertEquals(0xFFFF, Checksum.sum(segment, 0, 20));

        segment.set(ValueLayout.JAVA_SHORT_UNALIGNED, 10, (short)0);
        assertEquals(0xB861, ~Checksum.sum(segment, 0, 20) & 0xFFFF);
    }

    @Test
    void goldenTcpSynChecksum()
    {
        final byte[] packet = TestFrames.GOLDEN_SYN_IP_TCP;
        final MemorySegment segment = MemorySegment.ofArray(packet);
        assertEquals(0, Checksum.transportChecksum(segment, 20, 40, TestFrames.CONSUMER_IP, TestFrames.ENI_IP, 6));
        assertEquals(0, TestFrames.referenceTransportChecksum(packet, 20, 40, TestFrames.CONSUMER_IP, TestFrames.ENI_IP, 6));

        final byte[] zeroed = packet.clone();
        TestFrames.putShort(zeroed, 36, 0);
        assertEquals(0xB02C, Checksum.transportChecksum(
            MemorySegment.ofArray(zeroed), 20, 40, TestFrames.CONSUMER_IP, TestFrames.ENI_IP, 6));
        assertEquals(0x076C, new Ipv4Flyweight().wrap(segment, 0, 60).computeHeaderChecksum());
    }

    @Test
    void sumMatchesReferenceForEveryLengthAndAlignment()
    {
        final Random random = new Random(1071);
        final byte[] bytes = new byte[300];
        try (Arena arena = Arena.ofConfined())
        {
            final MemorySegment nativeSegment = arena.allocate(bytes.length);
            for (int round = 0; round < 20; round++)
            {
                random.nextBytes(bytes);
                if (round == 0)
                {
                    java.util.Arrays.fill(bytes, (byte)0xFF);
                }
                if (round == 1)
                {
                    java.util.Arrays.fill(bytes, (byte)0);
                }
                MemorySegment.copy(MemorySegment.ofArray(bytes), 0, nativeSegment, 0, bytes.length);
                for (int offset = 0; offset < 9; offset++)
                {
                    for (int length = 0; offset + length <= bytes.length; length++)
                    {
                        final int expected = referenceSum(bytes, offset, length);
                        assertEquals(expected, Checksum.sum(MemorySegment.ofArray(bytes), offset, length));
                        assertEquals(expected, Checksum.sum(nativeSegment, offset, length));
                    }
                }
            }
        }
    }

    @Test
    void sumOfLargeAllOnesBufferDoesNotOverflow()
    {
        final byte[] bytes = new byte[65536 + 7];
        java.util.Arrays.fill(bytes, (byte)0xFF);
        assertEquals(referenceSum(bytes, 0, bytes.length), Checksum.sum(MemorySegment.ofArray(bytes), 0, bytes.length));
        assertEquals(0xFFFF, Checksum.fold(Long.MAX_VALUE - (Long.MAX_VALUE % 0xFFFF)));
    }

    @Test
    void foldKeepsZeroOnlyForZero()
    {
        assertEquals(0, Checksum.fold(0));
        assertEquals(0xFFFF, Checksum.fold(0xFFFF));
        assertEquals(1, Checksum.fold(0x10000));
        assertEquals(0xFFFF, Checksum.fold(0x1FFFEL));
        assertEquals(0x0001, Checksum.fold(0xFFFF_FFFF_0001L - 0xFFFF_FFFF_0000L));
    }

    @Test
    void pseudoHeaderSumMatchesReference()
    {
        final Random random = new Random(793);
        for (int i = 0; i < 10_000; i++)
        {
            final int src = random.nextInt();
            final int dst = random.nextInt();
            final int length = random.nextInt(65536);
            final byte[] pseudo = new byte[12];
            TestFrames.putInt(pseudo, 0, src);
            TestFrames.putInt(pseudo, 4, dst);
            pseudo[9] = 6;
            TestFrames.putShort(pseudo, 10, length);
            assertEquals(referenceSum(pseudo, 0, 12), Checksum.pseudoHeaderSum(src, dst, 6, length));
        }
    }

    /**
     * A buffer whose checksum is maintained incrementally through random 16- and 32-bit field
     * changes must always hold exactly what a full recomputation gives, including when the sum
     * reaches the 0x0000/0xFFFF boundary (RFC 1624 section 3).
     */
    @Test
    void incrementalUpdatesEqualFullRecomputation()
    {
        final Random random = new Random(1624);
        final int[] corner = { 0x0000, 0xFFFF, 0x0001, 0xFFFE, 0x8000, 0x7FFF };
        final byte[] bytes = new byte[24];
        for (int trial = 0; trial < 200_000; trial++)
        {
            random.nextBytes(bytes);
            // Bytes 0..1 hold the checksum; bytes 2..3 are a fixed non-zero word so the data is
            // never all zero (a full checksum then never yields 0xFFFF, as for real headers).
            TestFrames.putShort(bytes, 2, 0x0600);
            if (trial % 4 == 0)
            {
                // Force the data to sum to 0xFFFF so the checksum is 0x0000, the RFC 1624 corner.
                TestFrames.putShort(bytes, 22, 0);
                final int partial = referenceSum(bytes, 2, 22);
                TestFrames.putShort(bytes, 22, (0xFFFF - partial) & 0xFFFF);
            }
            TestFrames.putShort(bytes, 0, 0);
            int checksum = ~referenceSum(bytes, 0, bytes.length) & 0xFFFF;
            TestFrames.putShort(bytes, 0, checksum);
            if (trial % 4 == 0)
            {
                assertEquals(0, checksum);
            }

            final int field = 4 + 2 * random.nextInt(4); // a 16-bit field at 4..10, or a 32-bit one at 4..12
            if (random.nextBoolean())
            {
                final int oldValue = TestFrames.getShort(bytes, field);
                final int newValue = random.nextInt(3) == 0 ? corner[random.nextInt(corner.length)] : random.nextInt(65536);
                TestFrames.putShort(bytes, field, newValue);
                checksum = Checksum.update16(checksum, oldValue, newValue);
            }
            else
            {
                final int oldValue = (TestFrames.getShort(bytes, field) << 16) | TestFrames.getShort(bytes, field + 2);
                final int newValue = random.nextInt(3) == 0 ?
                    (corner[random.nextInt(corner.length)] << 16) | corner[random.nextInt(corner.length)] :
                    random.nextInt();
                TestFrames.putInt(bytes, field, newValue);
                checksum = Checksum.update32(checksum, oldValue, newValue);
            }

            TestFrames.putShort(bytes, 0, 0);
            final int expected = ~referenceSum(bytes, 0, bytes.length) & 0xFFFF;
            assertEquals(expected, checksum, "trial " + trial);
        }
    }

    @Test
    void incrementalUpdateCornerCasesFromRfc1624()
    {
        // RFC 1624 section 4: a header summing to 0xCD7A; change a word 0x5555 -> 0x3285.
        // Eqn. 3 gives 0x0000, eqn. 1 recomputation gives the same, eqn. 2 would give 0xFFFF.
        assertEquals(0x0000, Checksum.update16(0xDD2F, 0x5555, 0x3285));
        // Identity change leaves a checksum alone, even at the boundaries.
        assertEquals(0x0000, Checksum.update16(0x0000, 0xFFFF, 0xFFFF));
        assertEquals(0x1234, Checksum.update32(0x1234, 0xDEADBEEF, 0xDEADBEEF));
        assertEquals(0x0000, Checksum.update16(0x0000, 0x0000, 0x0000));
    }

    @Test
    void adjustSumIsThePlainSumUpdate()
    {
        final Random random = new Random(4);
        for (int i = 0; i < 100_000; i++)
        {
            final int src = random.nextInt();
            final int dst = random.nextInt();
            final int newSrc = random.nextInt(8) == 0 ? 0 : random.nextInt();
            final int length = random.nextInt(65536);
            final int sum = Checksum.pseudoHeaderSum(src, dst, 6, length);
            assertEquals(Checksum.pseudoHeaderSum(newSrc, dst, 6, length), Checksum.adjustSum32(sum, src, newSrc));
            assertEquals(
                Checksum.pseudoHeaderSum(src, dst, 6, length ^ 0x0F0F),
                Checksum.adjustSum16(sum, length, length ^ 0x0F0F));
        }
    }
}
