package io.hotline.discovery.consul;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import io.hotline.discovery.Endpoint;
import io.hotline.discovery.EndpointStatus;
import io.hotline.discovery.Health;
import io.hotline.discovery.HealthPolicy;
import io.hotline.discovery.Zone;
import io.hotline.discovery.config.HotlineConfig;
import io.hotline.discovery.spi.EndpointStore;
import io.hotline.testing.ConsulAgent;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** What the TCK does not ask of every store: zones deeper than the datacenter, foreign records, Consul's checks. */
class ConsulStoreIT {

    private static final Zone RACK = Zone.of("region-one/dc1/rack-7");
    private static ConsulAgent agent;

    @BeforeAll
    static void startAgent() {
        agent = ConsulAgent.builder("dc1").build().start();
    }

    @AfterAll
    static void stopAgent() {
        agent.close();
    }

    private static HotlineConfig config(String zone) {
        return HotlineConfig.of(Map.of(HotlineConfig.ZONE, zone,
                ConsulStoreProvider.PORT, Integer.toString(agent.httpPort())));
    }

    private static String newService() {
        return "it." + UUID.randomUUID().toString().substring(0, 8);
    }

    private static Endpoint.Builder endpoint(String service, int port) {
        return Endpoint.builder(service).id("e1").server("host-1").host("127.0.0.1").port(port).zone(RACK);
    }

    @Test
    void aZoneDeeperThanTheDatacenterIsKeptAndTheDatacenterIsTheHomeZone() {
        String service = newService();
        try (EndpointStore store = new ConsulStoreProvider().open(config(RACK.path()))) {
            assertThat(store.homeZone()).isEqualTo(Zone.of("region-one/dc1"));
            assertThat(store.zones()).containsExactly(Zone.of("region-one/dc1"));
            Endpoint e = endpoint(service, 20001).metadata("hw.cpu-model", "epyc").build();
            store.register(e, HealthPolicy.DEFAULT);
            assertThat(store.list(service, store.homeZone())).containsExactly(new EndpointStatus(e, Health.PASSING));
            assertThatThrownBy(() -> store.list(service, Zone.of("elsewhere/dc2")))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("region-one/dc2");
            store.deregister(service, "e1");
        }
    }

    @Test
    void aZoneThatDoesNotGoThroughTheAgentsDatacenterIsRefusedAtOpen() {
        assertThatThrownBy(() -> new ConsulStoreProvider().open(config("region-one/az-9")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("hotline.zone 'region-one/az-9'")
                .hasMessageContaining("'dc1', the datacenter of the Consul agent");
    }

    @Test
    void servicesHotlineDidNotWriteAreSkipped() throws Exception {
        String service = newService();
        HttpResponse<String> put = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        URI.create(agent.httpAddress() + "/v1/agent/service/register"))
                .PUT(HttpRequest.BodyPublishers.ofString("{\"Name\":\"" + service + "\",\"ID\":\"foreign\","
                        + "\"Address\":\"127.0.0.1\",\"Port\":1234}")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(put.statusCode()).isEqualTo(200);
        try (EndpointStore store = new ConsulStoreProvider().open(config("dc1"))) {
            Endpoint mine = Endpoint.builder(service).id("e1").host("127.0.0.1").port(20001).zone(Zone.of("dc1"))
                    .build();
            store.register(mine, HealthPolicy.DEFAULT);
            assertThat(store.list(service, Zone.of("dc1"))).extracting(s -> s.endpoint().id()).containsExactly("e1");
        }
    }

    @Test
    void metadataBeyondConsulsMetaLimitsRoundTripsThroughTags() throws Exception {
        String service = newService();
        Endpoint.Builder b = endpoint(service, 20001)
                .metadata("notes", "x".repeat(600))
                .metadata("consul-reserved", "a Meta key Consul refuses")
                .metadata("empty", "")
                .metadata("umlauts", "\u00fc".repeat(300));
        for (int i = 0; i < 70; i++) {
            b.metadata("k" + i, "v" + i);
        }
        Endpoint e = b.build();
        try (EndpointStore store = new ConsulStoreProvider().open(config(RACK.path()))) {
            store.register(e, HealthPolicy.DEFAULT);
            assertThat(store.list(service, store.homeZone())).containsExactly(new EndpointStatus(e, Health.PASSING));

            HttpResponse<String> raw = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create(agent.httpAddress() + "/v1/agent/service/" + ServiceRecord.consulId(service, "e1")))
                    .build(), HttpResponse.BodyHandlers.ofString());
            assertThat(raw.body()).as("what Consul holds").contains("\"hotline-md:notes=xxx", "\"k0\"");
            store.deregister(service, "e1");
        }
    }

