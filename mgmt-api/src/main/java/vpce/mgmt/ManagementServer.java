package vpce.mgmt;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
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
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.DuplexChannel;
import io.netty.handler.timeout.ReadTimeoutHandler;
import io.netty.util.concurrent.ScheduledFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import vpce.mgmt.ec2.Ec2Errors;
import vpce.mgmt.ec2.Ec2QueryApi;
import vpce.mgmt.ec2.Ec2Response;
import vpce.mgmt.rest.RestApi;
import vpce.mgmt.rest.RestResponse;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The management API's HTTP server: Netty's HTTP codec on the epoll transport (NIO where epoll
 * is missing), one event-loop thread. It serves the JSON REST view's read-only queries under
 * {@code /v1/} and, when given an {@link Ec2QueryApi}, the EC2 Query API at {@code /}
 * ({@code POST /} with a form body, {@code GET /?Action=...}).
 *
 * <p>EC2 requests run on one API thread ({@value #EC2_THREAD_NAME}), not on the event loop: signing checks and
 * actions (which may write the store) never stall I/O, and actions see one request at a time. A connection reads
 * no further request while one of its requests is on that thread, so pipelined answers keep their order; when
 * {@value #EC2_QUEUE_CAPACITY} requests wait already, the answer is {@code RequestLimitExceeded} (503), which the
 * SDKs retry with backoff. Every EC2 request gets a UUID, in the response ({@code requestId}/{@code RequestID} and
 * the {@code x-amzn-RequestId} header) and in the log line.
 *
 * <p>When given a {@link RestApi}, every other {@code /v1/} path (the JSON queries keep theirs) is the REST API: those
 * requests go to the same API thread and queue, so the control plane keeps one writer.
 *
 * <p>Bad requests of any kind get an error with a 4xx status (JSON, or the EC2 XML error document on {@code /})
 * and never reach a query or an action with half-parsed input. Limits: {@link #MAX_REQUEST_BYTES} per request,
 * {@link #MAX_CONNECTIONS} connections, a request must arrive within {@link #REQUEST_TIMEOUT_SECONDS} of its first
 * byte, and an idle connection is closed after {@link #IDLE_TIMEOUT_SECONDS}. It listens where it is told; the
 * appliance's configuration chooses the address (loopback in the examples and the lab).
 */
public final class ManagementServer implements AutoCloseable
{
    /**
     * Larger requests are refused (413). 128 KiB, up from 64: the largest EC2 parameter is an endpoint policy of up
     * to 20,480 characters, which form encoding can triple (JSON quotes, braces and colons are all escaped) to
     * ~60 KiB before any other parameter; 64 KiB left no room for a create with subnets, groups and tags.
     */
    public static final int MAX_REQUEST_BYTES = 128 * 1024;
    /** Request line limit: GET /?Action=... carries its parameters there (Netty's default is 4 KiB). */
    public static final int MAX_INITIAL_LINE_BYTES = 16 * 1024;
    /** Connections idle this long are closed, so idle clients cannot pile up. */
    public static final int IDLE_TIMEOUT_SECONDS = 60;
    /** A request must be complete this long after its first byte: a client trickling bytes cannot hold a connection. */
    public static final int REQUEST_TIMEOUT_SECONDS = 30;
    /** Further connections are closed at once. */
    public static final int MAX_CONNECTIONS = 256;
    /** EC2 requests waiting for the API thread beyond this are refused with RequestLimitExceeded. */
    public static final int EC2_QUEUE_CAPACITY = 64;
    public static final String EC2_THREAD_NAME = "vpce-mgmt-ec2";
    /** How long a closing connection may keep sending what is then discarded (see closeLingering). */
    private static final int LINGER_SECONDS = 2;
    private static final Logger LOG = LoggerFactory.getLogger(ManagementServer.class);
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private final EventLoopGroup group;
    private final Channel channel;
    private final Map<String, JsonQuery> queries;
    private final ExecutorService ec2Executor;

    private ManagementServer(
        final EventLoopGroup group, final Channel channel, final Map<String, JsonQuery> queries, final ExecutorService ec2Executor)
    {
        this.group = group;
        this.channel = channel;
        this.queries = queries;
        this.ec2Executor = ec2Executor;
    }

    /**
     * The JSON queries only (no EC2 Query API).
     *
     * @param queries path (e.g. "/v1/explain") to its GET query.
     */
    public static ManagementServer start(final InetSocketAddress address, final Map<String, JsonQuery> queries)
        throws InterruptedException
    {
        return start(address, queries, null);
    }

    /**
     * @param queries path (e.g. "/v1/explain") to its GET query.
     * @param ec2     the EC2 Query API served at {@code /}, or null for none.
     */
    public static ManagementServer start(final InetSocketAddress address, final Map<String, JsonQuery> queries, final Ec2QueryApi ec2)
        throws InterruptedException
    {
        return start(address, queries, ec2, null);
    }

    /**
     * @param queries path (e.g. "/v1/explain") to its GET query.
     * @param ec2     the EC2 Query API served at {@code /}, or null for none.
     * @param rest    the REST API served at the other {@code /v1/} paths, or null for none.
     */
    public static ManagementServer start(
        final InetSocketAddress address, final Map<String, JsonQuery> queries, final Ec2QueryApi ec2, final RestApi rest)
        throws InterruptedException
    {
        final boolean epoll = Epoll.isAvailable();
        final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory());
        final Map<String, JsonQuery> routes = Map.copyOf(new LinkedHashMap<>(queries));
        final ExecutorService ec2Executor = ec2 == null && rest == null ? null : new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS,
            new ArrayBlockingQueue<>(EC2_QUEUE_CAPACITY), runnable -> Thread.ofPlatform().name(EC2_THREAD_NAME).daemon(true).unstarted(runnable));
        final AtomicInteger connections = new AtomicInteger();
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
                        if (connections.incrementAndGet() > MAX_CONNECTIONS)
                        {
                            connections.decrementAndGet();
                            LOG.warn("management API: more than {} connections, closing {}", MAX_CONNECTIONS, child.remoteAddress());
                            child.close();
                            return;
                        }
                        child.closeFuture().addListener(closed -> connections.decrementAndGet());
                        final RequestDeadline deadline = new RequestDeadline();
                        child.pipeline()
                            .addLast(deadline)
                            .addLast(new ReadTimeoutHandler(IDLE_TIMEOUT_SECONDS))
                            .addLast(new HttpServerCodec(new HttpDecoderConfig().setMaxInitialLineLength(MAX_INITIAL_LINE_BYTES)))
                            .addLast(new Aggregator(ec2 != null, rest != null, routes))
                            .addLast(new RequestHandler(routes, ec2, rest, ec2Executor, deadline));
                    }
                })
                .bind(address).sync().channel();
            LOG.info("management API on http://{}:{} ({}{})", address.getHostString(),
                ((InetSocketAddress)channel.localAddress()).getPort(), epoll ? "epoll" : "nio",
                (ec2 == null ? "" : ", EC2 Query API at / with " + ec2.dispatcher().actionNames().size() + " actions") +
                (rest == null ? "" : ", REST API at /v1/"));
            return new ManagementServer(group, channel, routes, ec2Executor);
        }
        catch (final Throwable ex)
        {
            // Netty rethrows bind failures (checked) undeclared: the loop thread must not outlive them.
            group.shutdownGracefully();
            if (ec2Executor != null)
            {
                ec2Executor.shutdownNow();
            }
            throw ex;
        }
    }

    /**
     * Runs {@code task} on the API thread ({@value #EC2_THREAD_NAME}), in turn with the EC2 requests: the appliance's
     * calls into the control plane whose writer that thread is. The task shares the requests' queue
     * ({@value #EC2_QUEUE_CAPACITY}); it must not block for long.
     *
     * @throws IllegalStateException      when the server serves neither the EC2 Query API nor the REST API (it has no
     *                                    API thread).
     * @throws RejectedExecutionException when the queue is full or the server is closing: the caller retries or
     *                                    gives up.
     */
    public void executeOnApiThread(final Runnable task)
    {
        if (ec2Executor == null)
        {
            throw new IllegalStateException("the management server has no API thread (neither the EC2 nor the REST API)");
        }
        ec2Executor.execute(task);
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
        if (ec2Executor != null)
        {
            ec2Executor.shutdown();
            try
            {
                if (!ec2Executor.awaitTermination(5, TimeUnit.SECONDS))
                {
                    ec2Executor.shutdownNow();
                }
            }
            catch (final InterruptedException ex)
            {
                ec2Executor.shutdownNow();
                Thread.currentThread().interrupt();
            }
        }
        group.shutdownGracefully().syncUninterruptibly();
    }

    /** The path of a request URI, undecoded: "/" for "/?Action=x". */
    private static String rawPath(final String uri)
    {
        final int query = uri.indexOf('?');
        return query < 0 ? uri : uri.substring(0, query);
    }

    private static void respondEc2(
        final ChannelHandlerContext ctx, final HttpRequest request, final String requestId, final Ec2Response answer, final boolean mayKeepAlive)
    {
        final FullHttpResponse response = new DefaultFullHttpResponse(
            HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(answer.httpStatus()), Unpooled.wrappedBuffer(answer.body()));
        response.headers()
            .set(HttpHeaderNames.CONTENT_TYPE, Ec2Response.CONTENT_TYPE)
            .setInt(HttpHeaderNames.CONTENT_LENGTH, answer.body().length)
            .set("x-amzn-RequestId", requestId);
        write(ctx, request, response, mayKeepAlive);
    }

    private static void write(final ChannelHandlerContext ctx, final HttpRequest request, final FullHttpResponse response, final boolean mayKeepAlive)
    {
        final boolean keepAlive = mayKeepAlive && HttpUtil.isKeepAlive(request);
        if (keepAlive)
        {
            response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
            ctx.writeAndFlush(response);
        }
        else
        {
            response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
            ctx.writeAndFlush(response).addListener(future -> closeLingering(ctx));
        }
    }

    /**
     * Ends a connection after its answer without losing the answer: a close with request bytes still unread (a 413
     * answered while the client is still sending) makes the kernel send RST, and the client may then never read the
     * answer. So the output is shut down (FIN after the answer), what the client still sends is discarded, and the
     * connection closes when the client closes its side, or after {@link #LINGER_SECONDS}.
     */
    private static void closeLingering(final ChannelHandlerContext ctx)
    {
        if (ctx.channel() instanceof DuplexChannel duplex && duplex.isActive())
        {
            duplex.shutdownOutput();
            ctx.executor().schedule(() -> ctx.close(), LINGER_SECONDS, TimeUnit.SECONDS);
        }
        else
        {
            ctx.close();
        }
    }

    /**
     * Closes a connection whose request is not complete {@link #REQUEST_TIMEOUT_SECONDS} after its first byte. First in
     * the pipeline, so it sees raw bytes; the request handler ends the clock when the aggregated request arrives.
     */
    private static final class RequestDeadline extends ChannelInboundHandlerAdapter
    {
        private ScheduledFuture<?> timer;

        @Override
        public void channelRead(final ChannelHandlerContext ctx, final Object msg)
        {
            if (timer == null)
            {
                timer = ctx.executor().schedule(() ->
                {
                    LOG.debug("management API: request from {} incomplete after {}s, closing", ctx.channel().remoteAddress(),
                        REQUEST_TIMEOUT_SECONDS);
                    ctx.close();
                }, REQUEST_TIMEOUT_SECONDS, TimeUnit.SECONDS);
            }
            ctx.fireChannelRead(msg);
        }

        /** Called on the event loop when a whole request has arrived. */
        void requestComplete()
        {
            if (timer != null)
            {
                timer.cancel(false);
                timer = null;
            }
        }

        @Override
        public void channelInactive(final ChannelHandlerContext ctx)
        {
            requestComplete();
            ctx.fireChannelInactive();
        }
    }

    /**
     * Answers an oversized request in the format of its route (EC2 XML at "/", problem+json on the REST API's paths,
     * JSON elsewhere), then closes.
     */
    private static final class Aggregator extends HttpObjectAggregator
    {
        private final boolean ec2;
        private final boolean rest;
        private final Map<String, JsonQuery> queries;

        Aggregator(final boolean ec2, final boolean rest, final Map<String, JsonQuery> queries)
        {
            super(MAX_REQUEST_BYTES);
            this.ec2 = ec2;
            this.rest = rest;
            this.queries = queries;
        }

        @Override
        protected void handleOversizedMessage(final ChannelHandlerContext ctx, final HttpMessage oversized)
        {
            if (!(oversized instanceof HttpRequest request))
            {
                ctx.close();
                return;
            }
            final String message = "The request is larger than " + MAX_REQUEST_BYTES + " bytes";
            final String path = rawPath(request.uri());
            if (ec2 && "/".equals(path))
            {
                final String requestId = UUID.randomUUID().toString();
                LOG.info("{} ec2 refused: {}", requestId, message);
                respondEc2(ctx, request, requestId, Ec2Response.error(
                    new ApiException("RequestEntityTooLarge", message, 413), requestId, null), false);
            }
            else if (rest && path.startsWith("/v1/") && !queries.containsKey(path))
            {
                final byte[] problem = ("{\"type\":\"https://vpce.invalid/problems/RequestEntityTooLarge\",\"title\":" +
                    "\"RequestEntityTooLarge\",\"status\":413,\"detail\":\"" + message + "\",\"code\":\"RequestEntityTooLarge\"}")
                    .getBytes(StandardCharsets.US_ASCII);
                final FullHttpResponse response = new DefaultFullHttpResponse(
                    HttpVersion.HTTP_1_1, HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE, Unpooled.wrappedBuffer(problem));
                response.headers()
                    .set(HttpHeaderNames.CONTENT_TYPE, RestResponse.PROBLEM_JSON)
                    .setInt(HttpHeaderNames.CONTENT_LENGTH, problem.length);
                write(ctx, request, response, false);
            }
            else
            {
                RequestHandler.respond(ctx, request, HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE,
                    RequestHandler.error("RequestEntityTooLarge", message), false);
            }
        }
    }

    private static final class RequestHandler extends SimpleChannelInboundHandler<FullHttpRequest>
    {
        private final Map<String, JsonQuery> routes;
        private final Ec2QueryApi ec2;
        private final RestApi rest;
        private final ExecutorService ec2Executor;
        private final RequestDeadline deadline;

        RequestHandler(final Map<String, JsonQuery> routes, final Ec2QueryApi ec2, final RestApi rest,
            final ExecutorService ec2Executor, final RequestDeadline deadline)
        {
            this.routes = routes;
            this.ec2 = ec2;
            this.rest = rest;
            this.ec2Executor = ec2Executor;
            this.deadline = deadline;
        }

        @Override
        protected void channelRead0(final ChannelHandlerContext ctx, final FullHttpRequest request)
        {
            deadline.requestComplete();
            final boolean ec2Route = ec2 != null && "/".equals(rawPath(request.uri()));
            if (!request.decoderResult().isSuccess())
            {
                // The codec discards the rest of this connection's bytes: answer, then close.
                if (ec2Route)
                {
                    final String requestId = UUID.randomUUID().toString();
                    respondEc2(ctx, request, requestId, Ec2Response.error(
                        Ec2Errors.malformedQueryString("The request is not valid HTTP"), requestId, null), false);
                }
                else
                {
                    respond(ctx, request, HttpResponseStatus.BAD_REQUEST, error("MalformedRequest", "the request is not valid HTTP"), false);
                }
                return;
            }
            if (ec2Route)
            {
                onEc2Request(ctx, request);
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
            if (query == null && rest != null && path.startsWith("/v1/"))
            {
                onRestRequest(ctx, request);
                return;
            }
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

        /**
         * Hands the request to the EC2 thread with copies of what it needs (Netty releases the request on return),
         * and stops reading this connection until the answer is written.
         */
        private void onEc2Request(final ChannelHandlerContext ctx, final FullHttpRequest request)
        {
            final String requestId = UUID.randomUUID().toString();
            final String uri = request.uri();
            final int query = uri.indexOf('?');
            final String rawQuery = query < 0 ? "" : uri.substring(query + 1);
            final Map<String, List<String>> headers = new LinkedHashMap<>();
            for (final Map.Entry<String, String> header : request.headers())
            {
                headers.computeIfAbsent(header.getKey(), name -> new ArrayList<>(1)).add(header.getValue());
            }
            final byte[] body = new byte[request.content().readableBytes()];
            request.content().getBytes(request.content().readerIndex(), body);
            final HttpRequest head = new io.netty.handler.codec.http.DefaultHttpRequest(
                request.protocolVersion(), request.method(), uri, request.headers().copy());
            final String method = request.method().name();
            ctx.channel().config().setAutoRead(false);
            try
            {
                ec2Executor.execute(() ->
                {
                    Ec2Response answer;
                    try
                    {
                        answer = ec2.answer(requestId, method, "/", rawQuery, headers, body);
                    }
                    catch (final Throwable ex) // answer() never throws; an Error still must not leave the client hanging
                    {
                        LOG.error("{} the EC2 request failed", requestId, ex);
                        answer = Ec2Response.error(Ec2Errors.internalError(), requestId, null);
                    }
                    final Ec2Response done = answer;
                    ctx.channel().eventLoop().execute(() ->
                    {
                        respondEc2(ctx, head, requestId, done, true);
                        ctx.channel().config().setAutoRead(true);
                    });
                });
            }
            catch (final RejectedExecutionException ex)
            {
                LOG.warn("{} ec2 refused: {} requests wait for the API thread", requestId, EC2_QUEUE_CAPACITY);
                respondEc2(ctx, head, requestId, Ec2Response.error(new ApiException(Ec2Errors.REQUEST_LIMIT_EXCEEDED,
                    "Request limit exceeded: too many requests in flight", ApiException.UNAVAILABLE), requestId, null), true);
                ctx.channel().config().setAutoRead(true);
            }
        }

        /** Like {@link #onEc2Request}: the REST API runs on the API thread, the connection paused meanwhile. */
        private void onRestRequest(final ChannelHandlerContext ctx, final FullHttpRequest request)
        {
            final String requestId = UUID.randomUUID().toString();
            final String uri = request.uri();
            final int query = uri.indexOf('?');
            final String rawQuery = query < 0 ? "" : uri.substring(query + 1);
            final String path = rawPath(uri);
            final Map<String, List<String>> headers = new LinkedHashMap<>();
            for (final Map.Entry<String, String> header : request.headers())
            {
                headers.computeIfAbsent(header.getKey(), name -> new ArrayList<>(1)).add(header.getValue());
            }
            final byte[] body = new byte[request.content().readableBytes()];
            request.content().getBytes(request.content().readerIndex(), body);
            final HttpRequest head = new io.netty.handler.codec.http.DefaultHttpRequest(
                request.protocolVersion(), request.method(), uri, request.headers().copy());
            final String method = request.method().name();
            ctx.channel().config().setAutoRead(false);
            try
            {
                ec2Executor.execute(() ->
                {
                    final RestResponse answer = rest.answer(requestId, method, path, rawQuery, headers, body);
                    ctx.channel().eventLoop().execute(() ->
                    {
                        respondRest(ctx, head, requestId, answer);
                        ctx.channel().config().setAutoRead(true);
                    });
                });
            }
            catch (final RejectedExecutionException ex)
            {
                LOG.warn("{} rest refused: {} requests wait for the API thread", requestId, EC2_QUEUE_CAPACITY);
                final byte[] problem = ("{\"type\":\"https://vpce.invalid/problems/RequestLimitExceeded\",\"title\":\"RequestLimitExceeded\"," +
                    "\"status\":503,\"detail\":\"Request limit exceeded: too many requests in flight\",\"code\":\"RequestLimitExceeded\"}")
                    .getBytes(StandardCharsets.US_ASCII);
                respondRest(ctx, head, requestId, new RestResponse(ApiException.UNAVAILABLE, RestResponse.PROBLEM_JSON, problem));
                ctx.channel().config().setAutoRead(true);
            }
        }

        private static void respondRest(final ChannelHandlerContext ctx, final HttpRequest request, final String requestId,
            final RestResponse answer)
        {
            final FullHttpResponse response = new DefaultFullHttpResponse(
                HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(answer.status()), Unpooled.wrappedBuffer(answer.body()));
            response.headers()
                .setInt(HttpHeaderNames.CONTENT_LENGTH, answer.body().length)
                .set("x-amzn-RequestId", requestId);
            if (answer.body().length > 0)
            {
                response.headers().set(HttpHeaderNames.CONTENT_TYPE, answer.contentType());
            }
            write(ctx, request, response, true);
        }

        @Override
        public void exceptionCaught(final ChannelHandlerContext ctx, final Throwable cause)
        {
            LOG.debug("management API connection closed: {}", cause.toString());
            ctx.close();
        }

        static Map<String, String> error(final String code, final String message)
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

        static void respond(
            final ChannelHandlerContext ctx,
            final HttpRequest request,
            final HttpResponseStatus status,
            final Object body,
            final boolean mayKeepAlive)
        {
            if (body instanceof TextBody text)
            {
                final FullHttpResponse response = new DefaultFullHttpResponse(
                    HttpVersion.HTTP_1_1, status, Unpooled.wrappedBuffer(text.body()));
                response.headers()
                    .set(HttpHeaderNames.CONTENT_TYPE, text.contentType())
                    .setInt(HttpHeaderNames.CONTENT_LENGTH, text.body().length);
                write(ctx, request, response, mayKeepAlive);
                return;
            }
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
            write(ctx, request, response, mayKeepAlive);
        }
    }
}
