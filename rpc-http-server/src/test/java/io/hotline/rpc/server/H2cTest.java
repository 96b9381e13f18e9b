package io.hotline.rpc.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.hotline.discovery.config.HotlineConfig;
import io.hotline.discovery.spi.EndpointStore;
import io.hotline.rpc.AccessDenied;
import io.hotline.rpc.HttpTransport;
import io.hotline.rpc.InvalidRequest;
import io.hotline.rpc.RpcClient;
import io.hotline.rpc.Target;
import io.hotline.rpc.server.testing.RpcFleet;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.client.AsyncRequestContent;
import org.eclipse.jetty.client.CompletableResponseListener;
import org.eclipse.jetty.client.ContentResponse;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.client.Request;
import org.eclipse.jetty.client.Response;
import org.eclipse.jetty.client.StringRequestContent;
import org.eclipse.jetty.client.transport.HttpClientTransportOverHTTP;
import org.eclipse.jetty.http.HttpMethod;
import org.eclipse.jetty.http.HttpVersion;
import org.eclipse.jetty.http2.api.Session;
import org.eclipse.jetty.http2.client.HTTP2Client;
import org.eclipse.jetty.http2.client.transport.HttpClientTransportOverHTTP2;
import org.eclipse.jetty.http2.frames.SettingsFrame;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.util.Callback;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * HTTP/2 with prior knowledge (h2c) beside HTTP/1.1 on one port: the client's {@code hotline.http.transport=h2c}, the
 * server's {@code hotline.http.h2c}, HTTP/1.1's limits on h2 streams, and calls that block without stalling the other
 * streams of their connection.
 */
class H2cTest {

    private static final Target TARGET = Target.topic("conductor").exchange("nova");
    private static final String RPC = "/v1/rpc/" + TARGET.service();
    private static final String TOKEN = "s3cret-h2c-token";
    /** Far above a call's latency here, even with the CPU busy, and far below any timeout that is not under test. */
    private static final Duration PROMPT = Duration.ofSeconds(10);

    private final RpcFleet fleet = RpcFleet.inMemory();
    private final EndpointStore store = fleet.store();
    private final HttpClient h2 = new HttpClient(new HttpClientTransportOverHTTP2(bigHeaders(new HTTP2Client())));
    private final HttpClient http11 = new HttpClient(new HttpClientTransportOverHTTP());

    @AfterEach
    void closeAll() throws Exception {
        h2.stop();
        http11.stop();
        fleet.close();
    }

    /** A client whose own limit on request headers is above the server's. */
    private static HTTP2Client bigHeaders(HTTP2Client client) {
        client.setMaxRequestHeadersSize(64 << 10);
        return client;
    }

    private RpcServer server(TestApi api, Map<String, String> config) {
        return fleet.start(RpcServer.builder(store).target(TARGET.server(api.name)).endpoint(api)
                .config(HotlineConfig.of(config)).drainDelay(Duration.ZERO));
    }

    private RpcClient h2cClient(RpcClient.Builder b) {
        return fleet.client(b.config(HotlineConfig.of(Map.of("hotline.http.transport", "h2c"))).timeout(PROMPT));
    }

    private ContentResponse post(HttpClient http, RpcServer server, String body, String token) throws Exception {
        if (!http.isStarted()) {
            http.start();
        }
        Request request = http.newRequest(server.endpoint().baseUri() + RPC).method(HttpMethod.POST)
                .body(new StringRequestContent("application/json", body)).timeout(PROMPT.toMillis(),
                        TimeUnit.MILLISECONDS);
        if (token != null) {
            request.headers(h -> h.put("Authorization", "Bearer " + token));
        }
        return request.send();
    }

