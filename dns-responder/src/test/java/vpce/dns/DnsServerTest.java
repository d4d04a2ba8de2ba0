package vpce.dns;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static vpce.dns.DnsMessages.ipv4;

/** The responder on loopback sockets, with an upstream played by this test. */
@Timeout(30)
class DnsServerTest
{
    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();
    private final DnsZoneHolder zones = new DnsZoneHolder();
    private final DnsCounters counters = new DnsCounters();
    private DnsServer server;
    private DatagramSocket upstreamUdp;
    private ServerSocket upstreamTcp;

    DnsServerTest()
    {
        zones.publish(DnsQueryProcessorTest.standardZones().vpc("vpc-lo", ipv4("127.0.0.0"), 8, ipv4("127.0.0.2")).build(1));
    }

    @AfterEach
    void close() throws Exception
    {
        if (server != null)
        {
            server.close();
        }
        if (upstreamUdp != null)
        {
            upstreamUdp.close();
        }
        if (upstreamTcp != null)
        {
            upstreamTcp.close();
        }
    }

    private InetSocketAddress start(final InetSocketAddress upstream, final long timeoutMs) throws Exception
    {
        server = new DnsServer(new DnsResponderConfig(List.of(new InetSocketAddress(LOOPBACK, 0)), upstream, 1024, 1232, timeoutMs),
            zones, counters).start();
        return server.boundAddresses().get(0);
    }

    private static DnsMessages.Answer udp(final InetSocketAddress server, final byte[] query) throws Exception
    {
        try (DatagramSocket socket = new DatagramSocket())
        {
            socket.setSoTimeout(5_000);
            socket.send(new DatagramPacket(query, query.length, server));
            final byte[] buffer = new byte[65_535];
            final DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
            socket.receive(packet);
            return DnsMessages.parse(buffer, packet.getLength());
        }
    }

    private static DnsMessages.Answer tcp(final InetSocketAddress server, final byte[] query) throws Exception
    {
        try (Socket socket = new Socket(server.getAddress(), server.getPort()))
        {
            socket.setSoTimeout(5_000);
            final DataOutputStream out = new DataOutputStream(socket.getOutputStream());
            out.writeShort(query.length);
            out.write(query);
            out.flush();
            final DataInputStream in = new DataInputStream(socket.getInputStream());
            final byte[] answer = new byte[in.readUnsignedShort()];
            in.readFully(answer);
            return DnsMessages.parse(answer, answer.length);
        }
    }

    @Test
    void answersOurNamesOverUdpAndTcp() throws Exception
    {
        final InetSocketAddress address = start(null, 1000);
        final byte[] query = DnsMessages.query(77, DnsQueryProcessorTest.REGIONAL, DnsWire.TYPE_A, 1232);
        assertEquals(2, udp(address, query).answers().size());
        final DnsMessages.Answer overTcp = tcp(address, query);
        assertEquals(77, overTcp.id());
        assertEquals(2, overTcp.answers().size());
        assertEquals(DnsWire.RCODE_REFUSED, udp(address, DnsMessages.query(78, "example.org", DnsWire.TYPE_A, 0)).rcode());
        assertTrue(List.of("io_uring", "epoll", "nio").contains(server.transport()));
    }

