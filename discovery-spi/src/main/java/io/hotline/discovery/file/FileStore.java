package io.hotline.discovery.file;

import io.hotline.discovery.Endpoint;
import io.hotline.discovery.EndpointStatus;
import io.hotline.discovery.HealthPolicy;
import io.hotline.discovery.NotRegisteredException;
import io.hotline.discovery.StoreUnavailableException;
import io.hotline.discovery.Zone;
import io.hotline.discovery.spi.EndpointStore;
import io.hotline.discovery.spi.RelistingWatch;
import io.hotline.discovery.spi.Watch;
import io.hotline.discovery.spi.WatchListener;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code file} store: one JSON file per registration (where, and how it is written and read, is
 * {@link FileLayout}'s), shared by every process that opens the same directory. It holds no registrations in memory,
 * so any number of instances in any number of processes agree on what is registered.
 *
 * <p>A registration is a lease renewed by rewriting its record. Whoever lists a service removes its expired records;
 * there is no background reaper that would need electing.
 */
final class FileStore implements EndpointStore {

    private static final Logger log = LoggerFactory.getLogger(FileStore.class);

    private static final int MAX_LIST_ATTEMPTS = 10;

    private final FileLayout layout;
    private final Zone home;
    private final Duration pollInterval;
    private final ScheduledThreadPoolExecutor scheduler;
    /** Null when {@code hotline.file.notify} is off: watches then only poll. */
    private final ChangeNotifier notifier;
    private volatile boolean closed;

    /**
     * Opens the store in {@code root}, creating it owner-only if missing.
     *
     * @param notify whether watches also use the file system's change notification, not only polling
     * @throws StoreUnavailableException if the directory cannot be created
     */
    FileStore(Path root, Zone home, Duration pollInterval, boolean notify) {
        this.layout = new FileLayout(root);
        this.home = home;
        this.pollInterval = pollInterval;
        layout.createZone(home);
        this.scheduler = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "hotline-file-watch");
            t.setDaemon(true);
            return t;
        });
        scheduler.setRemoveOnCancelPolicy(true);
        this.notifier = notify ? new ChangeNotifier(root.getFileSystem(), pollInterval.toMillis() + " ms") : null;
    }

    @Override
    public Zone homeZone() {
        return home;
    }

    @Override
    public Set<Zone> zones() {
        Set<Zone> zones = new LinkedHashSet<>();
        zones.add(home);
        zones.addAll(layout.zoneDirectories());
        return Collections.unmodifiableSet(zones);
    }

    @Override
    public void register(Endpoint endpoint, HealthPolicy policy) {
        Objects.requireNonNull(endpoint, "endpoint");
        Objects.requireNonNull(policy, "policy");
        EndpointStore.requireWithinHomeZone(endpoint, home);
        layout.write(layout.recordFile(home, endpoint.service(), endpoint.id()),
                EndpointRecord.registered(endpoint, policy, System.currentTimeMillis()));
    }

    @Override
    public void renew(String service, String id) {
        Path file = layout.recordFile(home, service, id);
        long now = System.currentTimeMillis();
        EndpointRecord record = layout.read(file, service, home)
                .filter(r -> !r.expiredAt(now))
                .orElseThrow(() -> new NotRegisteredException(service, id));
        layout.write(file, record.renewed(now));
    }

    @Override
    public void deregister(String service, String id) {
        Path file = layout.recordFile(home, service, id);
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            throw layout.unavailable("remove " + file.getFileName() + " from", file.getParent(), e);
        }
    }

    @Override
    public List<EndpointStatus> list(String service, Zone zone) {
        requireKnown(zone);
        Path dir = layout.serviceDirectory(zone, service);
        List<Path> files = layout.entries(dir);
        for (int attempt = 1; ; attempt++) {
            List<EndpointStatus> statuses = read(files, service, zone);
            // A directory is not read atomically: files removed while it is read could leave a later removal out
            // and an earlier one in, a state that never existed. Registrations and removals change the names
            // (renewals replace files under the same name), so equal names before and after mean a consistent read.
            List<Path> after = layout.entries(dir);
            if (after.equals(files) || attempt == MAX_LIST_ATTEMPTS) {
                return statuses;
            }
            files = after;
        }
    }

    private List<EndpointStatus> read(List<Path> files, String service, Zone zone) {
        long now = System.currentTimeMillis();
        List<EndpointStatus> statuses = new ArrayList<>(files.size());
        for (Path file : files) {
            Optional<EndpointRecord> record = layout.read(file, service, zone);
            if (record.isPresent() && record.get().expiredAt(now)) {
                record = reap(file, record.get(), service, zone, now);
            }
            record.ifPresent(r -> statuses.add(r.statusAt(now)));
        }
        statuses.sort(Comparator.comparing(s -> s.endpoint().id()));
        return List.copyOf(statuses);
    }

    @Override
    public Watch watch(String service, Zone zone, WatchListener listener) {
        Objects.requireNonNull(service, "service");
        Objects.requireNonNull(zone, "zone");
        Objects.requireNonNull(listener, "listener");
        if (closed) {
            throw new IllegalStateException("the file store in " + layout.root() + " is closed");
        }
        requireKnown(zone);
        RelistingWatch watch = RelistingWatch.start(() -> list(service, zone), listener, scheduler, pollInterval);
        if (notifier == null) {
            return watch;
        }
        Path dir = layout.serviceDirectory(zone, service);
        try {
            // Only an existing directory can be watched; register would create it anyway.
            layout.createDirectory(dir);
        } catch (IOException e) {
            notifier.cannotWatch(dir, e);
            return watch;
        }
        notifier.add(dir, watch);
        return () -> {
            watch.close();
            notifier.remove(dir, watch);
        };
    }

    @Override
    public void close() {
        closed = true;
        scheduler.shutdownNow();
        if (notifier != null) {
            notifier.close();
        }
    }

    @Override
    public String toString() {
        return "FileStore[" + layout.root() + ", home zone " + home + "]";
    }

    /**
     * Refuses a zone that has no directory under the root: a zone is known once a store of it opened. Only absence
     * counts; a zone directory that exists but cannot be read is an outage, reported by the read itself.
     */
    private void requireKnown(Zone zone) {
        Objects.requireNonNull(zone, "zone");
        if (!zone.equals(home) && !layout.hasDirectory(zone)) {
            throw new IllegalArgumentException("zone " + zone + " is not known to the file store in " + layout.root()
                    + " (no store of that zone has opened there); known zones: " + zones());
        }
    }

    /**
     * Removes an expired record, unless another process re-registered or renewed it since it was read: deleting
     * the file then would drop a live registration. A renewal landing between the re-read and the delete is still
     * lost, but only once: its owner's next renewal gets {@link NotRegisteredException} and registers again.
     *
     * @return the record as it is now if it was renewed meanwhile
     */
    private Optional<EndpointRecord> reap(Path file, EndpointRecord expired, String service, Zone zone, long now) {
        Optional<EndpointRecord> current = layout.read(file, service, zone);
        if (current.isEmpty() || current.get().renewedAt() != expired.renewedAt()) {
            return current.filter(r -> !r.expiredAt(now));
        }
        try {
            Files.deleteIfExists(file);
            log.debug("removed {}, not renewed for {}", file, expired.policy().deregisterAfter());
        } catch (IOException e) {
            layout.skip(file, "it expired but cannot be removed (" + e + ")");
        }
        return Optional.empty();
    }
}
