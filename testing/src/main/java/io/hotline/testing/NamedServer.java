package io.hotline.testing;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Master;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.NameTooLongException;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.SOARecord;
import org.xbill.DNS.Section;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.TSIG;
import org.xbill.DNS.TXTRecord;
import org.xbill.DNS.TextParseException;
import org.xbill.DNS.Type;

/**
 * A real BIND 9 {@code named} for tests: an authoritative-only server on a free 127.0.0.1 port (UDP and TCP) in a temp
 * dir, serving the zones given to its builder. A dynamic zone accepts RFC 2136 updates signed with its TSIG key
 * ({@code update-policy { grant KEY zonesub ANY; }}) and journals them, so IXFR returns deltas; a static zone is
 * read-only. Every zone can be transferred from 127.0.0.1, unsigned or signed with any key named knows.
 *
 * <pre>{@code
 * try (NamedServer named = NamedServer.builder()
 *         .zone("az-1.region-one.rpc.test.", "az1-key")        // dynamic, granted to az1-key
 *         .key("intruder")                                      // known to named, granted nothing
 *         .staticZone("legacy.test.", "_nova._tcp SRV 0 1 8080 host1.legacy.test.\nhost1 A 127.0.0.1\n")
 *         .start()) {
 *     String server = named.address();                          // 127.0.0.1:PORT, for hotline.dns.server
 *     NamedServer.TsigKey key = named.key("az1-key");           // name, hmac-sha256, base64 secret
 *     Path secretFile = named.keyFile("az1-key");               // key "az1-key" { ... }; mode rw-------
 *     long serial = named.serial("az-1.region-one.rpc.test."); // 1 until the first update
 *     named.stop();
 *     named.start();                                            // same port, journal replayed: same data and serial
 *     named.stop();
 *     named.wipe();                                             // zone files rewritten, journals deleted
 *     named.start();                                            // same port, zones empty, serial above the last one
 * }
 * }</pre>
 *
 * <p>Each zone holds, besides what a test puts there, its SOA, an NS record naming {@code ns.<zone>}, an A record
 * 127.0.0.1 at {@code ns.<zone>} and a TXT record at {@code _ready.<zone>} holding a random token: the server is ready
 * when every zone answers its token over UDP and TCP, so a server that another process started on the same port
 * (named binds with {@code SO_REUSEPORT}, so it would start beside it silently) is never taken for this one. After it
 * is ready, the sockets bound to the port are checked (through {@code /proc}) to belong to this named alone; if not,
 * the start fails as a taken port. A first start whose port was taken in the meantime moves to another free port, up
 * to three times; later starts keep the port.
 *
 * <p>Restarts: {@link #stop()} (SIGTERM) or {@link #kill()} (SIGKILL) followed by {@link #start()} keeps the
 * directory, so named replays each zone's journal and the zones come back with their data and serials, as a server
 * restart does. {@link #wipe()} between them brings every zone back as the builder defined it (dynamic zones empty),
 * with a serial above the last one this harness saw, as an operator re-creating a zone would.
 *
 * <p>Needs {@code named} on the PATH or in {@code /usr/sbin} ({@code scripts/install-deps} installs Debian's
 * {@code bind9}); without it, {@link Builder#build()} fails saying so. Never the system service. Thread-safe.
 */
public final class NamedServer implements AutoCloseable {

    /** The TSIG algorithm of every key, as BIND and {@code hotline.dns.tsig-algorithm} spell it. */
    public static final String ALGORITHM = "hmac-sha256";

