package io.hotline.discovery.file;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;
import static org.awaitility.Awaitility.await;

import io.hotline.discovery.Endpoint;
import io.hotline.discovery.EndpointStatus;
import io.hotline.discovery.Health;
import io.hotline.discovery.HealthPolicy;
import io.hotline.discovery.NotRegisteredException;
import io.hotline.discovery.StoreException;
import io.hotline.discovery.StoreUnavailableException;
import io.hotline.discovery.Zone;
import io.hotline.discovery.config.HotlineConfig;
import io.hotline.discovery.spi.EndpointStore;
import io.hotline.discovery.spi.WatchListener;
import io.hotline.testing.CapturedStderr;
import io.hotline.testing.Closer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileStoreTest {

    private static final Zone HOME = Zone.of("region-one/az-1");
    private static final String SERVICE = "nova.conductor";
    private static final HealthPolicy SHORT =
            HealthPolicy.of(Duration.ofMillis(50), Duration.ofMillis(300), Duration.ofSeconds(1));

    @TempDir
    Path dir;

    private final Closer closer = new Closer();

    @AfterEach
    void closeStores() throws Exception {
        closer.close();
    }

    private EndpointStore open(Zone home) {
        EndpointStore store = new FileStoreProvider().open(HotlineConfig.of(Map.of(
                "hotline.file.dir", dir.toString(), "hotline.zone", home.path())));
        closer.track(store);
        return store;
    }

    private static Endpoint endpoint(String id) {
        return Endpoint.builder(SERVICE).id(id).host("10.0.0.7").port(20001).zone(HOME).build();
    }

    private Path serviceDir() {
        return FileStoreProvider.zoneDirectory(dir, HOME).resolve(SERVICE);
    }

    private static List<String> ids(List<EndpointStatus> statuses) {
        return statuses.stream().map(s -> s.endpoint().id()).toList();
    }

    @Test
    void roundTripKeepsEveryField() {
        EndpointStore store = open(HOME);
        Endpoint e = Endpoint.builder(SERVICE)
                .id("[2001:db8::1]:8443")
                .server("compute-17")
                .host("2001:db8::1")
                .port(8443)
                .scheme("https")
                .zone(HOME.child("cell-7"))
                .metadata("city", "Zürich – 東京 ✓")
                .metadata("free_disk_gb", "250")
                .metadata("quote", "\"a\\b\"\n")
                .build();

        store.register(e, HealthPolicy.DEFAULT);

        assertThat(store.list(SERVICE, HOME)).extracting(EndpointStatus::endpoint, EndpointStatus::health)
                .containsExactly(tuple(e, Health.PASSING));
        assertThat(Files.exists(FileStoreProvider.zoneDirectory(dir, HOME))).isTrue();
        assertThat(FileStoreProvider.zoneDirectory(dir, HOME).getFileName().toString())
                .isEqualTo("region-one%2Faz-1");
    }

    @Test
    void reRegisterUpdates() {
        EndpointStore store = open(HOME);
        Endpoint first = endpoint("w1");
        Endpoint second = first.toBuilder().port(20002).metadata("version", "2").build();

        store.register(first, HealthPolicy.DEFAULT);
        store.register(second, HealthPolicy.DEFAULT);

        assertThat(store.list(SERVICE, HOME)).extracting(EndpointStatus::endpoint, EndpointStatus::health)
                .containsExactly(tuple(second, Health.PASSING));
    }

    @Test
    void idsAreUniquePerService() {
        EndpointStore store = open(HOME);
        Endpoint conductor = endpoint("w1");
        Endpoint scheduler = Endpoint.builder("nova.scheduler").id("w1").host("10.0.0.8").port(20001).zone(HOME).build();

        store.register(conductor, HealthPolicy.DEFAULT);
        store.register(scheduler, HealthPolicy.DEFAULT);
        store.register(endpoint("w2"), HealthPolicy.DEFAULT);

        assertThat(ids(store.list(SERVICE, HOME))).containsExactly("w1", "w2");
        assertThat(store.list("nova.scheduler", HOME)).extracting(EndpointStatus::endpoint, EndpointStatus::health)
                .containsExactly(tuple(scheduler, Health.PASSING));
    }

    @Test
    void oddIdsGetTheirOwnFiles() {
        EndpointStore store = open(HOME);
        String longId = "x".repeat(255);
        String colons = ":".repeat(255);
        List<String> ids = List.of(".hidden", "..", longId, colons, "a@b");

        ids.forEach(id -> store.register(endpoint(id), HealthPolicy.DEFAULT));

        assertThat(ids(store.list(SERVICE, HOME))).containsExactlyInAnyOrderElementsOf(ids);
        store.renew(SERVICE, colons);
        store.deregister(SERVICE, colons);
        assertThat(ids(store.list(SERVICE, HOME))).containsExactlyInAnyOrder(".hidden", "..", longId, "a@b");
    }

    @Test
    void deregisterRemovesAndToleratesMissing() {
        EndpointStore store = open(HOME);
        store.register(endpoint("w1"), HealthPolicy.DEFAULT);

        store.deregister(SERVICE, "w1");
        store.deregister(SERVICE, "w1");
        store.deregister("never.registered", "w9");

        assertThat(store.list(SERVICE, HOME)).isEmpty();
    }

    @Test
    void aServiceWithoutDirectoryListsEmptyAndAZoneWithoutDirectoryIsUnknown() {
        EndpointStore store = open(HOME);

        assertThat(store.list(SERVICE, HOME)).isEmpty();
        assertThatThrownBy(() -> store.list(SERVICE, Zone.of("region-nine")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("zone region-nine is not known").hasMessageContaining("region-one/az-1");
        WatchListener ignored = new WatchListener() {
            @Override
            public void onSnapshot(List<EndpointStatus> endpoints) {}

            @Override
            public void onError(StoreException error) {}
        };
        assertThatThrownBy(() -> store.watch(SERVICE, Zone.of("region-nine"), ignored))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(store.zones()).as("a refused watch creates no zone").containsExactly(HOME);
    }

    @Test
    void registerOutsideTheHomeZoneIsRejected() {
        EndpointStore store = open(HOME);
        Endpoint elsewhere = endpoint("w1").toBuilder().zone(Zone.of("region-one/az-2")).build();

        assertThatThrownBy(() -> store.register(elsewhere, HealthPolicy.DEFAULT))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("region-one/az-2")
                .hasMessageContaining("outside this store's home zone region-one/az-1");
    }

    @Test
    void renewOfUnknownIdThrowsNotRegistered() {
        EndpointStore store = open(HOME);

        assertThatThrownBy(() -> store.renew(SERVICE, "ghost")).isInstanceOf(NotRegisteredException.class);
    }

    @Test
    void missedHeartbeatsTurnCriticalThenTheEndpointIsReaped() {
        EndpointStore store = open(HOME);
        store.register(endpoint("w1"), SHORT);

        await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                assertThat(store.list(SERVICE, HOME)).extracting(EndpointStatus::health).containsExactly(Health.CRITICAL));
        await().atMost(Duration.ofSeconds(10)).until(() -> store.list(SERVICE, HOME).isEmpty());
        assertThat(serviceDir().resolve("w1.json")).doesNotExist();
    }

    @Test
    void renewKeepsAnEndpointPassing() throws IOException {
        EndpointStore store = open(HOME);
        store.register(endpoint("w1"), HealthPolicy.DEFAULT);
        backdate("w1", Duration.ofMinutes(5));
        assertThat(store.list(SERVICE, HOME)).extracting(EndpointStatus::health).containsExactly(Health.CRITICAL);

        store.renew(SERVICE, "w1");

        assertThat(store.list(SERVICE, HOME)).extracting(EndpointStatus::health).containsExactly(Health.PASSING);
    }

    @Test
    void expiredRegistrationsAreGoneForListAndRenew() throws IOException {
        EndpointStore store = open(HOME);
        store.register(endpoint("w1"), HealthPolicy.DEFAULT);
        store.register(endpoint("w2"), HealthPolicy.DEFAULT);
        backdate("w1", Duration.ofHours(1));
        backdate("w2", Duration.ofHours(1));

        assertThatThrownBy(() -> store.renew(SERVICE, "w1")).isInstanceOf(NotRegisteredException.class);
        assertThat(store.list(SERVICE, HOME)).isEmpty();
        assertThat(serviceDir().resolve("w2.json")).doesNotExist();
    }

    private void backdate(String id, Duration by) throws IOException {
        Path file = serviceDir().resolve(id + ".json");
        EndpointRecord r = EndpointRecord.parse(Files.readAllBytes(file));
        Files.write(file, r.renewed(r.renewedAt() - by.toMillis()).toJson());
    }

    @Test
    void corruptForeignAndMisplacedFilesAreSkipped() throws IOException {
        EndpointStore store = open(HOME);
        Endpoint good = endpoint("good");
        store.register(good, HealthPolicy.DEFAULT);
        store.register(endpoint("other"), HealthPolicy.DEFAULT);
        Path d = serviceDir();
        byte[] other = Files.readAllBytes(d.resolve("other.json"));
        Files.delete(d.resolve("other.json"));
        Files.write(d.resolve("misplaced.json"), other);
        Files.writeString(d.resolve("corrupt.json"), "{\"format\": \"hotline.endpoint/1\", \"service\": ");
        Files.writeString(d.resolve("empty.json"), "");
        Files.writeString(d.resolve("foreign.json"), new String(other, StandardCharsets.UTF_8)
                .replace("hotline.endpoint/1", "someone.else/7"));
        Files.writeString(d.resolve("badport.json"), new String(other, StandardCharsets.UTF_8)
                .replace("20001", "70000").replace("\"other\"", "\"badport\""));
        Files.writeString(d.resolve("notes.txt"), "not a record");
        Files.writeString(d.resolve(".in-progress.tmp"), "{");
        Files.createDirectories(d.resolve("subdir.json"));
        Path otherService = FileStoreProvider.zoneDirectory(dir, HOME).resolve("nova.scheduler");
        Files.createDirectories(otherService);
        Files.write(otherService.resolve("other.json"), other);

        for (int i = 0; i < 3; i++) {
            assertThat(store.list(SERVICE, HOME)).extracting(EndpointStatus::endpoint, EndpointStatus::health)
                .containsExactly(tuple(good, Health.PASSING));
        }
        assertThat(store.list("nova.scheduler", HOME)).isEmpty();
        assertThat(d.resolve("corrupt.json")).exists();
    }

    @Test
    void aForeignFileCannotForgeLogLinesWithItsNameOrContent() throws IOException {
        EndpointStore store = open(HOME);
        store.register(endpoint("good"), HealthPolicy.DEFAULT);
        Path d = serviceDir();
        Files.writeString(d.resolve("evil\nFORGED WARN name.json"), "{\"format\": \"hotline.endpoint/1\", ");
        store.register(endpoint("evil"), HealthPolicy.DEFAULT);
        String record = Files.readString(d.resolve("evil.json"));
        Files.delete(d.resolve("evil.json"));
        Files.writeString(d.resolve("evil-content.json"), record.replace("\"evil\"", "\"x\\nFORGED WARN content\""));
        try (CapturedStderr log = CapturedStderr.start()) {
            assertThat(store.list(SERVICE, HOME)).hasSize(1);
            assertThat(log.text()).contains("evil\\nFORGED WARN name.json", "x\\nFORGED WARN content");
            assertThat(log.text().lines()).noneMatch(line -> line.startsWith("FORGED"));
        }
    }

    @Test
    void twoInstancesSeeEachOther() {
        EndpointStore a = open(HOME);
        EndpointStore b = open(HOME);
        Endpoint e = endpoint("w1");

        a.register(e, HealthPolicy.DEFAULT);
        assertThat(b.list(SERVICE, HOME)).extracting(EndpointStatus::endpoint, EndpointStatus::health)
                .containsExactly(tuple(e, Health.PASSING));

        b.renew(SERVICE, "w1");
        b.deregister(SERVICE, "w1");
        assertThat(a.list(SERVICE, HOME)).isEmpty();
    }

    @Test
    void zonesListHomeAndEveryOtherZoneDirectory() throws IOException {
        EndpointStore a = open(HOME);
        assertThat(a.zones()).containsExactly(HOME);
        a.register(endpoint("w1"), HealthPolicy.DEFAULT);
        EndpointStore b = open(Zone.of("region-two"));
        b.register(Endpoint.builder(SERVICE).host("10.1.0.1").port(1).zone(Zone.of("region-two/az-9")).build(),
                HealthPolicy.DEFAULT);
        Files.createDirectories(dir.resolve("not a zone!"));
        Files.createDirectories(dir.resolve(".hidden"));
        Files.createDirectories(dir.resolve("region-one%2faz-2"));
        Files.writeString(dir.resolve("region-three"), "a file, not a zone");

        assertThat(a.zones()).containsExactlyInAnyOrder(HOME, Zone.of("region-two"));
        assertThat(b.zones()).containsExactlyInAnyOrder(HOME, Zone.of("region-two"));
        assertThat(ids(a.list(SERVICE, Zone.of("region-two")))).containsExactly("10.1.0.1:1");
        assertThat(ids(b.list(SERVICE, HOME))).containsExactly("w1");
    }

    @Test
    void zoneDirectoryReplacedByAFileIsAnOutageUntilRemoved() throws IOException {
        EndpointStore store = open(HOME);
        store.register(endpoint("w1"), HealthPolicy.DEFAULT);
        Path zoneDir = FileStoreProvider.zoneDirectory(dir, HOME);
        deleteTree(zoneDir);
        Files.writeString(zoneDir, "in the way");

        assertThatThrownBy(() -> store.list(SERVICE, HOME))
                .isInstanceOf(StoreUnavailableException.class)
                .hasMessageContaining(zoneDir.toString())
                .hasMessageContaining("is a file where the store needs a directory");
        assertThatThrownBy(() -> store.register(endpoint("w1"), HealthPolicy.DEFAULT))
                .isInstanceOf(StoreUnavailableException.class)
                .hasMessageContaining(zoneDir + " is a file");
        assertThatThrownBy(() -> store.renew(SERVICE, "w1")).isInstanceOf(StoreUnavailableException.class);

        Files.delete(zoneDir);
        assertThat(store.list(SERVICE, HOME)).isEmpty();
        store.register(endpoint("w1"), HealthPolicy.DEFAULT);
        assertThat(ids(store.list(SERVICE, HOME))).containsExactly("w1");
    }

    @Test
    void storeDirectoryReplacedByAFileIsAnOutage() throws IOException {
        Path root = dir.resolve("store");
        EndpointStore store = new FileStoreProvider().open(HotlineConfig.of(Map.of("hotline.file.dir", root.toString())));
        closer.track(store);
        deleteTree(root);
        Files.writeString(root, "in the way");

        assertThatThrownBy(store::zones).isInstanceOf(StoreUnavailableException.class)
                .hasMessageContaining(root + " is a file");
    }

    @Test
    void registerRecreatesADeletedStoreDirectory() throws IOException {
        EndpointStore store = open(HOME);
        store.register(endpoint("w1"), HealthPolicy.DEFAULT);
        deleteTree(dir);

        assertThat(store.list(SERVICE, HOME)).isEmpty();
        assertThat(store.zones()).containsExactly(HOME);
        store.register(endpoint("w1"), HealthPolicy.DEFAULT);
        assertThat(ids(store.list(SERVICE, HOME))).containsExactly("w1");
    }

    private static void deleteTree(Path root) throws IOException {
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
