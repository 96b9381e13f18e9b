package io.hotline.benchmarks;

import io.hotline.discovery.StoreProviders;
import io.hotline.discovery.config.HotlineConfig;
import io.hotline.discovery.spi.EndpointStore;
import io.hotline.rpc.RpcClient;
import io.hotline.rpc.Target;
import io.hotline.testing.FreePorts;
import io.hotline.testing.ReadinessCheck;
import io.hotline.testing.ServerProcess;
import java.io.File;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The fanout comparison: how long from a client's fanout cast until the last of N servers has run the method,
 * through one Hotline broadcaster, through several that split the targets among them, and through RabbitMQ's fanout
 * exchange bound to N queues with N consumers, in one run on this machine's loopback. Counts lost and duplicate
 * deliveries, and reads the broadcasters' CPU time and memory from /proc. A load harness, not a test.
 *
 * <p>The N servers live in this JVM ({@link ServerFarm}: one port and one registration each, in a file store);
 * broadcasters run in JVMs of their own ({@link BroadcasterNode}). Run it with {@code benchmarks/run-fanout-comparison}.
 */
@Command(name = "run-fanout-comparison", sortOptions = false,
        description = "Times fanouts to N servers through Hotline broadcasters (one, and several with the tree split)"
                + " and through a RabbitMQ fanout exchange. Progress goes to standard error, the report to standard"
                + " output.")
public final class FanoutComparison implements Callable<Integer> {

    @Option(names = "--servers", paramLabel = "N,N", split = ",", defaultValue = "100,1000",
            description = "Numbers of servers to fan out to (default: ${DEFAULT-VALUE}).")
    List<Integer> servers;

    @Option(names = "--rounds", paramLabel = "N", defaultValue = "10",
            description = "Measured fanouts per contender and size (default: ${DEFAULT-VALUE}).")
    int rounds;

    @Option(names = "--warmup", paramLabel = "N", defaultValue = "3",
            description = "Fanouts before measuring, per contender and size, at least (default: ${DEFAULT-VALUE}).")
    int warmup;

    @Option(names = "--warmup-casts", paramLabel = "N", defaultValue = "20000",
            description = "Casts before measuring, per contender and size: more warm-up fanouts are made until this"
                    + " many servers got one, so that the JVMs have compiled the hot path (default: ${DEFAULT-VALUE}).")
    int warmupCasts;

    @Option(names = "--broadcasters", paramLabel = "N", defaultValue = "4",
            description = "Broadcasters in the tree-split runs; the split threshold is servers / broadcasters"
                    + " (default: ${DEFAULT-VALUE}).")
    int broadcasters;

    @Option(names = "--timeout", paramLabel = "SECONDS", defaultValue = "60",
            description = "How long one fanout may take to reach every server before the missing ones count as lost"
                    + " (default: ${DEFAULT-VALUE}).")
    int timeoutSeconds;

    @Option(names = "--broadcaster-java-option", paramLabel = "OPTION",
            description = "A JVM option for every broadcaster JVM, e.g. -XX:StartFlightRecording=filename=b.jfr to"
                    + " profile them; repeat for several.")
    List<String> broadcasterJavaOptions = new ArrayList<>();

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help and exit.")
    boolean help;

    /** How long the processes are watched idle before the measured fanouts. */
    private static final long IDLE_MILLIS = 2_000;

    private final PrintStream progress = System.err;

    public static void main(String[] args) {
        if (System.getProperty("org.slf4j.simpleLogger.defaultLogLevel") == null) {
            System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
        }
        System.exit(new CommandLine(new FanoutComparison()).execute(args));
    }

    /** One contender at one size: fanout times, losses, and what the processes spent. */
    private record Row(int servers, String contender, List<Double> millis, int lost, int duplicates, Usage usage) {}

    /**
     * CPU seconds the contender's middle (broadcasters or broker) and this JVM (servers or consumers, and the client)
     * spent over the measured fanouts, and the largest peak RSS in the middle.
     */
    private record Usage(double middleCpuSeconds, double harnessCpuSeconds, long peakRssKib, int processes) {}

    @FunctionalInterface
    private interface Caster {
        void cast(String event) throws Exception;
    }

