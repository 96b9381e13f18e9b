package io.hotline.testing;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Pattern;

/**
 * A real OpenStack Keystone (Debian's 22 / Zed) for tests: the public WSGI application under uWSGI, one process with
 * one thread unless {@link Builder#processes} says more, on a free 127.0.0.1 port, with its own sqlite database (WAL),
 * fernet token keys and credential keys in a temp dir. Each process answers one request at a time and closes the
 * connection after each ({@code Connection: close}), so that no client's idle keep-alive connection holds it from the
 * others; every answer carries a {@code Date} header, as behind a real web server. It looks like a freshly bootstrapped cloud: the {@code admin} user with the
 * {@code admin} role on the {@code admin} project of the {@code Default} domain (roles {@code reader} and
 * {@code member} exist too), one region, and the {@code identity} service with public, internal and admin endpoints
 * at {@link #url()} in that region.
 *
 * <pre>{@code
 * try (KeystoneServer keystone = KeystoneServer.builder()
 *         .regionId("region-one")                           // the bootstrap region; RegionOne by default
 *         .region("az-1", "region-one")                     // more regions, each under its parent (null: a root)
 *         .processes(2)                                     // uWSGI workers; 1 by default
 *         .tokenExpiration(Duration.ofSeconds(30))          // an hour by default
 *         .tls(dir.resolve("cert.pem"), dir.resolve("key.pem"))  // an https socket too, at httpsUrl()
 *         .start()) {
 *     String authUrl = keystone.url();                      // http://127.0.0.1:PORT/v3
 *     String password = keystone.adminPassword();           // random unless the builder gave one
 *     String token = keystone.token();                      // admin, scoped to project admin in domain Default
 *     keystone.createUser("viewer", "pw", "reader");        // reader on project admin: its catalog, no writes
 *     keystone.grantSystemRole(keystone.createUser("auditor", "pw"), "reader");  // may list /v3/endpoints
 *     keystone.createRegion("az-2", "region-one");
 *     JsonNode endpoints = keystone.call("GET", "/endpoints", null);  // any request, as admin
 *     keystone.stop();
 *     keystone.start();                                     // same port and data
 *     keystone.kill();                                      // SIGKILL; requests are refused at once
 * }
 * }</pre>
 *
 * <p><b>Template.</b> Initialising Keystone takes two {@code keystone-manage} runs of a few seconds each, so it is done
 * once per JVM in a template directory: {@code db_sync}, then {@code PRAGMA journal_mode=WAL} on the database (one
 * writer at a time, or writes fail with "database is locked"), then {@code bootstrap} with region
 * {@value #DEFAULT_REGION} and placeholder URLs. Each instance copies the database (about 0.5 MB, milliseconds) and
 * rewrites in it, with the {@code sqlite3} tool, the bootstrap endpoints' URL to its own, the region id to the
 * builder's, and adds the builder's other regions. It writes its own {@code keystone.conf} and its own fernet and
 * credential keys, so a token one instance issued is refused by another, as between two clouds. The harness writes
 * the keys itself, as {@code keystone-manage fernet_setup} and {@code credential_setup} would (files {@code 0} and
 * {@code 1} holding 32 random bytes in URL-safe base64, owner-only), which takes no time where each tool takes seconds.
 * Configured: {@code [identity] password_hash_rounds = 4} (bcrypt, fast), {@code [cache]} in memory,
 * {@code [catalog] caching = false} (with it, deleted child regions still show).
 *
 * <p><b>Admin password.</b> The template's admin password is a random one known only to this class. An instance
 * changes it to its own ({@link Builder#adminPassword}, random by default) through the API on its first
 * {@link #start()} ({@code PATCH /v3/users/{id}}, a few hundred milliseconds); Keystone then revokes the admin's
 * tokens issued up to that second, to the second, so the start also waits for the next second of the clock (at most
 * one) before it returns. Later starts keep the password, as they keep all data.
 *
 * <p><b>Lifecycle.</b> {@link #stop()} sends SIGTERM and waits (SIGKILL after ten seconds), {@link #kill()} sends
 * SIGKILL; either way the directory stays and {@link #start()} brings Keystone back on the same port with the same
 * data (committed writes survive a SIGKILL: they are in the WAL). {@link #close()} stops it and deletes the directory
 * (kept if it failed to start, or with {@value ServerProcess#KEEP_DIRS_PROPERTY}). Ready means {@code GET /v3}
 * answers Keystone's version document: about 2 s on an idle machine, up to 30 s seen on a loaded one (2.3 s of CPU,
 * mostly Python imports); after 120 s the start fails with the tail of uWSGI's output.
 *
 * <p>Needs {@code /usr/bin/keystone-manage}, {@code /usr/bin/keystone-wsgi-public}, {@code /usr/bin/uwsgi} with its
 * {@code python3} plugin, and {@code /usr/bin/sqlite3}: {@code scripts/install-deps} installs them (Debian's
 * {@code keystone}, {@code uwsgi}, {@code uwsgi-plugin-python3} and {@code sqlite3}); without them
 * {@link Builder#build()} fails saying so. Debian's Python ({@code /usr/bin/python3}) runs {@code keystone-manage},
 * never the one on the PATH, which may lack Keystone. Never the packaged service. Thread-safe.
 */
public final class KeystoneServer implements AutoCloseable {