    @Test
    void callsCastsAndRefusalsTravelOverH2c() throws Exception {
        TestApi api = new TestApi("h2c");
        RpcServer server = server(api, Map.of("hotline.http.token", TOKEN));
        RpcClient client = h2cClient(RpcClient.builder(store).token(TOKEN));

        assertThat(client.prepare(TARGET).call("echo", Map.of("text", "over h2"), String.class)).isEqualTo("over h2");
        client.prepare(TARGET).cast("record", Map.of("event", "cast over h2"));
        await().atMost(PROMPT).until(() -> api.events.contains("cast over h2"));
        RpcClient tokenless = h2cClient(RpcClient.builder(store));
        assertThatThrownBy(() -> tokenless.prepare(TARGET).call("echo", Map.of("text", "x"), String.class))
                .isInstanceOf(AccessDenied.class);

        // The same requests as a bare HTTP/2 client sends them, for their status codes.
        ContentResponse call = post(h2, server, "{\"kind\":\"call\",\"method\":\"echo\",\"args\":{\"text\":\"a\"}}", TOKEN);
        assertThat(call.getVersion()).isEqualTo(HttpVersion.HTTP_2);
        assertThat(call.getStatus()).isEqualTo(200);
        assertThat(call.getContentAsString()).isEqualTo("{\"result\":\"a\"}");
        ContentResponse cast = post(h2, server, "{\"kind\":\"cast\",\"method\":\"record\",\"args\":{\"event\":\"b\"}}",
                TOKEN);
        assertThat(cast.getStatus()).isEqualTo(202);
        assertThat(post(h2, server, "{\"kind\":\"call\",\"method\":\"echo\"}", null).getStatus()).isEqualTo(401);
        ContentResponse bad = post(h2, server, "{\"kind\":", TOKEN);
        assertThat(bad.getStatus()).isEqualTo(400);
        assertThat(bad.getContentAsString()).contains("\"type\":\"InvalidRequest\"");

        // HTTP/1.1 on the same port, from a bare client and from Hotline's default client.
        ContentResponse old = post(http11, server, "{\"kind\":\"call\",\"method\":\"echo\",\"args\":{\"text\":\"c\"}}",
                TOKEN);
        assertThat(old.getVersion()).isEqualTo(HttpVersion.HTTP_1_1);
        assertThat(old.getContentAsString()).isEqualTo("{\"result\":\"c\"}");
        RpcClient defaultClient = fleet.client(RpcClient.builder(store).token(TOKEN).timeout(PROMPT));
        assertThat(defaultClient.prepare(TARGET).call("echo", Map.of("text", "d"), String.class)).isEqualTo("d");
    }

    @Test
    void aCallThatBlocksDoesNotStallTheOtherStreamsOfItsConnection() throws Exception {
        TestApi api = new TestApi("blocking");
        server(api, Map.of());
        // One connection: the held call and the next one must share it as two streams.
        RpcClient client = h2cClient(RpcClient.builder(store).maxConnectionsPerServer(1));
        assertThat(client.prepare(TARGET).call("echo", Map.of("text", "connected"), String.class))
                .isEqualTo("connected");

        CompletableFuture<String> held = client.prepare(TARGET).callAsync("hold", Map.of(), String.class);
        assertThat(api.holding.await(PROMPT.toSeconds(), TimeUnit.SECONDS)).isTrue();
        // Were streams run on the selector, or the connection a single HTTP/1.1 one, this call would wait for the
        // held one, which waits for this one.
        assertThat(client.prepare(TARGET).call("echo", Map.of("text", "beside"), String.class)).isEqualTo("beside");
        api.release.countDown();
        assertThat(held.get(PROMPT.toSeconds(), TimeUnit.SECONDS)).isEqualTo("released");
    }

