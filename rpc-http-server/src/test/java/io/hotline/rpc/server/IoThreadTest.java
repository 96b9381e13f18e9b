package io.hotline.rpc.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.hotline.discovery.StoreProviders;
import io.hotline.discovery.config.HotlineConfig;
import io.hotline.discovery.spi.EndpointStore;
import io.hotline.rpc.Target;
import io.hotline.rpc.internal.wire.Wire;
import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * Where a real server runs a call. A connection carrying {@link NonBlocking} calls is read and answered by the I/O
 * thread alone, with no other thread woken (Jetty's produce-consume mode); a method that may block never runs where
 * the thread must not block, whatever the connection carried before. Each method reports, from its own stack, how
 * Jetty's execution strategy ran the read it is on: {@code pcRunTask} and {@code picRunTask} on an I/O thread that must
 * not block, {@code epcRunTask} after waking another thread to read on; else whether a request thread read the
 * request itself or had it handed over.
 */
class IoThreadTest {

    private static final Target TARGET = Target.topic("scheduler").exchange("nova");

    /** A request thread that read the request itself: Jetty resuming a connection after a reply sent from the pool. */
    private static final String READ_HERE = "read by a request thread";
    private static final String HANDED_OVER = "handed to a request thread";

    public static final class Where {
        @NonBlocking
        public String inline() {
            return mode();
        }

        public String mayBlock() {
            return mode();
        }

        @NonBlocking
        public String inlineWith(String padding) {
            return mode();
        }

        private volatile String castMode = "no cast ran";

        /** A cast that never waits: notes how it ran. */
        @NonBlocking
        public void note() {
            castMode = mode();
        }

        @NonBlocking
        public String lastCast() {
            return castMode;
        }

        private static String mode() {
            StackTraceElement[] stack = Thread.currentThread().getStackTrace();
            return Arrays.stream(stack)
                    .filter(f -> f.getClassName().endsWith(".AdaptiveExecutionStrategy")
                            && f.getMethodName().endsWith("RunTask"))
                    .map(StackTraceElement::getMethodName).findFirst()
                    .orElse(Arrays.stream(stack).anyMatch(f -> f.getClassName().startsWith(
                            "org.eclipse.jetty.server.internal.HttpConnection")) ? READ_HERE : HANDED_OVER);
        }
    }

    @Test
    void aConnectionOfNonBlockingCallsIsReadAndAnsweredByTheIoThreadAlone() throws Exception {
        try (Served served = new Served()) {
            for (int i = 0; i < 20; i++) {
                assertThat(served.call("inline")).as("call %d", i).isEqualTo("pcRunTask");
            }
        }
    }

    @Test
    void aCastToANonBlockingMethodRunsOnTheIoThreadThatReadIt() throws Exception {
        try (Served served = new Served()) {
            for (int i = 0; i < 20; i++) {
                served.cast("note");
                assertThat(served.call("lastCast")).as("cast %d", i).isEqualTo("pcRunTask");
            }
        }
    }

    @Test
    void aMethodThatMayBlockNeverRunsWhereTheThreadMustNotBlock() throws Exception {
        try (Served served = new Served()) {
            for (String method : List.of("inline", "mayBlock", "mayBlock", "inline", "inline", "mayBlock", "inline",
                    "mayBlock", "mayBlock", "mayBlock")) {
                String mode = served.call(method);
                if (method.equals("mayBlock")) {
                    assertThat(mode).isNotIn("pcRunTask", "picRunTask");
                }
            }
        }
    }

    /**
     * A server of {@link Where} and calls to it, one at a time, on one kept-alive connection, each request written
     * whole in one write unless said otherwise: a body arriving after its headers is read later by Jetty's demand
     * callback, and the reply then completes after the handler returned, so Jetty reads the connection's next request
     * on a pool thread, which would make the produce-consume checks of the other tests fail for no fault of the server.
     */
    private static final class Served implements AutoCloseable {
        private final EndpointStore store = StoreProviders.load().open(HotlineConfig.of(Map.of("hotline.store",
                "memory", "hotline.memory.space", "io-" + UUID.randomUUID())));
        private final RpcServer server = RpcServer.builder(store).target(TARGET).endpoint(new Where())
                .drainDelay(Duration.ZERO).start();
        private final Socket socket = new Socket("127.0.0.1", server.port());
        private final DataInputStream in;

        Served() throws IOException {
            socket.setSoTimeout(10_000);
            socket.setTcpNoDelay(true);
            in = new DataInputStream(new BufferedInputStream(socket.getInputStream()));
        }

        String call(String method) throws IOException {
            return call(method, null);
        }

        /** Casts {@code method}, the request in one write, and reads its 202. */
        void cast(String method) throws IOException {
            byte[] body = ("{\"kind\": \"cast\", \"method\": \"" + method + "\"}").getBytes(StandardCharsets.UTF_8);
            byte[] head = head(body.length);
            byte[] request = Arrays.copyOf(head, head.length + body.length);
            System.arraycopy(body, 0, request, head.length, body.length);
            socket.getOutputStream().write(request);
            socket.getOutputStream().flush();
            assertThat(Wire.MAPPER.readTree(answer("202")).has("msg_id")).isTrue();
        }

        /** Calls {@code method} with {@code padding} as its one argument, if not null, the request in one write. */
        String call(String method, String padding) throws IOException {
            byte[] body = body(method, padding);
            byte[] head = head(body.length);
            byte[] request = Arrays.copyOf(head, head.length + body.length);
            System.arraycopy(body, 0, request, head.length, body.length);
            socket.getOutputStream().write(request);
            socket.getOutputStream().flush();
            return reply();
        }

        /**
         * Calls {@code method} with the headers and the body in two writes (two segments, with Nagle off), so that the
         * server usually reads the headers alone and waits for the body; the assertions hold whichever way it reads.
         */
        String callInTwoWrites(String method) throws IOException {
            byte[] body = body(method, null);
            socket.getOutputStream().write(head(body.length));
            socket.getOutputStream().flush();
            socket.getOutputStream().write(body);
            socket.getOutputStream().flush();
            return reply();
        }

        private static byte[] body(String method, String padding) {
            return ("{\"kind\": \"call\", \"method\": \"" + method + "\""
                    + (padding == null ? "" : ", \"args\": {\"padding\": \"" + padding + "\"}") + "}")
                    .getBytes(StandardCharsets.UTF_8);
        }

        private static byte[] head(int length) {
            return ("POST /v1/rpc/" + TARGET.service() + " HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                    + "Content-Type: application/json\r\nContent-Length: " + length + "\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII);
        }

        private String reply() throws IOException {
            return Wire.MAPPER.readTree(answer("200")).get("result").asText();
        }

        private byte[] answer(String expectedStatus) throws IOException {
            String status = line();
            assertThat(status).startsWith("HTTP/1.1 " + expectedStatus);
            int length = -1;
            for (String header = line(); !header.isEmpty(); header = line()) {
                if (header.toLowerCase(Locale.ROOT).startsWith("content-length:")) {
                    length = Integer.parseInt(header.substring("content-length:".length()).strip());
                }
            }
            assertThat(length).as("Content-Length").isPositive();
            byte[] reply = new byte[length];
            in.readFully(reply);
            return reply;
        }

        private String line() throws IOException {
            StringBuilder line = new StringBuilder();
            for (int c = in.read(); c != '\n'; c = in.read()) {
                assertThat(c).as("the connection closed mid-reply").isNotNegative();
                if (c != '\r') {
                    line.append((char) c);
                }
            }
            return line.toString();
        }

        @Override
        public void close() throws Exception {
            try (store; socket) {
                server.close();
            }
        }
    }
}
