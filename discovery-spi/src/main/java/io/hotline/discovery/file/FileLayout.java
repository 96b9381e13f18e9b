package io.hotline.discovery.file;

import io.hotline.discovery.Endpoint;
import io.hotline.discovery.StoreUnavailableException;
import io.hotline.discovery.Untrusted;
import io.hotline.discovery.Zone;
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
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where and how the file store keeps its records on disk: {@code root/<zone>/<service>/<id>.json}, each part
 * URL-encoded into one file name, directories created owner-only, records written whole by a rename, names starting
 * with {@code .} left to writers in progress. It reads and writes single records and their directories, checks that
 * a record is filed under its own name, and says what to fix when the disk refuses; what a registration means
 * (leases, health, reaping, watches) is {@link FileStore}'s.
 */
final class FileLayout {

    private static final Logger log = LoggerFactory.getLogger(FileLayout.class);

    /** The longest file name common file systems (ext4, xfs, apfs, ntfs) accept; encoded names are ASCII. */
    static final int MAX_NAME = 255;
    private static final int MAX_PLAIN_ID_NAME = 200;
    private static final String SUFFIX = ".json";

    private final Path root;
    private final boolean posix;
    private final FileAttribute<?>[] directoryAttributes;
    private final Map<Path, FileSignature> reported = new ConcurrentHashMap<>();

    /** Size and modification time, which tell a new content of a bad file from the one already reported. */
    private record FileSignature(long size, FileTime modified) {}

    /** The layout under {@code root}; touches nothing on disk. */
    FileLayout(Path root) {
        this.root = Objects.requireNonNull(root, "root");
        this.posix = root.getFileSystem().supportedFileAttributeViews().contains("posix");
        // Owner-only, so that other local users can neither read nor inject endpoints.
        this.directoryAttributes = posix
                ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------"))}
                : new FileAttribute<?>[0];
    }

    Path root() {
        return root;
    }

    // ---- names and paths ------------------------------------------------------------------------------------

    /** The directory of the records registered through stores whose home zone is {@code zone}. */
    Path zoneDirectory(Zone zone) {
        return root.resolve(encode(Objects.requireNonNull(zone, "zone").path()));
    }

    Path serviceDirectory(Zone zone, String service) {
        Objects.requireNonNull(service, "service");
        return zoneDirectory(zone).resolve(encode(service));
    }

    Path recordFile(Zone zone, String service, String id) {
        return serviceDirectory(zone, service).resolve(fileName(Objects.requireNonNull(id, "id")));
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

    // ---- directories ----------------------------------------------------------------------------------------

    /**
     * Creates the root and the directory of {@code zone}, owner-only, if missing: the zone's directory is what tells
     * other processes the zone exists. Warns if other users can write to the root.
     */
    void createZone(Zone zone) {
        Path dir = zoneDirectory(zone);
        try {
            Files.createDirectories(root, directoryAttributes);
            Files.createDirectories(dir, directoryAttributes);
        } catch (IOException e) {
            throw unavailable("create", dir, e);
        }
        warnIfOthersCanWrite();
    }

    /** Creates {@code dir}, owner-only, if missing. */
    void createDirectory(Path dir) throws IOException {
        Files.createDirectories(dir, directoryAttributes);
    }

    /** Whether {@code zone} has a directory, readable or not. */
    boolean hasDirectory(Zone zone) {
        return Files.exists(zoneDirectory(zone), LinkOption.NOFOLLOW_LINKS);
    }

    /** The zones that have a directory under the root; none if the root is gone. */
    Set<Zone> zoneDirectories() {
        Set<Zone> zones = new LinkedHashSet<>();
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
        return zones;
    }

    /** The sorted entries of a service directory; none if it does not exist. */
    List<Path> entries(Path dir) {
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

    // ---- records --------------------------------------------------------------------------------------------

    /**
     * The record in {@code file} if it is a valid one of {@code service} in {@code zone} stored under its own name;
     * empty if the file is gone, a temp file, or foreign or corrupt (reported once).
     */
    Optional<EndpointRecord> read(Path file, String service, Zone zone) {
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

    /** Writes {@code record} to {@code file}, creating its directory: readers see the old record or the new one. */
    void write(Path file, EndpointRecord record) {
        Path dir = file.getParent();
        byte[] json = record.toJson();
        try {
            createDirectory(dir);
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

    /** Warns that {@code file} is ignored, once per content rather than on every poll. */
    void skip(Path file, String problem) {
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

    // ---- errors ---------------------------------------------------------------------------------------------

    /** The outage that {@code e} means for {@code action} on {@code dir}, with what to fix. */
    StoreUnavailableException unavailable(String action, Path dir, IOException e) {
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