    @Test
    void h2StreamsMeetHttp11sBodyLimitAndBodyTimeout() throws Exception {
        RpcServer server = server(new TestApi("limits"), Map.of("hotline.http.body-timeout", "500ms"));
        h2.start();

        // The server answers 413 before reading the body, then reads the rest and drops it, so that the stream ends
        // with no reset that could cost the client the answer: with a Content-Length, and without one.
        String large = "{\"kind\":\"call\",\"method\":\"echo\",\"args\":{\"text\":\"" + "x".repeat(1 << 20) + "\"}}";
        ContentResponse refused = h2.newRequest(server.endpoint().baseUri() + RPC).method(HttpMethod.POST)
                .body(new StringRequestContent("application/json", large))
                .timeout(PROMPT.toMillis(), TimeUnit.MILLISECONDS).send();
        assertThat(refused.getVersion()).isEqualTo(HttpVersion.HTTP_2);
        assertThat(refused.getStatus()).isEqualTo(413);
        assertThat(refused.getContentAsString()).contains("the request body is larger than 1048576 bytes");
        AsyncRequestContent unsized = new AsyncRequestContent("application/json");
        for (int i = 0; i < 32; i++) {
            unsized.write(ByteBuffer.wrap("y".repeat(64 << 10).getBytes(StandardCharsets.UTF_8)), Callback.NOOP);
        }
        unsized.close();
        ContentResponse refusedUnsized = new CompletableResponseListener(h2.newRequest(server.endpoint().baseUri() + RPC)
                .method(HttpMethod.POST).body(unsized).timeout(PROMPT.toMillis(), TimeUnit.MILLISECONDS)).send()
                .get(PROMPT.toSeconds(), TimeUnit.SECONDS);
        assertThat(refusedUnsized.getStatus()).isEqualTo(413);
        assertThat(refusedUnsized.getContentAsString()).contains("the request body is larger than 1048576 bytes");

        // A body that stops half way: 408 at the body timeout, and the stream reset, as nothing more is coming.
        AsyncRequestContent slow = new AsyncRequestContent("application/json");
        slow.write(ByteBuffer.wrap("{\"kind\":\"call\",".getBytes(StandardCharsets.UTF_8)), Callback.NOOP);
        CompletableFuture<Response> timedOut = new CompletableFuture<>();
        h2.newRequest(server.endpoint().baseUri() + RPC).method(HttpMethod.POST).body(slow)
                .timeout(PROMPT.toMillis(), TimeUnit.MILLISECONDS)
                .onResponseHeaders(timedOut::complete)
                .send(result -> timedOut.completeExceptionally(new AssertionError("no answer", result.getFailure())));
        assertThat(timedOut.get(PROMPT.toSeconds(), TimeUnit.SECONDS).getStatus()).isEqualTo(408);

        // The server's request header limit, HTTP/1.1's 8 KiB, is announced in its SETTINGS (see the next test), and
        // a client that honours it does not even send larger headers.
        Request bigHeader = h2.newRequest(server.endpoint().baseUri() + RPC).method(HttpMethod.POST)
                .headers(h -> h.put("X-Padding", "p".repeat(16 << 10)))
                .body(new StringRequestContent("application/json", "{\"kind\":\"call\",\"method\":\"echo\"}"))
                .timeout(PROMPT.toMillis(), TimeUnit.MILLISECONDS);
        assertThatThrownBy(bigHeader::send).isInstanceOf(ExecutionException.class);
    }

    @Test
    void aBodyWithoutLengthGetsIts413AtTheLimitNotAtItsEnd() throws Exception {
        // A body timeout far beyond the wait below: the answer must not wait for the body to end or time out.
        RpcServer server = fleet.start(RpcServer.builder(store).target(TARGET.server("unsized"))
                .endpoint(new TestApi("unsized")).maxBodyBytes(64 << 10)
                .config(HotlineConfig.of(Map.of("hotline.http.body-timeout", "60s"))).drainDelay(Duration.ZERO));
        h2.start();
        AsyncRequestContent open = new AsyncRequestContent("application/json");
        open.write(ByteBuffer.wrap("z".repeat(128 << 10).getBytes(StandardCharsets.UTF_8)), Callback.NOOP);
        CompletableFuture<Response> answered = new CompletableFuture<>();
        CompletableFuture<org.eclipse.jetty.client.Result> ended = new CompletableFuture<>();
        h2.newRequest(server.endpoint().baseUri() + RPC).method(HttpMethod.POST).body(open)
                .timeout(PROMPT.toMillis() * 3, TimeUnit.MILLISECONDS)
                .onResponseHeaders(answered::complete)
                .send(ended::complete);
        try {
            assertThat(answered.get(PROMPT.toSeconds(), TimeUnit.SECONDS).getStatus()).isEqualTo(413);
        } finally {
            open.close();
        }
        assertThat(ended.get(PROMPT.toSeconds(), TimeUnit.SECONDS).getResponse().getStatus()).isEqualTo(413);
    }

