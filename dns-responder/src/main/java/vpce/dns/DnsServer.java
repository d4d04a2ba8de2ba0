package vpce.dns;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.DatagramPacket;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.channel.uring.IoUring;
import io.netty.channel.uring.IoUringDatagramChannel;
import io.netty.channel.uring.IoUringIoHandler;
import io.netty.channel.uring.IoUringServerSocketChannel;
import io.netty.channel.uring.IoUringSocketChannel;
import io.netty.handler.codec.LengthFieldBasedFrameDecoder;
import org.agrona.concurrent.CachedNanoClock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.Inet4Address;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The responder's sockets: UDP and TCP on each listen address, on one I/O thread (io_uring when the kernel has it,
 * else epoll, else NIO), which is the only writer of the counters, the rate limiter and the forwarding table. Each
 * query is answered by {@link DnsQueryProcessor} from a scratch buffer; names we do not own go to {@link DnsForwarder}.
 *
 * <p>The clock is read once per read batch ({@code channelReadComplete}) and by the forwarder's timeout scan, not per
 * packet; a query read after an idle spell is counted in the window of the previous batch, which only matters to a
 * source already near its limit.
 */
public final class DnsServer implements AutoCloseable
{
    private static final Logger LOG = LoggerFactory.getLogger(DnsServer.class);
    private static final int TCP_IDLE_SECONDS = 10;
    private static final int MAX_RATE_LIMITED_SOURCES = 65_536;

    private final DnsResponderConfig config;
    private final DnsCounters counters;
    private final DnsQueryProcessor processor;
    /**
     * The UDP socket's receive buffer. With the default (net.core.rmem_default, 208 KiB) a burst of queries while the
     * I/O thread is off the CPU overflowed it: the kernel dropped them (Udp RcvbufErrors), ~30 per 900k at full load.
     * The kernel caps this at net.core.rmem_max.
     */
    static final int UDP_RECEIVE_BUFFER = 4 << 20;
    private final SourceRateLimiter rateLimiter;
    private final CachedNanoClock clock = new CachedNanoClock();
    private final byte[] queryScratch = new byte[DnsWire.MAX_MESSAGE_LENGTH];
    private final byte[] responseScratch = new byte[DnsWire.MAX_MESSAGE_LENGTH];
    private final String transport;
    private final EventLoopGroup group;
    private final List<Channel> channels = new ArrayList<>();
    private final List<InetSocketAddress> boundAddresses = new ArrayList<>();
    private DnsForwarder forwarder;

    public DnsServer(final DnsResponderConfig config, final DnsZoneHolder zones, final DnsCounters counters)
    {
        this.config = config;
        this.counters = counters;
        this.processor = new DnsQueryProcessor(zones, counters, config.upstream() != null, config.maxUdpPayload());
        this.rateLimiter = new SourceRateLimiter(config.rateLimitPerSecond(), MAX_RATE_LIMITED_SOURCES);
        final IoHandlerFactory factory;
        if (IoUring.isAvailable())
        {
            transport = "io_uring";
            factory = IoUringIoHandler.newFactory();
        }
        else if (Epoll.isAvailable())
        {
            transport = "epoll";
            factory = EpollIoHandler.newFactory();
        }
        else
        {
            transport = "nio";
            factory = NioIoHandler.newFactory();
        }
        group = new MultiThreadIoEventLoopGroup(1, (java.util.concurrent.ThreadFactory)runnable -> Thread.ofPlatform().name("vpce-dns-io").daemon(true).unstarted(runnable),
            factory);
    }

