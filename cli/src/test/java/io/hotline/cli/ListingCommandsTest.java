package io.hotline.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.hotline.discovery.Endpoint;
import io.hotline.discovery.HealthPolicy;
import io.hotline.discovery.Zone;
import io.hotline.discovery.spi.EndpointStore;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** endpoints and zones over registrations made straight in the store. */
class ListingCommandsTest {

    @TempDir
    Path dir;

    private Cli cli;
    private EndpointStore store;

    @BeforeEach
    void register() {
        cli = new Cli(dir);
        store = cli.openStore();
        store.register(endpoint("compute-1", "region-one/az-1", 7001).metadata("free_ram_mb", "4096").build(),
                HealthPolicy.DEFAULT);
        store.register(endpoint("compute-2", "region-one/az-2", 7002).priority(2).weight(30).build(),
                HealthPolicy.DEFAULT);
        // Registered with a policy that lets it go critical: no renewals come.
        store.register(endpoint("compute-3", "region-one/az-2", 7003).build(),
                HealthPolicy.of(Duration.ofMillis(10), Duration.ofMillis(50), Duration.ofMinutes(5)));
    }

    private static Endpoint.Builder endpoint(String server, String zone, int port) {
        return Endpoint.builder("nova.compute").server(server).host("127.0.0.1").port(port).zone(Zone.of(zone));
    }

    @AfterEach
    void close() {
        store.close();
    }

    @Test
    void endpointsListsEveryEndpointWithZoneHealthAndCapabilities() {
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            Cli.Result r = cli.run("endpoints", "nova.compute");
            assertThat(r.exitCode()).as(r.toString()).isZero();
            assertThat(r.out()).containsPattern("compute-1 +region-one/az-1 +http://127.0.0.1:7001 +passing +0 +1 "
                            + "+free_ram_mb=4096")
                    .containsPattern("compute-2 +region-one/az-2 +http://127.0.0.1:7002 +passing +2 +30")
                    .containsPattern("compute-3 +region-one/az-2 +http://127.0.0.1:7003 +critical +0 +1");
        });
    }

    @Test
    void metadataSomeoneRegisteredCannotWriteControlSequencesOrLinesToTheTerminal() {
        store.register(endpoint("compute-4", "region-one/az-1", 7004).metadata("note", "x\u001b[31mred\nFORGED")
                .build(), HealthPolicy.DEFAULT);
        Cli.Result r = cli.run("endpoints", "nova.compute");
        assertThat(r.exitCode()).as(r.toString()).isZero();
        assertThat(r.out()).contains("note=x\\u001b[31mred\\nFORGED").doesNotContain("\u001b");
        assertThat(r.out().lines()).noneMatch(line -> line.startsWith("FORGED"));
    }

    @Test
    void endpointsInAZoneAreThatZonesDetails() {
        Cli.Result r = cli.run("endpoints", "nova.compute", "--in", "region-one/az-1", "--json");
        assertThat(r.exitCode()).as(r.toString()).isZero();
        assertThat(r.out()).contains("\"server\" : \"compute-1\"", "\"free_ram_mb\" : \"4096\"",
                "\"priority\" : 0", "\"weight\" : 1").doesNotContain("compute-2");
    }

    @Test
    void passingOnlyLeavesOutCriticalEndpoints() {
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            Cli.Result r = cli.run("endpoints", "nova.compute", "--passing");
            assertThat(r.out()).contains("compute-1", "compute-2").doesNotContain("compute-3");
        });
    }

    @Test
    void endpointsOfAnUnknownServiceSaysSo() {
        Cli.Result r = cli.run("endpoints", "nova.nothing");
        assertThat(r.exitCode()).isZero();
        assertThat(r.out()).contains("no endpoint of nova.nothing");
    }

    @Test
    void endpointsWithoutAServiceOrWithABadZoneIsAUsageError() {
        Cli.Result none = cli.run("endpoints");
        assertThat(none.exitCode()).isEqualTo(Hotline.USAGE);
        assertThat(none.err()).contains("SERVICE");
        Cli.Result badZone = cli.run("endpoints", "nova.compute", "--in", "az 1//");
        assertThat(badZone.exitCode()).isEqualTo(Hotline.USAGE);
    }

    @Test
    void zonesListsTheStoreZoneAndTheEndpointZonesWithCounts() {
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            Cli.Result r = cli.run("zones", "nova.compute");
            assertThat(r.exitCode()).as(r.toString()).isZero();
            assertThat(r.out()).contains("region-one  (home zone of this store)")
                    .containsPattern("region-one/az-1 +nova.compute 1/1 passing")
                    .containsPattern("region-one/az-2 +nova.compute 1/2 passing");
        });
    }

    @Test
    void zonesWithAnInvalidServiceNameIsAUsageError() {
        Cli.Result r = cli.run("zones", "nova/compute");
        assertThat(r.exitCode()).as(r.toString()).isEqualTo(Hotline.USAGE);
    }
}