    private static final int PORT_ATTEMPTS = 3;
    private static final int SECRET_BYTES = 32;
    /** The first serial of every zone; a {@link #wipe()} goes above the last seen instead. */
    private static final long INITIAL_SERIAL = 1;
    private static final long SERIAL_MODULUS = 1L << 32;
    /** One readiness query; the check is repeated until the startup timeout, so it may be short. */
    private static final Duration READY_QUERY_TIMEOUT = Duration.ofMillis(500);
    private static final Duration QUERY_TIMEOUT = Duration.ofSeconds(2);
    /** Bounds the serial queries made on the way down, so that a hung named does not hold up a stop. */
    private static final Duration STOPPING_QUERY_TIMEOUT = Duration.ofMillis(500);
    private static final Duration STARTUP_TIMEOUT = Duration.ofSeconds(20);
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(5);
    private static final String SERVER_TTL = "5";
    private static final List<Path> SBIN_DIRS = List.of(Path.of("/usr/sbin"), Path.of("/usr/local/sbin"));
    private static final InetAddress LOOPBACK = loopback();
    /** 127.0.0.1 and 0.0.0.0 as /proc/net/{tcp,udp} spell them, then ::ffff:127.0.0.1 and :: in the IPv6 tables. */
    private static final Set<String> LOOPBACK_OR_ANY = Set.of("0100007F", "00000000",
            "0000000000000000FFFF00000100007F", "00000000000000000000000000000000");
    private static final SecureRandom RANDOM = new SecureRandom();

    private final ServerProcess process;
    private final Map<Name, Zone> zones;
    private final Map<String, TsigKey> keys;
    private final String token = UUID.randomUUID().toString();
    private final boolean portGiven;
    /** The highest serial of each zone this harness wrote or saw; guarded by this. */
    private final Map<Name, Long> serials = new LinkedHashMap<>();
    private volatile int port;
    private boolean started;

    private NamedServer(Builder b, Path binary) {
        this.zones = Map.copyOf(b.zones);
        Map<String, TsigKey> k = new LinkedHashMap<>();
        b.keyNames.forEach(name -> k.put(name, new TsigKey(name, ALGORITHM, newSecret())));
        this.keys = k;
        this.portGiven = b.port != 0;
        this.port = portGiven ? b.port : FreePorts.tcpAndUdp();
        ServerProcess.Builder pb = ServerProcess.builder(b.name)
                .command(dir -> List.of(binary.toString(), "-g", "-4", "-n", "1", "-c",
                        dir.resolve("named.conf").toString()))
                .readiness(this::isReady)
                .startupTimeout(STARTUP_TIMEOUT)
                .stopTimeout(STOP_TIMEOUT);
        if (b.directory != null) {
            pb.directory(b.directory);
        }
        this.process = pb.build();
        try {
            zones.keySet().forEach(z -> serials.put(z, INITIAL_SERIAL));
            writeZoneFiles();
            writeConfig();
        } catch (RuntimeException e) {
            process.close();
            throw e;
        }
    }

    /** Starts describing a server; give it at least one zone. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * The named binary this harness runs: {@code named} on the PATH, else in {@code /usr/sbin} or
     * {@code /usr/local/sbin} (Debian puts it in /usr/sbin, which is not on a normal user's PATH).
     *
     * @throws ServerStartException if there is none, saying how to install it
     */
    public static Path binary() {
        List<Path> dirs = new ArrayList<>();
        String path = Objects.requireNonNullElse(System.getenv("PATH"), "");
        for (String dir : path.split(java.io.File.pathSeparator)) {
            if (!dir.isEmpty()) {
                dirs.add(Path.of(dir));
            }
        }
        dirs.addAll(SBIN_DIRS);
        for (Path dir : dirs) {
            Path candidate = dir.resolve("named");
            if (Files.isExecutable(candidate)) {
                return candidate;
            }
        }
        throw new ServerStartException("named (BIND 9) is not installed: not found on the PATH " + path + " nor in "
                + SBIN_DIRS + "; run scripts/install-deps, which installs Debian's bind9 and dnsutils", null);
    }

    /** The port named listens on, for both UDP and TCP. */
    public int port() {
        return port;
    }

    /** {@code 127.0.0.1:PORT}, as {@code hotline.dns.server} takes it. */
    public String address() {
        return "127.0.0.1:" + port;
    }