    /** Registers a service as Consul holds it, with {@code meta}, straight through the agent's API. */
    private static void registerRaw(String service, String id, String meta) throws Exception {
        HttpResponse<String> put = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        URI.create(agent.httpAddress() + "/v1/agent/service/register"))
                .PUT(HttpRequest.BodyPublishers.ofString("{\"Name\":\"" + service + "\",\"ID\":\""
                        + ServiceRecord.consulId(service, id) + "\",\"Address\":\"127.0.0.1\",\"Port\":20001,"
                        + "\"Meta\":{\"hotline-id\":\"" + id + "\",\"hotline-server\":\"host-1\","
                        + "\"hotline-zone\":\"region-one/dc1\",\"hotline-scheme\":\"http\"" + meta + "}}"))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(put.statusCode()).as(put.body()).isEqualTo(200);
    }

    @Test
    void priorityAndWeightRoundTripAndConsulsOwnWeightIsAtLeastOne() throws Exception {
        String service = newService();
        Endpoint e = endpoint(service, 20001).priority(65535).weight(0).build();
        try (EndpointStore store = new ConsulStoreProvider().open(config(RACK.path()))) {
            store.register(e, HealthPolicy.DEFAULT);
            assertThat(store.list(service, store.homeZone())).containsExactly(new EndpointStatus(e, Health.PASSING));

            HttpResponse<String> raw = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create(agent.httpAddress() + "/v1/agent/service/" + ServiceRecord.consulId(service, "e1")))
                    .build(), HttpResponse.BodyHandlers.ofString());
            JsonNode held = new ObjectMapper().readTree(raw.body());
            assertThat(held.at("/Meta/hotline-priority").asText()).isEqualTo("65535");
            assertThat(held.at("/Meta/hotline-weight").asText()).isEqualTo("0");
            assertThat(held.at("/Weights/Passing").asInt()).as("Consul's weight, for its DNS").isEqualTo(1);
            store.deregister(service, "e1");
        }
    }

    @Test
    void aServiceWrittenBeforePrioritiesReadsAsTheDefaultsAndAMalformedPriorityIsSkipped() throws Exception {
        String service = newService();
        registerRaw(service, "older", "");
        registerRaw(service, "malformed", ",\"hotline-priority\":\"-1\"");
        try (EndpointStore store = new ConsulStoreProvider().open(config("region-one/dc1"))) {
            assertThat(store.list(service, store.homeZone())).extracting(s -> s.endpoint())
                    .singleElement().satisfies(older -> {
                        assertThat(older.id()).isEqualTo("older");
                        assertThat(older.priority()).isZero();
                        assertThat(older.weight()).isOne();
                    });
        }
    }

    @Test
    void withHttpCheckAnEndpointNotReadyIsCriticalThoughItsHeartbeatsCome() throws Exception {
        HttpServer healthy = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        healthy.createContext("/readyz", x -> {
            x.sendResponseHeaders(200, -1);
            x.close();
        });
        healthy.start();
        HttpServer sick = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        sick.createContext("/readyz", x -> {
            x.sendResponseHeaders(503, -1);
            x.close();
        });
        sick.start();
        String service = newService();
        HotlineConfig config = config(RACK.path()).with(ConsulStoreProvider.HTTP_CHECK, "true");
        HealthPolicy policy = HealthPolicy.of(Duration.ofSeconds(1), Duration.ofSeconds(30), Duration.ofMinutes(5));
        try (EndpointStore store = new ConsulStoreProvider().open(config)) {
            store.register(endpoint(service, healthy.getAddress().getPort()).build(), policy);
            store.register(endpoint(service, sick.getAddress().getPort()).id("e2").build(), policy);
            await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100)).untilAsserted(() -> {
                store.renew(service, "e1");
                store.renew(service, "e2");
                assertThat(store.list(service, store.homeZone()))
                        .extracting(s -> s.endpoint().id() + "=" + s.health())
                        .containsExactly("e1=PASSING", "e2=CRITICAL");
            });
        } finally {
            healthy.stop(0);
            sick.stop(0);
        }
    }

    @Test
    void checkTimeoutOverridesThePolicysDownAfterAndMustExceedTheReportInterval() {
        String service = newService();
        HotlineConfig config = config(RACK.path()).with(ConsulStoreProvider.CHECK_TIMEOUT, "2s");
        HealthPolicy minuteLong = HealthPolicy.of(Duration.ofMillis(500), Duration.ofSeconds(60), Duration.ofMinutes(5));
        try (EndpointStore store = new ConsulStoreProvider().open(config)) {
            store.register(endpoint(service, 20001).build(), minuteLong);
            assertThat(store.list(service, store.homeZone()).get(0).health()).isEqualTo(Health.PASSING);
            await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(100)).until(() ->
                    store.list(service, store.homeZone()).get(0).health() == Health.CRITICAL);
            assertThatThrownBy(() -> store.register(endpoint(service, 20001).build(),
                    HealthPolicy.of(Duration.ofSeconds(5), Duration.ofSeconds(60), Duration.ofMinutes(5))))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining(ConsulStoreProvider.CHECK_TIMEOUT)
                    .hasMessageContaining("report interval");
        }
    }
}
