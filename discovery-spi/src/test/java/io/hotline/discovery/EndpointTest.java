package io.hotline.discovery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class EndpointTest {

    @Test
    void builderFillsIdAndServerFromHostAndPort() {
        Endpoint e = Endpoint.builder("nova.conductor").host("10.0.0.7").port(20001).build();
        assertThat(e.id()).isEqualTo("10.0.0.7:20001");
        assertThat(e.server()).isEqualTo("10.0.0.7");
        assertThat(e.scheme()).isEqualTo("http");
        assertThat(e.zone()).isEqualTo(Zone.LOCAL);
        assertThat(e.priority()).isZero();
        assertThat(e.weight()).isOne();
        assertThat(e.baseUri()).isEqualTo("http://10.0.0.7:20001");
        assertThat(Endpoint.builder("s").host("::1").port(443).scheme("https").build().baseUri())
                .isEqualTo("https://[::1]:443");
    }

    @Test
    void metadataIsCopiedAndTyped() {
        Map<String, String> meta = new HashMap<>(Map.of("free_disk_gb", "250", "accept_migrations", "True"));
        Endpoint e = Endpoint.builder("s").host("h").port(1).metadata(meta).build();
        meta.put("free_disk_gb", "0");
        assertThat(e.metadata()).containsEntry("free_disk_gb", "250");
        assertThat(e.capabilities().number("free_disk_gb")).contains(new BigDecimal("250"));
        assertThat(e.capabilities().flag("accept_migrations")).contains(true);
        assertThat(e.capabilities().number("accept_migrations")).isEmpty();
        assertThat(e.capabilities().text("missing")).isEmpty();
        assertThat(e.toBuilder().build()).isEqualTo(e);
    }

    @Test
    void priorityAndWeightTakeTheWholeSrvRangeAndSurviveToBuilder() {
        for (int v : new int[] {0, 1, 65535}) {
            Endpoint e = Endpoint.builder("s").host("h").port(1).priority(v).weight(v).build();
            assertThat(e.priority()).isEqualTo(v);
            assertThat(e.weight()).isEqualTo(v);
            assertThat(e.toBuilder().build()).isEqualTo(e);
        }
        assertThat(Endpoint.builder("s").host("h").port(1).priority(3).build())
                .isNotEqualTo(Endpoint.builder("s").host("h").port(1).build());
    }

    @Test
    void rejectsPriorityAndWeightOutsideTheSrvRange() {
        assertThatThrownBy(() -> Endpoint.builder("s").host("h").port(1).priority(-1).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("priority -1 of endpoint h:1 is outside 0-65535"
                        + " (as in a DNS SRV record; lower is preferred)");
        assertThatThrownBy(() -> Endpoint.builder("s").host("h").port(1).priority(65536).build())
                .hasMessageContaining("priority 65536");
        assertThatThrownBy(() -> Endpoint.builder("s").host("h").port(1).weight(-1).build())
                .hasMessageContaining("weight -1 of endpoint h:1 is outside 0-65535");
        assertThatThrownBy(() -> Endpoint.builder("s").host("h").port(1).weight(70000).build())
                .hasMessageContaining("weight 70000");
    }

    @Test
    void rejectsBadFieldsNamingThem() {
        assertThatThrownBy(() -> Endpoint.builder("bad service").host("h").port(1).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("service 'bad service'");
        assertThatThrownBy(() -> Endpoint.builder("s").host("h").port(0).build()).hasMessageContaining("port 0");
        assertThatThrownBy(() -> Endpoint.builder("s").host("h").port(70000).build())
                .hasMessageContaining("outside 1-65535");
        assertThatThrownBy(() -> Endpoint.builder("s").port(1).build()).hasMessageContaining("host is missing");
        assertThatThrownBy(() -> Endpoint.builder("s").host("h").port(1).scheme("ftp").build())
                .hasMessageContaining("http or https");
        assertThatThrownBy(() -> Endpoint.builder("s").host("h").port(1).id("a/b").build())
                .hasMessageContaining("id 'a/b'");
        assertThatThrownBy(() -> Endpoint.builder("s").host("h").port(1).metadata("bad key", "v").build())
                .hasMessageContaining("metadata key");
        assertThatThrownBy(() -> Endpoint.builder("s").host("h").port(1).metadata("k", "x".repeat(5000)).build())
                .hasMessageContaining("at most 4096");
    }

    @Test
    void queryValidatesTheServiceName() {
        assertThatThrownBy(() -> Query.of("no such/service")).isInstanceOf(IllegalArgumentException.class);
        Query q = Query.of("nova.scheduler").where("free_disk_gb>=100").in(Zone.of("region-one"));
        assertThat(q.toString()).isEqualTo("nova.scheduler (in region-one, where free_disk_gb>=100)");
        assertThat(q.healthyOnly()).isTrue();
        assertThat(q.includingUnhealthy().healthyOnly()).isFalse();
    }
}
