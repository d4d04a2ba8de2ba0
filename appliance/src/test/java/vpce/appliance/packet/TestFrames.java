package vpce.appliance.packet;

import java.lang.foreign.MemorySegment;
import java.util.Random;

/**
 * Test helpers: frames built byte by byte, and a deliberately naive reference checksum that
 * shares no code with {@link Checksum}.
 */
final class TestFrames
{
    static final int VNET = VirtioNetHeaderFlyweight.HEADER_LENGTH;

    static final int CONSUMER_IP = 0x0A000102;  // 10.0.1.2
    static final int ENI_IP = 0x0A000209;       // 10.0.2.9
    static final long CONSUMER_MAC = 0x0200_0000_0001L;
    static final long ENI_MAC = 0x0200_0000_0002L;

    /**
     * A real-looking TCP SYN: 10.0.1.2:40000 -> 10.0.2.9:443, 40-byte TCP header with MSS,
     * SACK-permitted, timestamps, NOP, window scale. Checksums computed by an independent
     * Python script: IP 0x076C, TCP 0xB02C.
     */
    static final byte[] GOLDEN_SYN_IP_TCP =
    {
        0x45, 0x00, 0x00, 0x3c, 0x1c, 0x46, 0x40, 0x00, 0x40, 0x06, 0x07, 0x6c,
        0x0a, 0x00, 0x01, 0x02, 0x0a, 0x00, 0x02, 0x09,
        (byte)0x9c, 0x40, 0x01, (byte)0xbb, 0x3b, (byte)0x9a, (byte)0xca, 0x00,
        0x00, 0x00, 0x00, 0x00, (byte)0xa0, 0x02, (byte)0xfa, (byte)0xf0, (byte)0xb0, 0x2c, 0x00, 0x00,
        0x02, 0x04, 0x05, (byte)0xb4, 0x04, 0x02, 0x08, 0x0a, 0x00, 0x01, (byte)0xe2, 0x40,
        0x00, 0x00, 0x00, 0x00, 0x01, 0x03, 0x03, 0x07,
    };

    private TestFrames()
    {
    }

    /** RFC 1071 the slow way: one 16-bit word at a time, fold with a loop. Not complemented. */
    static int referenceSum(final byte[] bytes, final int offset, final int length)
    {
        long sum = 0;
        for (int i = 0; i < length; i += 2)
        {
            final int hi = bytes[offset + i] & 0xFF;
            final int lo = i + 1 < length ? bytes[offset + i + 1] & 0xFF : 0;
            sum += (hi << 8) | lo;
        }
        while ((sum >>> 16) != 0)
        {
            sum = (sum & 0xFFFF) + (sum >>> 16);
        }
        return (int)sum;
    }

    /** Reference TCP/UDP checksum with the field taken as it is in bytes. */
    static int referenceTransportChecksum(
        final byte[] bytes, final int offset, final int length, final int src, final int dst, final int protocol)
    {
        final byte[] pseudo = new byte[12 + length];
        putInt(pseudo, 0, src);
        putInt(pseudo, 4, dst);
        pseudo[9] = (byte)protocol;
        pseudo[10] = (byte)(length >>> 8);
        pseudo[11] = (byte)length;
        System.arraycopy(bytes, offset, pseudo, 12, length);
        return ~referenceSum(pseudo, 0, pseudo.length) & 0xFFFF;
    }

    static void putInt(final byte[] bytes, final int offset, final int value)
    {
        bytes[offset] = (byte)(value >>> 24);
        bytes[offset + 1] = (byte)(value >>> 16);
        bytes[offset + 2] = (byte)(value >>> 8);
        bytes[offset + 3] = (byte)value;
    }

    static void putShort(final byte[] bytes, final int offset, final int value)
    {
        bytes[offset] = (byte)(value >>> 8);
        bytes[offset + 1] = (byte)value;
    }

    static int getShort(final byte[] bytes, final int offset)
    {
        return ((bytes[offset] & 0xFF) << 8) | (bytes[offset + 1] & 0xFF);
    }

    /**
     * virtio header (zeroed) + Ethernet + the given IP packet + padding bytes, in a heap segment.
     */
    static byte[] frame(final byte[] ipPacket, final int padding)
    {
        final byte[] slot = new byte[VNET + 14 + ipPacket.length + padding];
        final int eth = VNET;
        for (int i = 0; i < 6; i++)
        {
            slot[eth + i] = (byte)(ENI_MAC >>> (40 - 8 * i));
            slot[eth + 6 + i] = (byte)(CONSUMER_MAC >>> (40 - 8 * i));
        }
        putShort(slot, eth + 12, EthernetFlyweight.ETHERTYPE_IPV4);
        System.arraycopy(ipPacket, 0, slot, eth + 14, ipPacket.length);
        return slot;
    }

    /**
     * An IPv4 packet with correct header and transport checksums (reference implementation).
     *
     * @param protocol 6, 17, 1 or anything else (payload only).
     */
    static byte[] ipPacket(
        final int protocol, final int src, final int dst, final int ihl, final int l4HeaderLength,
        final int payloadLength, final Random random)
    {
        final int ipHeaderLength = ihl * 4;
        final int total = ipHeaderLength + l4HeaderLength + payloadLength;
        final byte[] p = new byte[total];
        random.nextBytes(p);
        p[0] = (byte)(0x40 | ihl);
        p[1] = 0;
        putShort(p, 2, total);
        putShort(p, 6, 0x4000);
        p[8] = 64;
        p[9] = (byte)protocol;
        putShort(p, 10, 0);
        putInt(p, 12, src);
        putInt(p, 16, dst);
        putShort(p, 10, ~referenceSum(p, 0, ipHeaderLength) & 0xFFFF);

        final int l4 = ipHeaderLength;
        final int l4Length = total - ipHeaderLength;
        if (protocol == Ipv4Flyweight.PROTOCOL_TCP)
        {
            p[l4 + 12] = (byte)((l4HeaderLength / 4) << 4);
            p[l4 + 13] = (byte)TcpFlyweight.ACK;
            putShort(p, l4 + 16, 0);
            putShort(p, l4 + 16, referenceTransportChecksum(p, l4, l4Length, src, dst, protocol));
        }
        else if (protocol == Ipv4Flyweight.PROTOCOL_UDP)
        {
            putShort(p, l4 + 4, l4Length);
            putShort(p, l4 + 6, 0);
            final int c = referenceTransportChecksum(p, l4, l4Length, src, dst, protocol);
            putShort(p, l4 + 6, c == 0 ? 0xFFFF : c);
        }
        else if (protocol == Ipv4Flyweight.PROTOCOL_ICMP)
        {
            p[l4] = (byte)IcmpFlyweight.ECHO_REQUEST;
            p[l4 + 1] = 0;
            putShort(p, l4 + 2, 0);
            putShort(p, l4 + 2, ~referenceSum(p, l4, l4Length) & 0xFFFF);
        }
        return p;
    }

    static byte[] tcpFrame(final Random random, final int payloadLength)
    {
        return frame(ipPacket(Ipv4Flyweight.PROTOCOL_TCP, CONSUMER_IP, ENI_IP, 5, 20, payloadLength, random), 0);
    }

    static MemorySegment segment(final byte[] slot)
    {
        return MemorySegment.ofArray(slot);
    }
}