    /** How long tokens last unless {@link Builder#tokenExpiration} says otherwise: Keystone's default. */
    public static final Duration DEFAULT_TOKEN_EXPIRATION = Duration.ofHours(1);
    /** The bootstrap region unless {@link Builder#regionId} names another. */
    public static final String DEFAULT_REGION = "RegionOne";
    /** The bootstrap admin user, also the name of its project; both in the {@code Default} domain. */
    public static final String ADMIN = "admin";
    /** The id of the {@code Default} domain. */
    public static final String DEFAULT_DOMAIN_ID = "default";

    private static final Path PYTHON = Path.of("/usr/bin/python3");
    private static final Path KEYSTONE_MANAGE = Path.of("/usr/bin/keystone-manage");
    private static final Path WSGI_PUBLIC = Path.of("/usr/bin/keystone-wsgi-public");
    private static final Path UWSGI = Path.of("/usr/bin/uwsgi");
    private static final Path UWSGI_PYTHON_PLUGIN = Path.of("/usr/lib/uwsgi/plugins/python3_plugin.so");
    private static final Path SQLITE = Path.of("/usr/bin/sqlite3");

    private static final String DATABASE = "keystone.db";
    private static final String CONFIG = "keystone.conf";
    private static final String UWSGI_CONFIG = "uwsgi.ini";
    private static final List<String> KEY_REPOSITORIES = List.of("fernet-keys", "fernet-receipt-keys",
            "credential-keys");
    /** The bootstrap endpoints' URL in the template; each instance rewrites it to its own. */
    private static final String TEMPLATE_URL = "http://keystone-template.invalid:1/v3";
    /** Region ids the builder accepts: they are written into the database as SQL literals. */
    private static final Pattern REGION_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");
    /** bcrypt, Keystone's hash, ignores what comes after 72 bytes. */
    private static final int MAX_PASSWORD_BYTES = 72;

    private static final int PORT_ATTEMPTS = 3;
    /**
     * Keystone is ready about 2 s after uWSGI starts on an idle machine (2.3 s of CPU, mostly imports); on a loaded
     * two-core machine two side by side took 28 s. A Keystone that cannot load exits at once (need-app).
     */
    private static final Duration STARTUP_TIMEOUT = Duration.ofSeconds(120);
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(10);
    /** One keystone-manage or sqlite3 run; keystone-manage takes 2-3 s, longer on a loaded machine. */
    private static final Duration TOOL_TIMEOUT = Duration.ofSeconds(120);
    /** Generous: the first requests to a fresh Keystone load code, and the machine may be loaded. */
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(15);
    /** How long {@link #lockDatabase()} waits for a write in progress to end. */
    private static final int LOCK_TIMEOUT_SECONDS = 30;
    private static final int EXCERPT_CHARS = 300;
    private static final int TOOL_OUTPUT_LINES = 30;

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final ObjectMapper JSON = new ObjectMapper();
    // No proxy: one from the environment cannot reach the test machine's loopback. HTTP/1.1: no h2c upgrade for uWSGI.
    private static final HttpClient HTTP = HttpClient.newBuilder()
            .connectTimeout(Duration.ofSeconds(2))
            .proxy(HttpClient.Builder.NO_PROXY)
            .version(HttpClient.Version.HTTP_1_1)
            .followRedirects(HttpClient.Redirect.NEVER)
            .build();

    /** Made by the first instance of the JVM; guarded by KeystoneServer.class. */
    private static Template template;

    private final String adminPassword;
    private final String regionId;
    private final int processes;
    /** The https socket's certificate and key, or null for none. */
    private final TlsFiles tls;
    private final ServerProcess process;
    private volatile int port;
    private volatile int tlsPort;
    /** Whether a start changed the admin password from the template's; guarded by this. */
    private boolean ownPassword;
    private boolean started;

    private KeystoneServer(Builder b) {
        requireInstalled();
        Template t = template();
        this.adminPassword = b.adminPassword != null ? b.adminPassword : newSecret(18);
        this.regionId = b.regionId;
        this.processes = b.processes;
        this.tls = b.tls;
        this.port = FreePorts.tcp();
        this.tlsPort = tls == null ? 0 : FreePorts.tcp();
        this.process = ServerProcess.builder(b.name)
                .command(dir -> List.of(UWSGI.toString(), "--ini", dir.resolve(UWSGI_CONFIG).toString()))
                .environment(dir -> Map.of("OS_KEYSTONE_CONFIG_FILES", dir.resolve(CONFIG).toString()))
                .readiness(this::isReady)
                .startupTimeout(STARTUP_TIMEOUT)
                .stopTimeout(STOP_TIMEOUT)
                .build();
        try {
            Path dir = process.directory();
            Files.copy(t.directory().resolve(DATABASE), dir.resolve(DATABASE));
            writeConfig(dir, b.tokenExpiration);
            KEY_REPOSITORIES.forEach(repository -> writeKeys(dir.resolve(repository)));
            writeUwsgiConfig();
            sql(dir, customisation(b));
        } catch (IOException e) {
            process.close();
            throw new UncheckedIOException("cannot copy Keystone's template database " + t.directory() + " into "
                    + process.directory(), e);
        } catch (RuntimeException e) {
            process.close();
            throw e;
        }
    }

    /** Starts describing a Keystone. */
    public static Builder builder() {
        return new Builder();
    }

    /** The identity API, {@code http://127.0.0.1:PORT/v3}: the auth URL, and the bootstrap endpoints' URL. */
    public String url() {
        return "http://127.0.0.1:" + port + "/v3";
    }