    @Override
    public Integer call() throws Exception {
        if (rounds < 1 || warmup < 0 || warmupCasts < 0 || broadcasters < 2 || timeoutSeconds < 1
                || servers.stream().anyMatch(n -> n < 1)) {
            throw new CommandLine.ParameterException(new CommandLine(this), "--rounds and --timeout must be 1 or more,"
                    + " --warmup and --warmup-casts 0 or more, --broadcasters 2 or more, and every --servers count 1"
                    + " or more");
        }
        String startedAt = OffsetDateTime.now(ZoneOffset.UTC).format(DateTimeFormatter.ISO_OFFSET_DATE_TIME);
        double loadBefore = Machine.loadAverage();
        Duration timeout = Duration.ofSeconds(timeoutSeconds);
        Path dir = Files.createTempDirectory("fanout-comparison");
        List<Row> rows = new ArrayList<>();
        Arrivals arrivals = new Arrivals();
        progress.println("starting RabbitMQ (a private broker and epmd on free loopback ports)...");
        try (RabbitBroker broker = RabbitBroker.start();
                EndpointStore store = StoreProviders.load().open(fileStore(dir));
                RpcClient client = RpcClient.builder(store).timeout(timeout).build()) {
            for (int n : servers) {
                Target target = Target.topic("fanout-" + n).exchange("bench");
                progress.printf("%d servers: starting them...%n", n);
                // Each contender's connections exist only during its own row, so that none pays for another's.
                try (ServerFarm farm = new ServerFarm(store, target.service(), n, arrivals)) {
                    Caster hotline = event -> client.prepare(target.asFanout()).cast("run", Map.of("event", event));
                    try (Nodes one = new Nodes(dir, store, 1, Integer.MAX_VALUE)) {
                        rows.add(measure(n, "Hotline, 1 broadcaster", hotline, arrivals, timeout, one.pids()));
                    }
                    try (RabbitFanout rabbit = new RabbitFanout(broker, target.service(), n, arrivals, timeout, false)) {
                        rows.add(measure(n, "RabbitMQ fanout exchange", rabbit::cast, arrivals, timeout,
                                List.of(broker.pid())));
                    }
                    // An exchange of its own: the first row's auto-delete exchange may still be going away.
                    try (RabbitFanout rabbit = new RabbitFanout(broker, target.service() + "-apart", n, arrivals, timeout,
                            true)) {
                        rows.add(measure(n, "RabbitMQ fanout exchange, a connection per server", rabbit::cast,
                                arrivals, timeout, List.of(broker.pid())));
                    }
                    int threshold = (n + broadcasters - 1) / broadcasters;
                    try (Nodes tree = new Nodes(dir, store, broadcasters, threshold)) {
                        rows.add(measure(n, "Hotline, " + broadcasters + " broadcasters, split above " + threshold,
                                hotline, arrivals, timeout, tree.pids()));
                    }
                }
            }
        } finally {
            deleteTree(dir);
        }
        print(System.out, rows, startedAt, loadBefore);
        return 0;
    }

    private Row measure(int n, String name, Caster caster, Arrivals arrivals, Duration timeout, List<Long> middle)
            throws Exception {
        int warmups = Math.max(warmup, (warmupCasts + n - 1) / n);
        for (int i = 0; i < warmups; i++) {
            once(name + " warm-up " + i, n, caster, arrivals, timeout);
        }
        // What the processes spend with no fanout (heartbeats, the file store's re-listing), so it can be taken out.
        double middleIdle = ProcessUsage.cpuSeconds(middle);
        double harnessIdle = ProcessUsage.harnessCpuSeconds();
        Thread.sleep(IDLE_MILLIS);
        double middleBefore = ProcessUsage.cpuSeconds(middle);
        double harnessBefore = ProcessUsage.harnessCpuSeconds();
        double middleIdleRate = (middleBefore - middleIdle) / IDLE_MILLIS;
        double harnessIdleRate = (harnessBefore - harnessIdle) / IDLE_MILLIS;
        long measuredFrom = System.nanoTime();
        List<Double> millis = new ArrayList<>();
        int lost = 0;
        List<Arrivals.Round> done = new ArrayList<>();
        for (int i = 0; i < rounds; i++) {
            String event = n + " " + name + " " + i;
            Arrivals.Round r = once(event, n, caster, arrivals, timeout);
            done.add(r);
            lost += n - r.received();
            if (r.received() == n) {
                millis.add((r.lastNanos() - startNanos) / 1e6);
            }
        }
        double measuredMillis = (System.nanoTime() - measuredFrom) / 1e6;
        Usage usage = new Usage(ProcessUsage.cpuSeconds(middle) - middleBefore - middleIdleRate * measuredMillis,
                ProcessUsage.harnessCpuSeconds() - harnessBefore - harnessIdleRate * measuredMillis,
                ProcessUsage.peakRssKib(middle), middle.size());
        // A duplicate would arrive right behind the first copy; give stragglers a moment before counting.
        Thread.sleep(500);
        int duplicates = done.stream().mapToInt(Arrivals.Round::duplicates).sum();
        Row row = new Row(n, name, millis, lost, duplicates, usage);
        progress.printf(Locale.ROOT, "%d servers, %-48s p50 %8.1f ms, max %8.1f ms, lost %d, duplicates %d%n", n, name,
                percentile(millis, 0.5), percentile(millis, 1.0), lost, duplicates);
        return row;
    }

    /** Set by {@link #once} just before the cast: a round's time counts from here. */
    private long startNanos;

    private Arrivals.Round once(String event, int n, Caster caster, Arrivals arrivals, Duration timeout)
            throws Exception {
        Arrivals.Round r = arrivals.expect(event, n);
        startNanos = System.nanoTime();
        caster.cast(event);
        if (!r.await(timeout)) {
            progress.printf("%s: only %d of %d servers got it within %s%n", event, r.received(), n, timeout);
        }
        // Let the previous fanout's connections and acknowledgements settle so rounds do not overlap.
        Thread.sleep(200);
        return r;
    }

