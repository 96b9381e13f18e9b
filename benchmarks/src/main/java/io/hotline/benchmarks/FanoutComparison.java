package io.hotline.benchmarks;

import io.hotline.discovery.StoreProviders;
import io.hotline.discovery.config.HotlineConfig;
import io.hotline.discovery.spi.EndpointStore;
import io.hotline.rpc.RpcClient;
import io.hotline.rpc.Target;
import io.hotline.testing.FreePorts;
import io.hotline.testing.ReadinessCheck;
import io.hotline.testing.ServerProcess;
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
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.function.ToDoubleFunction;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The fanout comparison: how long from a client's fanout cast until the last of N servers has run the method,
 * through one Hotline broadcaster, through several that split the targets among them as a tree, and through
 * RabbitMQ's fanout exchange bound to N queues with N consumers, in one run on this machine's loopback. Counts lost and
 * duplicate deliveries, reads the broadcasters' and the broker's CPU time and memory from /proc round by round, and
 * reports the CPU each spends per target, the inputs of the fanout model in
 * {@code docs/benchmarks/2026-12-03-fanout-model.md}. A load harness, not a test.
 *
 * <p>The N servers live in this JVM ({@link ServerFarm}: one port and one registration each, in a file store);
 * broadcasters run in JVMs of their own ({@link BroadcasterNode}). Run it with {@code benchmarks/run-fanout-comparison}.
 */
