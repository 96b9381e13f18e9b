package io.hotline.discovery.keystone;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class ServerClockTest {

    /** The server is exactly 1000.3 s ahead of the local monotonic clock; its Date headers say the whole second. */
    private static final long OFFSET = 1_000_300_000_000L;

    private static Instant date(long localNanos) {
        return Instant.ofEpochSecond(Math.floorDiv(localNanos + OFFSET, 1_000_000_000L));
    }

    @Test
    void answersAcrossSecondsNarrowTheOffset() {
        AtomicLong local = new AtomicLong(5_000_000_000L);
        ServerClock clock = new ServerClock(local::get);
        assertThat(clock.earliest()).isEmpty();
        assertThat(clock.latest()).isEmpty();
        for (int i = 0; i < 40; i++) {
            long sent = local.get();
            long read = sent + 2_000_000;
            clock.observe(date(read - 1_000_000), sent, read);
            local.addAndGet(137_000_000);
        }
        Instant truth = Instant.ofEpochSecond(0, local.get() + OFFSET);
        assertThat(clock.earliest().orElseThrow()).isBeforeOrEqualTo(truth);
        assertThat(clock.latest().orElseThrow()).isAfterOrEqualTo(truth);
        assertThat(Duration.between(clock.earliest().orElseThrow(), clock.latest().orElseThrow())).isLessThan(Duration.ofMillis(20));
    }

    @Test
    void oneAnswerBoundsTheTimeWithinASecondAndTheRoundTrip() {
        AtomicLong local = new AtomicLong(0);
        ServerClock clock = new ServerClock(local::get);
        clock.observe(date(2_000_000), 0, 5_000_000);
        Instant truth = Instant.ofEpochSecond(0, local.get() + OFFSET);
        assertThat(clock.earliest().orElseThrow()).isBeforeOrEqualTo(truth);
        assertThat(clock.latest().orElseThrow()).isAfterOrEqualTo(truth);
        assertThat(Duration.between(clock.earliest().orElseThrow(), clock.latest().orElseThrow())).isLessThan(Duration.ofMillis(1_006));
    }

    @Test
    void aClockSetOnTheServerStartsOver() {
        AtomicLong local = new AtomicLong(0);
        ServerClock clock = new ServerClock(local::get);
        clock.observe(Instant.ofEpochSecond(1000), 0, 1_000_000);
        clock.observe(Instant.ofEpochSecond(5000), 2_000_000, 3_000_000);
        assertThat(clock.earliest().orElseThrow().getEpochSecond()).isEqualTo(4999);
        assertThat(clock.latest().orElseThrow().getEpochSecond()).isEqualTo(5000);
    }
}