    /**
     * The identity API over https ({@code https://127.0.0.1:PORT/v3}), with the certificate {@link Builder#tls} gave;
     * {@link #url()} keeps answering plain http.
     *
     * @throws IllegalStateException if the builder gave no certificate
     */
    public String httpsUrl() {
        if (tls == null) {
            throw new IllegalStateException("keystone " + process.name() + " has no https socket: give its builder "
                    + "tls(certificate, key)");
        }
        return "https://127.0.0.1:" + tlsPort + "/v3";
    }

    public int port() {
        return port;
    }

    /** The password of user {@value #ADMIN}; it never appears in a message of this class. */
    public String adminPassword() {
        return adminPassword;
    }

    /** The bootstrap region, holding the identity endpoints. */
    public String regionId() {
        return regionId;
    }

    /** The directory: keystone.conf, uwsgi.ini, the database, the key repositories and uWSGI's output log. */
    public Path directory() {
        return process.directory();
    }

    /** The uWSGI process, for its PID, its log, or {@link ServerProcess#pause()} to make Keystone hang. */
    public ServerProcess process() {
        return process;
    }

    public boolean isRunning() {
        return process.isAlive();
    }

    /**
     * Starts uWSGI and waits until Keystone answers its version document; the first start then sets the admin
     * password. If another process took the port before the first start bound it, it moves to another free port (the
     * bootstrap endpoints follow), up to three times; later starts keep the port.
     *
     * @return this, for chaining
     * @throws ServerStartException if Keystone is not ready within 120 s (the message holds uWSGI's output), or the
     *     admin password cannot be set
     * @throws IllegalStateException if it is running or closed
     */
    public synchronized KeystoneServer start() {
        for (int attempt = 1; ; attempt++) {
            try {
                process.start();
                break;
            } catch (ServerStartException e) {
                // Another process may take the port between FreePorts finding it free and uWSGI binding it.
                if (started || !e.portTaken() || attempt == PORT_ATTEMPTS) {
                    throw e;
                }
                process.forgetFailedStart();
                try {
                    moveTo(FreePorts.tcp());
                } catch (RuntimeException again) {
                    again.addSuppressed(e);
                    throw again;
                }
            }
        }
        started = true;
        if (!ownPassword) {
            try {
                setAdminPassword();
            } catch (RuntimeException e) {
                process.stop();
                throw new ServerStartException("keystone at " + url() + " started, but the admin password could not "
                        + "be changed from the template's: " + e.getMessage() + "; see " + process.logFile(), e);
            }
            ownPassword = true;
        }
        return this;
    }

    /**
     * Stops Keystone (SIGTERM, SIGKILL after ten seconds) and keeps its directory: {@link #start()} brings it back on
     * the same port with the same data. Does nothing if it is not running.
     */
    public synchronized void stop() {
        process.stop();
    }

    /**
     * Kills Keystone at once (SIGKILL), as a crash; connections are then refused. {@link #start()} brings it back with
     * every write it acknowledged. Does nothing if it is not running.
     */
    public synchronized void kill() {
        process.kill();
    }

    /**
     * Stops Keystone and deletes its directory (kept if it failed to start, or with
     * {@value ServerProcess#KEEP_DIRS_PROPERTY}).
     */
    @Override
    public synchronized void close() {
        process.close();
    }

    // ---- admin helpers -------------------------------------------------------------------------------------

    /**
     * A new token of user {@value #ADMIN} scoped to project {@value #ADMIN} in domain {@code Default}, for the
     * {@code X-Auth-Token} header: it holds the {@code admin} role, so it may write anything.
     *
     * @throws IllegalStateException if Keystone refuses it or does not answer
     */
    public String token() {
        return authenticate(ADMIN, adminPassword).token();
    }

    /**
     * Creates a user in domain {@code Default} with the given roles on project {@value #ADMIN}, creating each role that
     * does not exist yet ({@code reader}, {@code member} and {@code admin} do, from the bootstrap). Keystone 22's
     * default policy gives a project {@code reader} its token's catalog ({@code /v3/auth/catalog}) and
     * {@code /v3/regions}, but 403 on {@code /v3/endpoints}, {@code /v3/services} and every write; listing endpoints
     * takes {@code admin}, or {@code reader} on the system ({@link #grantSystemRole}).
     *
     * <pre>{@code
     * String id = keystone.createUser("viewer", "viewer-password", "reader");
     * }</pre>
     *
     * @return the new user's id
     * @throws IllegalStateException if Keystone refuses a step (a user of that name exists: 409)
     */
    public String createUser(String name, String password, String... roleNamesOnProjectAdmin) {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(password, "password");
        String token = token();
        String projectId = call("GET", "/projects?domain_id=" + DEFAULT_DOMAIN_ID + "&name=" + query(ADMIN), null,
                token).path("projects").path(0).path("id").asText();
        ObjectNode user = JSON.createObjectNode();
        user.putObject("user").put("name", name).put("password", password).put("domain_id", DEFAULT_DOMAIN_ID)
                .put("enabled", true);
        String userId = call("POST", "/users", user, token).path("user").path("id").asText();
        for (String role : roleNamesOnProjectAdmin) {
            call("PUT", "/projects/" + projectId + "/users/" + userId + "/roles/" + roleId(role, token), null, token);
        }
        return userId;
    }