    @Test
    void bodiesOverTheLimitGetTheir413WithoutBreakingTheOtherCallsOfTheirConnection() throws Exception {
        int limit = 64 << 10;
        fleet.start(RpcServer.builder(store).target(TARGET.server("limited")).endpoint(new TestApi("limited"))
                .maxBodyBytes(limit).drainDelay(Duration.ZERO));
        // One connection, so that every refusal shares it with the calls that must go through; bodies from just over
        // the limit to 16 times it, beyond the server's flow-control windows, so that some are still being sent when
        // the 413 comes.
        RpcClient client = h2cClient(RpcClient.builder(store).maxConnectionsPerServer(1));
        assertThat(client.prepare(TARGET).call("echo", Map.of("text", "connected"), String.class))
                .isEqualTo("connected");
        List<CompletableFuture<String>> refused = new ArrayList<>();
        List<CompletableFuture<String>> fine = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            String large = "x".repeat(limit + 1 + (i % 16) * limit);
            refused.add(client.prepare(TARGET).callAsync("echo", Map.of("text", large), String.class));
            fine.add(client.prepare(TARGET).callAsync("echo", Map.of("text", "fine " + i), String.class));
        }
        for (int i = 0; i < fine.size(); i++) {
            assertThat(fine.get(i).get(PROMPT.toSeconds() * 3, TimeUnit.SECONDS)).isEqualTo("fine " + i);
        }
        for (CompletableFuture<String> call : refused) {
            assertThatThrownBy(() -> call.get(PROMPT.toSeconds() * 3, TimeUnit.SECONDS))
                    .cause().isInstanceOf(InvalidRequest.class)
                    .hasMessageContaining("the request body is larger than " + limit + " bytes");
        }
        assertThat(client.prepare(TARGET).call("echo", Map.of("text", "after"), String.class)).isEqualTo("after");
    }

    @Test
    void h2ConnectionsMeetTheIdleTimeoutAndABoundOnStreams() throws Exception {
        RpcServer server = server(new TestApi("idle"), Map.of("hotline.http.listen-timeout", "500ms"));
        HTTP2Client raw = new HTTP2Client();
        raw.start();
        try {
            CompletableFuture<Map<Integer, Integer>> settings = new CompletableFuture<>();
            Session session = raw.connect(new InetSocketAddress("127.0.0.1", server.port()), new Session.Listener() {
                @Override
                public void onSettings(Session s, SettingsFrame frame) {
                    settings.complete(frame.getSettings());
                }
            }).get(PROMPT.toSeconds(), TimeUnit.SECONDS);
            assertThat(settings.get(PROMPT.toSeconds(), TimeUnit.SECONDS))
                    .containsEntry(SettingsFrame.MAX_CONCURRENT_STREAMS, 128)
                    .containsEntry(SettingsFrame.MAX_HEADER_LIST_SIZE, new HttpConfiguration().getRequestHeaderSize());
            await().atMost(PROMPT).until(session::isClosed);
        } finally {
            raw.stop();
        }
    }

    @Test
    void aServerWithH2cOffRefusesAnH2cClientAtOnce() {
        server(new TestApi("old"), Map.of("hotline.http.h2c", "false"));
        RpcClient client = h2cClient(RpcClient.builder(store));
        long start = System.nanoTime();
        assertThatThrownBy(() -> client.prepare(TARGET).call("echo", Map.of("text", "x"), String.class))
                .hasMessageContaining("nothing was sent")
                .hasMessageContaining("a server with hotline.http.h2c=false speaks HTTP/1.1 only");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(PROMPT);
    }

    @Test
    void theKeysAreValidated() {
        assertThatThrownBy(() -> ListenerSettings.DEFAULT.config(HotlineConfig.of(Map.of("hotline.http.h2c", "maybe"))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("hotline.http.h2c").hasMessageContaining("'maybe'")
                .hasMessageContaining("true or false");
        assertThatThrownBy(() -> RpcClient.builder(store)
                .config(HotlineConfig.of(Map.of("hotline.http.transport", "h2\n[forged]"))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("hotline.http.transport").hasMessageContaining("'h2\\n[forged]'")
                .hasMessageContaining("http/1.1, h2c");
        assertThat(ListenerSettings.DEFAULT.h2c()).isTrue();
        assertThat(ListenerSettings.DEFAULT.config(HotlineConfig.of(Map.of("hotline.http.h2c", "false"))).h2c())
                .isFalse();
        assertThat(HttpTransport.parse("h2c")).isEqualTo(HttpTransport.H2C);
        assertThat(HttpTransport.parse("http/1.1")).isEqualTo(HttpTransport.HTTP_1_1);
    }
}