    /** Where to send DNS messages, e.g. {@code new SimpleResolver(named.socketAddress())}. */
    public InetSocketAddress socketAddress() {
        return new InetSocketAddress(LOOPBACK, port);
    }

    /** The zones it serves, absolute and in lower case, e.g. {@code az-1.region-one.rpc.test.}. */
    public List<String> zones() {
        return zones.keySet().stream().map(Name::toString).sorted().toList();
    }

    /**
     * A key named knows: one a dynamic zone is granted to, or one declared with {@link Builder#key(String)}.
     *
     * @throws IllegalArgumentException if the builder declared no such key
     */
    public TsigKey key(String name) {
        TsigKey key = keys.get(name);
        if (key == null) {
            throw new IllegalArgumentException("named knows no key '" + name + "'; it knows " + keys.keySet()
                    + " (declare keys with NamedServer.Builder.zone(zone, key) or key(name))");
        }
        return key;
    }

    /**
     * Writes {@code key} as a BIND key clause, {@code key "NAME" { algorithm hmac-sha256; secret "BASE64"; };}, to
     * {@code DIR/NAME.key}, readable and writable by its owner only ({@code rw-------}), as
     * {@code hotline.dns.tsig-secret-file} wants it. Each call writes it afresh, with those permissions.
     *
     * @return the file
     * @throws IllegalArgumentException if named knows no such key
     */
    public Path keyFile(String name) {
        TsigKey key = key(name);
        Path file = process.directory().resolve(name + ".key");
        try {
            Files.deleteIfExists(file);
            Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            Files.writeString(file, key.clause(), StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the key file " + file, e);
        }
        return file;
    }

    /** The directory named runs in: named.conf, the zone files and their journals ({@code .jnl}), its output log. */
    public Path directory() {
        return process.directory();
    }

    /** The process, for its PID, its log, or {@link ServerProcess#pause()} to make it hang. */
    public ServerProcess process() {
        return process;
    }

    public boolean isRunning() {
        return process.isAlive();
    }

    /**
     * The SOA serial {@code zone} answers now, asked over TCP.
     *
     * @throws IllegalArgumentException if this server does not serve {@code zone}
     * @throws IllegalStateException if named does not answer with the SOA within two seconds
     */
    public long serial(String zone) {
        Name name = zoneName(zone);
        if (!zones.containsKey(name)) {
            throw new IllegalArgumentException("named serves no zone '" + name + "'; it serves " + zones());
        }
        try {
            return querySerial(name, QUERY_TIMEOUT);
        } catch (IOException e) {
            throw new IllegalStateException("named on " + address() + " did not answer the SOA of " + name + ": " + e,
                    e);
        }
    }

    /**
     * Starts named and waits until it serves every zone. The data is what the zone files and journals in the
     * directory hold: the builder's zones at the first start, what updates made of them after a {@link #stop()} or
     * {@link #kill()}, the builder's zones again after a {@link #wipe()}.
     *
     * @return this, for chaining
     * @throws ServerStartException if it does not serve its zones within 20 s (the message holds named's output)
     * @throws IllegalStateException if it is running or closed
     */
    public synchronized NamedServer start() {
        for (int attempt = 1; ; attempt++) {
            try {
                process.start();
                try {
                    requireSoleOwnerOfPort();
                } catch (RuntimeException e) {
                    process.stop();
                    throw e;
                }
                started = true;
                return this;
            } catch (ServerStartException e) {
                // Another process may take the port between FreePorts finding it free and named binding it.
                if (started || portGiven || !e.portTaken() || attempt == PORT_ATTEMPTS) {
                    throw e;
                }
                process.forgetFailedStart();
                try {
                    port = FreePorts.tcpAndUdp();
                    writeConfig();
                } catch (RuntimeException again) {
                    again.addSuppressed(e);
                    throw again;
                }
            }
        }
    }

    /**
     * Stops named (SIGTERM, SIGKILL after five seconds) and keeps its directory: {@link #start()} brings it back on the
     * same port with the same data, replayed from the journals. Does nothing if it is not running.
     */
    public synchronized void stop() {
        noteSerials();
        process.stop();
    }

    /**
     * Kills named at once (SIGKILL), as a crash: no shutdown runs. The journals hold every update named acknowledged,
     * so {@link #start()} brings the data back as after {@link #stop()}. Does nothing if it is not running.
     */
    public synchronized void kill() {
        noteSerials();
        process.kill();
    }

    /** Stops and starts named: it comes back with its data (see {@link #stop()}). */
    public synchronized NamedServer restart() {
        stop();
        return start();
    }

    /**
     * While named is stopped, rewrites every zone file from the builder's definition and deletes the journals, so
     * that the next {@link #start()} serves the zones as first defined: dynamic zones hold no updates, static zones
     * their records. Each zone's serial is one above the highest this harness saw (the last {@link #serial} and the
     * serials named answered at {@link #stop()} or {@link #kill()}), so that a reader polling the SOA sees a change;
     * named then has no journal to build a delta from, so an IXFR gets the whole zone.
     *
     * @throws IllegalStateException if named is running
     */
    public synchronized void wipe() {
        if (process.isAlive()) {
            throw new IllegalStateException("named is running on " + address() + "; stop() or kill() it before wipe()");
        }
        serials.replaceAll((zone, serial) -> (serial + 1) % SERIAL_MODULUS);
        writeZoneFiles();
        for (Zone zone : zones.values()) {
            Path journal = process.directory().resolve(zone.fileName() + ".jnl");
            try {
                Files.deleteIfExists(journal);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot delete the journal " + journal, e);
            }
        }
    }

    /** Stops named and deletes its directory (kept if it failed, or with {@value ServerProcess#KEEP_DIRS_PROPERTY}). */
    @Override
    public void close() {
        process.close();
    }

    @Override
    public String toString() {
        return "named on " + address() + " serving " + zones();
    }

    // ---- readiness -------------------------------------------------------------------------------------------

    private boolean isReady() throws NotReadyException {
        boolean tcp = false;
        for (Name zone : zones.keySet()) {
            // Over UDP for every zone, then over TCP once: a DNS server must answer both.
            expectToken(zone, false);
            if (!tcp) {
                expectToken(zone, true);
                tcp = true;
            }
        }
        return true;
    }

    private void expectToken(Name zone, boolean tcp) throws NotReadyException {
        Name name = readyName(zone);
        Message answer;
        try {
            answer = resolver(tcp, READY_QUERY_TIMEOUT)
                    .send(Message.newQuery(Record.newRecord(name, Type.TXT, DClass.IN)));
        } catch (IOException e) {
            throw new NotReadyException("no answer for " + name + " TXT over " + (tcp ? "TCP" : "UDP") + " from "
                    + address() + ": " + e, e);
        }
        for (Record r : answer.getSection(Section.ANSWER)) {
            if (r instanceof TXTRecord txt && txt.getStrings().contains(token)) {
                return;
            }
        }
        throw new NotReadyException(address() + " answered " + Rcode.string(answer.getRcode()) + " without this "
                + "server's token for " + name + " TXT (zone not loaded yet, or another server answers on the port)");
    }

    /**
     * Fails as a taken port when a socket bound to the port belongs to another process: named binds with
     * SO_REUSEPORT, so it starts beside another server on the same port instead of failing, and the kernel would
     * split the queries between them. Checked through /proc; where that cannot be read, the token check alone holds.
     */
    private void requireSoleOwnerOfPort() {
        long pid = process.pid();
        Set<String> ours = new HashSet<>();
        try (Stream<Path> fds = Files.list(Path.of("/proc", Long.toString(pid), "fd"))) {
            for (Path fd : (Iterable<Path>) fds::iterator) {
                try {
                    String target = Files.readSymbolicLink(fd).toString();
                    if (target.startsWith("socket:[")) {
                        ours.add(target.substring("socket:[".length(), target.length() - 1));
                    }
                } catch (IOException e) {
                    // The descriptor was closed since the listing: not one of the listening sockets.
                }
            }
        } catch (AccessDeniedException | NoSuchFileException e) {
            // Not Linux, or named is not dumpable for this user: the token check alone holds.
            return;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list the sockets of named (pid " + pid + ")", e);
        }
        List<String> foreign = new ArrayList<>();
        // A JVM's sockets are IPv6 ones bound to ::ffff:127.0.0.1, so the IPv6 tables count too.
        for (String table : List.of("udp", "udp6", "tcp", "tcp6")) {
            foreign.addAll(foreignSockets(Path.of("/proc/net", table), table.startsWith("tcp"), ours));
        }
        if (!foreign.isEmpty()) {
            throw new ServerStartException(process.name() + " failed to start: another process also listens on "
                    + address() + " (" + String.join(", ", foreign) + "); named binds with SO_REUSEPORT and so "
                    + "started beside it instead of failing with 'address already in use'", null);
        }
    }

    /**
     * Sockets in a /proc/net table bound to the port on 127.0.0.1 or the wildcard address, IPv4 or IPv6 (TCP:
     * listening), that are not ours.
     */
    private List<String> foreignSockets(Path table, boolean tcp, Set<String> ours) {
        List<String> lines;
        try {
            lines = Files.readAllLines(table, StandardCharsets.US_ASCII);
        } catch (NoSuchFileException e) {
            return List.of();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + table, e);
        }
        String portHex = String.format(Locale.ROOT, ":%04X", port);
        List<String> foreign = new ArrayList<>();
        for (String line : lines.subList(Math.min(1, lines.size()), lines.size())) {
            // sl local_address rem_address st tx_queue:rx_queue tr:tm->when retrnsmt uid timeout inode ...
            String[] f = line.trim().split("\\s+");
            if (f.length < 10 || !f[1].endsWith(portHex) || f[9].equals("0")) {
                continue;
            }
            String address = f[1].substring(0, f[1].length() - portHex.length());
            boolean loopbackOrAny = LOOPBACK_OR_ANY.contains(address);
            boolean listening = !tcp || f[3].equals("0A");
            if (loopbackOrAny && listening && !ours.contains(f[9])) {
                foreign.add((tcp ? "TCP" : "UDP") + " socket inode " + f[9]);
            }
        }
        return foreign;
    }

