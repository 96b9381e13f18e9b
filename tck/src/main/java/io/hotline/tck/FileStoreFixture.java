package io.hotline.tck;

import io.hotline.discovery.HealthPolicy;
import io.hotline.discovery.Zone;
import io.hotline.discovery.config.HotlineConfig;
import io.hotline.discovery.file.FileStoreProvider;
import io.hotline.discovery.spi.EndpointStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Comparator;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * Runs the kit against the embedded {@code file} store in a fresh temporary directory, zones
 * {@code region-one/az-1} and {@code region-one/az-2}.
 *
 * <p>Each zone's directory is a symbolic link, so that an outage can begin and end atomically: stopping a zone
 * swaps its link to point at a regular file, and every access then fails as on an unmounted or broken volume;
 * starting it swaps the link to a new, empty directory, as a restarted server that lost its data.
 */
public final class FileStoreFixture implements StoreFixture {

    /**
     * Watches poll every 50 ms (and follow the directory's change notices), but the bound is what the store keeps on a
     * loaded machine, where reading thousands of small files and a woken thread's wait for a core take hundreds of
     * milliseconds.
     */
    private static final StoreTiming TIMING = new StoreTiming(
            HealthPolicy.of(Duration.ofMillis(100), Duration.ofMillis(500), Duration.ofMillis(1500)),
            Duration.ofSeconds(1), Duration.ofMillis(200));

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
    public synchronized EndpointStore open(Zone zone) {
        Path link = FileStoreProvider.zoneDirectory(root, zone);
        if (!Files.exists(link, LinkOption.NOFOLLOW_LINKS)) {
            pointAt(link, newDirectory());
        }
        return new FileStoreProvider().open(config.with(HotlineConfig.ZONE, zone.path()));
    }

    @Override
    public synchronized void stop(Zone zone) {
        try {
            Path blocker = Files.createTempFile(root, ".outage-", "");
            Files.writeString(blocker, "outage of zone " + zone + " simulated by the Hotline TCK\n");
            pointAt(FileStoreProvider.zoneDirectory(root, zone), blocker);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot simulate an outage of zone " + zone, e);
        }
    }

    @Override
    public synchronized void start(Zone zone) {
        pointAt(FileStoreProvider.zoneDirectory(root, zone), newDirectory());
    }

    private Path newDirectory() {
        try {
            return Files.createTempDirectory(root, ".zone-");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a zone directory in " + root, e);
        }
    }

    /** Makes {@code link} point at {@code target} in one rename, so no reader sees it missing. */
    private void pointAt(Path link, Path target) {
        try {
            Path fresh = root.resolve(".link-" + UUID.randomUUID());
            Files.createSymbolicLink(fresh, target);
            Files.move(fresh, link, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot point " + link + " at " + target, e);
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
