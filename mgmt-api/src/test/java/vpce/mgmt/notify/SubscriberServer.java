package vpce.mgmt.notify;

import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntUnaryOperator;

import static org.junit.jupiter.api.Assertions.assertNotNull;

/** An HTTP subscriber on 127.0.0.1 that records each request and answers a scripted status (by request number, from 1). */
final class SubscriberServer implements AutoCloseable
{
    record Received(String method, String path, Map<String, String> headers, String body)
    {
    }

    final BlockingQueue<Received> received = new LinkedBlockingQueue<>();
    private final HttpServer server;
    private final AtomicInteger count = new AtomicInteger();

    /** {@code status}: request number → status; it may block to play a slow subscriber. */
    SubscriberServer(final IntUnaryOperator status) throws IOException
    {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
        server.createContext("/", exchange ->
        {
            final String body;
            try (InputStream in = exchange.getRequestBody())
            {
                body = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
            final Map<String, String> headers = new java.util.TreeMap<>(String.CASE_INSENSITIVE_ORDER);
            exchange.getRequestHeaders().forEach((name, values) -> headers.put(name, String.join(",", values)));
            received.add(new Received(exchange.getRequestMethod(), exchange.getRequestURI().toString(), headers, body));
            final int code = status.applyAsInt(count.incrementAndGet());
            exchange.sendResponseHeaders(code, -1);
            exchange.close();
        });
        server.setExecutor(java.util.concurrent.Executors.newCachedThreadPool());
        server.start();
    }

    String url(final String path)
    {
        return "http://127.0.0.1:" + server.getAddress().getPort() + path;
    }

    Received next() throws InterruptedException
    {
        final Received request = received.poll(10, TimeUnit.SECONDS);
        assertNotNull(request, "the subscriber received nothing within 10 s");
        return request;
    }

    @Override
    public void close()
    {
        server.stop(0);
    }
}
