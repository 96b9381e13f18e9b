package io.hotline.discovery;

import static java.time.Duration.ofMillis;
import static java.time.Duration.ofMinutes;
import static java.time.Duration.ofSeconds;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.hotline.discovery.config.HotlineConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

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

    @Test
    void configSetsEachDurationByItsKeyAndKeepsTheRest() {
        HealthPolicy p = HealthPolicy.DEFAULT.config(HotlineConfig.of(Map.of(HealthPolicy.REPORT_INTERVAL, "2s",
                HealthPolicy.DOWN_AFTER, "15s")));
        assertThat(p).isEqualTo(HealthPolicy.of(ofSeconds(2), ofSeconds(15), ofMinutes(30)));
        assertThat(HealthPolicy.DEFAULT.config(HotlineConfig.of(Map.of(HealthPolicy.DEREGISTER_AFTER, "1h"))))
                .isEqualTo(HealthPolicy.of(ofSeconds(10), ofSeconds(60), ofMinutes(60)));
        assertThat(HealthPolicy.DEFAULT.config(HotlineConfig.of(Map.of()))).isEqualTo(HealthPolicy.DEFAULT);
    }

    @Test
    void novasOwnOptionsInAnOsloFileSetTheHeartbeat(@TempDir Path dir) throws Exception {
        Path nova = dir.resolve("nova.conf");
        Files.writeString(nova, "[DEFAULT]\nreport_interval = 5\nservice_down_time = 30\n");
        assertThat(HealthPolicy.DEFAULT.config(HotlineConfig.fromFile(nova)))
                .isEqualTo(HealthPolicy.of(ofSeconds(5), ofSeconds(30), ofMinutes(30)));

        Files.writeString(nova, "[DEFAULT]\nreport_interval = 60\n");
        assertThatThrownBy(() -> HealthPolicy.DEFAULT.config(HotlineConfig.fromFile(nova)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("hotline.health.report-interval '60' (from file " + nova
                        + " [DEFAULT] report_interval) leaves down-after PT1M not longer than the report interval");
    }

    @Test
    void badValuesNameTheKeyWhereTheyCameFromAndTheFix() {
        assertThatThrownBy(() -> HealthPolicy.DEFAULT.config(HotlineConfig.of(Map.of(HealthPolicy.DOWN_AFTER,
                "soon")))).hasMessageContaining("hotline.health.down-after 'soon' (from given configuration) is not a"
                        + " duration; write e.g. 500ms");
        assertThatThrownBy(() -> HealthPolicy.DEFAULT.config(HotlineConfig.of(Map.of(HealthPolicy.REPORT_INTERVAL,
                "1ms")))).hasMessageContaining("hotline.health.report-interval '1ms'").hasMessageContaining(
                        "is shorter than 10ms");
        assertThatThrownBy(() -> HealthPolicy.DEFAULT.config(HotlineConfig.of(Map.of(HealthPolicy.DOWN_AFTER,
                "5s")))).hasMessageContaining("hotline.health.down-after '5s'")
                .hasMessageContaining("not longer than the report interval PT10S")
                .hasMessageContaining("keep down-after several report intervals");
        assertThatThrownBy(() -> HealthPolicy.DEFAULT.config(HotlineConfig.of(Map.of(HealthPolicy.DEREGISTER_AFTER,
                "30s")))).hasMessageContaining("hotline.health.deregister-after '30s'")
                .hasMessageContaining("shorter than down-after PT1M");
        // Raising down-after past the default deregister-after blames down-after, the key that was set.
        assertThatThrownBy(() -> HealthPolicy.DEFAULT.config(HotlineConfig.of(Map.of(HealthPolicy.DOWN_AFTER,
                "1h")))).hasMessageContaining("hotline.health.down-after '1h'");
    }
}
