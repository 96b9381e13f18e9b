package io.hotline.rpc.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The cast queue's count bound: casts waiting for a thread, not casts an idle thread is about to take. */
class CastQueueTest {

    @Test
    void aBurstFindingIdleThreadsIsAdmittedAndOnlyTheQueueBeyondThemIsBounded() throws Exception {
        CastQueue casts = new CastQueue("compute", 2, 1, Duration.ofSeconds(30));
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger ran = new AtomicInteger();
        Runnable held = () -> {
            try {
                release.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            ran.incrementAndGet();
        };
        try {
            // Admitted back to back, before either thread has taken its cast: two threads idle, one place to wait.
            assertThat(casts.admit("hold", "m1", held)).isNull();
            assertThat(casts.admit("hold", "m2", held)).isNull();
            assertThat(casts.admit("hold", "m3", held)).isNull();
            assertThat(casts.admit("hold", "m4", held)).isEqualTo("the cast queue is full (1 casts waiting for 2"
                    + " threads)");
        } finally {
            release.countDown();
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> ran.get() == 3);
        casts.drain(Duration.ofSeconds(5), Duration.ofSeconds(5));
    }
}
