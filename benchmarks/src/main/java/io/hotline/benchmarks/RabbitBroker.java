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
import java.time.Duration;
import java.util.List;
import java.util.Map;

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
    private static final Duration STARTUP_TIMEOUT = Duration.ofSeconds(90);
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(20);
    private static final int READINESS_TIMEOUT_MILLIS = 2_000;

    private final ServerProcess epmd;
    private final ServerProcess broker;
    private final int port;

    private RabbitBroker(ServerProcess epmd, ServerProcess broker, int port) {
        this.epmd = epmd;
        this.broker = broker;
        this.port = port;
    }

    /**
     * Starts epmd and the broker and waits until an AMQP connection to this broker (known by its node name)
     * succeeds.
     *
     * @throws io.hotline.testing.ServerStartException if either does not start; its message has the log's tail
     */
    static RabbitBroker start() {
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
            writeConfiguration(broker.directory());
            broker.start();
            return new RabbitBroker(epmd, broker, amqpPort);
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

    /** A client's factory for this broker, with every timeout explicit and no automatic recovery. */
    ConnectionFactory connectionFactory(Duration timeout) {
        return factory(port, (int) timeout.toMillis());
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

    /** Empty files in place of /etc/rabbitmq's, and no plugins: a plain broker. */
    private static void writeConfiguration(Path dir) {
        try {
            Files.createDirectories(dir.resolve("home"));
            Files.writeString(dir.resolve("rabbitmq.conf"), "# defaults; AMQP address and port come from the environment\n");
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
        try (Connection c = factory(port, READINESS_TIMEOUT_MILLIS).newConnection("readiness")) {
            Object cluster = c.getServerProperties().get("cluster_name");
            if (cluster == null || !cluster.toString().startsWith(name)) {
                throw new IllegalStateException("127.0.0.1:" + port + " is the broker " + cluster + ", not " + node);
            }
            return true;
        }
    }

    private static ConnectionFactory factory(int port, int timeoutMillis) {
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