    private static HotlineConfig fileStore(Path dir) {
        return HotlineConfig.of(Map.of("hotline.store", "file", "hotline.file.dir", dir.toString()));
    }

    /** Broadcasters in JVMs of their own, registered in the file store; closing stops them and waits. */
    private final class Nodes implements AutoCloseable {
        private final List<ServerProcess> processes = new ArrayList<>();

        Nodes(Path dir, EndpointStore store, int count, int splitThreshold) throws InterruptedException {
            String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            // Absolute: each broadcaster runs in a directory of its own.
            String classpath = Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
                    .map(e -> Path.of(e).toAbsolutePath().toString()).collect(Collectors.joining(File.pathSeparator));
            // One per run, shared by its broadcasters only, so that they take each other's shares.
            String peerToken = UUID.randomUUID().toString().replace("-", "");
            try {
                for (int i = 0; i < count; i++) {
                    int port = FreePorts.tcp();
                    List<String> command = new ArrayList<>(List.of(java, "-Xmx512m"));
                    command.addAll(broadcasterJavaOptions);
                    command.addAll(List.of("-cp", classpath, BroadcasterNode.class.getName(), dir.toString(),
                            String.valueOf(port), String.valueOf(splitThreshold), peerToken));
                    ServerProcess p = ServerProcess.builder("broadcaster-" + i)
                            .command(command)
                            .readiness(ReadinessCheck.http(URI.create("http://127.0.0.1:" + port + "/healthz")))
                            .startupTimeout(Duration.ofSeconds(60))
                            .build();
                    processes.add(p);
                    p.start();
                }
                long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
                while (store.list(RpcClient.BROADCASTER_SERVICE, store.homeZone()).size() != count) {
                    if (System.nanoTime() > deadline) {
                        throw new IllegalStateException("the store does not show exactly " + count + " broadcasters");
                    }
                    Thread.sleep(50);
                }
                progress.printf("%d broadcaster(s) up, split threshold %s%n", count,
                        splitThreshold == Integer.MAX_VALUE ? "none" : splitThreshold);
            } catch (RuntimeException | InterruptedException e) {
                close();
                throw e;
            }
        }

        List<Long> pids() {
            return processes.stream().map(ServerProcess::pid).toList();
        }

        @Override
        public void close() {
            processes.forEach(ServerProcess::close);
        }
    }

    private void print(PrintStream out, List<Row> rows, String startedAt, double loadBefore) {
        out.println("# Fanout comparison");
        out.println();
        out.printf(Locale.ROOT, "- started %s on %s; load average (1 min) %.2f at the start, %.2f at the"
                + " end: anything above 0 is load this run did not make, so these figures are noisy%n", startedAt,
                Machine.description(), loadBefore, Machine.loadAverage());
        out.printf("- time: from the client's cast until the last of N servers ran the method; %d measured fanouts"
                + " per row; servers in this JVM (one port and one file-store registration"
                + " each), broadcasters in JVMs of their own with default settings (64 casts in flight each); warm-up:"
                + " at least %d fanouts and %d casts per row, so the JVMs run compiled code%n", rounds, warmup,
                warmupCasts);
        out.println("- RabbitMQ: a fanout exchange bound to N queues with one consumer each, auto-ack, one publish; the"
                + " consumers share one connection (N servers in one process), or each has a connection of its own"
                + " (N servers on N hosts, and as each Hotline server has its own port), delivered by 16 threads");
        out.println("- middle CPU: user+system time of all broadcaster JVMs, or of the broker and its Erlang VM, over"
                + " the measured fanouts, per fanout, less what they spent idle (heartbeats, the file store's"
                + " re-listing; measured over 2 s before); harness CPU: the same for this JVM (the N servers or"
                + " consumers, and the client); RSS: the largest peak resident set in the middle");
        out.println();
        out.println("| servers | contender | p50 ms | min ms | max ms | lost | duplicates | middle CPU ms/fanout"
                + " | harness CPU ms/fanout | middle peak RSS MiB |");
        out.println("|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|");
        for (Row r : rows) {
            out.printf(Locale.ROOT, "| %d | %s | %.1f | %.1f | %.1f | %d | %d | %.1f (%d processes) | %.1f | %d |%n",
                    r.servers(), r.contender(), percentile(r.millis(), 0.5), percentile(r.millis(), 0.0),
                    percentile(r.millis(), 1.0), r.lost(), r.duplicates(),
                    1000 * r.usage().middleCpuSeconds() / rounds, r.usage().processes(),
                    1000 * r.usage().harnessCpuSeconds() / rounds, r.usage().peakRssKib() / 1024);
        }
    }

    private static double percentile(List<Double> values, double p) {
        if (values.isEmpty()) {
            return Double.NaN;
        }
        List<Double> sorted = values.stream().sorted(Comparator.naturalOrder()).toList();
        return sorted.get((int) Math.round(p * (sorted.size() - 1)));
    }

    private static void deleteTree(Path dir) throws IOException {
        try (var paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
