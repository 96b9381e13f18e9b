package io.hotline.tck;

import io.hotline.discovery.EndpointStore;
import io.hotline.discovery.HealthPolicy;
import io.hotline.discovery.HotlineConfig;
import io.hotline.discovery.Zone;
import io.hotline.discovery.file.FileStoreProvider;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Runs the kit against the embedded {@code file} store in a fresh temporary directory, zones
 * {@code region-one/az-1} and {@code region-one/az-2}. An outage of a zone is its directory wiped and replaced by a
 * regular file, so every access fails as on an unmounted or read-only volume; the restart removes the file and
 * leaves the zone empty.
 */
public final class FileStoreFixture implements StoreFixture {

    private static final StoreTiming TIMING = new StoreTiming(
            HealthPolicy.of(Duration.ofMillis(100), Duration.ofMillis(500), Duration.ofMillis(1500)),
            Duration.ofMillis(500), Duration.ofMillis(200));

    private final HotlineConfig config;
    private final Path root;

    public FileStoreFixture() {
        this(HotlineConfig.of(Map.of()));
    }

    FileStoreFixture(HotlineConfig base) {
        try {
            this.root = Files.createTempDirectory("hotline-tck-file-");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a temporary directory for the file store", e);
        }
        this.config = base.with(HotlineConfig.STORE, "file")
                .with("hotline.file.dir", root.toString())
                .with("hotline.file.poll-interval", "50ms");
    }

    @Override
    public Zone homeZone() {
        return Zone.of("region-one/az-1");
    }

    @Override
    public Zone remoteZone() {
        return Zone.of("region-one/az-2");
    }

    @Override
    public EndpointStore open(Zone zone) {
        return new FileStoreProvider().open(config.with(HotlineConfig.ZONE, zone.path()));
    }

    @Override
    public void stop(Zone zone) {
        Path dir = FileStoreProvider.zoneDirectory(root, zone);
        try {
            deleteTree(dir);
            Files.writeString(dir, "outage simulated by the Hotline TCK\n");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot simulate an outage of " + dir, e);
        }
    }

    @Override
    public void start(Zone zone) {
        try {
            Files.deleteIfExists(FileStoreProvider.zoneDirectory(root, zone));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot end the simulated outage of zone " + zone, e);
        }
    }

    @Override
    public StoreTiming timing() {
        return TIMING;
    }

    @Override
    public void close() {
        try {
            deleteTree(root);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete " + root, e);
        }
    }

    private static void deleteTree(Path top) throws IOException {
        if (!Files.exists(top)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(top)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    /** Lets the {@link TckRunner} test the {@code file} store. */
    public static final class Provider implements TckFixtureProvider {
        @Override
        public String storeName() {
            return "file";
        }

        @Override
        public StoreFixture create(HotlineConfig config) {
            return new FileStoreFixture(config);
        }
    }
}
