package io.hotline.rpc.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.hotline.rpc.internal.wire.Reply;
import io.hotline.rpc.internal.wire.Version;
import io.hotline.rpc.server.internal.serving.ServedMetrics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Which requests the processor answers on the thread that read them and which it hands to a request thread: the I/O
 * thread may run only what never waits (checks, refusals, queueing a cast, {@link NonBlocking} methods), and every
 * call that may block must be handed over, or it would stall every connection of its I/O thread.
 */
class RpcProcessorTest {

    private static final Executor NEVER = command -> {
        throw new AssertionError("handed to a request thread, though it must be answered where it was read");
    };

    /** Counts as an endpoint with one method that may block and one that never does. */
    public static final class Counter {
        private int count;
        private volatile Thread marker;

        @NonBlocking
        public synchronized int peek() {
            return count;
        }

        public synchronized int increment() {
            return ++count;
        }

        /** A cast that never waits: counts, and notes the thread it ran on. */
        @NonBlocking
        public synchronized void mark() {
            marker = Thread.currentThread();
            count++;
        }

        @NonBlocking
        public void fail() {
            throw new IllegalStateException("a bug in the endpoint");
        }

        /** A result Jackson cannot write (no properties): the call runs, its reply cannot be made. */
        public Object opaque() {
            return new Object();
        }
    }

    /** Every method inline, declared on the class. */
    @NonBlocking
    public static final class Clock {
        public long ticks() {
            return 42;
        }
    }

    private final CastQueue casts = new CastQueue("compute", 1, 10, Duration.ofSeconds(5));
    private final Semaphore slots = new Semaphore(2);
    private final Counter counter = new Counter();
    private final RpcProcessor processor = new RpcProcessor("compute", new Dispatcher(List.of(
            new Dispatcher.Endpoint(null, Version.DEFAULT, counter),
            new Dispatcher.Endpoint("clock", Version.DEFAULT, new Clock())), AccessPolicy.DEFAULT), casts, slots,
            new ServerMetrics(ServedMetrics.of(new SimpleMeterRegistry()), "compute", casts, slots, 2));

    @AfterEach
    void drain() {
        casts.drain(Duration.ofSeconds(5), Duration.ofSeconds(5));
    }

    @Test
    void aCastIsQueuedAndAnsweredWhereItWasRead() {
        Reply reply = answerHere("{\"kind\": \"cast\", \"method\": \"increment\"}");

        assertThat(reply.status()).isEqualTo(202);
        await().atMost(Duration.ofSeconds(10)).until(() -> body(answerHere(
                "{\"kind\": \"call\", \"method\": \"peek\"}")).equals("{\"result\":1}"));
    }

    @Test
    void aCastToANonBlockingMethodRunsWhereItWasReadRightAfterItsAnswer() {
        List<Integer> countWhenAnswered = new ArrayList<>();
        List<Reply> replies = new ArrayList<>();
        processor.process("compute", bytes("{\"kind\": \"cast\", \"method\": \"mark\"}"), System.nanoTime(),
                name -> null, NEVER, reply -> {
                    countWhenAnswered.add(counter.peek());
                    replies.add(reply);
                });

        assertThat(replies).hasSize(1);
        assertThat(replies.get(0).status()).isEqualTo(202);
        assertThat(countWhenAnswered).as("answered before it ran").containsExactly(0);
        assertThat(counter.marker).as("run here, not by a cast thread").isSameAs(Thread.currentThread());
        assertThat(counter.peek()).isEqualTo(1);
    }

    @Test
    void aNonBlockingCastThatThrowsIsAnsweredAndCountedFailedWithoutThrowingIntoTheReadingThread() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        RpcProcessor failing = new RpcProcessor("compute", new Dispatcher(List.of(new Dispatcher.Endpoint(null,
                Version.DEFAULT, counter)), AccessPolicy.DEFAULT), casts, slots,
                new ServerMetrics(ServedMetrics.of(registry), "compute", casts, slots, 2));
        AtomicReference<Reply> reply = new AtomicReference<>();

        failing.process("compute", bytes("{\"kind\": \"cast\", \"method\": \"fail\"}"), System.nanoTime(),
                name -> null, NEVER, reply::set);

