package io.hotline.discovery.file;

import io.hotline.discovery.spi.RelistingWatch;
import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.FileSystem;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Pokes the watches of a service directory as soon as the file system reports a change in it, so that watchers
 * see registrations promptly instead of at the next poll. One thread per store, started with the first watch.
 *
 * <p>Everything here is an optimisation over the watches' own polling: whatever fails (no watch service on this
 * file system, too many inotify watches, a directory removed) leaves the affected watches polling, and is logged
 * once.
 */
final class ChangeNotifier implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ChangeNotifier.class);

    private final FileSystem fileSystem;
    private final String pollInterval;
    private final Object lock = new Object();
    private final Map<Path, WatchKey> keys = new HashMap<>();
    private final Map<WatchKey, Set<RelistingWatch>> watches = new HashMap<>();
    private WatchService service;
    private boolean unavailable;
    private boolean fallbackLogged;
    private boolean closed;

    ChangeNotifier(FileSystem fileSystem, String pollInterval) {
        this.fileSystem = fileSystem;
        this.pollInterval = pollInterval;
    }

    /** Pokes {@code watch} on every change in {@code dir}, an existing directory, until {@link #remove}. */
    void add(Path dir, RelistingWatch watch) {
        synchronized (lock) {
            WatchService ws = service();
            if (ws == null) {
                return;
            }
            WatchKey key = keys.get(dir);
            if (key == null) {
                try {
                    key = dir.register(ws, StandardWatchEventKinds.ENTRY_CREATE, StandardWatchEventKinds.ENTRY_DELETE,
                            StandardWatchEventKinds.ENTRY_MODIFY);
                } catch (IOException | RuntimeException e) {
                    pollingOnly("cannot watch " + dir + " for changes (" + e + ")");
                    return;
                }
                keys.put(dir, key);
            }
            watches.computeIfAbsent(key, k -> new LinkedHashSet<>()).add(watch);
        }
        // A change between the watch's first listing and the registration above produced no event.
        watch.poke();
    }

    /** Stops poking {@code watch}; the directory is no longer watched once no watch needs it. */
    void remove(Path dir, RelistingWatch watch) {
        synchronized (lock) {
            WatchKey key = keys.get(dir);
            Set<RelistingWatch> set = key == null ? null : watches.get(key);
            if (set == null) {
                return;
            }
            set.remove(watch);
            if (set.isEmpty()) {
                watches.remove(key);
                keys.remove(dir);
                key.cancel();
            }
        }
    }

    /** Reports that {@code dir} cannot be watched, so its watches poll. */
    void cannotWatch(Path dir, IOException e) {
        synchronized (lock) {
            pollingOnly("cannot create " + dir + " to watch it (" + e + ")");
        }
    }

    @Override
    public void close() {
        WatchService ws;
        synchronized (lock) {
            closed = true;
            ws = service;
            keys.clear();
            watches.clear();
        }
        if (ws != null) {
            try {
                ws.close();
            } catch (IOException e) {
                log.debug("closing the file store's watch service failed: {}", e.toString());
            }
        }
    }

    private WatchService service() {
        if (service != null || unavailable || closed) {
            return service;
        }
        try {
            service = fileSystem.newWatchService();
        } catch (IOException | UnsupportedOperationException e) {
            unavailable = true;
            pollingOnly("this file system offers no change notification (" + e + ")");
            return null;
        }
        WatchService ws = service;
        Thread t = new Thread(() -> deliver(ws), "hotline-file-notify");
        t.setDaemon(true);
        t.start();
        return service;
    }

    private void deliver(WatchService ws) {
        try {
            while (true) {
                WatchKey key = ws.take();
                key.pollEvents();
                List<RelistingWatch> targets;
                synchronized (lock) {
                    Set<RelistingWatch> set = watches.get(key);
                    targets = set == null ? List.of() : List.copyOf(set);
                    if (!key.reset() && set != null) {
                        watches.remove(key);
                        keys.remove(key.watchable());
                        pollingOnly(key.watchable() + " was removed");
                    }
                }
                targets.forEach(RelistingWatch::poke);
            }
        } catch (ClosedWatchServiceException e) {
            log.debug("file store watch service closed");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Logs, once per store, that some watches only poll; holds {@link #lock}. */
    private void pollingOnly(String why) {
        if (!fallbackLogged) {
            fallbackLogged = true;
            log.info("file store watches fall back to re-listing every {}: {}", pollInterval, why);
        }
    }
}
