package vpce.dns;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.socket.DatagramPacket;
import io.netty.handler.codec.LengthFieldBasedFrameDecoder;
import org.agrona.concurrent.NanoClock;

import java.net.InetSocketAddress;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import static vpce.dns.DnsWire.*;

/**
 * Forwards queries for names we do not own to the upstream resolver over UDP, and over TCP when the upstream's UDP
 * answer is truncated; the client gets the answer with its own ID, truncated (TC, question only) when it exceeds the
 * client's UDP payload, or SERVFAIL when the upstream does not answer in time. I/O thread only.
 *
 * <p>A query in flight has a slot indexed by the ID it carries upstream (a rotating 16-bit counter; a busy ID is
 * skipped); an upstream answer is taken only from the upstream's address, for a slot in use, echoing the question
 * sent — anything else is dropped and counted. The query's bytes are copied into its slot (for the TCP retry and the
 * truncated answer): forwarding allocates, answering our own names does not.
 */
final class DnsForwarder
{
    private static final int SLOTS = 1 << 16;
    private static final int MAX_IN_FLIGHT = 4096;

    private final DnsCounters counters;
    private final Channel upstreamChannel;
    private final InetSocketAddress upstream;
    private final NanoClock clock;
    private final Supplier<Bootstrap> tcpBootstrap;
    private final long timeoutNs;

    private final byte[][] queries = new byte[SLOTS][];
    private final int[] originalIds = new int[SLOTS];
    private final int[] questionEnds = new int[SLOTS];
    private final int[] payloadLimits = new int[SLOTS];
    private final long[] deadlinesNs = new long[SLOTS];
    private final Channel[] replyChannels = new Channel[SLOTS];
    /** The client's address for a UDP query; null for TCP (the reply channel is the connection). */
    private final InetSocketAddress[] clients = new InetSocketAddress[SLOTS];
    private int nextId;
    private int inFlight;
    private final byte[] scratch = new byte[MAX_MESSAGE_LENGTH];

    DnsForwarder(final DnsResponderConfig config, final DnsCounters counters, final Channel upstreamChannel, final NanoClock clock,
        final Supplier<Bootstrap> tcpBootstrap)
    {
        this.counters = counters;
        this.upstreamChannel = upstreamChannel;
        this.upstream = config.upstream();
        this.clock = clock;
        this.tcpBootstrap = tcpBootstrap;
        this.timeoutNs = TimeUnit.MILLISECONDS.toNanos(config.upstreamTimeoutMs());
        nextId = (int)(System.nanoTime() & 0xFFFF);
    }

    void forward(final byte[] query, final int length, final int questionEnd, final int payloadLimit, final Channel replyChannel,
        final InetSocketAddress client)
    {
        final int slot = freeSlot();
        if (slot < 0)
        {
            counters.increment(DnsCounter.FORWARD_TABLE_FULL);
            reply(query, questionEnd, getShort(query, ID_OFFSET), RCODE_SERVFAIL, replyChannel, client);
            return;
        }
        final byte[] copy = Arrays.copyOf(query, length);
        originalIds[slot] = getShort(query, ID_OFFSET);
        putShort(copy, ID_OFFSET, slot);
        queries[slot] = copy;
        questionEnds[slot] = questionEnd;
        payloadLimits[slot] = payloadLimit;
        deadlinesNs[slot] = clock.nanoTime() + timeoutNs;
        replyChannels[slot] = replyChannel;
        clients[slot] = client;
        inFlight++;
        upstreamChannel.writeAndFlush(new DatagramPacket(Unpooled.wrappedBuffer(copy), upstream), upstreamChannel.voidPromise());
    }

    void onUpstreamDatagram(final DatagramPacket packet)
    {
        try
        {
            final ByteBuf content = packet.content();
            final int length = content.readableBytes();
            if (!upstream.equals(packet.sender()) || length < HEADER_LENGTH)
            {
                counters.increment(DnsCounter.DROPPED_UPSTREAM);
                return;
            }
            content.getBytes(content.readerIndex(), scratch, 0, length);
            final int slot = matchingSlot(scratch, length);
            if (slot < 0)
            {
                return;
            }
            if ((getShort(scratch, FLAGS_OFFSET) & FLAG_TC) != 0)
            {
                counters.increment(DnsCounter.UPSTREAM_TCP_RETRIES);
                deadlinesNs[slot] = clock.nanoTime() + timeoutNs;
                retryOverTcp(slot);
                return;
            }
            deliver(slot, scratch, length);
        }
        finally
        {
            packet.release();
        }
    }

    /** Every few tens of ms: SERVFAIL for what the upstream did not answer in time. */
    void onTimeoutScan(final long nowNs)
    {
        if (inFlight == 0)
        {
            return;
        }
        for (int slot = 0; slot < SLOTS; slot++)
        {
            if (queries[slot] != null && nowNs - deadlinesNs[slot] > 0)
            {
                counters.increment(DnsCounter.UPSTREAM_TIMEOUTS);
                reply(queries[slot], questionEnds[slot], originalIds[slot], RCODE_SERVFAIL, replyChannels[slot], clients[slot]);
                free(slot);
            }
        }
    }