        assertThat(reply.get().status()).isEqualTo(202);
        assertThat(registry.get("hotline.rpc.server.casts.failed").counter().count()).isEqualTo(1);
    }

    @Test
    void aCallToANonBlockingMethodRunsWhereItWasRead() {
        assertThat(body(answerHere("{\"kind\": \"call\", \"method\": \"peek\"}"))).isEqualTo("{\"result\":0}");
        assertThat(body(answerHere("{\"kind\": \"call\", \"method\": \"ticks\", \"namespace\": \"clock\"}")))
                .as("a class declared non-blocking").isEqualTo("{\"result\":42}");
        assertThat(slots.availablePermits()).as("call slots given back").isEqualTo(2);
    }

    @Test
    void argumentsThatAreNotAnObjectAreRefusedByTheirJsonType() {
        Map<String, String> types = Map.of("[1]", "ARRAY", "\"x\"", "STRING", "5", "NUMBER", "2.5", "NUMBER",
                "true", "BOOLEAN");
        types.forEach((args, type) -> {
            Reply reply = answerHere("{\"kind\": \"call\", \"method\": \"peek\", \"args\": " + args + "}");
            assertThat(reply.status()).isEqualTo(400);
            assertThat(body(reply)).contains("args must be a JSON object of named arguments, not " + type);
        });
    }

    @Test
    void refusalsAreAnsweredWhereTheyWereRead() {
        assertThat(answerHere("{\"kind\": \"call\", \"method\": \"missing\"}").status()).isEqualTo(404);
        assertThat(answerHere("{\"kind\": \"call\", \"method\": \"peek\", \"version\": \"2.0\"}").status())
                .isEqualTo(409);
        assertThat(answerHere("{\"kind\": \"call\"").status()).isEqualTo(400);
    }

    @Test
    void aCallThatMayBlockRunsOnARequestThreadHoldingACallSlot() throws Exception {
        List<Runnable> handed = new ArrayList<>();
        AtomicReference<Reply> reply = new AtomicReference<>();
        processor.process("compute", bytes("{\"kind\": \"call\", \"method\": \"increment\"}"), System.nanoTime(),
                name -> null, handed::add, reply::set);

        assertThat(reply).as("not answered before it ran").hasValue(null);
        assertThat(handed).hasSize(1);
        assertThat(slots.availablePermits()).as("its call slot is taken before the hand-off").isEqualTo(1);

        handed.get(0).run();
        assertThat(body(reply.get())).isEqualTo("{\"result\":1}");
        assertThat(slots.availablePermits()).isEqualTo(2);
    }

    @Test
    void aReplyThatCannotBeMadeIsAnErrorForTheCallerNotSilence() {
        List<Runnable> handed = new ArrayList<>();
        AtomicReference<Reply> reply = new AtomicReference<>();
        processor.process("compute", bytes("{\"kind\": \"call\", \"method\": \"opaque\"}"), System.nanoTime(),
                name -> null, handed::add, reply::set);

        handed.get(0).run();
        assertThat(reply.get().status()).isEqualTo(500);
        assertThat(body(reply.get())).contains("the call ran, but its reply could not be made");
        assertThat(slots.availablePermits()).isEqualTo(2);
    }

    @Test
    void aCallRunByAnExecutorThatRunsItInPlaceIsAnsweredOnce() {
        List<Reply> replies = new ArrayList<>();
        processor.process("compute", bytes("{\"kind\": \"call\", \"method\": \"increment\"}"), System.nanoTime(),
                name -> null, Runnable::run, replies::add);

        assertThat(replies).hasSize(1);
        assertThat(body(replies.get(0))).isEqualTo("{\"result\":1}");
        assertThat(slots.availablePermits()).isEqualTo(2);
    }

    @Test
    void aCallNoThreadTakesIsRefusedBusyAndGivesItsSlotBack() {
        AtomicReference<Reply> reply = new AtomicReference<>();
        processor.process("compute", bytes("{\"kind\": \"call\", \"method\": \"increment\"}"), System.nanoTime(),
                name -> null, command -> {
                    throw new RejectedExecutionException("stopping");
                }, reply::set);

        assertThat(reply.get().status()).isEqualTo(503);
        assertThat(body(reply.get())).contains("no thread to run the call on");
        assertThat(slots.availablePermits()).isEqualTo(2);
    }

    @Test
    void callsBeyondTheSlotsAreRefusedWhereTheyWereRead() {
        List<Runnable> handed = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            processor.process("compute", bytes("{\"kind\": \"call\", \"method\": \"increment\"}"), System.nanoTime(),
                    name -> null, handed::add, reply -> {});
        }

        assertThat(answerHere("{\"kind\": \"call\", \"method\": \"increment\"}").status()).isEqualTo(503);
        handed.forEach(Runnable::run);
    }

    /** Processes a request whose reply must come before process returns, without a hand-off. */
    private Reply answerHere(String body) {
        AtomicReference<Reply> reply = new AtomicReference<>();
        processor.process("compute", bytes(body), System.nanoTime(), name -> null, NEVER, reply::set);
        assertThat(reply.get()).as("answered on the calling thread").isNotNull();
        return reply.get();
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static String body(Reply reply) {
        return new String(reply.body(), StandardCharsets.UTF_8);
    }
}
