package io.hotline.discovery.file;

import io.hotline.discovery.Endpoint;
import io.hotline.discovery.EndpointStatus;
import io.hotline.discovery.Health;
import io.hotline.discovery.HealthPolicy;
import io.hotline.discovery.NotRegisteredException;
import io.hotline.discovery.StoreUnavailableException;
import io.hotline.discovery.Untrusted;
import io.hotline.discovery.Zone;
import io.hotline.discovery.spi.EndpointStore;
import io.hotline.discovery.spi.RelistingWatch;
import io.hotline.discovery.spi.Watch;
import io.hotline.discovery.spi.WatchListener;
import java.io.IOException;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryIteratorException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code file} store: one JSON file per registration under {@code root/zone/service/id.json}, shared by every
 * process that opens the same directory. It holds no registrations in memory, so any number of instances in any
 * number of processes agree on what is registered.
 *
 * <p>Records are written to a temp file and renamed into place, so readers never see half a record. Whoever
 * lists a service removes its expired records; there is no background reaper that would need electing.
 */
final class FileStore implements EndpointStore {

    private static final Logger log = LoggerFactory.getLogger(FileStore.class);

    /** The longest file name common file systems (ext4, xfs, apfs, ntfs) accept; encoded names are ASCII. */
    static final int MAX_NAME = 255;
    private static final int MAX_PLAIN_ID_NAME = 200;
    private static final String SUFFIX = ".json";
    private static final int MAX_LIST_ATTEMPTS = 10;

    private final Path root;
    private final Zone home;
    private final Duration pollInterval;
    private final boolean posix;
    private final FileAttribute<?>[] directoryAttributes;
    private final ScheduledThreadPoolExecutor scheduler;
    /** Null when {@code hotline.file.notify} is off: watches then only poll. */
    private final ChangeNotifier notifier;
    private final Map<Path, FileSignature> reported = new ConcurrentHashMap<>();
    private volatile boolean closed;

    /** Size and modification time, which tell a new content of a bad file from the one already reported. */
    private record FileSignature(long size, FileTime modified) {}

