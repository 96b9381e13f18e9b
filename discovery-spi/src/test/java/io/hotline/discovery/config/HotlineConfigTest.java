package io.hotline.discovery.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import io.hotline.discovery.Zone;
import java.nio.file.Files;
import java.nio.file.Path;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HotlineConfigTest {

    @Test
    void durationsAcceptUnitsIsoAndBareSeconds() {
        HotlineConfig c = HotlineConfig.of(Map.of("a", "500ms", "b", "10s", "c", "5m", "d", "2h", "e", "PT1.5S",
                "f", "30", "g", "1d"));
        assertThat(c.duration("a", null)).isEqualTo(Duration.ofMillis(500));
        assertThat(c.duration("b", null)).isEqualTo(Duration.ofSeconds(10));
        assertThat(c.duration("c", null)).isEqualTo(Duration.ofMinutes(5));
        assertThat(c.duration("d", null)).isEqualTo(Duration.ofHours(2));
        assertThat(c.duration("e", null)).isEqualTo(Duration.ofMillis(1500));
        assertThat(c.duration("f", null)).isEqualTo(Duration.ofSeconds(30));
        assertThat(c.duration("g", null)).isEqualTo(Duration.ofDays(1));
        assertThat(c.duration("missing", Duration.ofSeconds(7))).isEqualTo(Duration.ofSeconds(7));
    }

    @Test
    void badValuesNameTheKeySourceAndFix() {
        HotlineConfig c = HotlineConfig.of(Map.of("hotline.file.poll-interval", "soon", "n", "x", "f", "maybe",
                "hotline.zone", "a//b", "hotline.consul.token", "s3cr3t"));
        assertThatThrownBy(() -> c.duration("hotline.file.poll-interval", null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("hotline.file.poll-interval 'soon' (from given configuration) is not a duration; "
                        + "write e.g. 500ms, 10s, 5m, 2h or PT10S");
        assertThatThrownBy(() -> c.integer("n", 0)).hasMessageContaining("not a whole number");
        assertThatThrownBy(() -> c.flag("f", false)).hasMessageContaining("not true or false");
        assertThatThrownBy(c::zone).hasMessageContaining("hotline.zone 'a//b'").hasMessageContaining("empty segment");
        assertThat(c.invalid("hotline.consul.token", "is refused").getMessage()).doesNotContain("s3cr3t");
    }

    @Test
    void overridesWinAndDefaultsApply() {
        HotlineConfig c = HotlineConfig.of(Map.of("hotline.store", "Memory", "hotline.zone", "az-1"));
        assertThat(c.storeName()).isEqualTo("memory");
        assertThat(c.zone()).isEqualTo(Zone.of("az-1"));
        HotlineConfig d = c.with("hotline.zone", "az-2");
        assertThat(d.zone()).isEqualTo(Zone.of("az-2"));
        assertThat(d.sourceOf("hotline.zone")).isEqualTo("override");
        assertThat(c.zone()).isEqualTo(Zone.of("az-1"));
        HotlineConfig empty = HotlineConfig.of(Map.of());
        assertThat(empty.storeName()).isEqualTo("file");
        assertThat(empty.zone()).isEqualTo(Zone.LOCAL);
        assertThat(empty.sourceOf("hotline.zone")).isEqualTo("default");
    }

    @Test
    void readsPropertiesFiles(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("hotline.properties");
        Files.writeString(file, "hotline.store=memory\nhotline.zone=region-one/az-1\n");
        HotlineConfig c = HotlineConfig.fromFile(file);
        assertThat(c.storeName()).isEqualTo("memory");
        assertThat(c.sourceOf("hotline.store")).isEqualTo("file " + file);
        assertThatThrownBy(() -> HotlineConfig.fromFile(dir.resolve("missing.properties")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("cannot read Hotline configuration file")
                .hasMessageEndingWith("missing.properties: it does not exist");
    }

    @Test
    void loadReadsSystemPropertiesAndTheFileTheyName(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("h.properties");
        Files.writeString(file, "hotline.zone=from-file\nhotline.test.only-in-file=yes\n");
        System.setProperty("hotline.config", file.toString());
        System.setProperty("hotline.test.key", "from-property");
        try {
            HotlineConfig c = HotlineConfig.load();
            assertThat(c.string("hotline.test.key")).contains("from-property");
            assertThat(c.string("hotline.test.only-in-file")).contains("yes");
            assertThat(c.sourceOf("hotline.test.key")).isEqualTo("system property");
            System.setProperty("hotline.config", dir.resolve("gone.properties").toString());
            assertThatThrownBy(HotlineConfig::load).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageEndingWith("it does not exist; hotline.config (from system property) names it");
        } finally {
            System.clearProperty("hotline.config");
            System.clearProperty("hotline.test.key");
        }
    }

    @Test
    void environmentNamesAreUpperCaseWithUnderscores() {
        assertThat(HotlineConfig.envName("hotline.http.port-range")).isEqualTo("HOTLINE_HTTP_PORT_RANGE");
    }

    @Test
    void listsAndPositiveDurations() {
        HotlineConfig c = HotlineConfig.of(Map.of("k", "a, b,,c ", "t", "0s", "u", "11m", "v", "500ms"));
        assertThat(c.list("k")).containsExactly("a", "b", "c");
        assertThat(c.list("missing")).isEmpty();
        assertThatThrownBy(() -> c.positiveDuration("t", Duration.ofSeconds(1), Duration.ofMinutes(10)))
                .hasMessageContaining("more than zero and at most 10 minutes");
        assertThatThrownBy(() -> c.positiveDuration("u", Duration.ofSeconds(1), Duration.ofMinutes(10)))
                .hasMessageContaining("at most 10 minutes");
        assertThat(c.positiveDuration("v", Duration.ofSeconds(1), Duration.ofMinutes(10))).isEqualTo(Duration.ofMillis(500));
        assertThat(c.positiveDuration("w", Duration.ofSeconds(1), Duration.ofMinutes(10))).isEqualTo(Duration.ofSeconds(1));
    }

    @Test
    void addressesAreHostPortPairsWithADefaultPort() {
        HotlineConfig c = HotlineConfig.of(Map.of("a", "10.0.0.5:6380, redis.example, [::1]:7000", "b", "bad host:1",
                "c", "h:x", "d", "h:70000"));
        assertThat(c.addresses("a", 6379)).extracting(InetSocketAddress::getHostString, InetSocketAddress::getPort)
                .containsExactly(tuple("10.0.0.5", 6380), tuple("redis.example", 6379), tuple("::1", 7000));
        assertThat(c.addresses("missing", 53)).isEmpty();
        assertThatThrownBy(() -> c.addresses("b", 1)).hasMessageContaining("has the host 'bad host'")
                .hasMessageContaining("host:port pairs");
        assertThatThrownBy(() -> c.addresses("c", 1)).hasMessageContaining("ports are 1-65535");
        assertThatThrownBy(() -> c.addresses("d", 1)).hasMessageContaining("ports are 1-65535");
    }
}
