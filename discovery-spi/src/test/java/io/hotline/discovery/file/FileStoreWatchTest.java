package io.hotline.discovery.file;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.hotline.discovery.Endpoint;
import io.hotline.discovery.EndpointStatus;
import io.hotline.discovery.HealthPolicy;
import io.hotline.discovery.StoreException;
import io.hotline.discovery.StoreUnavailableException;
import io.hotline.discovery.Zone;
import io.hotline.discovery.config.HotlineConfig;
import io.hotline.discovery.spi.EndpointStore;
import io.hotline.discovery.spi.Watch;
import io.hotline.discovery.spi.WatchListener;
import io.hotline.testing.Closer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileStoreWatchTest {

    private static final Zone HOME = Zone.of("az-1");
    private static final String SERVICE = "nova.compute";
    private static final Duration PROMPTLY = Duration.ofSeconds(10);

    @TempDir
    Path dir;

    private final Closer closer = new Closer();

    @AfterEach
    void closeAll() throws Exception {
        closer.close();
    }

    private EndpointStore open(String pollInterval, boolean notify) {
        EndpointStore store = new FileStoreProvider().open(HotlineConfig.of(Map.of(
                "hotline.file.dir", dir.toString(),
                "hotline.zone", HOME.path(),
                "hotline.file.poll-interval", pollInterval,
                "hotline.file.notify", Boolean.toString(notify))));
        closer.track(store);
        return store;
    }

    private Recorder watch(EndpointStore store) {
        Recorder r = new Recorder();
        closer.track(store.watch(SERVICE, HOME, r));
        await().atMost(PROMPTLY).until(() -> !r.snapshots.isEmpty());
        return r;
    }

    private static Endpoint endpoint(String id) {
        return Endpoint.builder(SERVICE).id(id).host("10.0.0.9").port(20001).zone(HOME).build();
    }

    @Test
    void notificationsDeliverAnotherInstancesChangesWithoutWaitingForAPoll() {
        EndpointStore watching = open("1h", true);
        EndpointStore registering = open("1h", true);
        seesRegisterAndDeregister(watching, registering);
    }

    @Test
    void pollingAloneDeliversAnotherInstancesChanges() {
        EndpointStore watching = open("50ms", false);
        EndpointStore registering = open("50ms", false);
        seesRegisterAndDeregister(watching, registering);
    }

    private void seesRegisterAndDeregister(EndpointStore watching, EndpointStore registering) {
        Recorder r = watch(watching);
        assertThat(r.last()).isEmpty();
        Endpoint e = endpoint("w1");

        registering.register(e, HealthPolicy.DEFAULT);
        await().atMost(PROMPTLY).until(() -> r.last().size() == 1 && r.last().get(0).endpoint().equals(e)
                && r.last().get(0).isPassing());

        registering.deregister(SERVICE, "w1");
        await().atMost(PROMPTLY).until(() -> r.last().isEmpty());
        assertThat(r.errors).isEmpty();
    }

    @Test
    void watchSeesAHealthChangeThatNoFileChangeAnnounces() {
        EndpointStore store = open("50ms", true);
        Recorder r = watch(store);

        store.register(endpoint("w1"), HealthPolicy.of(Duration.ofMillis(50), Duration.ofMillis(300), Duration.ofHours(1)));

        await().atMost(PROMPTLY).until(() -> r.last().size() == 1 && !r.last().get(0).isPassing());
    }

    @Test
    void closingOneWatchLeavesTheOthersNotifiedAndLaterWatchesWork() {
        EndpointStore store = open("1h", true);
        Watch first = store.watch(SERVICE, HOME, new Recorder());
        Recorder second = new Recorder();
        Watch secondWatch = store.watch(SERVICE, HOME, second);
        first.close();

        store.register(endpoint("w1"), HealthPolicy.DEFAULT);
        await().atMost(PROMPTLY).until(() -> !second.snapshots.isEmpty() && second.last().size() == 1);

        secondWatch.close();
        Recorder third = watch(store);
        store.register(endpoint("w2"), HealthPolicy.DEFAULT);
        await().atMost(PROMPTLY).until(() -> third.last().size() == 2);
    }

    @Test
    void anOutageEndsTheWatchWithAnError() throws IOException {
        EndpointStore store = open("50ms", true);
        Recorder r = watch(store);
        Path zoneDir = FileStoreProvider.zoneDirectory(dir, HOME);
        Files.delete(zoneDir.resolve(SERVICE));
        Files.delete(zoneDir);
        Files.writeString(zoneDir, "in the way");

        await().atMost(PROMPTLY).until(() -> !r.errors.isEmpty());
        assertThat(r.errors).singleElement().isInstanceOf(StoreUnavailableException.class);
    }

    private static final class Recorder implements WatchListener {
        final List<List<EndpointStatus>> snapshots = new CopyOnWriteArrayList<>();
        final List<StoreException> errors = new CopyOnWriteArrayList<>();

        @Override
        public void onSnapshot(List<EndpointStatus> endpoints) {
            snapshots.add(endpoints);
        }

        @Override
        public void onError(StoreException error) {
            errors.add(error);
        }

        List<EndpointStatus> last() {
            return snapshots.get(snapshots.size() - 1);
        }
    }
}
