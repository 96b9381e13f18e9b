package io.hotline.rpc.server.internal.serving;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.hotline.discovery.Endpoint;
import io.hotline.discovery.HealthPolicy;
import io.hotline.discovery.StoreProviders;
import io.hotline.discovery.Zone;
import io.hotline.discovery.config.HotlineConfig;
import io.hotline.discovery.spi.EndpointStore;
import io.hotline.rpc.server.ListenerSettings;
import io.hotline.rpc.server.PortRange;
import io.hotline.testing.CapturedStderr;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.junit.jupiter.api.Test;

/** The one serving lifecycle: listen, register what listens, and on close withdraw, drain and stop. */
class ServingTest {

    private static final Zone HOME = Zone.of("region-one/az-1");
    private static final Handler OK = ok();

    /** A handler answering 204; one per server, as a Jetty handler belongs to one. */
    private static Handler ok() {
        return new Handler.Abstract() {
            @Override
            public boolean handle(Request request, Response response, Callback callback) {
                response.setStatus(204);
                callback.succeeded();
                return true;
            }
        };
    }

    private static EndpointStore store() {
        return StoreProviders.load().open(HotlineConfig.of(Map.of("hotline.store", "memory", "hotline.zone", HOME.path(),
                "hotline.memory.space", "serving-" + UUID.randomUUID())));
    }

    @Test
    void registersWhatListensAndWithdrawsItBeforeTheListenerStops() throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        try (EndpointStore store = store()) {
            Serving serving = Serving.start(ServingSettings.DEFAULT.drainDelay(Duration.ZERO), "serving-test", OK,
                    store, "nova.conductor", "host-1", Map.of("free_disk_gb", "100"));
            URI base = URI.create(serving.endpoint().baseUri().toString());
            assertThat(serving.endpoint()).satisfies(e -> {
                assertThat(e.host()).isEqualTo("127.0.0.1");
                assertThat(e.scheme()).isEqualTo("http");
                assertThat(e.server()).isEqualTo("host-1");
                assertThat(e.zone()).isEqualTo(HOME);
                assertThat(e.metadata()).containsEntry("free_disk_gb", "100");
            });
            assertThat(store.list("nova.conductor", HOME)).singleElement()
                    .satisfies(s -> assertThat(s.endpoint().id()).isEqualTo(serving.endpoint().id()));
            assertThat(http.send(HttpRequest.newBuilder(base.resolve("/anything")).build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode()).isEqualTo(204);

            serving.close();

            assertThat(store.list("nova.conductor", HOME)).isEmpty();
            assertThatThrownBy(() -> http.send(HttpRequest.newBuilder(base.resolve("/anything")).build(),
                    HttpResponse.BodyHandlers.discarding())).isInstanceOf(ConnectException.class);
        }
    }

    @Test
    void theAdvertisedHostIsRegisteredInsteadOfTheListenAddress() throws Exception {
        try (EndpointStore store = store();
             Serving serving = Serving.start(ServingSettings.DEFAULT.drainDelay(Duration.ZERO)
                     .advertisedHost("localhost"), "serving-test", ok(), store, "nova.conductor", "host-1", Map.of())) {
            assertThat(store.list("nova.conductor", HOME)).singleElement()
                    .satisfies(s -> assertThat(s.endpoint().host()).isEqualTo("localhost"));
            // Reached by that name: it resolves to the address listened on.
            assertThat(HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(
                    serving.endpoint().baseUri().toString()).resolve("/x")).build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode()).isEqualTo(204);
        }
    }

    @Test
    void aWildcardCannotBeAdvertisedAndTheConfigurationSaysWhichKey() {
        assertThatThrownBy(() -> ServingSettings.DEFAULT.advertisedHost("0.0.0.0"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("a wildcard");
        assertThatThrownBy(() -> ServingSettings.DEFAULT.config(HotlineConfig.of(Map.of(
                ServingSettings.ADVERTISED_HOST, "::"))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("hotline.http.advertised-host").hasMessageContaining("wildcard");
        assertThat(ServingSettings.DEFAULT.config(HotlineConfig.of(Map.of(ServingSettings.ADVERTISED_HOST,
                "compute-1.example.org"))).advertisedHost()).isEqualTo("compute-1.example.org");
    }

    @Test
    void aLoopbackRegistrationBesideRemoteEndpointsIsWarnedOf() throws Exception {
        try (EndpointStore store = store(); CapturedStderr err = CapturedStderr.start()) {
            store.register(Endpoint.builder("nova.conductor").id("remote").server("host-2").host("10.0.0.5")
                    .port(8080).zone(HOME).build(), HealthPolicy.DEFAULT);
            try (Serving serving = Serving.start(ServingSettings.DEFAULT.drainDelay(Duration.ZERO), "serving-test",
                    ok(), store, "nova.conductor", "host-1", Map.of())) {
                assertThat(err.text()).contains("at the loopback address 127.0.0.1, which only this host can reach,"
                        + " while other endpoints of nova.conductor are at 10.0.0.5", "hotline.http.host",
                        "hotline.http.advertised-host");
            }
        }
        // Alone, or beside other loopback endpoints (one host, as in tests and demos), there is nothing to warn of.
        try (EndpointStore store = store(); CapturedStderr err = CapturedStderr.start();
             Serving one = Serving.start(ServingSettings.DEFAULT.drainDelay(Duration.ZERO), "serving-test", ok(),
                     store, "nova.conductor", "host-1", Map.of());
             Serving two = Serving.start(ServingSettings.DEFAULT.drainDelay(Duration.ZERO), "serving-test", ok(),
                     store, "nova.conductor", "host-2", Map.of())) {
            assertThat(err.text()).doesNotContain("loopback");
        }
    }

    @Test
    void aRegistrationThatFailsStopsTheListenerAgain() throws Exception {
        int port;
        try (ServerSocket probe = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            port = probe.getLocalPort();
        }
        ServingSettings settings = ServingSettings.DEFAULT
                .listener(ListenerSettings.DEFAULT.portRange(new PortRange(port, port)))
                .zone(Zone.of("region-two"));
        try (EndpointStore store = store()) {
            // The store refuses an endpoint outside its home zone, after the listener took the port.
            assertThatThrownBy(() -> Serving.start(settings, "serving-test", OK, store, "nova.conductor", null,
                    Map.of())).isInstanceOf(IllegalArgumentException.class);
            try (ServerSocket again = new ServerSocket(port, 50, InetAddress.getLoopbackAddress())) {
                assertThat(again.getLocalPort()).isEqualTo(port);
            }
        }
    }
}
