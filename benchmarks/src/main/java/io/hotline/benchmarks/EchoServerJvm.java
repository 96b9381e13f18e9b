package io.hotline.benchmarks;

import io.hotline.testing.ReadinessCheck;
import io.hotline.testing.ServerProcess;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Function;

/**
 * An echo server of the RPC comparison in a JVM of its own, so that the CPU the server spends is read from /proc apart
 * from the client's (the harness JVM's), and neither shares the other's JIT, GC or thread pools, as on two hosts.
 * {@link #main} is the child's entry point: {@code EchoServerJvm <kind> <args>}, with kinds {@code hotline <file store
 * dir> <port> <non-blocking>}, {@code jetty <port> <h2c> <blocking>}, {@code grpc <port> <direct>} and {@code rabbitmq
 * <amqp port>}; it serves until stopped (SIGTERM).
 *
 * <pre>{@code
 * int port = FreePorts.tcp();
 * try (EchoServerJvm server = EchoServerJvm.start("jetty", List.of(), ReadinessCheck.tcp(port),
 *         dir -> List.of("jetty", String.valueOf(port), "false", "NON_BLOCKING"))) {
 *     long pid = server.pid();
 * }
 * }</pre>
 */
public final class EchoServerJvm implements AutoCloseable {

    private final ServerProcess process;

    private EchoServerJvm(ServerProcess process) {
        this.process = process;
    }

    /**
     * Starts a server and waits until {@code readiness} holds.
     *
     * @param args the child's arguments, given the directory it runs in (a temp dir, deleted on close)
     */
    static EchoServerJvm start(String name, List<String> javaOptions, ReadinessCheck readiness,
            Function<Path, List<String>> args) {
        return new EchoServerJvm(ChildJvm.start(name.replaceAll("[^A-Za-z0-9]+", "-") + "-server", javaOptions,
                EchoServerJvm.class, args, readiness));
    }

    /** The directory the server runs in. */
    Path directory() {
        return process.directory();
    }

    long pid() {
        return process.pid();
    }

    @Override
    public void close() {
        process.close();
    }

    public static void main(String[] args) throws Exception {
        // The servers' info logs would fill the server's log for nothing.
        if (System.getProperty("org.slf4j.simpleLogger.defaultLogLevel") == null) {
            System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
        }
        List<String> rest = new ArrayList<>(Arrays.asList(args).subList(1, args.length));
        AutoCloseable server = switch (args[0]) {
            case "hotline" -> HotlineEcho.serve(Path.of(rest.get(0)), Integer.parseInt(rest.get(1)),
                    Boolean.parseBoolean(rest.get(2)));
            case "jetty" -> JettyEcho.serve(Integer.parseInt(rest.get(0)), Boolean.parseBoolean(rest.get(1)),
                    JettyEcho.Handling.valueOf(rest.get(2)));
            case "grpc" -> GrpcEcho.serve(Integer.parseInt(rest.get(0)), Boolean.parseBoolean(rest.get(1)));
            case "rabbitmq" -> RabbitRpc.serve(Integer.parseInt(rest.get(0)));
            default -> throw new IllegalArgumentException("unknown kind of echo server: " + args[0]
                    + "; one of hotline, jetty, grpc, rabbitmq");
        };
        ChildJvm.exitWithParent();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                server.close();
            } catch (Exception e) {
                System.err.println("cannot stop the echo server: " + e);
            }
        }));
        Thread.sleep(Long.MAX_VALUE);
    }
}