    /** Binds every listener; throws (and releases what it bound) when one cannot be bound. */
    public DnsServer start() throws InterruptedException
    {
        clock.update(System.nanoTime());
        try
        {
            if (config.upstream() != null)
            {
                final Channel upstreamChannel = new Bootstrap().group(group).channel(datagramChannel())
                    .handler(new ChannelInboundHandlerAdapter()
                    {
                        @Override
                        public void channelRead(final ChannelHandlerContext ctx, final Object msg)
                        {
                            forwarder.onUpstreamDatagram((DatagramPacket)msg);
                        }
                    })
                    .bind(new InetSocketAddress(0)).sync().channel();
                channels.add(upstreamChannel);
                forwarder = new DnsForwarder(config, counters, upstreamChannel, clock, this::tcpBootstrap);
                group.next().scheduleAtFixedRate(() ->
                {
                    clock.update(System.nanoTime());
                    forwarder.onTimeoutScan(clock.nanoTime());
                }, 50, 50, TimeUnit.MILLISECONDS);
            }
            for (final InetSocketAddress address : config.listen())
            {
                final Channel udp = new Bootstrap().group(group).channel(datagramChannel())
                    .option(ChannelOption.SO_REUSEADDR, true)
                    .option(ChannelOption.SO_RCVBUF, UDP_RECEIVE_BUFFER)
                    .handler(new UdpQueryHandler(address4(address)))
                    .bind(address).sync().channel();
                channels.add(udp);
                final InetSocketAddress bound = (InetSocketAddress)udp.localAddress();
                boundAddresses.add(bound);
                final Channel tcp = new ServerBootstrap().group(group).channel(serverChannel())
                    .option(ChannelOption.SO_REUSEADDR, true)
                    .childHandler(new ChannelInitializer<>()
                    {
                        @Override
                        protected void initChannel(final Channel channel)
                        {
                            channel.pipeline().addLast(new LengthFieldBasedFrameDecoder(DnsWire.MAX_MESSAGE_LENGTH + 2, 0, 2, 0, 2),
                                new TcpQueryHandler());
                        }
                    })
                    .bind(bound).sync().channel();
                channels.add(tcp);
            }
        }
        catch (final InterruptedException | RuntimeException ex)
        {
            close();
            throw ex;
        }
        LOG.info("DNS responder on {} (UDP and TCP, {}), upstream {}", boundAddresses, transport, config.upstream());
        return this;
    }

    /** @return the addresses the listeners are bound to (with the port chosen when 0 was asked). */
    public List<InetSocketAddress> boundAddresses()
    {
        return List.copyOf(boundAddresses);
    }

    public String transport()
    {
        return transport;
    }

    private Class<? extends Channel> datagramChannel()
    {
        return switch (transport)
        {
            case "io_uring" -> IoUringDatagramChannel.class;
            case "epoll" -> EpollDatagramChannel.class;
            default -> NioDatagramChannel.class;
        };
    }

    private Class<? extends ServerChannel> serverChannel()
    {
        return switch (transport)
        {
            case "io_uring" -> IoUringServerSocketChannel.class;
            case "epoll" -> EpollServerSocketChannel.class;
            default -> NioServerSocketChannel.class;
        };
    }

    Bootstrap tcpBootstrap()
    {
        final Class<? extends Channel> type = switch (transport)
        {
            case "io_uring" -> IoUringSocketChannel.class;
            case "epoll" -> EpollSocketChannel.class;
            default -> NioSocketChannel.class;
        };
        return new Bootstrap().group(group).channel(type).option(ChannelOption.CONNECT_TIMEOUT_MILLIS,
            (int)config.upstreamTimeoutMs());
    }

    /**
     * Inet4Address.hashCode() is its address as an int (the JDK's definition since 1.0), read without the copy that
     * getAddress() makes. Anything not IPv4 is 0, outside every VPC.
     */
    static int address4(final SocketAddress address)
    {
        if (address instanceof InetSocketAddress socket && socket.getAddress() instanceof Inet4Address v4)
        {
            return v4.hashCode();
        }
        return 0;
    }

