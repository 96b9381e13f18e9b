package io.hotline.benchmarks;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.Callable;
import io.hotline.rpc.HttpTransport;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The RPC comparison: Hotline (over HTTP/1.1 and over h2c) against RabbitMQ RPC (oslo's way), gRPC unary and a bare
 * Jetty handler, all on this machine's loopback, in one run ({@code --only} runs some of them). Starts a private
 * RabbitMQ broker, every server (each in a JVM of its own, {@link EchoServerJvm}) and every client, measures call
 * latency at one request in flight, call throughput and cast throughput at many, and prints the medians side by
 * side with the goals' PASS or MISS. A load harness, not a test: it never fails on a missed goal.
 *
 * <p>Run it with {@code benchmarks/run-rpc-comparison}; see benchmarks/README.md.
 */
@Command(name = "run-rpc-comparison", sortOptions = false,
        description = "Measures Hotline against RabbitMQ RPC, gRPC unary and bare Jetty on loopback and prints the "
                + "medians of the rounds with the goals. Progress goes to standard error, the report to standard output.")
public final class RpcComparison implements Callable<Integer> {

    /** Far above any latency seen here; a request that takes longer is counted as failed. */
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(10);
    /** How long a server may take to handle the casts it accepted before the next phase starts anyway. */
    private static final Duration BACKLOG_TIMEOUT = Duration.ofSeconds(30);
    /** Far above what 2 cores do in a window; only there so that no loop is bounded by time alone. */
    private static final long MAX_REQUESTS_PER_PHASE = 10_000_000;

    @Option(names = "--warmup", paramLabel = "SECONDS", defaultValue = "2",
            description = "Load before each measurement window, not measured (default: ${DEFAULT-VALUE}).")
    int warmupSeconds;

    @Option(names = "--duration", paramLabel = "SECONDS", defaultValue = "5",
            description = "Length of each measurement window (default: ${DEFAULT-VALUE}).")
    int durationSeconds;

    @Option(names = "--jvm-warmup", paramLabel = "SECONDS", defaultValue = "10",
            description = "Load on each contender once, before the first round, not measured: every server runs in a"
                    + " JVM of its own, which compiles its hot code in the first seconds (default: ${DEFAULT-VALUE}).")
    int jvmWarmupSeconds;

    @Option(names = "--rounds", paramLabel = "N", defaultValue = "3",
            description = "Rounds of every phase; the report shows their median (default: ${DEFAULT-VALUE}).")
    int rounds;

    @Option(names = "--in-flight", paramLabel = "N", defaultValue = "64",
            description = "Requests outstanding in the throughput phases (default: ${DEFAULT-VALUE}).")
    int inFlight;

    @Option(names = "--only", paramLabel = "NAME", split = ",", converter = Role.Converter.class,
            completionCandidates = Role.Ids.class,
            description = "Contenders to run, comma-separated, of ${COMPLETION-CANDIDATES} (default: all); goals that"
                    + " need one left out are not printed, and RabbitMQ is started only for rabbitmq.")
    Set<Role> only;

    @Option(names = "--server-java-option", paramLabel = "OPTION",
            description = "A JVM option for every server's JVM, e.g. -XX:StartFlightRecording=filename=s.jfr to profile"
                    + " them; repeat for several.")
    List<String> serverJavaOptions = new ArrayList<>();

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help and exit.")
    boolean help;

    private final PrintStream progress = System.err;

    public static void main(String[] args) {
        // The servers' info logs would bury the progress lines; -Dorg.slf4j.simpleLogger.defaultLogLevel=info wins.
        if (System.getProperty("org.slf4j.simpleLogger.defaultLogLevel") == null) {
            System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
        }
        System.exit(new CommandLine(new RpcComparison()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        if (warmupSeconds < 0 || jvmWarmupSeconds < 0 || durationSeconds < 1 || rounds < 1 || inFlight < 1) {
            throw new CommandLine.ParameterException(new CommandLine(this),
                    "--warmup and --jvm-warmup must be 0 or more, and --duration, --rounds and --in-flight 1 or more");
        }
        long startedNanos = System.nanoTime();
        String startedAt = OffsetDateTime.now(ZoneOffset.UTC).format(DateTimeFormatter.ISO_OFFSET_DATE_TIME);
        double loadBefore = Machine.loadAverage();
        LoadDriver driver = new LoadDriver(Duration.ofSeconds(warmupSeconds), Duration.ofSeconds(durationSeconds),
                REQUEST_TIMEOUT, MAX_REQUESTS_PER_PHASE);

        List<AutoCloseable> started = new ArrayList<>();
        try {
            // Started in this order and stopped in the reverse; RabbitMQ only when its contender runs.
            Set<Role> run = only == null ? EnumSet.allOf(Role.class) : EnumSet.copyOf(only);
            RabbitBroker broker = null;
            if (run.contains(Role.RABBITMQ)) {
                progress.println("starting RabbitMQ (a private broker and epmd on free loopback ports)...");
                broker = open(started, RabbitBroker.start());
            }
            Map<Role, Contender> running = new EnumMap<>(Role.class);
            Map<Role, String> names = new EnumMap<>(Role.class);
            for (Role role : run) {
                Contender c = open(started, start(role, broker));
                running.put(role, c);
                names.put(role, c.name());
            }
            List<Contender> contenders = List.copyOf(running.values());
            List<CastContender> casters = run.stream().filter(Role::casts).map(r -> (CastContender) running.get(r))
                    .toList();
            progress.printf(Locale.ROOT, "everything is up after %.1f s; %d rounds of about %d s each%n",
                    (System.nanoTime() - startedNanos) / 1e9, rounds,
                    (2 * contenders.size() + casters.size()) * (warmupSeconds + durationSeconds));
            Report report = new Report(names, inFlight);
            if (jvmWarmupSeconds > 0) {
                progress.printf("warming every contender up for %d s (calls, then casts), not measured...%n",
                        jvmWarmupSeconds);
                LoadDriver warming = new LoadDriver(Duration.ZERO, Duration.ofSeconds(jvmWarmupSeconds),
                        REQUEST_TIMEOUT, MAX_REQUESTS_PER_PHASE);
                for (Contender c : contenders) {
                    warming.throughput(c::call, inFlight, cpu(c));
                }
                for (CastContender c : casters) {
                    warming.throughput(c::cast, inFlight, cpu(c));
                    c.awaitCastsHandled(BACKLOG_TIMEOUT);
                }
            }
            // Contenders take turns inside each round, so that a burst of load from elsewhere hits one round of
            // everyone rather than every round of one.
            for (int round = 1; round <= rounds; round++) {
                for (Contender c : contenders) {
                    record(report, round, c.name(), Phase.CALL_LATENCY, driver.latency(c::call, cpu(c)));
                }
                for (Contender c : contenders) {
                    record(report, round, c.name(), Phase.CALL_THROUGHPUT,
                            driver.throughput(c::call, inFlight, cpu(c)));
                }
                for (CastContender c : casters) {
                    record(report, round, c.name(), Phase.CAST_THROUGHPUT,
                            driver.throughput(c::cast, inFlight, cpu(c)));
                    long backlog = c.awaitCastsHandled(BACKLOG_TIMEOUT);
                    if (backlog > 0) {
                        progress.printf("%s still had %d casts to handle after %d s; the next phase runs beside them%n",
                                c.name(), backlog, BACKLOG_TIMEOUT.toSeconds());
                    }
                }
            }
            PrintStream out = System.out;
            header(out, startedAt, loadBefore);
            report.print(out);
        } finally {
            for (int i = started.size() - 1; i >= 0; i--) {
                started.get(i).close();
            }
        }
        progress.printf(Locale.ROOT, "done in %.0f s (servers stopped); load average now %.2f%n",
                (System.nanoTime() - startedNanos) / 1e9, Machine.loadAverage());
        return 0;
    }

    private static <T extends AutoCloseable> T open(List<AutoCloseable> started, T resource) {
        started.add(resource);
        return resource;
    }

    /** Starts the server of {@code role} (each in a JVM of its own) and its client. */
    private Contender start(Role role, RabbitBroker broker) {
        Duration timeout = REQUEST_TIMEOUT;
        List<String> jvm = serverJavaOptions;
        return switch (role) {
            case HOTLINE -> new HotlineEcho(timeout, HttpTransport.HTTP_1_1, false, jvm);
            case RABBITMQ -> new RabbitRpc(broker, timeout, jvm);
            case GRPC -> new GrpcEcho(timeout, true, jvm);
            case JETTY -> new JettyEcho(timeout, false, JettyEcho.Handling.NON_BLOCKING, jvm);
            case GRPC_POOLED -> new GrpcEcho(timeout, false, jvm);
            case HOTLINE_H2C -> new HotlineEcho(timeout, HttpTransport.H2C, false, jvm);
            case JETTY_H2C -> new JettyEcho(timeout, true, JettyEcho.Handling.NON_BLOCKING, jvm);
            case HOTLINE_NONBLOCKING -> new HotlineEcho(timeout, HttpTransport.HTTP_1_1, true, jvm);
            case HOTLINE_H2C_NONBLOCKING -> new HotlineEcho(timeout, HttpTransport.H2C, true, jvm);
            case JETTY_BLOCKING -> new JettyEcho(timeout, false, JettyEcho.Handling.BLOCKING, jvm);
            case JETTY_BLOCKING_OSLO -> new JettyEcho(timeout, false, JettyEcho.Handling.BLOCKING_OSLO, jvm);
            case JETTY_H2C_BLOCKING -> new JettyEcho(timeout, true, JettyEcho.Handling.BLOCKING, jvm);
            case JETTY_H2C_HANDOFF -> new JettyEcho(timeout, true, JettyEcho.Handling.HAND_OFF, jvm);
        };
    }

    private static CpuMeter cpu(Contender c) {
        return CpuMeter.of(c);
    }

    private void record(Report report, int round, String name, Phase phase, Measurement m) {
        report.add(name, phase, m);
        String numbers = phase == Phase.CALL_LATENCY
                ? "p50 " + Report.number(m.p50Micros()) + " µs, p99 " + Report.number(m.p99Micros()) + " µs"
                : Report.number(m.rate()) + "/s";
        progress.printf(Locale.ROOT, "round %d/%d  %-22s %-20s %s, CPU %s µs each  (%d ok, %d failed)%n", round,
                rounds, name, phase.label(inFlight), numbers, Report.number(m.cpuMicrosPerMessage()), m.completed(),
                m.failed());
    }

    private void header(PrintStream out, String startedAt, double loadBefore) {
        Properties versions = versions();
        out.println("# RPC comparison");
        out.println();
        out.printf(Locale.ROOT, "- started %s on %s%n", startedAt, Machine.description());
        out.printf(Locale.ROOT, "- load average (1 min): %.2f at the start, %.2f at the end; anything above 0 is load"
                + " this run did not make%n", loadBefore, Machine.loadAverage());
        out.printf(Locale.ROOT, "- first, %d s of calls (and casts) at %d in flight on each contender, not measured, so"
                + " that every JVM runs compiled code; then each phase: %d s warm-up, then %d s measured; %d rounds,"
                + " contenders in turn within a round; every request carries %d bytes of JSON arguments, timeout %d s%n",
                jvmWarmupSeconds, inFlight, warmupSeconds, durationSeconds, rounds, Payload.size(),
                REQUEST_TIMEOUT.toSeconds());
        out.printf("- Hotline: RpcServer (POST /v1/rpc by a Jetty %s handler, the rest by Jersey %s) and RpcClient via"
                + " the file store, defaults; Hotline h2c: the same with hotline.http.transport=h2c (one multiplexed"
                + " connection, the server unchanged); Hotline, @NonBlocking: the endpoint class declared @NonBlocking, so"
                + " that calls (and casts, after their 202) run on the I/O thread that read them, over HTTP/1.1 or"
                + " h2c%n", versions.getProperty("jetty"),
                versions.getProperty("jersey"));
        out.printf("- RabbitMQ: amqp-client %s; topic exchange, server queue, per-client reply queue, correlation ids;"
                + " casts with publisher confirms, asynchronous, one per message, at most %d unconfirmed, acknowledged"
                + " by the broker in batches (multiple=true)%n", versions.getProperty("amqp-client"), inFlight);
        out.printf("- gRPC: grpc-java %s (netty-shaded), byte[] marshaller, one HTTP/2 connection; directExecutor on"
                + " both sides (handlers that never block), or gRPC's default executors (a pool thread per call, as"
                + " for handlers that may block, like Hotline's endpoints)%n", versions.getProperty("grpc"));
        out.println("- bare Jetty: a non-blocking Jetty handler and Jetty's HttpClient (the client Hotline uses), over"
                + " HTTP/1.1 (a connection per request in flight, as Hotline) or h2c (one multiplexed connection); and"
                + " with a blocking handler (reads the body through a blocking stream; Jetty runs it where it may"
                + " block), over HTTP/1.1 and h2c: the floor for methods that may block, as Hotline's endpoints may;"
                + " over HTTP/1.1 also with the oslo envelope on both sides (the client writes kind, method, args,"
                + " context, version, msg_id and timeout, the server reads them, finds the method by name, converts"
                + " the argument by its parameter and writes {\"result\": ...}, all with plain Jackson): the floor for"
                + " a server of Hotline's wire protocol whose methods may block;"
                + " and over h2c with a handler that decodes the body, answers 202 and hands the work to a pool thread:"
                + " the floor for casts whose methods may block");
        out.println("- servers: each contender's in a JVM of its own ("
                + (serverJavaOptions.isEmpty() ? "default JVM options" : "JVM options " + String.join(" ",
                        serverJavaOptions)) + "), clients in the harness JVM");
        out.println("- CPU µs per request: user+system CPU from the window's start to its end, divided by the requests"
                + " completed in the window, of the client (this whole JVM: the contender's client and the load driver,"
                + " the same for all; other contenders idle), the server's JVM and, for RabbitMQ, the broker and its"
                + " Erlang VM; the tables show their sum, and the last one each part");
    }

    private static Properties versions() {
        Properties p = new Properties();
        try (InputStream in = RpcComparison.class.getResourceAsStream("versions.properties")) {
            if (in == null) {
                throw new IllegalStateException("versions.properties is missing from the jar; rebuild it with Maven");
            }
            p.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read versions.properties", e);
        }
        return p;
    }
}