    // ---- queries -------------------------------------------------------------------------------------------

    private SimpleResolver resolver(boolean tcp, Duration timeout) {
        SimpleResolver resolver = new SimpleResolver(socketAddress());
        resolver.setTCP(tcp);
        resolver.setTimeout(timeout);
        return resolver;
    }

    private synchronized long querySerial(Name zone, Duration timeout) throws IOException {
        Message answer = resolver(true, timeout).send(Message.newQuery(Record.newRecord(zone, Type.SOA, DClass.IN)));
        for (Record r : answer.getSection(Section.ANSWER)) {
            if (r instanceof SOARecord soa && soa.getName().equals(zone)) {
                noteSerial(zone, soa.getSerial());
                return soa.getSerial();
            }
        }
        throw new IOException("the answer (" + Rcode.string(answer.getRcode()) + ") holds no SOA for " + zone);
    }

    /** Remembers the serial named answers for every zone, so that a later wipe goes above it. Best effort. */
    private void noteSerials() {
        if (!process.isAlive()) {
            return;
        }
        for (Name zone : zones.keySet()) {
            try {
                querySerial(zone, STOPPING_QUERY_TIMEOUT);
            } catch (IOException e) {
                // A hung or dying named: wipe() goes above the last serial seen before.
            }
        }
    }

