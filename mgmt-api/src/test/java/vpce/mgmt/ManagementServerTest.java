package vpce.mgmt;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ManagementServerTest
{
    private static final ObjectMapper JSON = new ObjectMapper();
    private static ManagementServer server;
    private static final HttpClient CLIENT = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();

    record Echo(String name, int length)
    {
    }

    @BeforeAll
    static void start() throws Exception
    {
        server = ManagementServer.start(new InetSocketAddress("127.0.0.1", 0), Map.of(
            "/v1/echo", parameters ->
            {
                final String name = parameters.get("name");
                if (name == null)
                {
                    throw new JsonQuery.BadRequestException("name is required");
                }
                return new Echo(name, name.length());
            },
            "/v1/broken", parameters ->
            {
                throw new IllegalStateException("boom");
            }));
    }

    @AfterAll
    static void stop()
    {
        if (server != null)
        {
            server.close();
        }
    }

    private static HttpResponse<String> get(final String pathAndQuery) throws Exception
    {
        return CLIENT.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + pathAndQuery))
            .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void aQueryAnswersWithItsObjectAsJson() throws Exception
    {
        final HttpResponse<String> response = get("/v1/echo?name=vpce%20lab");
        assertEquals(200, response.statusCode());
        assertEquals("application/json", response.headers().firstValue("content-type").orElseThrow());
        final JsonNode body = JSON.readTree(response.body());
        assertEquals("vpce lab", body.get("name").asText());
        assertEquals(8, body.get("length").asInt());
    }

    @Test
    void aServerWithoutTheEc2ApiHasNoApiThreadToRunTasksOn()
    {
        assertThrows(IllegalStateException.class, () -> server.executeOnApiThread(() -> { }));
    }

    @Test
    void badRequestsGetJsonErrorsWithTheRightStatus() throws Exception
    {
        assertError(get("/v1/echo"), 400, "InvalidParameter", "name is required");
        assertError(get("/v1/echo?name=a&name=b"), 400, "InvalidParameter", "given 2 times");
        assertError(get("/v1/nothing"), 404, "NotFound", "/v1/nothing");
        assertError(get("/v1/broken"), 500, "InternalError", "failed");
        final String badEscape = raw("GET /v1/echo?name=%zz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
        assertTrue(badEscape.startsWith("HTTP/1.1 400") && badEscape.contains("MalformedRequest"), badEscape);
        final HttpResponse<String> post = CLIENT.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/v1/echo"))
            .POST(HttpRequest.BodyPublishers.ofString("x")).build(), HttpResponse.BodyHandlers.ofString());
        assertError(post, 405, "MethodNotAllowed", "answers GET");
        // The server is still there after all of it.
        assertEquals(200, get("/v1/echo?name=x").statusCode());
    }

    @Test
    void aPortInUseIsAClearErrorAndLeavesNoThreadBehind() throws Exception
    {
        final long threadsBefore = Thread.getAllStackTraces().keySet().stream().filter(Thread::isAlive).count();
        final Exception failure = org.junit.jupiter.api.Assertions.assertThrows(Exception.class,
            () -> ManagementServer.start(new InetSocketAddress("127.0.0.1", server.port()), Map.of()));
        assertTrue(String.valueOf(failure.getMessage()).toLowerCase().contains("address already in use"), String.valueOf(failure));
        final long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (Thread.getAllStackTraces().keySet().stream().filter(Thread::isAlive).count() > threadsBefore)
        {
            assertTrue(System.nanoTime() < deadline, "the failed server's event-loop thread stayed");
            java.util.concurrent.locks.LockSupport.parkNanos(10_000_000L);
        }
    }

    @Test
    void garbageOnTheSocketIsRefusedAndTheServerLivesOn() throws Exception
    {
        try (Socket socket = new Socket("127.0.0.1", server.port()))
        {
            socket.setSoTimeout(5000);
            final OutputStream out = socket.getOutputStream();
            out.write("\u0000\u0001GARBAGE \r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            final InputStream in = socket.getInputStream();
            final String answer = new String(in.readNBytes(12), StandardCharsets.ISO_8859_1);
            assertTrue(answer.startsWith("HTTP/1.1 4"), answer);
        }
        assertEquals(200, get("/v1/echo?name=x").statusCode());
    }

    /** Bytes on the socket, for requests a well-behaved client refuses to send. */
    private static String raw(final String request) throws Exception
    {
        try (Socket socket = new Socket("127.0.0.1", server.port()))
        {
            socket.setSoTimeout(5000);
            socket.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
            socket.getOutputStream().flush();
            return new String(socket.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
        }
    }

    private static void assertError(final HttpResponse<String> response, final int status, final String code, final String text)
        throws Exception
    {
        assertEquals(status, response.statusCode(), response.body());
        final JsonNode body = JSON.readTree(response.body());
        assertEquals(code, body.get("code").asText());
        assertTrue(body.get("message") == null || body.get("message").asText().contains(text) || status == 500, response.body());
    }
}
