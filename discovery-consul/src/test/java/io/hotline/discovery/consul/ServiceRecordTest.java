package io.hotline.discovery.consul;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.hotline.discovery.Endpoint;
import io.hotline.discovery.Zone;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class ServiceRecordTest {

    private static Endpoint.Builder endpoint() {
        return Endpoint.builder("nova.conductor").id("host-1:8080").server("host-1").host("127.0.0.1").port(8080)
                .zone(Zone.of("region-one/dc1/rack-7"));
    }

    @Test
    void metadataKeysWithDotsAndDashesBecomeValidConsulKeysAndComeBack() {
        for (String key : new String[] {"free_disk_gb", "hw.cpu-model", "a-.b", "a.-b", "x--y", "x-_y", "a..b"}) {
            String meta = ServiceRecord.encodeKey(key);
            assertThat(meta).as(key).matches("[A-Za-z0-9_-]+");
            assertThat(ServiceRecord.decodeKey(meta)).isEqualTo(key);
            assertThat(meta).as("never one of Hotline's own keys").doesNotStartWith("hotline-");
        }
        assertThat(ServiceRecord.encodeKey("free_disk_gb")).isEqualTo("free_disk_gb");
        assertThat(ServiceRecord.encodeKey("hw.cpu-model")).isEqualTo("hw--cpu-_model");
    }

    @Test
    void metaKeysHotlineDidNotWriteAreRefused() {
        assertThatThrownBy(() -> ServiceRecord.decodeKey("consul-x")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("consul-x");
        assertThatThrownBy(() -> ServiceRecord.decodeKey("trailing-")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void metaCarriesTheFieldsConsulHasNoPlaceForAndListsEmptyValues() {
        Endpoint e = endpoint().scheme("https").metadata("hw.cpu", "x86").metadata("empty", "").build();
        assertThat(ServiceRecord.meta(e))
                .containsEntry(ServiceRecord.ID, "host-1:8080")
                .containsEntry(ServiceRecord.SERVER, "host-1")
                .containsEntry(ServiceRecord.ZONE, "region-one/dc1/rack-7")
                .containsEntry(ServiceRecord.SCHEME, "https")
                .containsEntry("hw--cpu", "x86")
                .containsEntry(ServiceRecord.EMPTY, "empty")
                .doesNotContainKey("empty");
    }

    @Test
    void metadataBeyondConsulsLimitsIsRefusedClearly() {
        Endpoint.Builder many = endpoint();
        for (int i = 0; i < 60; i++) {
            many.metadata("k" + i, "v");
        }
        assertThatThrownBy(() -> ServiceRecord.meta(many.build())).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("60 metadata entries").hasMessageContaining("at most 59");
        Endpoint longValue = endpoint().metadata("notes", "x".repeat(513)).build();
        assertThatThrownBy(() -> ServiceRecord.meta(longValue)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("513 characters").hasMessageContaining("512");
        Endpoint longKey = endpoint().metadata("a.".repeat(60) + "b", "v").build();
        assertThatThrownBy(() -> ServiceRecord.meta(longKey)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("at most 128");
    }

    @Test
    void theTtlCheckStartsPassingAndIsRemovedNoSoonerThanConsulAllows() {
        var r = ServiceRecord.registration(endpoint().build(), Duration.ofSeconds(3), Duration.ofSeconds(20), null);
        assertThat(r.getId()).isEqualTo("nova.conductor:host-1:8080");
        assertThat(r.getChecks()).singleElement().satisfies(c -> {
            assertThat(c.getTtl()).contains("3000ms");
            assertThat(c.getStatus()).contains("passing");
            assertThat(c.getDeregisterCriticalServiceAfter()).contains("60000ms");
            assertThat(c.getId()).contains("service:nova.conductor:host-1:8080");
        });
        var withHttp = ServiceRecord.registration(endpoint().build(), Duration.ofSeconds(60), Duration.ofMinutes(29),
                Duration.ofSeconds(10));
        assertThat(withHttp.getChecks()).hasSize(2);
        assertThat(withHttp.getChecks().get(1).getHttp()).contains("http://127.0.0.1:8080/healthz");
        assertThat(withHttp.getChecks().get(1).getDeregisterCriticalServiceAfter()).contains("1740000ms");
    }
}
