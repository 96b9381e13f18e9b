package io.hotline.benchmarks;

import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import io.hotline.testing.FreePorts;
import io.hotline.testing.ReadinessCheck;
import io.hotline.testing.ServerProcess;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A private RabbitMQ broker (Debian's {@code rabbitmq-server}) and its epmd, run as plain child processes in a temp
 * dir on free loopback ports, never as the system service.
 *
 * <p>epmd is started first, in the foreground, by us: the Erlang VM would otherwise start one as a daemon that
 * outlives the broker and has no parent to stop it. The broker is then told that epmd's port, to listen for AMQP and
 * for Erlang distribution on 127.0.0.1 only, and to keep its cookie, database, logs and configuration in the temp
 * dir, so that nothing of the machine's own RabbitMQ (if any) is read or written.
 */
final class RabbitBroker implements AutoCloseable {

    /** Debian's launcher; {@code /usr/sbin/rabbitmq-server} would switch to the rabbitmq user. */
    private static final String LAUNCHER = "/usr/lib/rabbitmq/bin/rabbitmq-server";
    /** Debian's CLI, likewise without the switch to the rabbitmq user. */
    private static final String CTL = "/usr/lib/rabbitmq/bin/rabbitmqctl";
    private static final Duration STARTUP_TIMEOUT = Duration.ofSeconds(90);
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(20);
    private static final Duration READINESS_TIMEOUT = Duration.ofSeconds(2);

    private final ServerProcess epmd;
    private final ServerProcess broker;
    private final int port;
    private final String node;
    private final Map<String, String> environment;

    private RabbitBroker(ServerProcess epmd, ServerProcess broker, int port, String node,
            Map<String, String> environment) {
        this.epmd = epmd;
        this.broker = broker;
        this.port = port;
        this.node = node;
        this.environment = environment;
    }

    /** {@link #start(List)} with RabbitMQ's defaults. */
    static RabbitBroker start() {
        return start(List.of());
    }

    /**
     * Starts epmd and the broker and waits until an AMQP connection to this broker (known by its node name)
     * succeeds.
     *
     * @param configuration lines for its {@code rabbitmq.conf} (new-style {@code key = value}); none for the defaults
     * @throws io.hotline.testing.ServerStartException if either does not start; its message has the log's tail
     */
    static RabbitBroker start(List<String> configuration) {
        List<Integer> ports = FreePorts.tcp(3);
        int amqpPort = ports.get(0);
        int epmdPort = ports.get(1);
        int distPort = ports.get(2);
        String node = "hotline-bench-" + amqpPort + "@localhost";

        ServerProcess epmd = ServerProcess.builder("epmd")
                .command(List.of("epmd", "-port", String.valueOf(epmdPort), "-address", "127.0.0.1"))
                .environment("ERL_EPMD_ADDRESS", "127.0.0.1")
                .readiness(ReadinessCheck.tcp(epmdPort))
                .startupTimeout(Duration.ofSeconds(10))
                .build();
        ServerProcess broker = null;
        try {
            epmd.start();
            broker = ServerProcess.builder("rabbitmq")
                    .command(List.of(Files.isExecutable(Path.of(LAUNCHER)) ? LAUNCHER : "rabbitmq-server"))
                    .environment(dir -> environment(dir, node, amqpPort, epmdPort, distPort))
                    .readiness(() -> answersAsNode(amqpPort, node))
                    .startupTimeout(STARTUP_TIMEOUT)
                    .stopTimeout(STOP_TIMEOUT)
                    .build();
            writeConfiguration(broker.directory(), configuration);
            broker.start();
            return new RabbitBroker(epmd, broker, amqpPort, node,
                    environment(broker.directory(), node, amqpPort, epmdPort, distPort));
        } catch (RuntimeException e) {
            try {
                if (broker != null) {
                    broker.close();
                }
            } finally {
                epmd.close();
            }
            throw e;
        }
    }

    /** The AMQP port on 127.0.0.1; the user is RabbitMQ's default guest, allowed from loopback only. */
    int port() {
        return port;
    }

    /** The launcher's process id; the Erlang VM running the broker is among its descendants. */
    long pid() {
        return broker.pid();
    }

    /**
     * Stops the broker (as {@link #close()} does, SIGTERM, SIGKILL after the stop timeout) but keeps its epmd, ports
     * and directory, so that {@link #startAgain()} brings it back where clients expect it. Non-durable queues and
     * exchanges (everything oslo declares by default) do not survive this.
     */
    void stop() {
        broker.stop();
    }

    /** Starts the stopped broker again on the same ports and waits, as {@link #start} does, until it answers. */
    void startAgain() {
        broker.start();
    }

    /**
     * Runs {@code rabbitmqctl} against this broker and returns its standard output's lines.
     *
     * @throws IllegalStateException if it fails, or does not finish within {@code timeout} (it is then killed)
     */
    List<String> ctl(Duration timeout, String... arguments) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(Files.isExecutable(Path.of(CTL)) ? CTL : "rabbitmqctl", "-n",
                node));
        command.addAll(List.of(arguments));
        // Output to a file, not a pipe: a listing of thousands of queues outgrows a pipe's buffer, and a file can be
        // read after a bounded wait where a pipe would need a reader thread.
        Path out = Files.createTempFile(broker.directory(), "rabbitmqctl", ".out");
        try {
            ProcessBuilder pb = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD)
                    .redirectOutput(out.toFile());
            // The broker's environment: its HOME holds the cookie, and its epmd is the one on our port.
            pb.environment().putAll(environment);
            Process p = pb.start();
            try {
                if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                    throw new IllegalStateException("rabbitmqctl " + String.join(" ", arguments) + " took over "
                            + timeout);
                }
            } finally {
                p.destroyForcibly();
            }
            if (p.exitValue() != 0) {
                throw new IllegalStateException("rabbitmqctl " + String.join(" ", arguments) + " exited with "
                        + p.exitValue());
            }
            return Files.readAllLines(out, StandardCharsets.UTF_8);
        } finally {
            Files.deleteIfExists(out);
        }
    }

    /** A client's factory for this broker, with every timeout explicit and no automatic recovery. */
    ConnectionFactory connectionFactory(Duration timeout) {
        return connectionFactory(port, timeout);
    }

    /** Stops the broker (SIGTERM: the launcher stops the VM cleanly), then its epmd. */
    @Override
    public void close() {
        try {
            broker.close();
        } finally {
            epmd.close();
        }
    }

    private static Map<String, String> environment(Path dir, String node, int amqpPort, int epmdPort, int distPort) {
        return Map.ofEntries(
                Map.entry("HOME", dir.resolve("home").toString()),
                Map.entry("RABBITMQ_NODENAME", node),
                Map.entry("RABBITMQ_NODE_IP_ADDRESS", "127.0.0.1"),
                Map.entry("RABBITMQ_NODE_PORT", String.valueOf(amqpPort)),
                Map.entry("RABBITMQ_DIST_PORT", String.valueOf(distPort)),
                Map.entry("RABBITMQ_MNESIA_BASE", dir.resolve("mnesia").toString()),
                Map.entry("RABBITMQ_LOG_BASE", dir.resolve("log").toString()),
                // The broker's log goes to standard output, which ServerProcess keeps in its log file.
                Map.entry("RABBITMQ_LOGS", "-"),
                Map.entry("RABBITMQ_CONFIG_FILE", dir.resolve("rabbitmq.conf").toString()),
                Map.entry("RABBITMQ_ADVANCED_CONFIG_FILE", dir.resolve("advanced.config").toString()),
                Map.entry("RABBITMQ_CONF_ENV_FILE", dir.resolve("rabbitmq-env.conf").toString()),
                Map.entry("RABBITMQ_ENABLED_PLUGINS_FILE", dir.resolve("enabled_plugins").toString()),
                Map.entry("ERL_EPMD_PORT", String.valueOf(epmdPort)),
                Map.entry("ERL_EPMD_ADDRESS", "127.0.0.1"),
                // Without inet_dist_use_interface the distribution port listens on every interface; epmd is ours.
                Map.entry("RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS",
                        "-kernel inet_dist_use_interface {127,0,0,1} -start_epmd false"));
    }

    /** Files in place of /etc/rabbitmq's, with no plugins: a plain broker, with these lines in its rabbitmq.conf. */
    private static void writeConfiguration(Path dir, List<String> configuration) {
        try {
            Files.createDirectories(dir.resolve("home"));
            Files.writeString(dir.resolve("rabbitmq.conf"), "# AMQP address and port come from the environment\n"
                    + String.join("\n", configuration) + "\n");
            Files.writeString(dir.resolve("rabbitmq-env.conf"), "");
            Files.writeString(dir.resolve("enabled_plugins"), "[].\n");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the broker's configuration in " + dir, e);
        }
    }

    /**
     * Ready when an AMQP connection succeeds and the broker names itself as our node, not another broker. Its
     * default cluster name is the node's name with the machine's host name after the '@'.
     */
    private static boolean answersAsNode(int port, String node) throws Exception {
        String name = node.substring(0, node.indexOf('@') + 1);
        try (Connection c = connectionFactory(port, READINESS_TIMEOUT).newConnection("readiness")) {
            Object cluster = c.getServerProperties().get("cluster_name");
            if (cluster == null || !cluster.toString().startsWith(name)) {
                throw new IllegalStateException("127.0.0.1:" + port + " is the broker " + cluster + ", not " + node);
            }
            return true;
        }
    }

    /** A client's factory for the broker on {@code port}, with every timeout explicit and no automatic recovery. */
    static ConnectionFactory connectionFactory(int port, Duration timeout) {
        int timeoutMillis = (int) timeout.toMillis();
        ConnectionFactory f = new ConnectionFactory();
        f.setHost("127.0.0.1");
        f.setPort(port);
        f.setConnectionTimeout(timeoutMillis);
        f.setHandshakeTimeout(timeoutMillis);
        f.setShutdownTimeout(timeoutMillis);
        f.setChannelRpcTimeout(timeoutMillis);
        // A lost connection must fail the run, not be hidden by a reconnect in the middle of a measurement.
        f.setAutomaticRecoveryEnabled(false);
        f.setTopologyRecoveryEnabled(false);
        return f;
    }
}
