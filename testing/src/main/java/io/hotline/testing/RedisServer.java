package io.hotline.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A real {@code redis-server} for tests: a child process on a free 127.0.0.1 port in a temp dir, with no
 * persistence, so that {@link #restart()} brings it back empty, as a server that lost its data.
 *
 * <pre>{@code
 * try (RedisServer redis = RedisServer.builder()
 *         .user("hotline", "s3cret", "~hotline:* &hotline:* +@all")   // an ACL user
 *         .defaultUserOff()                                           // and nobody else
 *         .start()) {
 *     int port = redis.port();
 *     redis.stop();                                                   // killed: connections are refused
 *     redis.start();                                                  // back, empty, same port
 * }
 * }</pre>
 *
 * <p>Needs {@code redis-server} on the PATH ({@code scripts/install-deps} installs Debian's); without it,
 * {@link Builder#start()} fails saying so. Never the system service.
 */
public final class RedisServer implements AutoCloseable {

    private final ServerProcess process;
    private final int port;
    private final boolean tls;

    private RedisServer(ServerProcess process, int port, boolean tls) {
        this.process = process;
        this.port = port;
        this.tls = tls;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The port it listens on (the TLS port when TLS is on; there is no plain one then). */
    public int port() {
        return port;
    }

    /** {@code 127.0.0.1:port}, as Hotline's {@code hotline.redis.nodes} takes it. */
    public String address() {
        return "127.0.0.1:" + port;
    }

    public Path directory() {
        return process.directory();
    }

    public boolean isRunning() {
        return process.isAlive();
    }

    /** The process, for its PID (a benchmark reads its CPU time from /proc) or its log. */
    public ServerProcess process() {
        return process;
    }

    /** Starts it again after {@link #stop()}, empty, on the same port. */
    public RedisServer start() {
        process.start();
        return this;
    }

    /** Kills it (SIGTERM, then SIGKILL): clients' connections break and new ones are refused. */
    public void stop() {
        process.stop();
    }

    /** Stops and starts it: it comes back empty. */
    public RedisServer restart() {
        process.restart();
        return this;
    }

    @Override
    public void close() {
        process.close();
    }

    @Override
    public String toString() {
        return "redis-server on " + address() + (tls ? " (TLS)" : "");
    }

    /** Fails with the install hint when {@code redis-server} is not on the PATH. */
    static void requireInstalled(String program) {
        String path = System.getenv().getOrDefault("PATH", "");
        for (String dir : path.split(java.io.File.pathSeparator)) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, program))) {
                return;
            }
        }
        throw new IllegalStateException(program + " is not installed (not found on the PATH " + path
                + "); run scripts/install-deps, which installs Debian's redis-server and redis-tools");
    }

    /** Describes a server; {@link #start()} builds and starts it. */
    public static final class Builder {
        private static final int PORT_ATTEMPTS = 3;

        private int port;
        private final List<String> acl = new ArrayList<>();
        private final List<String> extra = new ArrayList<>();
        private boolean defaultUserOff;
        private Path tlsCert;
        private Path tlsKey;
        private Path tlsCa;
        private boolean requireClientCertificates;
        private String name = "redis";
        private Path directory;

        private Builder() {}

        /** The port; a free one when not set. */
        public Builder port(int port) {
            this.port = port;
            return this;
        }

        /** Labels the process's directory and log, e.g. {@code redis-az1}. */
        public Builder name(String name) {
            this.name = Objects.requireNonNull(name, "name");
            return this;
        }

        /** Runs in this directory instead of a temp dir. */
        public Builder directory(Path directory) {
            this.directory = Objects.requireNonNull(directory, "directory");
            return this;
        }

        /** An ACL user that is on, with a password and the given rules, e.g. {@code ~app:* &app:* +@all}. */
        public Builder user(String user, String password, String rules) {
            // Each word its own argument: redis-server quotes an argument that contains spaces.
            acl.addAll(List.of("--user", user, "on", ">" + password));
            acl.addAll(List.of(rules.trim().split("\\s+")));
            return this;
        }

        /** Turns the default (password-less) user off, so that only {@link #user} accounts get in. */
        public Builder defaultUserOff() {
            this.defaultUserOff = true;
            return this;
        }

        /** Serves TLS only, with this PEM certificate and key; client certificates are optional, checked by {@code ca}. */
        public Builder tls(Path certFile, Path keyFile, Path caFile) {
            this.tlsCert = Objects.requireNonNull(certFile, "certFile");
            this.tlsKey = Objects.requireNonNull(keyFile, "keyFile");
            this.tlsCa = Objects.requireNonNull(caFile, "caFile");
            return this;
        }

        /** With {@link #tls}: clients must present a certificate signed by its CA ({@code tls-auth-clients yes}). */
        public Builder requireClientCertificates() {
            this.requireClientCertificates = true;
            return this;
        }

        /** Further {@code redis-server} arguments, e.g. {@code --cluster-enabled yes}. */
        public Builder arguments(String... arguments) {
            extra.addAll(List.of(arguments));
            return this;
        }

        /** Builds the server without starting it. */
        public RedisServer build() {
            requireInstalled("redis-server");
            int p = port != 0 ? port : FreePorts.tcp();
            boolean tls = tlsCert != null;
            ServerProcess.Builder b = ServerProcess.builder(name)
                    .command(dir -> command(dir, p, tls))
                    .readiness(tls ? ReadinessCheck.tcp(p) : () -> answers(p))
                    .startupTimeout(Duration.ofSeconds(20))
                    .stopTimeout(Duration.ofSeconds(5));
            if (directory != null) {
                b.directory(directory);
            }
            return new RedisServer(b.build(), p, tls);
        }

        /**
         * Builds and starts the server. When this builder chose the port and another process took it before the
         * server bound it, it tries again on another free port, up to {@value #PORT_ATTEMPTS} times in all.
         */
        public RedisServer start() {
            for (int attempt = 1; ; attempt++) {
                RedisServer server = build();
                try {
                    return server.start();
                } catch (ServerStartException e) {
                    boolean retry = port == 0 && e.portTaken() && attempt < PORT_ATTEMPTS;
                    if (retry) {
                        server.process.forgetFailedStart();
                    }
                    server.close();
                    if (!retry) {
                        throw e;
                    }
                } catch (RuntimeException e) {
                    server.close();
                    throw e;
                }
            }
        }

        private List<String> command(Path dir, int p, boolean tls) {
            List<String> cmd = new ArrayList<>(List.of("redis-server", "--bind", "127.0.0.1", "--save", "",
                    "--appendonly", "no", "--dir", dir.toString(), "--daemonize", "no"));
            if (tls) {
                cmd.addAll(List.of("--port", "0", "--tls-port", Integer.toString(p), "--tls-cert-file",
                        tlsCert.toString(), "--tls-key-file", tlsKey.toString(), "--tls-ca-cert-file", tlsCa.toString(),
                        "--tls-auth-clients", requireClientCertificates ? "yes" : "optional"));
            } else {
                cmd.addAll(List.of("--port", Integer.toString(p)));
            }
            cmd.addAll(acl);
            if (defaultUserOff) {
                cmd.addAll(List.of("--user", "default", "off"));
            }
            cmd.addAll(extra);
            return cmd;
        }

        /** A server that wants a password answers NOAUTH; either way it serves. */
        private static boolean answers(int p) throws IOException {
            String reply = RespProbe.send(p, "PING");
            return reply.equals("+PONG") || reply.startsWith("-NOAUTH");
        }
    }
}
