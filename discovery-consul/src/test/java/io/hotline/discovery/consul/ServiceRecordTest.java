package io.hotline.discovery.consul;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.hotline.discovery.Endpoint;
import io.hotline.discovery.Zone;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.kiwiproject.consul.model.health.ImmutableNode;
import org.kiwiproject.consul.model.health.ImmutableService;
import org.kiwiproject.consul.model.health.ImmutableServiceHealth;
import org.kiwiproject.consul.model.health.ServiceHealth;

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
    void metaCarriesTheFieldsConsulHasNoPlaceForAndTagsWhatMetaCannotHold() {
        Endpoint e = endpoint().scheme("https").metadata("hw.cpu", "x86").metadata("empty", "").build();
        Map<String, String> meta = ServiceRecord.meta(e);
        assertThat(meta)
                .containsEntry(ServiceRecord.ID, "host-1:8080")
                .containsEntry(ServiceRecord.SERVER, "host-1")
                .containsEntry(ServiceRecord.ZONE, "region-one/dc1/rack-7")
                .containsEntry(ServiceRecord.SCHEME, "https")
                .containsEntry("hw--cpu", "x86")
                .doesNotContainKey("empty");
        assertThat(ServiceRecord.tags(e, meta)).containsExactly("hotline-md:empty=");
    }

    @Test
    void metadataBeyondConsulsMetaLimitsGoesIntoTags() {
        Endpoint.Builder b = endpoint();
        for (int i = 0; i < 70; i++) {
            b.metadata("k" + (100 + i), "v");
        }
        b.metadata("notes", "x".repeat(513));
        b.metadata("umlauts", "\u00fc".repeat(300));
        b.metadata("a.".repeat(60) + "b", "long key");
        b.metadata("consul-reserved", "prefix");
        Endpoint e = b.build();
        Map<String, String> meta = ServiceRecord.meta(e);
        List<String> tags = ServiceRecord.tags(e, meta);

        assertThat(meta).hasSizeLessThanOrEqualTo(64);
        assertThat(meta.values()).allMatch(v -> v.getBytes(StandardCharsets.UTF_8).length <= 512);
        assertThat(meta.keySet()).allMatch(k -> k.length() <= 128 && !k.startsWith("consul-"));
        assertThat(tags).contains("hotline-md:notes=" + "x".repeat(513), "hotline-md:consul-reserved=prefix",
                "hotline-md:umlauts=" + "\u00fc".repeat(300), "hotline-md:" + "a.".repeat(60) + "b=long key");
        assertThat(meta.size() - 4 + tags.size()).isEqualTo(e.metadata().size());
    }

    @Test
    void idsAndServicesThatDifferOnlyInCaseGetDistinctConsulIds() {
        assertThat(ServiceRecord.consulId("Nova.Conductor", "Host-1"))
                .isEqualTo("^nova.^conductor:^host-1")
                .isNotEqualToIgnoringCase(ServiceRecord.consulId("nova.conductor", "host-1"));
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
        assertThat(withHttp.getChecks().get(1).getHttp()).contains("http://127.0.0.1:8080/readyz");
        assertThat(withHttp.getChecks().get(1).getDeregisterCriticalServiceAfter()).contains("1740000ms");
    }

    /** What {@code /v1/health/service} gives back for a service registered with {@code meta} and {@code tags}. */
    private static ServiceHealth entry(Endpoint e, Map<String, String> meta, List<String> tags) {
        return ImmutableServiceHealth.builder()
                .node(ImmutableNode.builder().node("agent-1").address("127.0.0.1").build())
                .service(ImmutableService.builder().id(ServiceRecord.consulId(e.service(), e.id()))
                        .service(e.service()).address(e.host()).port(e.port()).meta(meta).tags(tags).build())
                .build();
    }

    private static Endpoint read(Endpoint e, Map<String, String> meta) {
        return ServiceRecord.read(entry(e, meta, List.of()), Zone.of("region-one/dc1")).endpoint();
    }

    @Test
    void priorityAndWeightGoIntoMetaUnlessTheyAreTheDefaultsAndComeBackExactly() {
        Endpoint plain = endpoint().build();
        assertThat(ServiceRecord.meta(plain)).doesNotContainKeys(ServiceRecord.PRIORITY, ServiceRecord.WEIGHT);
        assertThat(read(plain, ServiceRecord.meta(plain))).isEqualTo(plain);
        for (int[] pw : new int[][] {{65535, 0}, {0, 65535}, {3, 1}, {0, 7}}) {
            Endpoint e = endpoint().priority(pw[0]).weight(pw[1]).metadata("hotline.priority", "user's own").build();
            Map<String, String> meta = ServiceRecord.meta(e);
            assertThat(read(e, meta)).as("priority %d weight %d", pw[0], pw[1]).isEqualTo(e);
            assertThat(meta).containsEntry("hotline--priority", "user's own");
        }
        Endpoint edged = endpoint().priority(65535).weight(0).build();
        assertThat(ServiceRecord.meta(edged)).containsEntry(ServiceRecord.PRIORITY, "65535")
                .containsEntry(ServiceRecord.WEIGHT, "0");
    }

    @Test
    void consulsOwnWeightIsTheWeightButAtLeastOneAsConsulRequires() {
        for (int[] weights : new int[][] {{0, 1}, {1, 1}, {65535, 65535}}) {
            var r = ServiceRecord.registration(endpoint().weight(weights[0]).build(), Duration.ofSeconds(3),
                    Duration.ofSeconds(20), null);
            assertThat(r.getServiceWeights()).hasValueSatisfying(w -> {
                assertThat(w.getPassing()).as("weight %d", weights[0]).isEqualTo(weights[1]);
                assertThat(w.getWarning()).isEqualTo(1);
            });
        }
    }

    @Test
    void aServiceWrittenBeforePrioritiesReadsAsTheDefaultsAndMalformedOnesAreRefused() {
        Endpoint e = endpoint().build();
        Map<String, String> older = new HashMap<>(ServiceRecord.meta(e));
        assertThat(read(e, older)).satisfies(r -> {
            assertThat(r.priority()).isZero();
            assertThat(r.weight()).isOne();
        });
        for (String bad : List.of("-1", "+1", " 1", "1.0", "", "0x10", "123456", "١")) {
            Map<String, String> meta = new HashMap<>(older);
            meta.put(ServiceRecord.WEIGHT, bad);
            assertThatThrownBy(() -> read(e, meta)).as("weight '%s'", bad)
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("Meta hotline-weight").hasMessageContaining("not a whole number 0-65535");
        }
        Map<String, String> outOfRange = new HashMap<>(older);
        outOfRange.put(ServiceRecord.PRIORITY, "65536");
        assertThatThrownBy(() -> read(e, outOfRange)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("priority 65536").hasMessageContaining("outside 0-65535");
    }
}
