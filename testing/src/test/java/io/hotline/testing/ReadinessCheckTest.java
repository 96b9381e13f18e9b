package io.hotline.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class ReadinessCheckTest {

    private HttpServer server;
    private int port;

    @BeforeEach
    void startServer() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/ok", ex -> answer(ex, 200, "leader"));
        server.createContext("/empty", ex -> answer(ex, 200, "\"\""));
        server.createContext("/down", ex -> answer(ex, 503, "no cluster leader"));
        server.start();
        port = server.getAddress().getPort();
    }

    @AfterEach
    void stopServer() {
        server.stop(0);
    }

    @Test
    void httpIsReadyOn2xxWithAnAcceptedBody() throws Exception {
        assertThat(ReadinessCheck.http(uri("/ok")).isReady()).isTrue();
        assertThat(ReadinessCheck.http(uri("/ok"), "leader"::equals).isReady()).isTrue();
    }

    @Test
    void httpExplainsAnErrorStatus() {
        assertThatThrownBy(() -> ReadinessCheck.http(uri("/down")).isReady())
                .hasMessageContaining("GET " + uri("/down") + " answered 503: no cluster leader");
    }

    @Test
    void httpExplainsARejectedBody() {
        assertThatThrownBy(() -> ReadinessCheck.http(uri("/empty"), body -> body.length() > 2).isReady())
                .hasMessageContaining("answered 200 with a body not showing readiness: \"\"");
    }

    @Test
    void httpExplainsARefusedConnection() {
        URI nobody = URI.create("http://127.0.0.1:" + FreePorts.tcp() + "/ready");

        assertThatThrownBy(() -> ReadinessCheck.http(nobody).isReady())
                .hasMessageContaining("GET " + nobody + " failed");
    }

    @Test
    void tcpIsReadyWhenSomethingListens() throws Exception {
        try (ServerSocket listening = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            assertThat(ReadinessCheck.tcp(listening.getLocalPort()).isReady()).isTrue();
        }
        int nobody = FreePorts.tcp();
        assertThatThrownBy(() -> ReadinessCheck.tcp(nobody).isReady())
                .hasMessageContaining("cannot connect to 127.0.0.1:" + nobody);
    }

    @Test
    void andNeedsBoth() throws Exception {
        ReadinessCheck ok = ReadinessCheck.http(uri("/ok"));

        assertThat(ok.and(() -> true).isReady()).isTrue();
        assertThat(ok.and(() -> false).isReady()).isFalse();
        assertThatThrownBy(() -> ok.and(ReadinessCheck.http(uri("/down"))).isReady()).hasMessageContaining("503");
    }

    private URI uri(String path) {
        return URI.create("http://127.0.0.1:" + port + path);
    }

    private static void answer(HttpExchange ex, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        ex.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(bytes);
        }
    }
}