    private synchronized void noteSerial(Name zone, long serial) {
        long known = serials.getOrDefault(zone, INITIAL_SERIAL);
        // RFC 1982 serial arithmetic: newer when ahead by less than half the number space.
        long ahead = (serial - known + SERIAL_MODULUS) % SERIAL_MODULUS;
        if (ahead > 0 && ahead < SERIAL_MODULUS / 2) {
            serials.put(zone, serial);
        }
    }

    // ---- files ---------------------------------------------------------------------------------------------

    private void writeConfig() {
        Path dir = process.directory();
        StringBuilder conf = new StringBuilder();
        conf.append("// Written by io.hotline.testing.NamedServer: authoritative only, loopback only, no rndc.\n")
                .append("options {\n")
                .append("    directory ").append(quote(dir)).append(";\n")
                .append("    pid-file ").append(quote(dir.resolve("named.pid"))).append(";\n")
                .append("    session-keyfile ").append(quote(dir.resolve("session.key"))).append(";\n")
                .append("    lock-file none;\n")
                .append("    listen-on port ").append(port).append(" { 127.0.0.1; };\n")
                .append("    listen-on-v6 { none; };\n")
                // Without these it would try the public root servers.
                .append("    recursion no;\n")
                .append("    dnssec-validation no;\n")
                .append("    notify no;\n")
                .append("};\n")
                // Without this every instance would listen for rndc on 127.0.0.1:953 and share it.
                .append("controls { };\n");
        for (TsigKey key : keys.values()) {
            conf.append(key.clause());
        }
        for (Zone zone : zones.values()) {
            conf.append("zone \"").append(zone.name()).append("\" {\n")
                    .append("    type primary;\n")
                    .append("    file \"").append(zone.fileName()).append("\";\n");
            if (zone.key() != null) {
                conf.append("    update-policy { grant \"").append(zone.key()).append("\" zonesub ANY; };\n")
                        .append("    allow-transfer { key \"").append(zone.key()).append("\"; 127.0.0.1; };\n");
            } else {
                conf.append("    allow-transfer { 127.0.0.1; };\n");
            }
            conf.append("};\n");
        }
        // It holds the secrets.
        writePrivate(dir.resolve("named.conf"), conf.toString());
    }