    private void retryOverTcp(final int slot)
    {
        final byte[] query = queries[slot];
        tcpBootstrap.get().handler(new ChannelInitializer<>()
        {
            @Override
            protected void initChannel(final Channel channel)
            {
                channel.pipeline().addLast(new LengthFieldBasedFrameDecoder(MAX_MESSAGE_LENGTH + 2, 0, 2, 0, 2),
                    new ChannelInboundHandlerAdapter()
                    {
                        @Override
                        public void channelRead(final ChannelHandlerContext ctx, final Object msg)
                        {
                            final ByteBuf frame = (ByteBuf)msg;
                            try
                            {
                                final int length = frame.readableBytes();
                                frame.getBytes(frame.readerIndex(), scratch, 0, length);
                                if (queries[slot] == query && length >= HEADER_LENGTH && matchingSlot(scratch, length) == slot)
                                {
                                    deliver(slot, scratch, length);
                                }
                            }
                            finally
                            {
                                frame.release();
                                ctx.close();
                            }
                        }

                        @Override
                        public void exceptionCaught(final ChannelHandlerContext ctx, final Throwable cause)
                        {
                            ctx.close(); // the timeout scan answers SERVFAIL
                        }
                    });
            }
        }).connect(upstream).addListener((ChannelFutureListener)future ->
        {
            if (future.isSuccess())
            {
                final ByteBuf out = future.channel().alloc().buffer(query.length + 2);
                out.writeShort(query.length).writeBytes(query);
                future.channel().writeAndFlush(out);
            }
        });
    }

    /** @return the slot this upstream answer belongs to, or -1 (counted). */
    private int matchingSlot(final byte[] answer, final int length)
    {
        final int slot = getShort(answer, ID_OFFSET);
        final byte[] query = queries[slot];
        if (query == null || (getShort(answer, FLAGS_OFFSET) & FLAG_QR) == 0 || length < questionEnds[slot] ||
            getShort(answer, QDCOUNT_OFFSET) != 1 ||
            !Arrays.equals(answer, HEADER_LENGTH, questionEnds[slot], query, HEADER_LENGTH, questionEnds[slot]))
        {
            counters.increment(DnsCounter.DROPPED_UPSTREAM);
            return -1;
        }
        return slot;
    }

    private void deliver(final int slot, final byte[] answer, final int length)
    {
        putShort(answer, ID_OFFSET, originalIds[slot]);
        if (length > payloadLimits[slot])
        {
            counters.increment(DnsCounter.TRUNCATED);
            putShort(answer, FLAGS_OFFSET, getShort(answer, FLAGS_OFFSET) | FLAG_TC);
            putShort(answer, ANCOUNT_OFFSET, 0);
            putShort(answer, NSCOUNT_OFFSET, 0);
            putShort(answer, ARCOUNT_OFFSET, 0);
            send(answer, questionEnds[slot], replyChannels[slot], clients[slot]);
        }
        else
        {
            send(answer, length, replyChannels[slot], clients[slot]);
        }
        free(slot);
    }

    private void reply(final byte[] query, final int questionEnd, final int id, final int rcode, final Channel channel,
        final InetSocketAddress client)
    {
        final int end = questionEnd > 0 ? questionEnd : HEADER_LENGTH;
        final byte[] answer = Arrays.copyOf(query, end);
        putShort(answer, ID_OFFSET, id);
        putShort(answer, FLAGS_OFFSET, FLAG_QR | FLAG_RA | (getShort(query, FLAGS_OFFSET) & (OPCODE_MASK | FLAG_RD | FLAG_CD)) | rcode);
        putShort(answer, QDCOUNT_OFFSET, questionEnd > 0 ? 1 : 0);
        putShort(answer, ANCOUNT_OFFSET, 0);
        putShort(answer, NSCOUNT_OFFSET, 0);
        putShort(answer, ARCOUNT_OFFSET, 0);
        counters.increment(DnsCounter.ofRcode(rcode));
        send(answer, end, channel, client);
    }

    private static void send(final byte[] answer, final int length, final Channel channel, final InetSocketAddress client)
    {
        if (!channel.isActive())
        {
            return;
        }
        if (client != null)
        {
            channel.writeAndFlush(new DatagramPacket(channel.alloc().directBuffer(length).writeBytes(answer, 0, length), client),
                channel.voidPromise());
        }
        else
        {
            final ByteBuf out = channel.alloc().directBuffer(length + 2);
            out.writeShort(length).writeBytes(answer, 0, length);
            channel.writeAndFlush(out, channel.voidPromise());
        }
    }

    private int freeSlot()
    {
        if (inFlight >= MAX_IN_FLIGHT)
        {
            return -1;
        }
        for (int i = 0; i < SLOTS; i++)
        {
            final int id = (nextId + i) & 0xFFFF;
            if (queries[id] == null)
            {
                nextId = id + 1;
                return id;
            }
        }
        return -1;
    }

    private void free(final int slot)
    {
        queries[slot] = null;
        replyChannels[slot] = null;
        clients[slot] = null;
        inFlight--;
    }
}