    /**
     * Grants a user a role on the whole system (creating the role if missing), for tokens scoped
     * {@code "scope": {"system": {"all": true}}}. A system {@code reader} may list endpoints, services and regions and
     * write nothing (403); its token has no catalog ({@code /v3/auth/catalog} answers 403).
     *
     * <pre>{@code
     * keystone.grantSystemRole(keystone.createUser("auditor", "auditor-password"), "reader");
     * }</pre>
     *
     * @throws IllegalStateException if Keystone refuses it (no such user: 404)
     */
    public void grantSystemRole(String userId, String roleName) {
        Objects.requireNonNull(userId, "userId");
        Objects.requireNonNull(roleName, "roleName");
        String token = token();
        call("PUT", "/system/users/" + userId + "/roles/" + roleId(roleName, token), null, token);
    }

    /**
     * Creates a region, under {@code parentId} (null: a root region), as {@code POST /v3/regions} does.
     *
     * <pre>{@code
     * keystone.createRegion("az-1", keystone.regionId());
     * }</pre>
     *
     * @throws IllegalStateException if Keystone refuses it (the id exists: 409; no such parent: 400)
     */
    public void createRegion(String id, String parentId) {
        Objects.requireNonNull(id, "id");
        ObjectNode body = JSON.createObjectNode();
        ObjectNode region = body.putObject("region").put("id", id);
        if (parentId != null) {
            region.put("parent_region_id", parentId);
        }
        call("POST", "/regions", body, token());
    }

    /**
     * Holds the database's write lock, as a long write by another Keystone process would, until the returned lock is
     * closed. Meanwhile reads go on (the file is in WAL mode) and every write waits sqlite's busy timeout (5 s), then
     * fails: Keystone's handler raises, and uWSGI closes the connection without an answer (its log shows the request
     * with status 500 and no headers). That is how a Keystone on sqlite with several processes fails a write now and
     * then, and how a client's handling of it is tested.
     *
     * <pre>{@code
     * try (KeystoneServer.DatabaseLock lock = keystone.lockDatabase()) {
     *     // writes fail after 5 s each, until here
     * }
     * }</pre>
     *
     * @throws IllegalStateException if the lock is not held within {@value #LOCK_TIMEOUT_SECONDS} s
     */
    public DatabaseLock lockDatabase() {
        return new DatabaseLock(process.directory().resolve(DATABASE));
    }

    /** The database's write lock held by a {@code sqlite3} process; {@link #close()} releases it. */
    public static final class DatabaseLock implements AutoCloseable {
        private static final String HELD = "hotline-lock-held";
        private final Process sqlite;

