package io.hotline.testing;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/**
 * A real Consul agent for tests: {@code consul agent -dev} (a single server that elects itself at once and keeps
 * everything in memory) in a temp dir, on free loopback ports, as its own datacenter. Several agents with distinct
 * datacenters federate with {@link #joinWan}.
 *
 * <pre>{@code
 * try (ConsulAgent dc1 = ConsulAgent.builder("dc1").build().start();
 *      ConsulAgent dc2 = ConsulAgent.builder("dc2").aclMasterToken(token).build().start()) {
 *     dc2.joinWan(dc1);
 *     String url = dc1.httpAddress();                  // http://127.0.0.1:PORT
 *     dc1.stop();                                      // an outage; start() brings it back empty
 *     dc1.start().joinWan(dc2);                        // a restarted agent must rejoin the WAN pool
 * }
 * }</pre>
 *
 * <p>Ready means the leader is known and the agent's own node is in the catalog (it appears a little after the
 * leader). The binary is looked up in the system property {@value #BINARY_PROPERTY}, then the environment variable
 * {@value #BINARY_ENV}, then {@code $HOME/.cache/hotline/consul/usr/bin/consul} where {@code scripts/install-consul}
 * puts it, then {@code consul} on the PATH; if none exists the agent fails at {@link Builder#build()} with a hint.
 *
 * <p>A datacenter whose agent was killed stays in the other agents' WAN pool as failed, and Consul 1.8 cannot
 * force-leave it: use fresh agents per test class.
 */
public final class ConsulAgent implements AutoCloseable {

    /** System property naming the consul binary. */
    public static final String BINARY_PROPERTY = "hotline.testing.consul";
    /** Environment variable naming the consul binary. */
    public static final String BINARY_ENV = "HOTLINE_CONSUL_BINARY";
    private static final int PORT_ATTEMPTS = 3;

    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(5);
    private static final Duration JOIN_TIMEOUT = Duration.ofSeconds(30);
    private static final HttpClient CLIENT = HttpClient.newBuilder()
            .connectTimeout(Duration.ofMillis(500))
            .proxy(HttpClient.Builder.NO_PROXY)
            .version(HttpClient.Version.HTTP_1_1)
            .build();

    private final String datacenter;
    private final String nodeName;
    private final String masterToken;
    private final Tls tls;
    private final ServerProcess process;
    /** Chosen again only if the first start finds one of them taken; the same for every later restart. */
    private volatile int httpPort;
    private volatile int httpsPort;
    private volatile int serfWanPort;
    private boolean started;

    private ConsulAgent(Builder b, Path binary) {
        this.datacenter = b.datacenter;
        this.nodeName = "hotline-" + b.datacenter + "-" + UUID.randomUUID().toString().substring(0, 8);
        this.masterToken = b.masterToken;
        this.tls = b.tls;
        this.process = ServerProcess.builder("consul-" + datacenter)
                .command(dir -> List.of(binary.toString(), "agent", "-dev", "-config-file",
                        dir.resolve("agent.json").toString()))
                .readiness(this::isReady)
                .startupTimeout(Duration.ofSeconds(60))
                .build();
        try {
            choosePorts();
        } catch (RuntimeException e) {
            process.close();
            throw e;
        }
    }

