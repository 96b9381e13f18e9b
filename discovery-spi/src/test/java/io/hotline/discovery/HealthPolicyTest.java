package io.hotline.discovery;

import static java.time.Duration.ofMillis;
import static java.time.Duration.ofMinutes;
import static java.time.Duration.ofSeconds;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class HealthPolicyTest {

    @Test
    void defaultsAreNovas() {
        assertThat(HealthPolicy.DEFAULT.reportInterval()).isEqualTo(ofSeconds(10));
        assertThat(HealthPolicy.DEFAULT.downAfter()).isEqualTo(ofSeconds(60));
        assertThat(HealthPolicy.DEFAULT.deregisterAfter()).isEqualTo(ofMinutes(30));
    }

    @Test
    void rejectsInconsistentDurations() {
        assertThatThrownBy(() -> HealthPolicy.of(ofMillis(1), ofSeconds(1), ofSeconds(2)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("report interval");
        assertThatThrownBy(() -> HealthPolicy.of(ofSeconds(10), ofSeconds(10), ofMinutes(1)))
                .hasMessageContaining("down-after").hasMessageContaining("longer than the report interval");
        assertThatThrownBy(() -> HealthPolicy.of(ofSeconds(1), ofSeconds(3), ofSeconds(2)))
                .hasMessageContaining("deregister-after");
        assertThatThrownBy(() -> HealthPolicy.of(ofSeconds(-1), ofSeconds(3), ofSeconds(4)))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
