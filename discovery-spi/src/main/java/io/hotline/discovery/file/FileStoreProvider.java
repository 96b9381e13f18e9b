package io.hotline.discovery.file;

import io.hotline.discovery.Zone;
import io.hotline.discovery.config.HotlineConfig;
import io.hotline.discovery.spi.EndpointStore;
import io.hotline.discovery.spi.EndpointStoreProvider;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;

/**
 * The embedded {@code file} store, Hotline's default ({@code hotline.store} unset): registrations are small JSON
 * files in a directory that every process of the user on one host opens, so they find each other with no server
 * to run.
 *
 * <pre>{@code
 * HotlineConfig config = HotlineConfig.of(Map.of(
 *         "hotline.file.dir", "/run/user/1000/hotline",      // default: ${java.io.tmpdir}/hotline-${user.name}
 *         "hotline.zone", "region-one/az-1"));
 * try (EndpointStore store = new FileStoreProvider().open(config)) {
 *     store.register(endpoint, HealthPolicy.DEFAULT);
 *     List<EndpointStatus> peers = store.list("nova.conductor", store.homeZone());
 * }
 * }</pre>
 *
 * <p>Keys: {@code hotline.file.dir}, the shared directory, created owner-only ({@code rwx------}) if missing so
 * that other local users cannot add endpoints; {@code hotline.file.poll-interval} (default 1s), how often watches
 * re-list, which also bounds how late they see an endpoint turn critical; {@code hotline.file.notify} (default
 * true), whether watches also react at once to the file system's change notification.
 *
 * <p>A registration lives in {@code dir/<zone>/<service>/<id>.json}, each part URL-encoded into one name
 * ({@link #zoneDirectory}), under the home zone of the store that registered it. Names starting with {@code .}
 * are temp files of writers in progress.
 */
public final class FileStoreProvider implements EndpointStoreProvider {

    static final String DIR = "hotline.file.dir";
    static final String POLL_INTERVAL = "hotline.file.poll-interval";
    static final String NOTIFY = "hotline.file.notify";

    @Override
    public String name() {
        return "file";
    }

    @Override
    public EndpointStore open(HotlineConfig config) {
        Zone home = config.zone();
        int nameLength = FileLayout.encode(home.path()).length();
        if (nameLength > FileLayout.MAX_NAME) {
            throw config.invalid(HotlineConfig.ZONE, "is too long for the file store: its directory name would have "
                    + nameLength + " characters, and file systems allow " + FileLayout.MAX_NAME
                    + "; use fewer or shorter segments");
        }
        Duration pollInterval = config.duration(POLL_INTERVAL, Duration.ofSeconds(1));
        if (pollInterval.isZero()) {
            throw config.invalid(POLL_INTERVAL, "must be longer than zero; write e.g. 500ms or 1s");
        }
        boolean notify = config.flag(NOTIFY, true);
        return new FileStore(directory(config), home, pollInterval, notify);
    }

    /**
     * The directory holding the records of the endpoints registered through stores whose home zone is {@code zone},
     * in the store directory {@code root}.
     */
    public static Path zoneDirectory(Path root, Zone zone) {
        return new FileLayout(root).zoneDirectory(zone);
    }

    private static Path directory(HotlineConfig config) {
        String raw = config.string(DIR, "");
        if (raw.isEmpty()) {
            return Path.of(System.getProperty("java.io.tmpdir"), "hotline-" + System.getProperty("user.name"))
                    .toAbsolutePath();
        }
        try {
            return Path.of(raw).toAbsolutePath();
        } catch (InvalidPathException e) {
            throw config.invalid(DIR, "is not a valid path (" + e.getReason() + "); name a directory to share");
        }
    }
}