    /** Picks free ports and writes the agent's configuration with them. */
    private void choosePorts() {
        List<Integer> tcp = FreePorts.tcp(3);
        httpPort = tcp.get(0);
        int serverPort = tcp.get(1);
        httpsPort = tls != null ? tcp.get(2) : -1;
        Set<Integer> chosen = new HashSet<>(tcp);
        int serfLanPort = anotherTcpAndUdpPort(chosen);
        serfWanPort = anotherTcpAndUdpPort(chosen);
        String config = config(serverPort, serfLanPort, tls);
        try {
            Files.writeString(process.directory().resolve("agent.json"), config, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new ServerStartException("cannot write the consul configuration in " + process.directory() + ": " + e, e);
        }
    }

    /** Starts describing an agent serving {@code datacenter} (letters, digits, '-' and '_'). */
    public static Builder builder(String datacenter) {
        return new Builder(datacenter);
    }

    /** The consul binary this harness runs, or a {@link ServerStartException} saying how to install it. */
    public static Path binary() {
        List<Path> tried = new ArrayList<>();
        Optional<String> named = Optional.ofNullable(System.getProperty(BINARY_PROPERTY))
                .or(() -> Optional.ofNullable(System.getenv(BINARY_ENV)))
                .filter(s -> !s.isBlank());
        if (named.isPresent()) {
            Path p = Path.of(named.get());
            if (Files.isExecutable(p)) {
                return p;
            }
            throw new ServerStartException("consul binary " + p + " (from " + BINARY_PROPERTY + " or " + BINARY_ENV
                    + ") is not an executable file; run scripts/install-deps or point it at consul 1.8", null);
        }
        Path cache = Path.of(System.getProperty("user.home"), ".cache", "hotline", "consul", "usr", "bin", "consul");
        tried.add(cache);
        if (Files.isExecutable(cache)) {
            return cache;
        }
        String path = Objects.requireNonNullElse(System.getenv("PATH"), "");
        for (String dir : path.split(java.io.File.pathSeparator)) {
            if (!dir.isEmpty()) {
                Path p = Path.of(dir, "consul");
                if (Files.isExecutable(p)) {
                    return p;
                }
            }
        }
        tried.add(Path.of("consul on the PATH"));
        throw new ServerStartException("no consul binary found (tried " + tried + "); run scripts/install-deps "
                + "(it calls scripts/install-consul), or set -D" + BINARY_PROPERTY + "=/path/to/consul", null);
    }

    public String datacenter() {
        return datacenter;
    }

    public String nodeName() {
        return nodeName;
    }

    public int httpPort() {
        return httpPort;
    }

    /**
     * The HTTPS port.
     *
     * @throws IllegalStateException if the agent was built without {@link Builder#tls}
     */
    public int httpsPort() {
        if (httpsPort < 0) {
            throw new IllegalStateException("consul " + datacenter + " was built without TLS");
        }
        return httpsPort;
    }

    /** {@code http://127.0.0.1:PORT}. */
    public String httpAddress() {
        return "http://127.0.0.1:" + httpPort;
    }

    public int serfWanPort() {
        return serfWanPort;
    }

    public ServerProcess process() {
        return process;
    }

    /**
     * A TCP and UDP port not among {@code chosen}, then added to it. Each pick is released at once, so a later pick
     * may return an earlier one, and consul refuses to start with one port in two roles (a CI run saw the serf WAN
     * port equal to the server port).
     */
    private static int anotherTcpAndUdpPort(Set<Integer> chosen) {
        for (int attempt = 0; attempt < 100; attempt++) {
            int port = FreePorts.tcpAndUdp();
            if (chosen.add(port)) {
                return port;
            }
        }
        throw new ServerStartException("FreePorts kept returning ports already chosen for this agent: " + chosen, null);
    }

    /**
     * Starts the agent and waits until it is ready. If another process took one of its ports before its first start
     * bound them, it picks other free ports and tries again, up to three times in all; later starts keep the ports.
     *
     * @return this, for chaining
     * @throws ServerStartException if it does not become ready in time
     */
    public synchronized ConsulAgent start() {
        for (int attempt = 1; ; attempt++) {
            try {
                process.start();
                started = true;
                return this;
            } catch (ServerStartException e) {
                // Another process may take a port between FreePorts finding it free and consul binding it.
                if (started || !e.portTaken() || attempt == PORT_ATTEMPTS) {
                    throw e;
                }
                process.forgetFailedStart();
                try {
                    choosePorts();
                } catch (RuntimeException again) {
                    again.addSuppressed(e);
                    throw again;
                }
            }
        }
    }

    /** Stops the agent (SIGTERM); a later {@link #start()} brings it back empty, on the same ports. */
    public void stop() {
        process.stop();
    }

    /**
     * Joins this agent's datacenter to {@code other}'s over the WAN and waits until each lists the other's datacenter
     * and answers a query forwarded to it (after a restart the old member may still be routed to for a moment).
     *
     * @return this, for chaining
     */
    public ConsulAgent joinWan(ConsulAgent other) {
        request("PUT", "/v1/agent/join/127.0.0.1:" + other.serfWanPort + "?wan=1");
        Instant deadline = Instant.now().plus(JOIN_TIMEOUT);
        while (!(reaches(other) && other.reaches(this))) {
            if (Instant.now().isAfter(deadline)) {
                throw new ServerStartException("consul " + datacenter + " and " + other.datacenter
                        + " do not list each other " + JOIN_TIMEOUT + " after a WAN join; see " + process.logFile()
                        + " and " + other.process.logFile(), null);
            }
            sleep(Duration.ofMillis(50));
        }
        return this;
    }

    private boolean reaches(ConsulAgent other) {
        try {
            return request("GET", "/v1/catalog/datacenters").contains("\"" + other.datacenter + "\"")
                    && request("GET", "/v1/catalog/nodes?dc=" + other.datacenter).contains("\"" + other.nodeName + "\"");
        } catch (ServerStartException e) {
            return false;
        }
    }

    /** Stops the agent and deletes its directory (kept if it failed). */
    @Override
    public void close() {
        process.close();
    }

    private boolean isReady() throws NotReadyException, InterruptedException {
        String leader = get("/v1/status/leader");
        if (leader.strip().length() <= 2) {
            throw new NotReadyException("consul " + datacenter + " knows no leader yet");
        }
        if (!get("/v1/catalog/nodes").contains("\"" + nodeName + "\"")) {
            throw new NotReadyException("consul " + datacenter + " does not list its own node " + nodeName + " yet");
        }
        return true;
    }

    private String get(String path) throws NotReadyException, InterruptedException {
        try {
            return send("GET", path);
        } catch (IOException e) {
            throw new NotReadyException("GET " + path + " on consul " + datacenter + " failed: " + e, e);
        }
    }

    private String request(String method, String path) {
        try {
            return send(method, path);
        } catch (IOException e) {
            throw new ServerStartException(method + " " + path + " on consul " + datacenter + " failed: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ServerStartException("interrupted during " + method + " " + path, e);
        }
    }

    private String send(String method, String path) throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(httpAddress() + path))
                .timeout(REQUEST_TIMEOUT)
                .method(method, HttpRequest.BodyPublishers.noBody());
        if (masterToken != null) {
            b.header("X-Consul-Token", masterToken);
        }
        HttpResponse<String> response = CLIENT.send(b.build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() / 100 != 2) {
            throw new IOException(method + " " + path + " answered " + response.statusCode() + ": "
                    + response.body().strip());
        }
        return response.body();
    }