@Command(name = "run-fanout-comparison", sortOptions = false,
        description = "Times fanouts to N servers through Hotline broadcasters (one, and several with the tree split)"
                + " and through a RabbitMQ fanout exchange, and reports the CPU each spends per target. Progress goes"
                + " to standard error, the report to standard output.")
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

    @Option(names = "--broadcasters", paramLabel = "N,N", split = ",", defaultValue = "1,4",
            description = "Numbers of broadcasters, a row each: 1 casts to every server itself; more split the"
                    + " fanout above servers / broadcasters, as a tree when that takes more than --split-ways peers"
                    + " (default: ${DEFAULT-VALUE}).")
    List<Integer> broadcasters;

    @Option(names = "--split-ways", paramLabel = "N", defaultValue = "4",
            description = "Peers one broadcaster hands shares to, at most: the broadcaster's"
                    + " hotline.broadcaster.split-ways (default: ${DEFAULT-VALUE}, the broadcaster's own default).")
    int splitWays;

    @Option(names = "--timeout", paramLabel = "SECONDS", defaultValue = "60",
            description = "How long one fanout may take to reach every server before the missing ones count as lost"
                    + " (default: ${DEFAULT-VALUE}).")
    int timeoutSeconds;

    @Option(names = "--broadcaster-java-option", paramLabel = "OPTION",
            description = "A JVM option for every broadcaster JVM, after the harness's own (" + BROADCASTER_JVM_TEXT
                    + "), e.g. -XX:StartFlightRecording=filename=b.jfr to profile them; repeat for several.")
    List<String> broadcasterJavaOptions = new ArrayList<>();

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help and exit.")
    boolean help;

    /** How long a round is left to settle after its last arrival; see {@link #once}. */
    private static final long SETTLE_MILLIS = 200;
    /** How long the processes are watched idle before the measured fanouts. */
    private static final long IDLE_MILLIS = 2_000;
    /**
     * Every broadcaster JVM's options: sixteen of them share this machine's cores and memory with the N servers, so
     * each gets a small heap, the serial collector (no concurrent GC threads to compete for the cores) and small
     * thread stacks. The JIT stays as it is (C2 included): the measured fanouts must run compiled code, as a
     * long-running broadcaster's do.
     */
    private static final String BROADCASTER_JVM_TEXT = "-Xmx256m -XX:+UseSerialGC -Xss256k";
    private static final String ONE_BROADCASTER = "Hotline, 1 broadcaster";
    private static final String RABBIT_APART = "RabbitMQ fanout exchange, a connection per server";
    /** The row of {@link BareFanoutNode}, the floor of a broadcaster's CPU per target. */
    private static final String BARE = "bare Jetty client, 1 process (the floor)";
    private static final List<String> BROADCASTER_JVM = List.of(BROADCASTER_JVM_TEXT.split(" "));
    /** How long the started broadcasters may take to show up in the store, all of them. */
    private static final Duration REGISTRATION_TIMEOUT = Duration.ofSeconds(30);
    /** Open files each server of the farm holds with no connection: its listener, its selector's epoll and eventfd. */
    private static final int FILES_PER_SERVER = 3;
    /** Open files the harness JVM needs besides the servers' sockets: jars, the store, the client, the broker's. */
    private static final int RESERVED_FILES = 1_000;
    /** Warm-up fanouts per row at most, so that a huge --warmup-casts over few servers still ends. */
    private static final int MAX_WARMUPS = 10_000;

    private final PrintStream progress = System.err;

    public static void main(String[] args) {
        if (System.getProperty("org.slf4j.simpleLogger.defaultLogLevel") == null) {
            System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
        }
        System.exit(new CommandLine(new FanoutComparison()).execute(args));
    }

    /**
     * One measured fanout: how long until the first and the last receiver got it, how many did, and the CPU seconds
     * the contender's middle (broadcasters or broker) and this JVM (servers or consumers, and the client) spent on it,
     * from the cast until the round settled, less what each spends idle.
     */
    private record Round(Duration first, Duration last, int received, double middleCpuSeconds,
            double harnessCpuSeconds) {

        boolean complete(int n) {
            return received == n;
        }
    }

    /**
     * One contender at one size: its rounds, losses, the largest peak RSS in the middle, how many processes the middle
     * is, and how many files (sockets, mostly: the servers' listeners and the connections to them) this JVM had open.
     */
    private record Row(int servers, String contender, List<Round> rounds, int lost, int duplicates, long peakRssKib,
            int processes, long harnessOpenFiles) {

        /** Fanout times (until the last receiver) of the rounds every receiver got, in milliseconds. */
        List<Double> millis() {
            return rounds.stream().filter(r -> r.complete(servers)).map(r -> r.last().toNanos() / 1e6).toList();
        }

        /** Until the first receiver, in milliseconds, of the rounds every receiver got. */
        List<Double> firstMillis() {
            return rounds.stream().filter(r -> r.complete(servers)).map(r -> r.first().toNanos() / 1e6).toList();
        }

        /** The middle's CPU per receiver that got the cast, in microseconds, of each round any receiver got. */
        List<Double> middleMicrosPerTarget() {
            return perReceiver(Round::middleCpuSeconds);
        }

        /** This JVM's CPU per receiver that got the cast, in microseconds. */
        List<Double> harnessMicrosPerTarget() {
            return perReceiver(Round::harnessCpuSeconds);
        }

        /**
         * The CPU of middle and harness together, spread over {@code cores}: about the shortest a fanout can take on
         * them (a little less, as it includes the answers and reports that follow the last arrival).
         */
        List<Double> floorMillis(int cores) {
            return rounds.stream().filter(r -> r.complete(servers))
                    .map(r -> 1000 * (r.middleCpuSeconds() + r.harnessCpuSeconds()) / cores).toList();
        }

        double middleCpuSeconds() {
            return rounds.stream().mapToDouble(Round::middleCpuSeconds).sum();
        }

        double harnessCpuSeconds() {
            return rounds.stream().mapToDouble(Round::harnessCpuSeconds).sum();
        }

        private List<Double> perReceiver(ToDoubleFunction<Round> cpu) {
            return rounds.stream().filter(r -> r.received() > 0).map(r -> 1e6 * cpu.applyAsDouble(r) / r.received())
                    .toList();
        }
    }

    /** A row the harness could not run on this machine, and why. */
    private record Skipped(int servers, String contender, String why) {}

    @FunctionalInterface
    private interface Caster {
        void cast(String event) throws Exception;
    }

    @Override
    public Integer call() throws Exception {
        if (rounds < 1 || warmup < 0 || warmupCasts < 0 || splitWays < 1 || timeoutSeconds < 1
                || servers.stream().anyMatch(n -> n < 1) || broadcasters.stream().anyMatch(b -> b < 1)) {
            throw new CommandLine.ParameterException(new CommandLine(this), "--rounds, --split-ways and --timeout"
                    + " must be 1 or more, --warmup and --warmup-casts 0 or more, and every --servers and"
                    + " --broadcasters count 1 or more");
        }
        String startedAt = OffsetDateTime.now(ZoneOffset.UTC).format(DateTimeFormatter.ISO_OFFSET_DATE_TIME);
        double loadBefore = Machine.loadAverage();
        Duration timeout = Duration.ofSeconds(timeoutSeconds);
        Path dir = Files.createTempDirectory("fanout-comparison");
        List<Row> rows = new ArrayList<>();
        List<Skipped> skipped = new ArrayList<>();
        long fileLimit = ProcessUsage.openFilesLimit();
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
                    for (int b : broadcasters) {
                        // One broadcaster never splits; B of them split above N / B, so each casts about N / B.
                        int threshold = b == 1 ? Integer.MAX_VALUE : (n + b - 1) / b;
                        String name = b == 1 ? ONE_BROADCASTER
                                : "Hotline, " + b + " broadcasters, split above " + threshold;
                        // Each server is cast by the broadcaster owning it, so it holds one connection from the
                        // broadcasters (a share cast by its sender after a refusal may open a second), besides its
                        // listener and its selector's epoll and wake-up descriptors. Past the open-files limit accepts
                        // fail and casts are lost, which would measure the limit, not the fanout.
                        long files = (long) n * (2 + FILES_PER_SERVER) + RESERVED_FILES;
                        if (files > fileLimit) {
                            String why = "needs about " + files + " open files in the harness JVM (2 connections and "
                                    + FILES_PER_SERVER + " descriptors per server for its listener and selector, "
                                    + RESERVED_FILES + " more), over its limit of " + fileLimit;
                            progress.printf("%d servers, %s: not run, %s%n", n, name, why);
                            skipped.add(new Skipped(n, name, why));
                            continue;
                        }
                        try (Nodes nodes = new Nodes(dir, store, b, threshold)) {
                            rows.add(measure(n, name, hotline, arrivals, timeout, nodes.pids()));
                        }
                    }
                    // The floor: the same Jetty client posting the same cast to every server, and nothing else.
                    try (BareFanoutNode.Started bare = BareFanoutNode.start(dir, farm.endpoints(), target.service(),
                            broadcasterJvm())) {
                        rows.add(measure(n, BARE, bare::cast, arrivals, timeout, List.of(bare.pid())));
                    }
                    try (RabbitFanout rabbit = new RabbitFanout(broker, target.service(), n, arrivals, timeout, false)) {
                        rows.add(measure(n, "RabbitMQ fanout exchange", rabbit::cast, arrivals, timeout,
                                List.of(broker.pid())));
                    }
                    // An exchange of its own: the first row's auto-delete exchange may still be going away.
                    try (RabbitFanout rabbit = new RabbitFanout(broker, target.service() + "-apart", n, arrivals, timeout,
                            true)) {
                        rows.add(measure(n, RABBIT_APART, rabbit::cast,
                                arrivals, timeout, List.of(broker.pid())));
                    }
                }
            }
        } finally {
            deleteTree(dir);
            // Also when a row fails: the rows measured before it took minutes and are worth having.
            print(System.out, rows, skipped, startedAt, loadBefore);
        }
        return 0;
    }

    /**
     * Warms the contender up, watches it idle, then times {@link #rounds} fanouts, reading the CPU of the middle and
     * of this JVM around each.
     *
     * @param middle the broadcasters' or the broker's process ids
     */
    private Row measure(int n, String name, Caster caster, Arrivals arrivals, Duration timeout, List<Long> middle)
            throws Exception {
        // Each broadcaster casts about N / B of every fanout; warm up until each has sent --warmup-casts, so that
        // every one of B JVMs runs compiled code, not only the first.
        long perProcess = ((long) warmupCasts * middle.size() + n - 1) / n;
        int warmups = (int) Math.min(MAX_WARMUPS, Math.max(warmup, perProcess));
        for (int i = 0; i < warmups; i++) {
            once(name + " warm-up " + i, n, caster, arrivals, timeout);
        }
        // What the processes spend with no fanout (heartbeats, the file store's re-listing), so it can be taken out.
        double middleIdle = ProcessUsage.cpuSeconds(middle);
        double harnessIdle = ProcessUsage.harnessCpuSeconds();
        Thread.sleep(IDLE_MILLIS);
        double middleIdlePerNano = (ProcessUsage.cpuSeconds(middle) - middleIdle) / (IDLE_MILLIS * 1e6);
        double harnessIdlePerNano = (ProcessUsage.harnessCpuSeconds() - harnessIdle) / (IDLE_MILLIS * 1e6);
        List<Round> done = new ArrayList<>();
        List<Arrivals.Round> sent = new ArrayList<>();
        int lost = 0;
        for (int i = 0; i < rounds; i++) {
            double middleBefore = ProcessUsage.cpuSeconds(middle);
            double harnessBefore = ProcessUsage.harnessCpuSeconds();
            long from = System.nanoTime();
            Arrivals.Round r = once(n + " " + name + " " + i, n, caster, arrivals, timeout);
            sent.add(r);
            // The round has settled (see once): the answers to the casts and any peer's report are in its CPU too.
            long elapsed = System.nanoTime() - from;
            done.add(new Round(r.first(), r.last(), r.received(),
                    ProcessUsage.cpuSeconds(middle) - middleBefore - middleIdlePerNano * elapsed,
                    ProcessUsage.harnessCpuSeconds() - harnessBefore - harnessIdlePerNano * elapsed));
            lost += n - r.received();
        }
        // A duplicate would arrive right behind the first copy; give the last round's stragglers a moment too.
        Thread.sleep(500);
        int duplicates = sent.stream().mapToInt(Arrivals.Round::duplicates).sum();
        Row row = new Row(n, name, done, lost, duplicates, ProcessUsage.peakRssKib(middle), middle.size(),
                ProcessUsage.openFiles());
        progress.printf(Locale.ROOT, "%d servers, %-48s p50 %8.1f ms, max %8.1f ms, lost %d, duplicates %d,"
                + " middle CPU %.1f µs/target%n", n, name, percentile(row.millis(), 0.5),
                percentile(row.millis(), 1.0), lost, duplicates, 1e6 * row.middleCpuSeconds() / Math.max(1,
                        (long) n * rounds - lost));
        return row;
    }

    /**
     * One fanout: casts, waits until every receiver has it (at most {@code timeout}), then lets it settle, so that
     * the next round does not overlap this one's answers, connections and acknowledgements.
     */
    private Arrivals.Round once(String event, int n, Caster caster, Arrivals arrivals, Duration timeout)
            throws Exception {
        Arrivals.Round r = arrivals.expect(event, n);
        r.startClock();
        caster.cast(event);
        if (!r.await(timeout)) {
            progress.printf("%s: only %d of %d servers got it within %s%n", event, r.received(), n, timeout);
        }
        Thread.sleep(SETTLE_MILLIS);
        return r;
    }

    /** The JVM options of a broadcaster's JVM (and of the bare client's, set up alike). */
    private List<String> broadcasterJvm() {
        List<String> options = new ArrayList<>(BROADCASTER_JVM);
        options.addAll(broadcasterJavaOptions);
        return options;
    }

    private static HotlineConfig fileStore(Path dir) {
        return HotlineConfig.of(Map.of("hotline.store", "file", "hotline.file.dir", dir.toString()));
    }

    /** Broadcasters in JVMs of their own, registered in the file store; closing stops them and waits. */
    private final class Nodes implements AutoCloseable {
        private final List<ServerProcess> processes = new ArrayList<>();

        Nodes(Path dir, EndpointStore store, int count, int splitThreshold) throws InterruptedException {
            // Sequential starts: each waits for its JVM's readiness, so that sixteen do not boot at once on 2 cores.
            // One per run, shared by its broadcasters only, so that they take each other's shares.
            String peerToken = UUID.randomUUID().toString().replace("-", "");
            try {
                for (int i = 0; i < count; i++) {
                    int port = FreePorts.tcp();
                    processes.add(ChildJvm.start("broadcaster-" + i, broadcasterJvm(), BroadcasterNode.class,
                            own -> List.of(dir.toString(), String.valueOf(port), String.valueOf(splitThreshold),
                                    String.valueOf(splitWays), peerToken),
                            ReadinessCheck.http(URI.create("http://127.0.0.1:" + port + "/healthz"))));
                }
                long deadline = System.nanoTime() + REGISTRATION_TIMEOUT.toNanos();
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

    private void print(PrintStream out, List<Row> rows, List<Skipped> skipped, String startedAt, double loadBefore) {
        int cores = Runtime.getRuntime().availableProcessors();
        out.println("# Fanout comparison");
        out.println();
        out.printf(Locale.ROOT, "- started %s on %s; load average (1 min) %.2f at the start, %.2f at the"
                + " end: anything above 0 is load this run did not make, so these figures are noisy%n", startedAt,
                Machine.description(), loadBefore, Machine.loadAverage());
        out.printf("- time: from the client's cast until the last of N servers ran the method; %d measured fanouts"
                + " per row; servers in this JVM (one port and one file-store registration each, one shared thread"
                + " pool), broadcasters in JVMs of their own (%s; default settings otherwise: 64 casts in flight"
                + " each, split ways %d); warm-up: at least %d fanouts, and until each broadcaster (or the broker)"
                + " sent about %d casts, so the JVMs run compiled code%n", rounds, BROADCASTER_JVM_TEXT, splitWays,
                warmup, warmupCasts);
        out.println("- bare Jetty client (the floor): a JVM set up as a broadcaster's that posts the cast to every"
                + " server with Jetty's HttpClient as the broadcaster uses it (no cookie store, each request built by"
                + " JsonPost), 64 in flight, and nothing else: no directory, split, retry or report");
        out.println("- RabbitMQ: a fanout exchange bound to N queues with one consumer each, auto-ack, one publish; the"
                + " consumers share one connection (N servers in one process), or each has a connection of its own"
                + " (N servers on N hosts, and as each Hotline server has its own port), delivered by 16 threads");
        out.println("- middle CPU: user+system time of all broadcaster JVMs, or of the broker and its Erlang VM, from"
                + " each cast until its round settled (200 ms after the last arrival), less what they spent idle"
                + " (heartbeats, the file store's re-listing; measured over 2 s before); harness CPU: the same for"
                + " this JVM (the N servers or consumers, and the client); RSS: the largest peak resident set in the"
                + " middle; open files: this JVM's, at the row's end (N listeners plus the connections to them)");
        out.println();
        out.println("| servers | contender | p50 ms | min ms | max ms | lost | duplicates | middle CPU ms/fanout"
                + " | harness CPU ms/fanout | middle peak RSS MiB | harness open files |");
        out.println("|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        for (Row r : rows) {
            out.printf(Locale.ROOT, "| %d | %s | %.1f | %.1f | %.1f | %d | %d | %.1f (%d processes) | %.1f | %d | %d |%n",
                    r.servers(), r.contender(), percentile(r.millis(), 0.5), percentile(r.millis(), 0.0),
                    percentile(r.millis(), 1.0), r.lost(), r.duplicates(), 1000 * r.middleCpuSeconds() / rounds,
                    r.processes(), 1000 * r.harnessCpuSeconds() / rounds, r.peakRssKib() / 1024,
                    r.harnessOpenFiles());
        }
        out.println();
        out.println("## Per-target costs: median (lowest-highest) of the rounds");
        out.println();
        out.println("- middle CPU per target: the broadcasters' CPU (all of them, shares and reports included) per"
                + " server that got the cast, or the broker's per delivery (one per bound queue)");
        out.println("- harness CPU per cast: this JVM's per server (or consumer) that got the cast; it includes the"
                + " client's one cast per fanout, well under 1 µs per target at N >= 100");
        out.printf("- CPU floor: (middle + harness CPU of the round) / %d cores, about the shortest the fanout could"
                + " take if every core worked on it all the time (a little less: it includes the answers and reports"
                + " that follow the last arrival); first arrival: until the first server got it%n", cores);
        out.println();
        out.println("| servers | contender | fanout ms | first arrival ms | CPU floor ms | middle CPU µs/target"
                + " | harness CPU µs/cast |");
        out.println("|---:|---|---:|---:|---:|---:|---:|");
        for (Row r : rows) {
            out.printf("| %d | %s | %s | %s | %s | %s | %s |%n", r.servers(), r.contender(), spread(r.millis()),
                    spread(r.firstMillis()), spread(r.floorMillis(cores)), spread(r.middleMicrosPerTarget()),
                    spread(r.harnessMicrosPerTarget()));
        }
        goals(out, rows);
        if (!skipped.isEmpty()) {
            out.println();
            out.println("Not run:");
            skipped.forEach(k -> out.printf("- %d servers, %s: %s%n", k.servers(), k.contender(), k.why()));
        }
    }

    /**
     * Issue 19's fanout goals for one broadcaster, at each N: time at most 1.0x RabbitMQ's with a connection per server,
     * CPU per target at most 1.5x the broker's per delivery; and the same ratios for the bare Jetty client, the floor
     * any broadcaster on Jetty's client stands on.
     */
    private void goals(PrintStream out, List<Row> rows) {
        List<String> lines = new ArrayList<>();
        for (int n : servers) {
            Row rabbit = row(rows, n, RABBIT_APART);
            if (rabbit == null || rabbit.millis().isEmpty() || rabbit.middleMicrosPerTarget().isEmpty()) {
                continue;
            }
            double time = Spread.of(rabbit.millis()).median();
            double cpu = Spread.of(rabbit.middleMicrosPerTarget()).median();
            for (String name : List.of(ONE_BROADCASTER, BARE)) {
                Row r = row(rows, n, name);
                if (r == null || r.millis().isEmpty() || r.middleMicrosPerTarget().isEmpty()) {
                    continue;
                }
                double t = Spread.of(r.millis()).median() / time;
                double c = Spread.of(r.middleMicrosPerTarget()).median() / cpu;
                lines.add(String.format(Locale.ROOT, "| %d | %s | %.2fx | %s | %.2fx | %s |", n, name, t,
                        t <= 1.0 ? "PASS" : "MISS", c, c <= 1.5 ? "PASS" : "MISS"));
            }
        }
        if (lines.isEmpty()) {
            return;
        }
        out.println();
        out.println("## Goals: against " + RABBIT_APART + ", medians (time <= 1.0x, middle CPU per target <= 1.5x)");
        out.println();
        out.println("| servers | contender | fanout time | result | middle CPU per target | result |");
        out.println("|---:|---|---:|---|---:|---|");
        lines.forEach(out::println);
        out.println();
        out.println("The bare Jetty client's ratios are the floor of a broadcaster that casts with Jetty's client: a"
                + " goal below them is below what such an HTTP fanout allows here.");
    }

    private static Row row(List<Row> rows, int n, String contender) {
        return rows.stream().filter(r -> r.servers() == n && r.contender().equals(contender)).findFirst().orElse(null);
    }

    /** {@link Spread#text()}, or a dash when no round counts. */
    private static String spread(List<Double> values) {
        return values.isEmpty() ? "-" : Spread.of(values).text();
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