    /**
     * Opens the store in {@code root}, creating it owner-only if missing.
     *
     * @param notify whether watches also use the file system's change notification, not only polling
     * @throws StoreUnavailableException if the directory cannot be created
     */
    FileStore(Path root, Zone home, Duration pollInterval, boolean notify) {
        this.root = root;
        this.home = home;
        this.pollInterval = pollInterval;
        this.posix = root.getFileSystem().supportedFileAttributeViews().contains("posix");
        // Owner-only, so that other local users can neither read nor inject endpoints.
        this.directoryAttributes = posix
                ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------"))}
                : new FileAttribute<?>[0];
        Path homeDirectory = FileStoreProvider.zoneDirectory(root, home);
        try {
            // The home zone's directory is what tells other processes this zone exists (zones()).
            Files.createDirectories(root, directoryAttributes);
            Files.createDirectories(homeDirectory, directoryAttributes);
        } catch (IOException e) {
            throw unavailable("create", homeDirectory, e);
        }
        warnIfOthersCanWrite();
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
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(root)) {
            for (Path entry : entries) {
                zoneNamed(entry.getFileName().toString()).filter(z -> Files.isDirectory(entry)).ifPresent(zones::add);
            }
        } catch (NoSuchFileException e) {
            log.debug("{} is gone; the next registration recreates it", root);
        } catch (DirectoryIteratorException e) {
            throw unavailable("list the zones in", root, e.getCause());
        } catch (IOException e) {
            throw unavailable("list the zones in", root, e);
        }
        return Collections.unmodifiableSet(zones);
    }

    @Override
    public void register(Endpoint endpoint, HealthPolicy policy) {
        Objects.requireNonNull(endpoint, "endpoint");
        Objects.requireNonNull(policy, "policy");
        EndpointStore.requireWithinHomeZone(endpoint, home);
        write(recordFile(endpoint.service(), endpoint.id()),
                new EndpointRecord(endpoint, policy, System.currentTimeMillis()));
    }

    @Override
    public void renew(String service, String id) {
        Path file = recordFile(service, id);
        long now = System.currentTimeMillis();
        EndpointRecord record = read(file, service, home)
                .filter(r -> !r.expiredAt(now))
                .orElseThrow(() -> new NotRegisteredException(service, id));
        write(file, record.renewed(now));
    }

    @Override
    public void deregister(String service, String id) {
        Path file = recordFile(service, id);
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            throw unavailable("remove " + file.getFileName() + " from", file.getParent(), e);
        }
    }

    @Override
    public List<EndpointStatus> list(String service, Zone zone) {
        requireKnown(zone);
        Path dir = serviceDirectory(zone, service);
        List<Path> files = names(dir);
        for (int attempt = 1; ; attempt++) {
            List<EndpointStatus> statuses = read(files, service, zone);
            // A directory is not read atomically: files removed while it is read could leave a later removal out
            // and an earlier one in, a state that never existed. Registrations and removals change the names
            // (renewals replace files under the same name), so equal names before and after mean a consistent read.
            List<Path> after = names(dir);
            if (after.equals(files) || attempt == MAX_LIST_ATTEMPTS) {
                return statuses;
            }
            files = after;
        }
    }

    /** The sorted entries of a service directory; none if it does not exist. */
    private List<Path> names(Path dir) {
        List<Path> files = new ArrayList<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
            entries.forEach(files::add);
        } catch (NoSuchFileException e) {
            if (fileInTheWay(dir) != null) {
                throw unavailable("list", dir, e);
            }
            return List.of();
        } catch (DirectoryIteratorException e) {
            throw unavailable("list", dir, e.getCause());
        } catch (IOException e) {
            throw unavailable("list", dir, e);
        }
        files.sort(Comparator.naturalOrder());
        return files;
    }

    private List<EndpointStatus> read(List<Path> files, String service, Zone zone) {
        long now = System.currentTimeMillis();
        List<EndpointStatus> statuses = new ArrayList<>(files.size());
        for (Path file : files) {
            Optional<EndpointRecord> record = read(file, service, zone);
            if (record.isPresent() && record.get().expiredAt(now)) {
                record = reap(file, record.get(), service, zone, now);
            }
            record.ifPresent(r -> statuses.add(
                    new EndpointStatus(r.endpoint(), r.passingAt(now) ? Health.PASSING : Health.CRITICAL)));
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
            throw new IllegalStateException("the file store in " + root + " is closed");
        }
        requireKnown(zone);
        RelistingWatch watch = RelistingWatch.start(() -> list(service, zone), listener, scheduler, pollInterval);
        if (notifier == null) {
            return watch;
        }
        Path dir = serviceDirectory(zone, service);
        try {
            // Only an existing directory can be watched; register would create it anyway.
            Files.createDirectories(dir, directoryAttributes);
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
        return "FileStore[" + root + ", home zone " + home + "]";
    }

    /** {@code name} URL-encoded (UTF-8) into a single file name. */
    static String encode(String name) {
        String encoded = URLEncoder.encode(name, StandardCharsets.UTF_8);
        // Readers skip names starting with '.' as temp files, so an id such as ".hidden" must not keep its dot.
        return encoded.startsWith(".") ? "%2E" + encoded.substring(1) : encoded;
    }

    /** The name of the file holding the record of {@code id}. */
    static String fileName(String id) {
        String encoded = encode(id);
        if (encoded.length() > MAX_PLAIN_ID_NAME) {
            // Valid ids encode to up to 765 characters, more than a file name holds. URLEncoder never leaves a '~'
            // (it writes %7E), so a shortened name cannot equal the plain name of another id.
            encoded = encoded.substring(0, 64) + "~" + sha256(id);
        }
        return encoded + SUFFIX;
    }

    private static String sha256(String text) {
        try {
            return HexFormat.of().formatHex(
                    MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }

    /** The zone whose directory is named {@code name}; foreign entries and temp files name none. */
    private static Optional<Zone> zoneNamed(String name) {
        try {
            Zone zone = Zone.of(URLDecoder.decode(name, StandardCharsets.UTF_8));
            // A name that decodes to a zone but is spelled differently (%2f) is not where list() would look.
            return encode(zone.path()).equals(name) ? Optional.of(zone) : Optional.empty();
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    /**
     * Refuses a zone that has no directory under the root: a zone is known once a store of it opened. Only absence
     * counts; a zone directory that exists but cannot be read is an outage, reported by the read itself.
     */
    private void requireKnown(Zone zone) {
        Objects.requireNonNull(zone, "zone");
        if (!zone.equals(home) && !Files.exists(FileStoreProvider.zoneDirectory(root, zone), LinkOption.NOFOLLOW_LINKS)) {
            throw new IllegalArgumentException("zone " + zone + " is not known to the file store in " + root
                    + " (no store of that zone has opened there); known zones: " + zones());
        }
    }

    private Path serviceDirectory(Zone zone, String service) {
        Objects.requireNonNull(service, "service");
        return FileStoreProvider.zoneDirectory(root, Objects.requireNonNull(zone, "zone")).resolve(encode(service));
    }

    private Path recordFile(String service, String id) {
        return serviceDirectory(home, service).resolve(fileName(Objects.requireNonNull(id, "id")));
    }

    /**
     * The record in {@code file} if it is a valid one of {@code service} in {@code zone} stored under its own name;
     * empty if the file is gone, a temp file, or foreign or corrupt (reported once).
     */
    private Optional<EndpointRecord> read(Path file, String service, Zone zone) {
        String name = file.getFileName().toString();
        if (name.startsWith(".")) {
            return Optional.empty();
        }
        if (!name.endsWith(SUFFIX)) {
            skip(file, "it is not an endpoint record, whose names end in " + SUFFIX);
            return Optional.empty();
        }
        byte[] json;
        try {
            json = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            if (Files.isDirectory(file)) {
                skip(file, "it is a directory, not an endpoint record");
                return Optional.empty();
            }
            throw unavailable("read " + name + " in", file.getParent(), e);
        }
        EndpointRecord record;
        try {
            record = EndpointRecord.parse(json);
        } catch (IllegalArgumentException e) {
            skip(file, "it is not a valid endpoint record: " + e.getMessage());
            return Optional.empty();
        }
        Endpoint e = record.endpoint();
        if (!e.zone().isWithin(zone)) {
            skip(file, "it holds endpoint " + e.id() + " of " + e.service() + " in zone " + e.zone()
                    + ", outside the zone " + zone + " of its directory");
            return Optional.empty();
        }
        if (!e.service().equals(service) || !fileName(e.id()).equals(name)) {
            skip(file, "it holds endpoint " + e.id() + " of " + e.service() + ", whose record would be "
                    + serviceDirectory(zone, e.service()).resolve(fileName(e.id())));
            return Optional.empty();
        }
        return Optional.of(record);
    }

    /**
     * Removes an expired record, unless another process re-registered or renewed it since it was read: deleting
     * the file then would drop a live registration. A renewal landing between the re-read and the delete is still
     * lost, but only once: its owner's next renewal gets {@link NotRegisteredException} and registers again.
     *
     * @return the record as it is now if it was renewed meanwhile
     */
    private Optional<EndpointRecord> reap(Path file, EndpointRecord expired, String service, Zone zone, long now) {
        Optional<EndpointRecord> current = read(file, service, zone);
        if (current.isEmpty() || current.get().renewedAt() != expired.renewedAt()) {
            return current.filter(r -> !r.expiredAt(now));
        }
        try {
            Files.deleteIfExists(file);
            log.debug("removed {}, not renewed for {}", file, expired.policy().deregisterAfter());
        } catch (IOException e) {
            skip(file, "it expired but cannot be removed (" + e + ")");
        }
        return Optional.empty();
    }

    /** Warns that {@code file} is ignored, once per content rather than on every poll. */
    private void skip(Path file, String problem) {
        FileSignature signature;
        try {
            BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class);
            signature = new FileSignature(a.size(), a.lastModifiedTime());
        } catch (IOException e) {
            log.debug("{} vanished while being skipped: {}", Untrusted.escape(file), Untrusted.escape(e));
            return;
        }
        if (!signature.equals(reported.put(file, signature))) {
            log.warn("file store ignores {}: {}; remove or fix it", Untrusted.escape(file), Untrusted.escape(problem));
        }
    }

    private void write(Path file, EndpointRecord record) {
        Path dir = file.getParent();
        byte[] json = record.toJson();
        try {
            Files.createDirectories(dir, directoryAttributes);
            Path temp = Files.createTempFile(dir, ".", ".tmp");
            try {
                Files.write(temp, json);
                // Readers in any process see the old record or the new one, never a partly written file.
                Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (IOException e) {
                try {
                    Files.deleteIfExists(temp);
                } catch (IOException suppressed) {
                    e.addSuppressed(suppressed);
                }
                throw e;
            }
        } catch (IOException e) {
            throw unavailable("write " + file.getFileName() + " in", dir, e);
        }
    }

    private StoreUnavailableException unavailable(String action, Path dir, IOException e) {
        String cause = describe(e);
        Path blocker = fileInTheWay(dir);
        String fix;
        if (blocker != null) {
            fix = blocker + " is a file where the store needs a directory; remove or rename it and the store"
                    + " recreates its directories";
        } else if (e instanceof AccessDeniedException) {
            fix = "give the user running this process (" + System.getProperty("user.name") + ") read and write"
                    + " access to " + root + ", or point hotline.file.dir to a directory it owns";
        } else {
            fix = "check that the file system holding " + root + " is mounted read-write and has space, or point"
                    + " hotline.file.dir to another directory";
        }
        return new StoreUnavailableException("file store cannot " + action + " " + dir + " (" + cause + "); " + fix, e);
    }

    private static String describe(IOException e) {
        if (e instanceof FileSystemException f && f.getReason() != null) {
            return f.getReason();
        }
        if (e instanceof AccessDeniedException) {
            return "permission denied";
        }
        if (e instanceof NotDirectoryException || e instanceof FileAlreadyExistsException) {
            return "not a directory";
        }
        if (e instanceof NoSuchFileException) {
            return "no such file or directory";
        }
        return e.toString();
    }

    /** The first of the store's directories on the way to {@code dir} that exists but is not a directory. */
    private Path fileInTheWay(Path dir) {
        Path p = root;
        if (Files.exists(p) && !Files.isDirectory(p)) {
            return p;
        }
        for (Path name : root.relativize(dir)) {
            p = p.resolve(name);
            if (Files.exists(p) && !Files.isDirectory(p)) {
                return p;
            }
        }
        return null;
    }

    private void warnIfOthersCanWrite() {
        if (!posix) {
            return;
        }
        try {
            Set<PosixFilePermission> permissions = Files.getPosixFilePermissions(root);
            if (permissions.contains(PosixFilePermission.GROUP_WRITE)
                    || permissions.contains(PosixFilePermission.OTHERS_WRITE)) {
                log.warn("other local users can write to the file store directory {} and so add endpoints; "
                        + "chmod 700 it unless it is shared on purpose", root);
            }
        } catch (IOException e) {
            log.debug("cannot read the permissions of {}: {}", root, e.toString());
        }
    }
}