    /** The upstream answers UDP with TC and the full answer over TCP: the client gets it, truncated when over 512. */
    @Test
    void forwardsUpstreamRetriesOverTcpWhenTruncatedAndTimesOutToServfail() throws Exception
    {
        upstreamUdp = new DatagramSocket(0, LOOPBACK);
        upstreamTcp = new ServerSocket(upstreamUdp.getLocalPort(), 8, LOOPBACK);
        Thread.ofPlatform().daemon(true).start(() -> serveUdp(upstreamUdp));
        Thread.ofPlatform().daemon(true).start(() -> serveTcp(upstreamTcp));
        final InetSocketAddress address = start(new InetSocketAddress(LOOPBACK, upstreamUdp.getLocalPort()), 300);

        final DnsMessages.Answer small = udp(address, DnsMessages.query(1, "small.example.org", DnsWire.TYPE_A, 0));
        assertEquals(1, small.id());
        assertEquals(List.of(ipv4("192.0.2.1")), small.answers().stream().map(DnsMessages.Record::address).toList());

        final DnsMessages.Answer bigOverUdp = udp(address, DnsMessages.query(2, "big.example.org", DnsWire.TYPE_A, 0));
        assertTrue(bigOverUdp.flag(DnsWire.FLAG_TC), "60 records are over 512 bytes");
        assertEquals("big.example.org", bigOverUdp.questionName());
        final DnsMessages.Answer bigOverTcp = tcp(address, DnsMessages.query(3, "big.example.org", DnsWire.TYPE_A, 0));
        assertFalse(bigOverTcp.flag(DnsWire.FLAG_TC));
        assertEquals(60, bigOverTcp.answers().size());
        assertEquals(3, bigOverTcp.id());
        assertEquals(2, counters.get(DnsCounter.UPSTREAM_TCP_RETRIES));

        final DnsMessages.Answer silent = udp(address, DnsMessages.query(4, "silent.example.org", DnsWire.TYPE_A, 0));
        assertEquals(DnsWire.RCODE_SERVFAIL, silent.rcode());
        assertEquals(4, silent.id());
        assertEquals(1, counters.get(DnsCounter.UPSTREAM_TIMEOUTS));
        assertEquals(4, counters.get(DnsCounter.FORWARDED));
    }

    /** "small": one A over UDP; "big": TC over UDP, 60 A over TCP; "silent": no answer. */
    static byte[] upstreamAnswer(final byte[] query, final int length, final boolean tcp)
    {
        final int questionEnd = length - (DnsMessages.s(query, 10) == 1 ? 11 : 0);
        final String name = DnsMessages.name(query, new int[] {12});
        if (name.startsWith("silent"))
        {
            return null;
        }
        final int count = name.startsWith("big") ? (tcp ? 60 : 0) : 1;
        final byte[] answer = Arrays.copyOf(query, questionEnd + count * 16);
        answer[2] = (byte)(0x81 | (name.startsWith("big") && !tcp ? 0x02 : 0));
        answer[3] = (byte)0x80;
        answer[7] = (byte)count;
        answer[10] = 0;
        answer[11] = 0;
        for (int i = 0; i < count; i++)
        {
            final int at = questionEnd + i * 16;
            final byte[] record = {(byte)0xC0, 12, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, (byte)192, 0, 2, (byte)(1 + i)};
            System.arraycopy(record, 0, answer, at, 16);
        }
        return answer;
    }

    private static void serveUdp(final DatagramSocket socket)
    {
        final byte[] buffer = new byte[65_535];
        while (!socket.isClosed())
        {
            try
            {
                final DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
                socket.receive(packet);
                final byte[] answer = upstreamAnswer(buffer, packet.getLength(), false);
                if (answer != null)
                {
                    socket.send(new DatagramPacket(answer, answer.length, packet.getSocketAddress()));
                }
            }
            catch (final Exception ignored)
            {
                return;
            }
        }
    }

    private static void serveTcp(final ServerSocket server)
    {
        while (!server.isClosed())
        {
            try (Socket socket = server.accept())
            {
                final DataInputStream in = new DataInputStream(socket.getInputStream());
                final byte[] query = new byte[in.readUnsignedShort()];
                in.readFully(query);
                final byte[] answer = upstreamAnswer(query, query.length, true);
                final DataOutputStream out = new DataOutputStream(socket.getOutputStream());
                out.writeShort(answer.length);
                out.write(answer);
                out.flush();
            }
            catch (final Exception ignored)
            {
                // closed
            }
        }
    }
}
