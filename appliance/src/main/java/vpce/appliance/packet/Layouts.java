package vpce.appliance.packet;

import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * Value layouts shared by the flyweights. Wire headers are big-endian and not aligned
 * (an IPv4 header starts 14 bytes into a frame), so every multi-byte layout is unaligned.
 * virtio_net_hdr fields are little-endian (VIRTIO 1.x, and legacy on x86/arm64 hosts).
 */
final class Layouts
{
    static final ValueLayout.OfByte U8 = ValueLayout.JAVA_BYTE;
    static final ValueLayout.OfShort BE16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    static final ValueLayout.OfInt BE32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    static final ValueLayout.OfLong BE64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    static final ValueLayout.OfShort LE16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private Layouts()
    {
    }
}
