package io.hotline.rpc.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.hotline.discovery.StoreProviders;
import io.hotline.discovery.config.HotlineConfig;
import io.hotline.discovery.spi.EndpointStore;
import io.hotline.rpc.RpcClient;
import io.hotline.rpc.Target;
import io.hotline.testing.SlowBodies;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A request whose timeout ran out while it waited on the server must not start there: its client has given up and
 * was told it failed. The wait here is a body that arrives late (the server's first sight of the request is its first
 * byte); a request waiting for a pool thread is measured from the same moment.
 */
class ExpiredRequestTest {

    private static final Target TARGET = Target.topic("conductor").exchange("nova");
    private static final String RPC = "/v1/rpc/" + TARGET.service();
    private static final Duration READ = Duration.ofSeconds(10);
    /** The request's timeout: short, so that its body arriving later expires it. */
    private static final double TIMEOUT_SECONDS = 0.3;

    private EndpointStore store;
    private TestApi api;
    private RpcServer server;

    @BeforeEach
    void start() {
        store = StoreProviders.load().open(HotlineConfig.of(Map.of("hotline.store", "memory", "hotline.memory.space",
                "expired-" + UUID.randomUUID())));
        api = new TestApi("expired");
        // One cast thread, so casts run in the order they were queued.
        server = RpcServer.builder(store).target(TARGET).endpoint(api).castExecution(1, 100)
                .drainDelay(Duration.ZERO).start();
    }

    @AfterEach
    void stop() {
        server.close();
        store.close();
    }

    @Test
    void aCallWhoseTimeoutPassedBeforeItCouldStartIsNotRun() throws Exception {
        SlowBodies.Reply reply = sendLate("call", "late", TIMEOUT_SECONDS);

        assertThat(reply.status()).as(reply.body()).isEqualTo(504);
        assertThat(reply.body()).contains("\"type\":\"Expired\"").contains("it was not run");
        assertThat(api.events).as("executions of the expired call").isEmpty();
    }

    @Test
    void aCastWhoseTimeoutPassedBeforeAdmissionIsRefusedNotQueued() throws Exception {
        SlowBodies.Reply reply = sendLate("cast", "late", TIMEOUT_SECONDS);

        assertThat(reply.status()).as(reply.body()).isEqualTo(504);
        assertThat(reply.body()).contains("\"type\":\"Expired\"");
        // With one cast thread, a cast queued after it runs after it: once that one has run, the refused one never
        // will.
        try (RpcClient client = RpcClient.builder(store).build()) {
            client.prepare(TARGET).cast("record", Map.of("event", "after"));
        }
        await("the cast after it").atMost(READ).until(() -> api.events.contains("after"));
        assertThat(api.events).containsExactly("after");
    }

    @Test
    void requestsWithoutATimeoutOrWithinItStillRunHoweverLateTheirBodies() throws Exception {
        assertThat(sendLate("call", "call in time", 30).status()).isEqualTo(200);
        assertThat(sendLate("cast", "cast without timeout", null).status()).isEqualTo(202);
        await("the cast").atMost(READ).until(() -> api.events.contains("cast without timeout"));
        assertThat(api.events).containsExactly("call in time", "cast without timeout");
    }

    /**
     * Sends a {@code record(event)} request whose body stops after a few bytes, waits until more than
     * {@link #TIMEOUT_SECONDS} have passed since the server saw its first byte, then sends the rest and reads the reply.
     */
    private SlowBodies.Reply sendLate(String kind, String event, Number timeout) throws Exception {
        String body = "{\"kind\": \"" + kind + "\", \"method\": \"record\", \"args\": {\"event\": \"" + event + "\"}"
                + (timeout == null ? "" : ", \"timeout\": " + timeout) + "}";
        try (SlowBodies slow = SlowBodies.open(server.port(), RPC, body.getBytes(StandardCharsets.UTF_8), 10, 1, READ)) {
            long sent = System.nanoTime();
            long late = (long) (TIMEOUT_SECONDS * 1e9) + Duration.ofMillis(200).toNanos();
            await("past the short timeout").atMost(READ).pollInterval(Duration.ofMillis(20))
                    .until(() -> System.nanoTime() - sent > late);
            List<SlowBodies.Reply> replies = slow.complete();
            return replies.get(0);
        }
    }
}
