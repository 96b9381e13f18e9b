package io.hotline.discovery.spi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.SplittableRandom;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.Test;

class BackoffTest {

    private static final Duration MS_100 = Duration.ofMillis(100);

    /** A generator that always draws {@code value} from nextDouble. */
    private static RandomGenerator drawing(double value) {
        return new RandomGenerator() {
            @Override
            public long nextLong() {
                throw new AssertionError("Backoff draws its jitter with nextDouble only");
            }

            @Override
            public double nextDouble() {
                return value;
            }
        };
    }

    @Test
    void doublesFromInitialUpToMax() {
        Backoff b = Backoff.exponential(MS_100, Duration.ofMillis(400));
        assertThat(b.delay(1)).isEqualTo(MS_100);
        assertThat(b.delay(2)).isEqualTo(Duration.ofMillis(200));
        assertThat(b.delay(3)).isEqualTo(Duration.ofMillis(400));
        assertThat(b.delay(4)).isEqualTo(Duration.ofMillis(400));
    }

    @Test
    void growsByTheMultiplier() {
        Backoff b = Backoff.exponential(MS_100, Duration.ofSeconds(1)).withMultiplier(1.5);
        assertThat(b.ceiling(1)).isEqualTo(MS_100);
        assertThat(b.ceiling(2)).isEqualTo(Duration.ofMillis(150));
        assertThat(b.ceiling(3)).isEqualTo(Duration.ofMillis(225));
    }

    @Test
    void aMultiplierOfOneIsAConstantDelay() {
        Backoff b = Backoff.exponential(MS_100, Duration.ofSeconds(1)).withMultiplier(1);
        assertThat(b.delay(1)).isEqualTo(MS_100);
        assertThat(b.delay(50)).isEqualTo(MS_100);
    }

    @Test
    void longRunsOfFailuresStayAtMaxWithoutOverflowing() {
        Backoff b = Backoff.exponential(Duration.ofNanos(1), Duration.ofSeconds(10));
        assertThat(b.delay(64)).isEqualTo(Duration.ofSeconds(10));
        assertThat(b.delay(2_000)).isEqualTo(Duration.ofSeconds(10));
        assertThat(b.delay(Integer.MAX_VALUE)).isEqualTo(Duration.ofSeconds(10));
    }

    @Test
    void jitterTakesOffUpToItsShareOfTheDelay() {
        Backoff b = Backoff.exponential(MS_100, Duration.ofSeconds(10)).withJitter(0.5);
        assertThat(b.delay(2, drawing(0))).isEqualTo(Duration.ofMillis(200));
        assertThat(b.delay(2, drawing(0.5))).isEqualTo(Duration.ofMillis(150));
        assertThat(b.delay(2, drawing(Math.nextDown(1.0)))).isBetween(Duration.ofMillis(100), Duration.ofMillis(101));
        assertThat(b.ceiling(2)).isEqualTo(Duration.ofMillis(200));
    }

    @Test
    void jitteredDelaysSpreadOverTheirWholeRange() {
        Backoff b = Backoff.exponential(MS_100, Duration.ofSeconds(10)).withJitter(0.5);
        RandomGenerator random = new SplittableRandom(14);
        long below = 0;
        for (int i = 0; i < 1_000; i++) {
            Duration d = b.delay(7, random);
            assertThat(d).isBetween(Duration.ofMillis(3_200), Duration.ofMillis(6_400));
            below += d.compareTo(Duration.ofMillis(4_800)) < 0 ? 1 : 0;
        }
        // Uniform over the range: about half below the middle.
        assertThat(below).isBetween(400L, 600L);
    }

    @Test
    void theDefaultRandomStaysWithinTheRange() {
        Backoff b = Backoff.exponential(Duration.ofMillis(20), Duration.ofSeconds(2)).withJitter(1);
        for (int i = 0; i < 1_000; i++) {
            assertThat(b.delay(3)).isBetween(Duration.ZERO, Duration.ofMillis(80));
        }
    }

    @Test
    void isAValue() {
        Backoff b = Backoff.exponential(MS_100, Duration.ofSeconds(1));
        assertThat(b.withJitter(0.5)).isEqualTo(new Backoff(MS_100, Duration.ofSeconds(1), 2, 0.5));
        assertThat(b.jitter()).isZero();
        assertThat(b.multiplier()).isEqualTo(2);
    }

    @Test
    void refusesParametersOutOfRange() {
        assertThatThrownBy(() -> Backoff.exponential(Duration.ZERO, Duration.ofSeconds(1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("0 < initial <= max");
        assertThatThrownBy(() -> Backoff.exponential(Duration.ofSeconds(2), Duration.ofSeconds(1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("0 < initial <= max");
        assertThatThrownBy(() -> Backoff.exponential(MS_100, Duration.ofDays(365L * 300)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("292 years");
        Backoff b = Backoff.exponential(MS_100, Duration.ofSeconds(1));
        assertThatThrownBy(() -> b.withMultiplier(0.5)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("multiplier");
        assertThatThrownBy(() -> b.withMultiplier(Double.NaN)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> b.withMultiplier(Double.POSITIVE_INFINITY)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> b.withJitter(-0.1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("jitter");
        assertThatThrownBy(() -> b.withJitter(1.1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> b.withJitter(Double.NaN)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> b.delay(0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("count from 1");
    }
}