    /** @return the answer's length in responseScratch, or a {@link DnsQueryProcessor} result. */
    private int answer(final ByteBuf content, final int localAddress, final int sourceAddress, final boolean tcp)
    {
        if (!rateLimiter.tryAcquire(sourceAddress, clock.nanoTime()))
        {
            counters.increment(DnsCounter.DROPPED_RATE_LIMITED);
            return DnsQueryProcessor.DROP;
        }
        final int length = content.readableBytes();
        if (length > queryScratch.length)
        {
            counters.increment(DnsCounter.DROPPED_MALFORMED);
            return DnsQueryProcessor.DROP;
        }
        content.getBytes(content.readerIndex(), queryScratch, 0, length);
        return processor.onQuery(queryScratch, length, localAddress, sourceAddress, tcp, responseScratch);
    }

    private final class UdpQueryHandler extends ChannelInboundHandlerAdapter
    {
        private final int localAddress;

        UdpQueryHandler(final int localAddress)
        {
            this.localAddress = localAddress;
        }

        @Override
        public void channelRead(final ChannelHandlerContext ctx, final Object msg)
        {
            final DatagramPacket packet = (DatagramPacket)msg;
            try
            {
                final int result = answer(packet.content(), localAddress, address4(packet.sender()), false);
                if (result > 0)
                {
                    ctx.write(new DatagramPacket(ctx.alloc().directBuffer(result).writeBytes(responseScratch, 0, result), packet.sender()),
                        ctx.voidPromise());
                }
                else if (result == DnsQueryProcessor.FORWARD)
                {
                    forwarder.forward(queryScratch, packet.content().readableBytes(), processor.questionEnd(),
                        processor.udpPayloadLimit(), ctx.channel(), packet.sender());
                }
            }
            finally
            {
                packet.release();
            }
        }

        @Override
        public void channelReadComplete(final ChannelHandlerContext ctx)
        {
            clock.update(System.nanoTime());
            ctx.flush();
        }

        @Override
        public void exceptionCaught(final ChannelHandlerContext ctx, final Throwable cause)
        {
            LOG.debug("DNS UDP listener: {}", cause.toString());
        }
    }

    private final class TcpQueryHandler extends ChannelInboundHandlerAdapter
    {
        @Override
        public void channelRead(final ChannelHandlerContext ctx, final Object msg)
        {
            final ByteBuf frame = (ByteBuf)msg;
            try
            {
                final int result = answer(frame, address4(ctx.channel().localAddress()), address4(ctx.channel().remoteAddress()), true);
                if (result > 0)
                {
                    final ByteBuf out = ctx.alloc().directBuffer(result + 2);
                    out.writeShort(result).writeBytes(responseScratch, 0, result);
                    ctx.write(out, ctx.voidPromise());
                }
                else if (result == DnsQueryProcessor.FORWARD)
                {
                    forwarder.forward(queryScratch, frame.readableBytes(), processor.questionEnd(), DnsWire.MAX_MESSAGE_LENGTH,
                        ctx.channel(), null);
                }
            }
            finally
            {
                frame.release();
            }
        }

        @Override
        public void channelReadComplete(final ChannelHandlerContext ctx)
        {
            clock.update(System.nanoTime());
            ctx.flush();
        }

        /** RFC 7766 lets a server bound a connection's life; ours is {@value #TCP_IDLE_SECONDS} s from its accept. */
        @Override
        public void channelActive(final ChannelHandlerContext ctx)
        {
            ctx.executor().schedule(() -> ctx.close(), TCP_IDLE_SECONDS, TimeUnit.SECONDS);
            ctx.fireChannelActive();
        }

        @Override
        public void exceptionCaught(final ChannelHandlerContext ctx, final Throwable cause)
        {
            // a frame over 65535 bytes cannot be a DNS message: the connection goes
            counters.increment(DnsCounter.DROPPED_MALFORMED);
            ctx.close();
        }
    }

    @Override
    public void close()
    {
        for (final Channel channel : channels)
        {
            channel.close().awaitUninterruptibly();
        }
        channels.clear();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly();
    }
}