    private static void sleep(Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ServerStartException("interrupted while waiting for consul", e);
        }
    }

    private String config(int serverPort, int serfLanPort, Tls tls) {
        StringBuilder json = new StringBuilder();
        json.append("{\n")
                .append("  \"datacenter\": \"").append(datacenter).append("\",\n")
                .append("  \"node_name\": \"").append(nodeName).append("\",\n")
                .append("  \"bind_addr\": \"127.0.0.1\",\n")
                .append("  \"client_addr\": \"127.0.0.1\",\n")
                .append("  \"advertise_addr\": \"127.0.0.1\",\n")
                .append("  \"advertise_addr_wan\": \"127.0.0.1\",\n")
                .append("  \"disable_update_check\": true,\n")
                .append("  \"enable_script_checks\": false,\n")
                .append("  \"log_level\": \"INFO\",\n")
                .append("  \"ports\": {\"http\": ").append(httpPort)
                .append(", \"https\": ").append(httpsPort)
                .append(", \"dns\": -1, \"grpc\": -1, \"serf_lan\": ").append(serfLanPort)
                .append(", \"serf_wan\": ").append(serfWanPort)
                .append(", \"server\": ").append(serverPort).append("}");
        if (masterToken != null) {
            json.append(",\n  \"acl\": {\"enabled\": true, \"default_policy\": \"deny\", \"down_policy\": \"deny\", ")
                    .append("\"tokens\": {\"master\": \"").append(masterToken)
                    .append("\", \"agent\": \"").append(masterToken).append("\"}}");
        }
        if (tls != null) {
            json.append(",\n  \"ca_file\": \"").append(tls.caFile).append("\"")
                    .append(",\n  \"cert_file\": \"").append(tls.certFile).append("\"")
                    .append(",\n  \"key_file\": \"").append(tls.keyFile).append("\"")
                    .append(",\n  \"verify_incoming_https\": ").append(tls.requireClientCertificates);
        }
        return json.append("\n}\n").toString();
    }

    private record Tls(Path certFile, Path keyFile, Path caFile, boolean requireClientCertificates) {}

    /** Describes a {@link ConsulAgent}. */
    public static final class Builder {
        private final String datacenter;
        private String masterToken;
        private Tls tls;

        private Builder(String datacenter) {
            if (datacenter == null || !datacenter.matches("[A-Za-z0-9_-]{1,63}")) {
                throw new IllegalArgumentException("datacenter '" + datacenter
                        + "' must be 1-63 letters, digits, '-' or '_', as Consul requires");
            }
            this.datacenter = datacenter;
        }

        /**
         * Enables ACLs with {@code default_policy = "deny"}; {@code token} is the master token (also used as the
         * agent token and by this harness's own requests).
         */
        public Builder aclMasterToken(String token) {
            if (token == null || !token.matches("[A-Za-z0-9-]{8,64}")) {
                throw new IllegalArgumentException("the ACL master token must be 8-64 letters, digits or '-' (a UUID)");
            }
            this.masterToken = token;
            return this;
        }

        /**
         * Also serves HTTPS (on {@link #httpsPort()}) with this PEM certificate and key, trusting {@code caFile};
         * with {@code requireClientCertificates} HTTPS clients must present a certificate that CA signed.
         */
        public Builder tls(Path certFile, Path keyFile, Path caFile, boolean requireClientCertificates) {
            this.tls = new Tls(certFile.toAbsolutePath(), keyFile.toAbsolutePath(), caFile.toAbsolutePath(),
                    requireClientCertificates);
            return this;
        }

        /**
         * Picks ports and writes the configuration; does not start the agent.
         *
         * @throws ServerStartException if no consul binary is found
         */
        public ConsulAgent build() {
            return new ConsulAgent(this, binary());
        }
    }
}
