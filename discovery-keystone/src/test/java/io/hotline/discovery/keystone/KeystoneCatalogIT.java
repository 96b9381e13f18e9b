package io.hotline.discovery.keystone;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.hotline.discovery.Endpoint;
import io.hotline.discovery.EndpointStatus;
import io.hotline.discovery.Health;
import io.hotline.discovery.HealthPolicy;
import io.hotline.discovery.StoreException;
import io.hotline.discovery.StoreProviders;
import io.hotline.discovery.Zone;
import io.hotline.discovery.config.HotlineConfig;
import io.hotline.discovery.spi.EndpointStore;
import io.hotline.testing.CapturedStderr;
import io.hotline.testing.KeystoneServer;
import java.net.URI;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Catalog mode against a real Keystone: what {@code keystone-manage bootstrap} registered (the identity service) and
 * what a cloud's operators add (a compute service in two regions), read as endpoints; nothing written.
 */
class KeystoneCatalogIT {

    private static KeystoneServer keystone;
    private static String computeId;

    @BeforeAll
    static void startKeystone() {
        keystone = KeystoneServer.builder().name("keystone-catalog-it").regionId("region-one")
                .region("region-one.az-1", "region-one").region("region-two", null).start();
        ObjectNode service = JsonNodeFactory.instance.objectNode();
        service.putObject("service").put("type", "compute").put("name", "nova");
        computeId = keystone.call("POST", "/services", service).path("service").path("id").asText();
        addEndpoint("public", "region-one", "http://127.0.0.1:8774/v2.1", true);
        addEndpoint("internal", "region-one", "http://127.0.0.1:18774/v2.1", true);
        addEndpoint("public", "region-one.az-1", "https://nova-az1.example/compute/v2.1", true);
        addEndpoint("public", "region-two", "http://[fd00::2]:8774/v2.1", false);
        addEndpoint("public", "region-two", "nova:this-is-not-http", true);
    }

    private static void addEndpoint(String iface, String region, String url, boolean enabled) {
        ObjectNode body = JsonNodeFactory.instance.objectNode();
        body.putObject("endpoint").put("interface", iface).put("service_id", computeId).put("region_id", region)
                .put("url", url).put("enabled", enabled);
        keystone.call("POST", "/endpoints", body);
    }

    @AfterAll
    static void stop() {
        if (keystone != null) {
            keystone.close();
        }
    }

    private static EndpointStore open(String... kv) {
        Map<String, String> m = new java.util.HashMap<>(Map.of(
                "hotline.store", "keystone",
                "hotline.zone", "region-one",
                "hotline.keystone.mode", "catalog",
                "hotline.keystone.auth-url", keystone.url(),
                "hotline.keystone.username", KeystoneServer.ADMIN,
                "hotline.keystone.password", keystone.adminPassword(),
                "hotline.keystone.project-name", KeystoneServer.ADMIN));
        for (int i = 0; i < kv.length; i += 2) {
            m.put(kv[i], kv[i + 1]);
        }
        return StoreProviders.load().open(HotlineConfig.of(m));
    }

    @Test
    void theBootstrapIdentityServiceIsListed() {
        try (EndpointStore store = open()) {
            List<EndpointStatus> identity = store.list("identity", Zone.of("region-one"));
            assertThat(identity).hasSize(1);
            Endpoint e = identity.get(0).endpoint();
            URI url = URI.create(keystone.url());
            assertThat(e.host()).isEqualTo(url.getHost());
            assertThat(e.port()).isEqualTo(url.getPort());
            assertThat(e.metadata()).containsEntry("interface", "public");
            assertThat(identity.get(0).health()).isEqualTo(Health.PASSING);
        }
    }

    @Test
    void everyRegionIsAZoneAndEachListsItsOwnEndpoints() {
        try (EndpointStore store = open()) {
            // A region inside the home zone is listed through it.
            assertThat(store.zones()).containsExactlyInAnyOrder(Zone.of("region-one"), Zone.of("region-two"));
            // A zone holds the endpoints of its region and of the regions inside it.
            assertThat(store.list("compute", Zone.of("region-one"))).extracting(s -> s.endpoint().baseUri())
                    .containsExactlyInAnyOrder("http://127.0.0.1:8774", "https://nova-az1.example:443");
            assertThat(store.list("compute", Zone.of("region-one/az-1"))).hasSize(1);
        }
    }

    @Test
    void aDisabledEndpointIsCriticalAndOneWithoutAnHttpUrlIsSkippedOnce() {
        try (EndpointStore store = open(); CapturedStderr captured = CapturedStderr.start()) {
            List<EndpointStatus> two = store.list("compute", Zone.of("region-two"));
            store.list("compute", Zone.of("region-two"));
            assertThat(two).hasSize(1);
            assertThat(two.get(0).endpoint().host()).isEqualTo("fd00::2");
            assertThat(two.get(0).health()).isEqualTo(Health.CRITICAL);
            String log = captured.text();
            assertThat(log.split("not http or https", -1)).hasSize(2);
            assertThat(log).doesNotContain("this-is-not-http");
        }
    }

    @Test
    void theInterfaceIsChosenByConfiguration() {
        try (EndpointStore store = open("hotline.keystone.interface", "internal")) {
            assertThat(store.list("compute", Zone.of("region-one"))).extracting(s -> s.endpoint().port())
                    .containsExactly(18774);
        }
    }

    @Test
    void writesAreRefusedNamingTheMode() {
        try (EndpointStore store = open()) {
            Endpoint e = Endpoint.builder("compute").id("x").host("127.0.0.1").port(1).zone(Zone.of("region-one"))
                    .build();
            assertThatThrownBy(() -> store.register(e, HealthPolicy.DEFAULT))
                    .isInstanceOf(StoreException.class)
                    .hasMessageContaining("hotline.keystone.mode=catalog");
        }
    }
}