        private DatabaseLock(Path database) {
            try {
                sqlite = new ProcessBuilder(SQLITE.toString(), "-bail", database.toString())
                        .redirectErrorStream(true).start();
                // BEGIN EXCLUSIVE returns once it holds the lock (waiting out a write in progress); then the marker.
                sqlite.getOutputStream().write(("BEGIN EXCLUSIVE;\nSELECT '" + HELD + "';\n")
                        .getBytes(StandardCharsets.UTF_8));
                sqlite.getOutputStream().flush();
            } catch (IOException e) {
                throw new UncheckedIOException("cannot run " + SQLITE + " on " + database, e);
            }
            CompletableFuture<String> held = CompletableFuture.supplyAsync(() -> {
                try {
                    return new String(sqlite.getInputStream().readNBytes(HELD.length()), StandardCharsets.UTF_8);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
            String answer;
            try {
                answer = held.get(LOCK_TIMEOUT_SECONDS, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                sqlite.destroyForcibly();
                throw new IllegalStateException("interrupted while locking " + database, e);
            } catch (ExecutionException | TimeoutException e) {
                sqlite.destroyForcibly();
                throw new IllegalStateException("sqlite3 did not lock " + database + " within " + LOCK_TIMEOUT_SECONDS
                        + " s", e);
            }
            if (!answer.equals(HELD)) {
                sqlite.destroyForcibly();
                throw new IllegalStateException("sqlite3 could not lock " + database + ": " + answer);
            }
        }

        /** Releases the lock (the transaction, which wrote nothing, rolls back) and ends the sqlite3 process. */
        @Override
        public void close() {
            try {
                sqlite.getOutputStream().write("ROLLBACK;\n.quit\n".getBytes(StandardCharsets.UTF_8));
                sqlite.getOutputStream().close();
                if (!sqlite.waitFor(LOCK_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                    sqlite.destroyForcibly();
                }
            } catch (IOException e) {
                // The process is gone, and its lock with it.
                sqlite.destroyForcibly();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                sqlite.destroyForcibly();
            }
        }
    }

    /**
     * Sends one request as {@value #ADMIN} (a new token each time) and returns the answer's JSON, for what the other
     * helpers do not cover: a hand-made endpoint, a disabled user, an application credential.
     *
     * <pre>{@code
     * JsonNode services = keystone.call("GET", "/services?type=identity", null);
     * keystone.call("PATCH", "/users/" + userId, JsonNodeFactory.instance.objectNode()
     *         .set("user", JsonNodeFactory.instance.objectNode().put("enabled", false)));
     * }</pre>
     *
     * @param path under {@link #url()}, with its query
     * @param body the JSON body, or null for none
     * @return the answer's JSON, an empty object for none
     * @throws IllegalStateException if Keystone answers an error, with its status and message
     */
    public JsonNode call(String method, String path, JsonNode body) {
        Objects.requireNonNull(method, "method");
        Objects.requireNonNull(path, "path");
        return call(method, path, body, token());
    }

    private String roleId(String name, String token) {
        JsonNode found = call("GET", "/roles?name=" + query(name), null, token).path("roles");
        if (found.size() > 0) {
            return found.path(0).path("id").asText();
        }
        ObjectNode role = JSON.createObjectNode();
        role.putObject("role").put("name", name);
        return call("POST", "/roles", role, token).path("role").path("id").asText();
    }

    private void setAdminPassword() {
        Auth auth = authenticate(ADMIN, template().adminPassword());
        ObjectNode user = JSON.createObjectNode();
        user.putObject("user").put("password", adminPassword);
        call("PATCH", "/users/" + auth.userId(), user, auth.token());
        // The change revoked the admin's tokens issued up to now, to the second: Keystone compares whole seconds
        // ("revoked if issued_before >= issued_at"), so a token issued in the same second would be refused at once.
        // Keystone runs on this machine's clock; wait for the next second (at most one).
        long nextSecond = (System.currentTimeMillis() / 1000 + 1) * 1000;
        for (long left = nextSecond - System.currentTimeMillis(); left > 0;
                left = nextSecond - System.currentTimeMillis()) {
            try {
                Thread.sleep(left);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for the admin password change to settle", e);
            }
        }
    }

    private Auth authenticate(String user, String password) {
        ObjectNode body = JSON.createObjectNode();
        ObjectNode auth = body.putObject("auth");
        ObjectNode identity = auth.putObject("identity");
        identity.putArray("methods").add("password");
        identity.putObject("password").putObject("user").put("name", user).put("password", password)
                .putObject("domain").put("id", DEFAULT_DOMAIN_ID);
        auth.putObject("scope").putObject("project").put("name", ADMIN).putObject("domain")
                .put("id", DEFAULT_DOMAIN_ID);
        HttpResponse<String> response = send("POST", "/auth/tokens", body, null);
        String token = response.headers().firstValue("X-Subject-Token").orElseThrow(() -> new IllegalStateException(
                "keystone at " + url() + " issued no X-Subject-Token for user " + user));
        return new Auth(token, parse(response, "POST /auth/tokens").path("token").path("user").path("id").asText());
    }

    /** A request to the API with a token; the parsed answer (empty for 204). */
    private JsonNode call(String method, String path, JsonNode body, String token) {
        return parse(send(method, path, body, token), method + " " + path);
    }

    private HttpResponse<String> send(String method, String path, JsonNode body, String token) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url() + path))
                .timeout(REQUEST_TIMEOUT)
                .header("Accept", "application/json");
        if (token != null) {
            request.header("X-Auth-Token", token);
        }
        if (body != null) {
            request.header("Content-Type", "application/json")
                    .method(method, HttpRequest.BodyPublishers.ofString(body.toString()));
        } else {
            request.method(method, HttpRequest.BodyPublishers.noBody());
        }
        HttpResponse<String> response;
        try {
            response = HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException("keystone at " + url() + " did not answer " + method + " " + path
                    + " (is it running? see " + process.logFile() + "): " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted during " + method + " " + path + " on keystone", e);
        }
        if (response.statusCode() / 100 != 2) {
            // Keystone's error bodies name what was wrong and never echo a password or token.
            throw new IllegalStateException("keystone at " + url() + " answered " + response.statusCode() + " to "
                    + method + " " + path + ": " + excerpt(response.body()));
        }
        return response;
    }

    private JsonNode parse(HttpResponse<String> response, String what) {
        if (response.body().isBlank()) {
            return JSON.createObjectNode();
        }
        try {
            return JSON.readTree(response.body());
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("keystone at " + url() + " answered " + what + " with something that is "
                    + "not JSON: " + excerpt(response.body()), e);
        }
    }

    private static String query(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }

    private static String excerpt(String text) {
        String oneLine = text.strip().replaceAll("\\s+", " ");
        return oneLine.length() > EXCERPT_CHARS ? oneLine.substring(0, EXCERPT_CHARS) + "..." : oneLine;
    }

    private record TlsFiles(Path certificate, Path key) {}

    private record Auth(String token, String userId) {
        @Override
        public String toString() {
            return "Auth[token=(hidden), userId=" + userId + "]";
        }
    }

    // ---- readiness -----------------------------------------------------------------------------------------

    private boolean isReady() throws Exception {
        return ReadinessCheck.http(URI.create(url()), KeystoneServer::isVersionDocument).isReady();
    }

    /** Keystone's answer to {@code GET /v3}: {@code {"version": {"id": "v3.14", "status": "stable", ...}}}. */
    private static boolean isVersionDocument(String body) {
        try {
            JsonNode version = JSON.readTree(body).path("version");
            return version.path("id").asText().startsWith("v3") && version.has("status");
        } catch (JsonProcessingException e) {
            return false;
        }
    }

    // ---- files ---------------------------------------------------------------------------------------------

    /** Moves a not yet started instance to another port: uWSGI's socket and the bootstrap endpoints' URL. */
    private void moveTo(int newPort) {
        String oldUrl = url();
        port = newPort;
        if (tls != null) {
            tlsPort = FreePorts.tcp();
        }
        writeUwsgiConfig();
        sql(process.directory(), "UPDATE endpoint SET url = " + literal(url()) + " WHERE url = " + literal(oldUrl)
                + ";\n");
    }

    private void writeUwsgiConfig() {
        // Threads of one process serve one request at a time anyway (Python's lock), and sqlite takes one writer
        // (others wait in its busy timeout); processes share the database. A worker serves one connection at a time,
        // and with http11-socket an idle keep-alive connection (any HTTP client's pool holds one) blocks every other
        // client until uWSGI's 4 s socket timeout. So http-socket, which closes the connection after each response,
        // plus "Connection: close" so that clients know and do not reuse it (without it they see it closed under
        // them). A Date header, which uWSGI does not send by itself and every web server in front of a real Keystone
        // does (clients take the server's clock from it). A deep listen queue keeps bursts of clients waiting instead
        // of dropped. Exit on SIGTERM, skipping the slow interpreter teardown.
        String ini = "; Written by io.hotline.testing.KeystoneServer; OS_KEYSTONE_CONFIG_FILES names keystone.conf.\n"
                + "[uwsgi]\n"
                + "plugins = python3\n"
                + "http-socket = 127.0.0.1:" + port + "\n"
                + (tls == null ? "" : "https-socket = 127.0.0.1:" + tlsPort + "," + tls.certificate() + ","
                        + tls.key() + "\n")
                + "add-header = Connection: close\n"
                + "route-run = addheader:Date: ${httptime[]}\n"
                + "listen = 1024\n"
                + "wsgi-file = " + WSGI_PUBLIC + "\n"
                + "processes = " + processes + "\n"
                + "threads = 1\n"
                + "need-app = true\n"
                + "die-on-term = true\n"
                + "skip-atexit-teardown = true\n";
        write(process.directory().resolve(UWSGI_CONFIG), ini);
    }

    /** The SQL that turns a copy of the template into this instance: its URL, its region id, its other regions. */
    private String customisation(Builder b) {
        StringBuilder sql = new StringBuilder()
                .append("UPDATE endpoint SET url = ").append(literal(url())).append(" WHERE url = ")
                .append(literal(TEMPLATE_URL)).append(";\n");
        if (!regionId.equals(DEFAULT_REGION)) {
            sql.append("UPDATE region SET id = ").append(literal(regionId)).append(" WHERE id = ")
                    .append(literal(DEFAULT_REGION)).append(";\n")
                    .append("UPDATE endpoint SET region_id = ").append(literal(regionId)).append(" WHERE region_id = ")
                    .append(literal(DEFAULT_REGION)).append(";\n");
        }
        b.regions.forEach((id, parent) -> sql
                .append("INSERT INTO region (id, description, parent_region_id, extra) VALUES (").append(literal(id))
                .append(", '', ").append(parent == null ? "NULL" : literal(parent)).append(", '{}');\n"));
        return sql.toString();
    }

    private static String literal(String value) {
        return "'" + value.replace("'", "''") + "'";
    }

    /** Runs {@code statements} on the database in one transaction, stopping at the first error. */
    private static void sql(Path dir, String statements) {
        String script = "PRAGMA foreign_keys = OFF;\nBEGIN;\n" + statements + "COMMIT;\n";
        Path scriptFile = dir.resolve("customise.sql");
        write(scriptFile, script);
        run(dir, List.of(SQLITE.toString(), "-bail", dir.resolve(DATABASE).toString(), ".read " + scriptFile),
                Map.of(), dir.resolve("sqlite3-output.log"));
    }

    private static void writeConfig(Path dir, Duration tokenExpiration) {
        String conf = "# Written by io.hotline.testing.KeystoneServer: everything in this directory.\n"
                + "[DEFAULT]\n"
                // Into uWSGI's output log, which a failed start quotes.
                + "use_stderr = true\n"
                + "[database]\n"
                + "connection = sqlite:///" + dir.resolve(DATABASE) + "\n"
                + "[token]\n"
                + "provider = fernet\n"
                + "expiration = " + tokenExpiration.toSeconds() + "\n"
                + "[fernet_tokens]\n"
                + "key_repository = " + dir.resolve("fernet-keys") + "\n"
                + "[fernet_receipts]\n"
                + "key_repository = " + dir.resolve("fernet-receipt-keys") + "\n"
                + "[credential]\n"
                + "key_repository = " + dir.resolve("credential-keys") + "\n"
                + "[identity]\n"
                // The default (12) makes every authentication cost tens of milliseconds of CPU.
                + "password_hash_rounds = 4\n"
                + "[cache]\n"
                + "enabled = true\n"
                + "backend = dogpile.cache.memory\n"
                + "[catalog]\n"
                // With catalog caching, deleted child regions still show.
                + "caching = false\n";
        write(dir.resolve(CONFIG), conf);
    }

    /**
     * A key repository as {@code keystone-manage fernet_setup} leaves it: {@code 0} the staged key, {@code 1} the
     * primary, each 32 random bytes in URL-safe base64; owner-only, as Keystone wants it.
     */
    private static void writeKeys(Path repository) {
        try {
            Files.createDirectories(repository, PosixFilePermissions.asFileAttribute(
                    PosixFilePermissions.fromString("rwx------")));
            for (String key : List.of("0", "1")) {
                Path file = repository.resolve(key);
                Files.deleteIfExists(file);
                Files.createFile(file, PosixFilePermissions.asFileAttribute(
                        PosixFilePermissions.fromString("rw-------")));
                byte[] secret = new byte[32];
                RANDOM.nextBytes(secret);
                Files.writeString(file, Base64.getUrlEncoder().encodeToString(secret), StandardCharsets.US_ASCII);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write Keystone's key repository " + repository, e);
        }
    }

    private static void write(Path file, String text) {
        try {
            Files.writeString(file, text, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }

    // ---- the template --------------------------------------------------------------------------------------

    /** The bootstrapped data of every instance of this JVM, and the admin password it was bootstrapped with. */
    private record Template(Path directory, String adminPassword) {
        @Override
        public String toString() {
            return "Template[directory=" + directory + ", adminPassword=(hidden)]";
        }
    }

    private static synchronized Template template() {
        if (template == null) {
            template = createTemplate();
        }
        return template;
    }

    private static Template createTemplate() {
        Path dir;
        try {
            dir = Files.createTempDirectory("hotline-keystone-template-");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a temp dir for Keystone's template", e);
        }
        String password = newSecret(24);
        Path log = dir.resolve("keystone-manage-output.log");
        writeConfig(dir, DEFAULT_TOKEN_EXPIRATION);
        // bootstrap refuses to run without a fernet key repository.
        KEY_REPOSITORIES.forEach(repository -> writeKeys(dir.resolve(repository)));
        List<String> manage = List.of(PYTHON.toString(), KEYSTONE_MANAGE.toString(), "--config-file",
                dir.resolve(CONFIG).toString());
        run(dir, concat(manage, "db_sync"), Map.of(), log);
        // Persistent in the file, so every copy is in WAL mode too.
        run(dir, List.of(SQLITE.toString(), "-bail", dir.resolve(DATABASE).toString(), "PRAGMA journal_mode=WAL;"),
                Map.of(), log);
        // The password goes in the environment, where bootstrap also looks for it, so that no command line shows it.
        run(dir, concat(manage, "bootstrap", "--bootstrap-region-id", DEFAULT_REGION,
                "--bootstrap-admin-url", TEMPLATE_URL, "--bootstrap-internal-url", TEMPLATE_URL,
                "--bootstrap-public-url", TEMPLATE_URL), Map.of("OS_BOOTSTRAP_PASSWORD", password), log);
        // Everything into the database file itself, which is all an instance copies.
        run(dir, List.of(SQLITE.toString(), "-bail", dir.resolve(DATABASE).toString(),
                "PRAGMA wal_checkpoint(TRUNCATE);"), Map.of(), log);
        if (!Boolean.getBoolean(ServerProcess.KEEP_DIRS_PROPERTY)) {
            Runtime.getRuntime().addShutdownHook(new Thread(() -> ServerProcess.deleteTree(dir),
                    "hotline-keystone-template-cleanup"));
        }
        return new Template(dir, password);
    }

    private static List<String> concat(List<String> head, String... tail) {
        List<String> all = new ArrayList<>(head);
        all.addAll(List.of(tail));
        return all;
    }

    /** Runs a tool to completion, its output appended to {@code log}; fails with the output's tail. */
    private static void run(Path dir, List<String> command, Map<String, String> environment, Path log) {
        String what = String.join(" ", command);
        ProcessBuilder pb = new ProcessBuilder(command)
                .directory(dir.toFile())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        pb.environment().putAll(environment);
        try {
            Files.writeString(log, ServerProcess.START_MARK + what + System.lineSeparator(), StandardCharsets.UTF_8,
                    StandardOpenOption.CREATE, StandardOpenOption.APPEND);
            Process p = pb.start();
            p.getOutputStream().close();
            if (!p.waitFor(TOOL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                throw new ServerStartException(what + " did not finish within " + TOOL_TIMEOUT + "; its output: "
                        + tail(log) + "\n  directory (kept): " + dir, null);
            }
            if (p.exitValue() != 0) {
                throw new ServerStartException(what + " failed with exit code " + p.exitValue() + "; its output: "
                        + tail(log) + "\n  directory (kept): " + dir, null);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run " + what + " in " + dir, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running " + what, e);
        }
    }

    private static String tail(Path log) {
        try {
            List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
            int mark = 0;
            for (int i = 0; i < lines.size(); i++) {
                if (lines.get(i).startsWith(ServerProcess.START_MARK)) {
                    mark = i + 1;
                }
            }
            List<String> run = lines.subList(Math.max(mark, lines.size() - TOOL_OUTPUT_LINES), lines.size());
            return run.isEmpty() ? "(none)" : "\n    " + String.join("\n    ", run);
        } catch (IOException e) {
            return "(cannot read " + log + ": " + e + ")";
        }
    }

    private static void requireInstalled() {
        List<Path> missing = new ArrayList<>();
        for (Path p : List.of(PYTHON, KEYSTONE_MANAGE, WSGI_PUBLIC, UWSGI, SQLITE)) {
            if (!Files.isExecutable(p)) {
                missing.add(p);
            }
        }
        if (!Files.isReadable(UWSGI_PYTHON_PLUGIN)) {
            missing.add(UWSGI_PYTHON_PLUGIN);
        }
        if (!missing.isEmpty()) {
            throw new ServerStartException("Keystone is not installed: " + missing + " missing; run "
                    + "scripts/install-deps (it calls scripts/install-keystone, which installs Debian's keystone, "
                    + "uwsgi, uwsgi-plugin-python3 and sqlite3)", null);
        }
    }

    private static String newSecret(int bytes) {
        byte[] secret = new byte[bytes];
        RANDOM.nextBytes(secret);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(secret);
    }

    @Override
    public String toString() {
        return "keystone at " + url() + " (region " + regionId + ")";
    }

    /** Describes a {@link KeystoneServer}; every setting has a default. */
    public static final class Builder {
        private String name = "keystone";
        private String adminPassword;
        private String regionId = DEFAULT_REGION;
        private int processes = 1;
        private Duration tokenExpiration = DEFAULT_TOKEN_EXPIRATION;
        private TlsFiles tls;
        /** Region id to parent id (null: a root), in the order given. */
        private final Map<String, String> regions = new LinkedHashMap<>();

        private Builder() {}

        /** Labels the directory, the log and error messages; {@code keystone} by default. */
        public Builder name(String name) {
            this.name = Objects.requireNonNull(name, "name");
            return this;
        }

        /**
         * The password of user {@value KeystoneServer#ADMIN}; a random one by default.
         *
         * @throws IllegalArgumentException if it is empty or longer than 72 bytes in UTF-8 (bcrypt ignores the rest)
         */
        public Builder adminPassword(String password) {
            Objects.requireNonNull(password, "password");
            int bytes = password.getBytes(StandardCharsets.UTF_8).length;
            if (bytes == 0 || bytes > MAX_PASSWORD_BYTES) {
                throw new IllegalArgumentException("the admin password must be 1-" + MAX_PASSWORD_BYTES + " bytes in "
                        + "UTF-8 (Keystone hashes it with bcrypt, which ignores the rest); it has " + bytes);
            }
            this.adminPassword = password;
            return this;
        }

        /**
         * How many uWSGI worker processes serve requests: 1 by default, which answers one request at a time; 2 serve
         * writers from several threads about 1.4 times as fast here (each request costs 15-30 ms of Python). Each worker
         * keeps its own in-memory cache, as a real Keystone without memcached does, so a token revoked through one may
         * still pass in another until the cache expires: tests of revocation keep one. Several workers share the sqlite
         * file, and a write whose transaction read first (creating a region, updating a service) now and then fails
         * at once with "database is locked" when another worker wrote meanwhile (sqlite cannot upgrade a stale read
         * transaction, and does not wait): Keystone's handler raises and uWSGI closes the connection unanswered, its
         * log showing the request with status 500 and no headers. Clients must cope, as with a real Keystone's
         * database deadlocks.
         *
         * @throws IllegalArgumentException unless 1 to 8
         */
        public Builder processes(int count) {
            if (count < 1 || count > 8) {
                throw new IllegalArgumentException("processes must be 1 to 8; it is " + count);
            }
            this.processes = count;
            return this;
        }

        /**
         * How long a token lasts ({@code [token] expiration}): an hour by default, as Keystone's; shorter to see clients
         * replace theirs.
         *
         * @throws IllegalArgumentException unless 10 seconds to a day, in whole seconds
         */
        public Builder tokenExpiration(Duration expiration) {
            Objects.requireNonNull(expiration, "expiration");
            if (expiration.compareTo(Duration.ofSeconds(10)) < 0 || expiration.compareTo(Duration.ofDays(1)) > 0
                    || expiration.toNanosPart() != 0) {
                throw new IllegalArgumentException("token expiration must be whole seconds from 10 s to a day; it is "
                        + expiration);
            }
            this.tokenExpiration = expiration;
            return this;
        }

        /**
         * Serves the API over https too, at {@link KeystoneServer#httpsUrl()}, with this PEM certificate and key (e.g.
         * from {@link Certificates#selfSigned}); the plain http socket stays, for the harness.
         */
        public Builder tls(Path certificate, Path key) {
            this.tls = new TlsFiles(Objects.requireNonNull(certificate, "certificate").toAbsolutePath(),
                    Objects.requireNonNull(key, "key").toAbsolutePath());
            return this;
        }

        /** The bootstrap region, holding the identity endpoints; {@value KeystoneServer#DEFAULT_REGION} by default. */
        public Builder regionId(String id) {
            this.regionId = requireRegionId(id);
            return this;
        }

        /**
         * Another region, under {@code parentId}: the bootstrap region, a region given earlier, or null for a root.
         *
         * <pre>{@code
         * builder.regionId("region-one").region("az-1", "region-one").region("rack-7", "az-1").region("edge", null);
         * }</pre>
         *
         * @throws IllegalArgumentException if the id is given twice or either id is not 1-64 letters, digits, '.',
         *     '_' or '-' starting with a letter or digit
         */
        public Builder region(String id, String parentId) {
            requireRegionId(id);
            if (parentId != null) {
                requireRegionId(parentId);
            }
            if (regions.containsKey(id)) {
                throw new IllegalArgumentException("region '" + id + "' is given twice");
            }
            regions.put(id, parentId);
            return this;
        }

        /**
         * Makes the template if this JVM has none yet (a few seconds, once), copies it into a temp dir and picks a
         * port; does not start Keystone.
         *
         * @throws ServerStartException if Keystone is not installed, or the template cannot be made
         * @throws IllegalArgumentException if a region's parent is neither the bootstrap region nor given before it
         */
        public KeystoneServer build() {
            List<String> known = new ArrayList<>(List.of(regionId));
            regions.forEach((id, parent) -> {
                if (id.equals(regionId)) {
                    throw new IllegalArgumentException("region '" + id + "' is the bootstrap region; give it once, "
                            + "with regionId(id)");
                }
                if (parent != null && !known.contains(parent)) {
                    throw new IllegalArgumentException("region '" + id + "' has the parent '" + parent + "', which is "
                            + "neither the bootstrap region nor a region given before it; known: " + known);
                }
                known.add(id);
            });
            return new KeystoneServer(this);
        }

        /** Builds and starts Keystone (see {@link KeystoneServer#start()}); closes it if it does not start. */
        public KeystoneServer start() {
            KeystoneServer server = build();
            try {
                return server.start();
            } catch (RuntimeException e) {
                server.close();
                throw e;
            }
        }

        private static String requireRegionId(String id) {
            Objects.requireNonNull(id, "region id");
            if (!REGION_ID.matcher(id).matches()) {
                throw new IllegalArgumentException("region id '" + excerpt(id) + "' must be 1-64 letters, digits, '.', "
                        + "'_' or '-', starting with a letter or digit");
            }
            return id;
        }
    }
}
