package vpce.mgmt;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.timeout.ReadTimeoutHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The management API's HTTP server: Netty's HTTP codec on the epoll transport (NIO where epoll
 * is missing), one event-loop thread. This first cut serves the JSON REST view's read-only
 * queries; the EC2 Query API (issue 5) is served by the same server.
 *
 * <p>Bad requests of any kind get a JSON error with a 4xx status and never reach a query
 * with half-parsed input; request bodies are capped.
 */
public final class ManagementServer implements AutoCloseable
{
    /** Larger requests are refused (413): the API has no use for them. */
    public static final int MAX_REQUEST_BYTES = 64 * 1024;
    /** Connections idle this long are closed, so idle clients cannot pile up. */
    public static final int IDLE_TIMEOUT_SECONDS = 60;
    private static final Logger LOG = LoggerFactory.getLogger(ManagementServer.class);
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private final EventLoopGroup group;
    private final Channel channel;
    private final Map<String, JsonQuery> queries;

    private ManagementServer(final EventLoopGroup group, final Channel channel, final Map<String, JsonQuery> queries)
    {
        this.group = group;
        this.channel = channel;
        this.queries = queries;
    }

    /**
     * @param queries path (e.g. "/v1/explain") to its GET query.
     */
    public static ManagementServer start(final InetSocketAddress address, final Map<String, JsonQuery> queries)
        throws InterruptedException
    {
        final boolean epoll = Epoll.isAvailable();
        final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory());
        final Map<String, JsonQuery> routes = Map.copyOf(new LinkedHashMap<>(queries));
        try
        {
            final Channel channel = new ServerBootstrap()
                .group(group)
                .channel(epoll ? EpollServerSocketChannel.class : NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<SocketChannel>()
                {
                    @Override
                    protected void initChannel(final SocketChannel child)
                    {
                        child.pipeline()
                            .addLast(new ReadTimeoutHandler(IDLE_TIMEOUT_SECONDS))
                            .addLast(new HttpServerCodec())
                            .addLast(new HttpObjectAggregator(MAX_REQUEST_BYTES))
                            .addLast(new RequestHandler(routes));
                    }
                })
                .bind(address).sync().channel();
            LOG.info("management API on http://{}:{} ({})", address.getHostString(),
                ((InetSocketAddress)channel.localAddress()).getPort(), epoll ? "epoll" : "nio");
            return new ManagementServer(group, channel, routes);
        }
        catch (final Throwable ex)
        {
            // Netty rethrows bind failures (checked) undeclared: the loop thread must not outlive them.
            group.shutdownGracefully();
            throw ex;
        }
    }

    /** The bound port (useful when started on port 0). */
    public int port()
    {
        return ((InetSocketAddress)channel.localAddress()).getPort();
    }

    @Override
    public void close()
    {
        channel.close().syncUninterruptibly();
        group.shutdownGracefully().syncUninterruptibly();
    }

    private static final class RequestHandler extends SimpleChannelInboundHandler<FullHttpRequest>
    {
        private final Map<String, JsonQuery> routes;

        RequestHandler(final Map<String, JsonQuery> routes)
        {
            this.routes = routes;
        }

        @Override
        protected void channelRead0(final ChannelHandlerContext ctx, final FullHttpRequest request)
        {
            if (!request.decoderResult().isSuccess())
            {
                // The codec discards the rest of this connection's bytes: answer, then close.
                respond(ctx, request, HttpResponseStatus.BAD_REQUEST, error("MalformedRequest", "the request is not valid HTTP"), false);
                return;
            }
            final QueryStringDecoder uri = new QueryStringDecoder(request.uri());
            final String path;
            final Map<String, List<String>> decoded;
            try
            {
                path = uri.path();
                decoded = uri.parameters();
            }
            catch (final IllegalArgumentException ex)
            {
                respond(ctx, request, HttpResponseStatus.BAD_REQUEST, error("MalformedRequest", "bad escape in the URI"));
                return;
            }
            final JsonQuery query = routes.get(path);
            if (query == null)
            {
                respond(ctx, request, HttpResponseStatus.NOT_FOUND, error("NotFound", "no resource " + path));
                return;
            }
            if (!HttpMethod.GET.equals(request.method()))
            {
                respond(ctx, request, HttpResponseStatus.METHOD_NOT_ALLOWED, error("MethodNotAllowed", path + " answers GET"));
                return;
            }
            final Map<String, String> parameters = new LinkedHashMap<>();
            for (final Map.Entry<String, List<String>> entry : decoded.entrySet())
            {
                if (entry.getValue().size() != 1)
                {
                    respond(ctx, request, HttpResponseStatus.BAD_REQUEST,
                        error("InvalidParameter", "parameter " + entry.getKey() + " given " + entry.getValue().size() + " times"));
                    return;
                }
                parameters.put(entry.getKey(), entry.getValue().get(0));
            }
            try
            {
                respond(ctx, request, HttpResponseStatus.OK, query.answer(parameters));
            }
            catch (final JsonQuery.BadRequestException ex)
            {
                respond(ctx, request, HttpResponseStatus.BAD_REQUEST, error("InvalidParameter", ex.getMessage()));
            }
            catch (final RuntimeException ex)
            {
                LOG.error("query {} failed", path, ex);
                respond(ctx, request, HttpResponseStatus.INTERNAL_SERVER_ERROR, error("InternalError", "the query failed"));
            }
        }

        @Override
        public void exceptionCaught(final ChannelHandlerContext ctx, final Throwable cause)
        {
            LOG.debug("management API connection closed: {}", cause.toString());
            ctx.close();
        }

        private static Map<String, String> error(final String code, final String message)
        {
            final Map<String, String> error = new LinkedHashMap<>();
            error.put("code", code);
            error.put("message", message);
            return error;
        }

        private static void respond(
            final ChannelHandlerContext ctx, final FullHttpRequest request, final HttpResponseStatus status, final Object body)
        {
            respond(ctx, request, status, body, true);
        }

        private static void respond(
            final ChannelHandlerContext ctx,
            final FullHttpRequest request,
            final HttpResponseStatus status,
            final Object body,
            final boolean mayKeepAlive)
        {
            byte[] bytes;
            HttpResponseStatus finalStatus = status;
            try
            {
                bytes = JSON.writeValueAsBytes(body);
            }
            catch (final JsonProcessingException ex)
            {
                finalStatus = HttpResponseStatus.INTERNAL_SERVER_ERROR;
                bytes = "{\"code\":\"InternalError\"}".getBytes(StandardCharsets.US_ASCII);
            }
            final FullHttpResponse response = new DefaultFullHttpResponse(
                HttpVersion.HTTP_1_1, finalStatus, Unpooled.wrappedBuffer(bytes));
            response.headers()
                .set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON)
                .setInt(HttpHeaderNames.CONTENT_LENGTH, bytes.length);
            final boolean keepAlive = mayKeepAlive && HttpUtil.isKeepAlive(request);
            if (keepAlive)
            {
                response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
                ctx.writeAndFlush(response);
            }
            else
            {
                ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
            }
        }
    }
}