    private void writeZoneFiles() {
        for (Zone zone : zones.values()) {
            String text = "$ORIGIN " + zone.name() + "\n"
                    + "$TTL " + SERVER_TTL + "\n"
                    // Negative answers may be cached for 1 s only.
                    + "@ IN SOA ns hostmaster " + serials.get(zone.name()) + " 60 60 600 1\n"
                    + "@ IN NS ns\n"
                    + "ns IN A 127.0.0.1\n"
                    + "_ready IN TXT \"" + token + "\"\n"
                    + zone.body();
            Path file = process.directory().resolve(zone.fileName());
            try {
                Files.writeString(file, text, StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot write the zone file " + file, e);
            }
        }
    }

    private static void writePrivate(Path file, String text) {
        try {
            Files.deleteIfExists(file);
            Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            Files.writeString(file, text, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }

    private static String quote(Path path) {
        String s = path.toString();
        if (s.contains("\"") || s.contains("\\")) {
            throw new IllegalArgumentException("named cannot be given the directory " + s
                    + ": it contains a quote or a backslash; use another temp dir");
        }
        return "\"" + s + "\"";
    }

    private static Name readyName(Name zone) {
        try {
            return Name.concatenate(Name.fromConstantString("_ready"), zone);
        } catch (NameTooLongException e) {
            throw new IllegalArgumentException("zone " + zone + " is too long for its _ready record", e);
        }
    }

    private static String newSecret() {
        byte[] secret = new byte[SECRET_BYTES];
        RANDOM.nextBytes(secret);
        return Base64.getEncoder().encodeToString(secret);
    }

    private static Name zoneName(String zone) {
        Objects.requireNonNull(zone, "zone");
        try {
            Name name = Name.fromString(zone.toLowerCase(Locale.ROOT), Name.root);
            if (!Zone.FILE_SAFE.matcher(name.toString(true)).matches()) {
                throw new IllegalArgumentException("zone '" + zone + "' must be made of letters, digits, '-' and "
                        + "'_' labels (its name becomes a file name)");
            }
            return name;
        } catch (TextParseException e) {
            throw new IllegalArgumentException("zone '" + zone + "' is not a domain name: " + e.getMessage(), e);
        }
    }

    private static InetAddress loopback() {
        try {
            // Explicitly IPv4: named is started with -4.
            return InetAddress.getByAddress(new byte[] {127, 0, 0, 1});
        } catch (UnknownHostException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /**
     * A TSIG key named knows: its name, {@value #ALGORITHM}, and the base64 secret. {@link #toString()} hides the
     * secret.
     *
     * <pre>{@code
     * NamedServer.TsigKey key = named.key("az1-key");
     * resolver.setTSIGKey(key.tsig());                              // dnsjava signs with it
     * }</pre>
     *
     * @param name the key's name, as {@code hotline.dns.tsig-key-name} takes it
     * @param algorithm {@value #ALGORITHM}
     * @param secret the base64 secret, as {@code hotline.dns.tsig-secret} takes it
     */
    public record TsigKey(String name, String algorithm, String secret) {

        public TsigKey {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(algorithm, "algorithm");
            Objects.requireNonNull(secret, "secret");
        }

        /** The key for dnsjava, e.g. {@code resolver.setTSIGKey(key.tsig())}. */
        public TSIG tsig() {
            return new TSIG(TSIG.HMAC_SHA256, name, secret);
        }

        /** The key as a named.conf {@code key} clause, ending in a newline. */
        public String clause() {
            return "key \"" + name + "\" {\n    algorithm " + algorithm + ";\n    secret \"" + secret + "\";\n};\n";
        }

        @Override
        public String toString() {
            return "TsigKey[name=" + name + ", algorithm=" + algorithm + ", secret=(hidden)]";
        }
    }

    /** A zone: dynamic when {@code key} is granted updates, else static with {@code body} after the harness's records. */
    private record Zone(Name name, String key, String body) {
        static final Pattern FILE_SAFE = Pattern.compile("[a-z0-9_-]+(\\.[a-z0-9_-]+)*");

        String fileName() {
            return name.toString(true) + ".zone";
        }
    }

    /** Describes a {@link NamedServer}: at least one zone. */
    public static final class Builder {
        private static final Pattern KEY_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,62}");
        private static final Set<String> RESERVED = Set.of("ns", "_ready");

        private final Map<Name, Zone> zones = new LinkedHashMap<>();
        private final Set<String> keyNames = new LinkedHashSet<>();
        private String name = "named";
        private Path directory;
        private int port;

        private Builder() {}

        /**
         * A dynamic zone: updates signed with {@code keyName} may change anything in it; updates signed with another
         * key are refused, as are unsigned ones. The key is generated at {@link #build()} unless an earlier call
         * declared it (zones may share a key).
         *
         * @param zone e.g. {@code az-1.region-one.rpc.test.} (trailing dot optional)
         * @throws IllegalArgumentException if the zone was given before or either name is unusable
         */
        public Builder zone(String zone, String keyName) {
            Name name = zoneName(zone);
            key(keyName);
            return add(new Zone(name, keyName, ""));
        }

        /**
         * A static, read-only zone holding {@code records} (zone-file text; names relative to the zone unless they
         * end with a dot), after the SOA, NS, {@code ns} and {@code _ready} records the harness writes. Start every
         * line with its owner name: a line starting with a blank would belong to {@code _ready}.
         *
         * <pre>{@code
         * builder.staticZone("legacy.test.", """
         *         _nova._hotline._tcp SRV 0 1 8080 host1
         *         host1 A 127.0.0.1
         *         """);
         * }</pre>
         *
         * @throws IllegalArgumentException if the zone was given before, the text does not parse, a record lies
         *     outside the zone, or a record uses the harness's names {@code ns} or {@code _ready}
         */
        public Builder staticZone(String zone, String records) {
            Name name = zoneName(zone);
            Objects.requireNonNull(records, "records");
            String body = records.endsWith("\n") || records.isEmpty() ? records : records + "\n";
            requireParses(name, body);
            return add(new Zone(name, null, body));
        }

        /** A key named knows but grants nothing, for tests of a wrong key. */
        public Builder key(String keyName) {
            Objects.requireNonNull(keyName, "keyName");
            if (!KEY_NAME.matcher(keyName).matches()) {
                throw new IllegalArgumentException("key name '" + keyName + "' must be 1-63 letters, digits, '.', "
                        + "'_' or '-', starting with a letter or digit (it becomes a file name)");
            }
            keyNames.add(keyName);
            return this;
        }

        /** Labels the directory, the log and error messages; {@code named} by default. */
        public Builder name(String name) {
            this.name = Objects.requireNonNull(name, "name");
            return this;
        }

        /** Runs in this existing directory (never deleted) instead of a temp dir. */
        public Builder directory(Path directory) {
            this.directory = Objects.requireNonNull(directory, "directory");
            return this;
        }

        /** Listens on this port (UDP and TCP); a free one when not set. A given port is never swapped for another. */
        public Builder port(int port) {
            if (port < 1 || port > 65535) {
                throw new IllegalArgumentException("port " + port + " is outside 1-65535");
            }
            this.port = port;
            return this;
        }

        /**
         * Generates the keys, picks the port and writes named.conf and the zone files; does not start named.
         *
         * @throws IllegalStateException if no zone was given
         * @throws ServerStartException if named is not installed
         */
        public NamedServer build() {
            if (zones.isEmpty()) {
                throw new IllegalStateException("a NamedServer needs at least one zone: zone(name, key) or "
                        + "staticZone(name, records)");
            }
            return new NamedServer(this, binary());
        }

        /** Builds and starts the server (see {@link NamedServer#start()}); closes it if it does not start. */
        public NamedServer start() {
            NamedServer server = build();
            try {
                return server.start();
            } catch (RuntimeException e) {
                server.close();
                throw e;
            }
        }

        private Builder add(Zone zone) {
            if (zones.putIfAbsent(zone.name(), zone) != null) {
                throw new IllegalArgumentException("zone " + zone.name() + " is given twice");
            }
            return this;
        }

        /** Parses the records as named will, so that a typo fails here rather than as a zone named cannot load. */
        private static void requireParses(Name zone, String body) {
            Master master = new Master(new ByteArrayInputStream(body.getBytes(StandardCharsets.UTF_8)), zone,
                    Long.parseLong(SERVER_TTL));
            // named would resolve an include against its directory, this parser against the JVM's: neither helps.
            master.disableIncludes(true);
            try {
                for (Record r = master.nextRecord(); r != null; r = master.nextRecord()) {
                    if (!r.getName().subdomain(zone)) {
                        throw new IllegalArgumentException("static zone " + zone + ": the record " + r.getName() + " "
                                + Type.string(r.getType()) + " lies outside the zone");
                    }
                    if (r.getType() == Type.SOA) {
                        throw new IllegalArgumentException("static zone " + zone + ": the harness writes the SOA; "
                                + "leave it out of the records");
                    }
                    Name relative = r.getName().relativize(zone);
                    if (relative.labels() == 1 && RESERVED.contains(relative.toString().toLowerCase(Locale.ROOT))) {
                        throw new IllegalArgumentException("static zone " + zone + ": " + relative + " is the "
                                + "harness's own name; use another");
                    }
                }
            } catch (IOException e) {
                throw new IllegalArgumentException("static zone " + zone + ": the records do not parse: "
                        + e.getMessage(), e);
            }
        }
    }
}
