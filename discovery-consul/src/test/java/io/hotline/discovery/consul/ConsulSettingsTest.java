package io.hotline.discovery.consul;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.hotline.discovery.config.HotlineConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConsulSettingsTest {

    @TempDir
    Path dir;

    @Test
    void theProposalsConsulSectionWorksAsItIs() throws Exception {
        Path ini = Files.writeString(dir.resolve("nova.conf"), """
                [oslo_messaging_http]
                store = consul
                zone = region-one/dc1

                [consul]
                host = consul.example.org
                port = 8501
                token = s3cr3t-token
                check_timeout = 60s
                check_deregister = 30m
                scheme = https
                http_check = yes
                watch_wait = 45
                """);
        ConsulSettings s = ConsulSettings.from(HotlineConfig.fromFile(ini));
        assertThat(s.host()).isEqualTo("consul.example.org");
        assertThat(s.port()).isEqualTo(8501);
        assertThat(s.token()).contains("s3cr3t-token");
        assertThat(s.checkTimeout()).contains(Duration.ofSeconds(60));
        assertThat(s.checkDeregister()).contains(Duration.ofMinutes(30));
        assertThat(s.https()).isTrue();
        assertThat(s.httpCheck()).isTrue();
        assertThat(s.watchWait()).isEqualTo(Duration.ofSeconds(45));
        assertThat(s.toString()).doesNotContain("s3cr3t");
    }

    @Test
    void defaultsAreTheLocalAgent() {
        ConsulSettings s = ConsulSettings.from(HotlineConfig.of(Map.of()));
        assertThat(s.address()).isEqualTo("http://127.0.0.1:8500");
        assertThat(s.token()).isEmpty();
        assertThat(s.checkTimeout()).isEmpty();
        assertThat(ConsulSettings.from(HotlineConfig.of(Map.of(ConsulStoreProvider.SCHEME, "HTTPS"))).address())
                .isEqualTo("https://127.0.0.1:8501");
    }

    @Test
    void badValuesNameTheKeyAndNeverTheToken() {
        assertThatThrownBy(() -> settings(ConsulStoreProvider.PORT, "80000"))
                .hasMessageContaining(ConsulStoreProvider.PORT).hasMessageContaining("1-65535");
        assertThatThrownBy(() -> settings(ConsulStoreProvider.SCHEME, "ftp")).hasMessageContaining("http or https");
        assertThatThrownBy(() -> settings(ConsulStoreProvider.TOKEN, "has a space secret"))
                .hasMessageContaining(ConsulStoreProvider.TOKEN).hasMessageNotContaining("secret'")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("has a space"));
        assertThatThrownBy(() -> settings(ConsulStoreProvider.CHECK_TIMEOUT, "soon"))
                .hasMessageContaining(ConsulStoreProvider.CHECK_TIMEOUT);
        assertThatThrownBy(() -> settings(ConsulStoreProvider.WATCH_WAIT, "11m")).hasMessageContaining("10m");
        assertThatThrownBy(() -> settings(ConsulStoreProvider.CA_FILE, dir.resolve("missing.pem").toString()))
                .hasMessageContaining("no readable file");
        assertThatThrownBy(() -> ConsulSettings.from(HotlineConfig.of(Map.of(
                ConsulStoreProvider.CHECK_TIMEOUT, "60s", ConsulStoreProvider.CHECK_DEREGISTER, "30s"))))
                .hasMessageContaining("shorter than");
    }

    private static ConsulSettings settings(String key, String value) {
        return ConsulSettings.from(HotlineConfig.of(Map.of(key, value)));
    }
}
