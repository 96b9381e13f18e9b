package io.hotline.discovery.spi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.hotline.discovery.Endpoint;
import io.hotline.discovery.EndpointStatus;
import io.hotline.discovery.Health;
import io.hotline.discovery.StoreException;
import io.hotline.discovery.StoreUnavailableException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class RelistingWatchTest {

    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
    private final List<List<EndpointStatus>> snapshots = new CopyOnWriteArrayList<>();
    private final List<StoreException> errors = new CopyOnWriteArrayList<>();
    private final WatchListener listener = new WatchListener() {
        @Override
        public void onSnapshot(List<EndpointStatus> endpoints) {
            snapshots.add(endpoints);
        }

        @Override
        public void onError(StoreException error) {
            errors.add(error);
        }
    };

    @AfterEach
    void stop() {
        scheduler.shutdownNow();
    }

    private static EndpointStatus status(String id) {
        return new EndpointStatus(Endpoint.builder("s").id(id).host("h").port(1).build(), Health.PASSING);
    }

    @Test
    void deliversOnlyChangesPromptlyWhenPoked() {
        AtomicReference<List<EndpointStatus>> current = new AtomicReference<>(List.of());
        RelistingWatch w = RelistingWatch.start(current::get, listener, scheduler, Duration.ofHours(1));
        await().atMost(Duration.ofSeconds(5)).until(() -> snapshots.size() == 1);
        w.poke();
        current.set(List.of(status("a")));
        w.poke();
        await().atMost(Duration.ofSeconds(5)).until(() -> snapshots.size() == 2);
        assertThat(snapshots.get(1)).containsExactly(status("a"));
        w.close();
        current.set(List.of());
        w.poke();
        assertThat(snapshots).hasSize(2);
    }

    @Test
    void aFailureIsReportedOnceAndEndsTheWatch() {
        RelistingWatch.start(() -> {
            throw new IllegalStateException("boom");
        }, listener, scheduler, Duration.ofMillis(5));
        await().atMost(Duration.ofSeconds(5)).until(() -> !errors.isEmpty());
        assertThat(errors.get(0)).isInstanceOf(StoreUnavailableException.class).hasMessageContaining("boom");
        assertThat(errors).hasSize(1);
        assertThat(snapshots).isEmpty();
    }

    @Test
    void rejectsANonPositivePollInterval() {
        assertThatThrownBy(() -> RelistingWatch.start(List::of, listener, scheduler, Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
