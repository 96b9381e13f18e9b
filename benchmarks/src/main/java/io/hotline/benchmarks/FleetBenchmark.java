package io.hotline.benchmarks;

import io.hotline.discovery.Endpoint;
import io.hotline.discovery.EndpointStatus;
import io.hotline.discovery.HealthPolicy;
import io.hotline.discovery.Heartbeater;
import io.hotline.discovery.NotRegisteredException;
import io.hotline.discovery.StoreException;
import io.hotline.discovery.StoreProviders;
import io.hotline.discovery.Zone;
import io.hotline.discovery.config.HotlineConfig;
import io.hotline.discovery.spi.EndpointStore;
import io.hotline.rpc.RpcClient;
import io.hotline.rpc.Target;
import io.hotline.rpc.server.RpcServer;
import io.hotline.testing.ConsulAgent;
import io.hotline.testing.KeystoneServer;
import io.hotline.testing.NamedServer;
import io.hotline.testing.RedisServer;
import java.io.PrintStream;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAccumulator;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongSupplier;
import org.HdrHistogram.ConcurrentHistogram;
import org.HdrHistogram.Histogram;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Issue 18's first scenario: a fleet of N compute hosts, each a registration kept alive by a {@link Heartbeater}
 * (renewed every report interval with its +-10% jitter, registered again when the store forgot it), against a store
 * server, and the restart storm: the server is stopped under the fleet and started again on the same port, empty
 * (redis, consul, dns with {@code --restart empty}) or with its data (dns by default, keystone), as {@code --restart}
 * and the server allow.
 *
 * <p>Per round: a fresh private {@code redis-server} ({@link RedisServer}), {@code consul agent -dev}
 * ({@link ConsulAgent}), {@code named} with one dynamic zone and a TSIG key ({@link NamedServer}) or Keystone under
 * uWSGI with one worker process ({@link KeystoneServer}), the one server every host registers with (set up as
 * {@link StoreServers} sets it up for the other benchmarks); the N registrations spread over one
 * report interval, as a fleet that has been running a while renews; a steady window in which every renewal is timed
 * and a separate store instance lists the service each second; then the storm, timed from the restart until that
 * listing shows all N passing again. The server's CPU and peak RSS are read from /proc.
 *
 * <p>What is simulated: every host's heartbeats come from this one JVM, through {@code --heartbeaters} heartbeaters
 * (one scheduler thread each) sharing {@code --store-instances} store instances (for redis one Jedis pool of at
 * most 16 connections each), where a real fleet has one heartbeater and one connection per host; a real Consul
 * layout has an agent per host, not one agent holding every host.
 *
 * <p>Throughout, {@code --conductors} {@link RpcClient}s (store instances of their own) call and cast, alternately,
 * to {@code --rpc-servers} real {@link RpcServer}s in this JVM registered in the same store (through their own
 * heartbeaters, as every server), and the outcomes are counted per phase: what a conductor sees while the store is
 * away and while the servers' registrations are missing from the restarted one.
 *
 * <pre>
 * benchmarks/run-fleet --endpoints 1000 --steady 30s
 * benchmarks/run-fleet --endpoints 1000 --steady 30s --store consul
 * benchmarks/run-fleet --endpoints 1000 --steady 30s --store dns --restart empty
 * benchmarks/run-fleet --endpoints 250 --steady 30s --store keystone
 * java -cp benchmarks/target/benchmarks.jar io.hotline.benchmarks.FleetBenchmark --endpoints 4000 --rounds 2
 * </pre>
 */
@Command(name = "run-fleet", sortOptions = false,
        description = "A fleet of N heartbeating compute hosts on one store, in steady state and through a restart of"
                + " the store's server (empty, or with its data where the server keeps it). Progress goes to standard"
                + " error, the report to standard output.")
public final class FleetBenchmark implements Callable<Integer> {

    @Option(names = "--endpoints", paramLabel = "N", defaultValue = "13000",
            description = "Compute hosts, one registration each (default: ${DEFAULT-VALUE}).")
    int endpoints;

    @Option(names = "--report-interval", paramLabel = "DURATION", defaultValue = "10s", converter = Durations.class,
            description = "How often each host renews, Nova's report_interval (default: ${DEFAULT-VALUE}).")
    Duration interval;

    @Option(names = "--steady", paramLabel = "DURATION", defaultValue = "60s", converter = Durations.class,
            description = "The measured steady-state window (default: ${DEFAULT-VALUE}).")
    Duration steady;

    @Option(names = "--down", paramLabel = "DURATION", defaultValue = "2s", converter = Durations.class,
            description = "How long the store's server stays stopped in the storm (default: ${DEFAULT-VALUE}).")
    Duration down;

    @Option(names = "--store", paramLabel = "NAME", defaultValue = "redis",
            description = "The store: redis, consul, dns or keystone; run-fleet runs RabbitFleet for rabbitmq"
                    + " (default: ${DEFAULT-VALUE}).")
    String store;

    @Option(names = "--restart", paramLabel = "MODE",
            description = "What the storm's restart starts the server with: empty or with-data. redis and consul"
                    + " (no persistence) restart empty only, keystone with its data only; dns either (default: the"
                    + " first the store allows: empty for redis and consul, with-data for dns and keystone).")
    String restart;

    @Option(names = "--rounds", paramLabel = "N", defaultValue = "1",
            description = "Rounds, each on a fresh server (default: ${DEFAULT-VALUE}).")
    int rounds;

    @Option(names = "--heartbeaters", paramLabel = "N", defaultValue = "16",
            description = "Heartbeaters the hosts are spread over, one thread each (default: ${DEFAULT-VALUE}).")
    int heartbeaters;

    @Option(names = "--store-instances", paramLabel = "N", defaultValue = "4",
            description = "Store instances the heartbeaters share (default: ${DEFAULT-VALUE}).")
    int storeInstances;

    @Option(names = "--conductors", paramLabel = "N", defaultValue = "4",
            description = "Conductor RpcClients calling and casting to the RPC servers throughout, each with a store"
                    + " instance of its own; 0 for none (default: ${DEFAULT-VALUE}).")
    int conductors;

    @Option(names = "--rpc-servers", paramLabel = "N", defaultValue = "4",
            description = "Real RpcServers the conductors call, registered in the same store (default:"
                    + " ${DEFAULT-VALUE}).")
    int rpcServers;

    @Option(names = "--rpc-rate", paramLabel = "N", defaultValue = "20",
            description = "Requests per second per conductor, calls and casts alternately (default: ${DEFAULT-VALUE}).")
    int rpcRate;

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help and exit.")
    boolean help;

    private static final Zone ZONE = StoreServers.ZONE;
    private static final String SERVICE = "compute";
    /** How often the separate store lists the service in the steady window. */
    private static final Duration LIST_EVERY = Duration.ofSeconds(1);
    /** How often it lists during the storm: the resolution of the recovery time. */
    private static final Duration STORM_LIST_EVERY = Duration.ofMillis(500);
    /** The shortest window the server's peak CPU share in the storm is taken over. */
    private static final Duration CPU_WINDOW = Duration.ofSeconds(1);

    /** What the conductors call: topic {@code compute-rpc}, any of the RPC servers. */
    private static final Target RPC = Target.topic("compute-rpc").exchange("nova");
    /** How long a conductor's call waits for its reply: short, so that a failure shows within the storm. */
    private static final Duration RPC_TIMEOUT = Duration.ofSeconds(2);

    private final PrintStream progress = System.err;

    public static void main(String[] args) {
        // One line per host at every storm ("store forgot ...", "heartbeat failed") would drown the progress and cost
        // the harness CPU; the tally counts those events instead.
        if (System.getProperty("org.slf4j.simpleLogger.defaultLogLevel") == null) {
            System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "error");
        }
        System.exit(new CommandLine(new FleetBenchmark()).execute(args));
    }

    /** What the storm starts the server with. */
    private enum Restart {
        EMPTY("empty"),
        WITH_DATA("with-data");

        final String option;

        Restart(String option) {
            this.option = option;
        }

        /**
         * The restarts the store's server can make, the default first: redis-server runs without persistence and
         * consul -dev in memory, so they come back empty; named comes back with its journal or, wiped, empty;
         * {@link KeystoneServer} can only start again from its own database.
         */
        static List<Restart> allowedFor(String store) {
            return switch (store) {
                case "dns" -> List.of(WITH_DATA, EMPTY);
                case "keystone" -> List.of(WITH_DATA);
                default -> List.of(EMPTY);
            };
        }
    }

    /**
     * The store's server, as the storm handles it: stopped, then started again on the same port.
     *
     * @param config the config of a store instance on it
     * @param pidOf its process now (a restart makes a new one)
     * @param about what it is and what its restart brings back, for the report
     */
    private record Server(Map<String, String> config, LongSupplier pidOf, Runnable stopper, Runnable starter,
            Runnable closer, About about) implements AutoCloseable {

        long pid() {
            return pidOf.getAsLong();
        }

        void stop() {
            stopper.run();
        }

        void start() {
            starter.run();
        }

        @Override
        public void close() {
            closer.run();
        }
    }

    /**
     * A server as the report describes it.
     *
     * @param description what it is, for the "simulated" line
     * @param restarted what the storm's start brings back, for the storm's heading
     */
    private record About(String description, String restarted) {}

    private static final String STARTED_EMPTY = "started empty on the same port";

    /** A private {@code redis-server}, no persistence: the store with its defaults. */
    private static Server redis() {
        RedisServer redis = RedisServer.builder().name("redis-fleet").start();
        return new Server(Map.of("hotline.store", "redis", "hotline.zone", ZONE.path(), "hotline.redis.nodes",
                redis.address()), () -> redis.process().pid(), redis::stop, redis::start, redis::close,
                new About("redis-server (no persistence; a Jedis pool of at most 16 connections per store instance)",
                        STARTED_EMPTY));
    }

    /** A private {@code consul agent -dev} (in memory), the one agent every host registers with. */
    private static Server consul() {
        ConsulAgent agent = ConsulAgent.builder("az-1").build().start();
        return new Server(Map.of("hotline.store", "consul", "hotline.zone", ZONE.path(), "hotline.consul.port",
                Integer.toString(agent.httpPort())), () -> agent.process().pid(), agent::stop, agent::start,
                agent::close, new About("one consul agent -dev (in memory) holding every host (a real layout has an"
                        + " agent per host)", STARTED_EMPTY));
    }

    /**
     * A private {@code named} with the benchmarks' dynamic zone; restarted with its data it replays the zone's journal,
     * restarted empty its zone file is rewritten as first served and the journal deleted ({@link NamedServer#wipe()}).
     */
    private static Server dns(Restart restart) {
        NamedServer named = StoreServers.named("named-fleet");
        Runnable start = restart == Restart.EMPTY ? () -> {
            named.wipe();
            named.start();
        } : named::start;
        return new Server(StoreServers.dns(named), () -> named.process().pid(), named::stop, start, named::close,
                new About("one named (`named -g -4 -n 1`, one worker thread) serving the dynamic zone "
                        + StoreServers.DNS_ZONE + ", every update signed with TSIG (" + NamedServer.ALGORITHM
                        + ") and journaled", restart == Restart.EMPTY
                                ? STARTED_EMPTY + " (zone file rewritten as first served, journal deleted, serial"
                                        + " above the last)"
                                : "started again on the same port with its data (named replays the zone's journal)"));
    }

    /** A private Keystone, one uWSGI worker process, as {@link KeystoneStoreBenchmark} measures it. */
    private static Server keystone() {
        KeystoneServer keystone = StoreServers.keystone("keystone-fleet");
        return new Server(StoreServers.keystone(keystone), () -> keystone.process().pid(), keystone::stop,
                keystone::start, keystone::close, new About("one Keystone 22 (uWSGI, one worker process with one"
                        + " thread; sqlite in WAL mode; in-memory cache), every store instance logged in as admin",
                        "started again on the same port with its data (its sqlite database); the start returns once"
                                + " Keystone answers"));
    }

    /** The conductors' calls and casts in one phase, and the first few distinct failures, as evidence. */
    private static final class RpcTally {
        final LongAdder callsOk = new LongAdder();
        final LongAdder callsFailed = new LongAdder();
        final LongAdder castsOk = new LongAdder();
        final LongAdder castsFailed = new LongAdder();
        final Map<String, Long> failures = new ConcurrentHashMap<>();

        void failed(Throwable e) {
            Throwable cause = e instanceof CompletionException && e.getCause() != null
                    ? e.getCause() : e;
            String what = cause.getClass().getSimpleName() + ": " + String.valueOf(cause.getMessage())
                    .replaceAll("[0-9]+", "#");
            // Numbers are blanked so that one kind of failure (ports, ids) is one entry; a few kinds are evidence
            // enough.
            if (failures.size() < 5 || failures.containsKey(what)) {
                failures.merge(what, 1L, Long::sum);
            }
        }

        String text() {
            return String.format(Locale.ROOT, "%d / %d | %d / %d", callsOk.sum(), callsFailed.sum(), castsOk.sum(),
                    castsFailed.sum());
        }
    }

    /** The endpoint the RPC servers serve: public, bound by parameter name. */
    public static final class Sink {
        /** What calls call. */
        public Map<String, Object> get(String host) {
            return Map.of("host", host);
        }

        /** What casts call. */
        public void build(String host) {
            // a cast needs nothing done here: the 202 it was answered with is what the conductor counts
        }
    }

    /** What one phase saw of the store through the heartbeaters. */
    private static final class Tally {
        final Histogram renewMicros = new ConcurrentHistogram(3);
        final LongAdder renewFailed = new LongAdder();
        final LongAdder forgotten = new LongAdder();
        final LongAdder registered = new LongAdder();
        final LongAdder registerFailed = new LongAdder();
        /** Registrations per second since {@link #origin}, to see whether the fleet returns in lockstep. */
        final AtomicLongArray registeredPerSecond = new AtomicLongArray(3600);
        final long origin = System.nanoTime();
        /** The longest time between two successful renewals of one endpoint, in nanoseconds. */
        final LongAccumulator longestGap = new LongAccumulator(Math::max, 0);
    }

    /** What the heartbeaters of one round do, as {@link RecordingStore} reports it, into the round's tally. */
    private static final class Tallier implements RecordingStore.Listener {
        private final AtomicReference<Tally> tally;
        private final Map<String, Long> lastRenewal;

        Tallier(AtomicReference<Tally> tally, Map<String, Long> lastRenewal) {
            this.tally = tally;
            this.lastRenewal = lastRenewal;
        }

        @Override
        public void renewed(String id, long nanos) {
            Tally t = tally.get();
            t.renewMicros.recordValue(Math.max(0, nanos / 1_000));
            gap(t, id, System.nanoTime());
        }

        @Override
        public void renewFailed(String id, RuntimeException e) {
            (e instanceof NotRegisteredException ? tally.get().forgotten : tally.get().renewFailed).increment();
        }

        @Override
        public void registered(Endpoint endpoint) {
            Tally t = tally.get();
            long now = System.nanoTime();
            t.registered.increment();
            int second = (int) ((now - t.origin) / 1_000_000_000L);
            if (second >= 0 && second < t.registeredPerSecond.length()) {
                t.registeredPerSecond.incrementAndGet(second);
            }
            gap(t, endpoint.id(), now);
        }

        @Override
        public void registerFailed(Endpoint endpoint, RuntimeException e) {
            tally.get().registerFailed.increment();
        }

        private void gap(Tally t, String id, long now) {
            Long before = lastRenewal.put(id, now);
            if (before != null && before >= t.origin) {
                t.longestGap.accumulate(now - before);
            }
        }
    }

    private record Steady(int round, long renewals, double p50Ms, double p99Ms, double maxMs, long failed,
            long forgotten, double longestGapS, long leastPassing, int listings, double serverCpuS, double seconds,
            long serverRssKib, double harnessCpuS, RpcTally rpc) {}

    private record Storm(int round, double recoveredAfterRestartS, double recoveredAfterStopS, boolean recovered,
            long lastPassing, long registered, long forgotten, long renewFailed, long registerFailed,
            long peakRegistrationsPerSecond, double serverCpuS, double peakCpuShare, long serverRssKib,
            double harnessCpuS, RpcTally rpc) {}

    @Override
    public Integer call() throws Exception {
        if (endpoints < 1 || rounds < 1 || heartbeaters < 1 || storeInstances < 1 || storeInstances > heartbeaters
                || conductors < 0 || rpcServers < 1 || rpcRate < 1
                || interval.isNegative() || interval.isZero() || steady.isNegative() || down.isNegative()) {
            throw new CommandLine.ParameterException(new CommandLine(this), "--endpoints, --rounds, --heartbeaters"
                    + ", --store-instances, --rpc-servers and --rpc-rate must be 1 or more (store instances at most"
                    + " the heartbeaters), --conductors 0 or more, the durations positive");
        }
        if (!List.of("redis", "consul", "dns", "keystone").contains(store)) {
            throw new CommandLine.ParameterException(new CommandLine(this), "--store " + store
                    + ": redis, consul, dns or keystone (benchmarks/run-fleet runs RabbitFleet for rabbitmq)");
        }
        List<Restart> allowed = Restart.allowedFor(store);
        if (restart != null && allowed.stream().noneMatch(r -> r.option.equals(restart))) {
            throw new CommandLine.ParameterException(new CommandLine(this), "--restart " + restart + ": the " + store
                    + " server restarts " + String.join(" or ", allowed.stream().map(r -> r.option).toList())
                    + " only");
        }
        Restart mode = restart == null ? allowed.get(0)
                : allowed.stream().filter(r -> r.option.equals(restart)).findFirst().orElseThrow();
        String startedAt = OffsetDateTime.now(ZoneOffset.UTC).format(DateTimeFormatter.ISO_OFFSET_DATE_TIME);
        double loadBefore = Machine.loadAverage();
        List<Steady> steadies = new ArrayList<>();
        List<Storm> storms = new ArrayList<>();
        About about = null;
        for (int round = 1; round <= rounds; round++) {
            about = round(round, mode, steadies, storms);
        }
        print(System.out, startedAt, loadBefore, mode, about, steadies, storms);
        return 0;
    }

    /** Runs one round on a fresh server; returns that server's description, which is the same every round. */
    private About round(int round, Restart restart, List<Steady> steadies, List<Storm> storms) throws Exception {
        HealthPolicy policy = HealthPolicy.of(interval, interval.multipliedBy(6), Duration.ofMinutes(30));
        AtomicReference<Tally> tally = new AtomicReference<>(new Tally());
        AtomicReference<RpcTally> rpc = new AtomicReference<>(new RpcTally());
        Tallier tallier = new Tallier(tally, new ConcurrentHashMap<>(endpoints * 2));
        try (Server server = switch (store) {
            case "consul" -> consul();
            case "dns" -> dns(restart);
            case "keystone" -> keystone();
            default -> redis();
        }) {
            List<EndpointStore> real = new ArrayList<>();
            List<Heartbeater> beaters = new ArrayList<>();
            List<AutoCloseable> rpcParts = new ArrayList<>();
            ScheduledExecutorService driver = Executors.newScheduledThreadPool(Math.max(1, conductors), r -> {
                Thread t = new Thread(r, "fleet-conductor");
                t.setDaemon(true);
                return t;
            });
            try (EndpointStore reader = open(server)) {
                for (int s = 0; s < storeInstances; s++) {
                    real.add(open(server));
                }
                if (conductors > 0) {
                    conduct(server, policy, real, rpcParts, driver, rpc);
                }
                for (int h = 0; h < heartbeaters; h++) {
                    beaters.add(Heartbeater.start(new RecordingStore(real.get(h % storeInstances), tallier)));
                }
                progress.printf(Locale.ROOT, "round %d: registering %,d hosts over one report interval (%s)...%n",
                        round, endpoints, text(interval));
                long rampStart = System.nanoTime();
                ramp(beaters, policy, tally.get());
                progress.printf(Locale.ROOT, "  registered in %.1f s%n", (System.nanoTime() - rampStart) / 1e9);
                awaitAllPassing(reader, interval.multipliedBy(3), "after the ramp");

                progress.printf(Locale.ROOT, "round %d: steady state for %s...%n", round, text(steady));
                Steady st = steady(round, server, reader, tally, rpc);
                steadies.add(st);
                progress.printf(Locale.ROOT, "  %d renewals, p50 %.2f ms, p99 %.2f ms, %d failed, least passing %d;"
                        + " calls/casts ok/failed %s%n", st.renewals(), st.p50Ms(), st.p99Ms(), st.failed(),
                        st.leastPassing(), st.rpc().text());

                progress.printf(Locale.ROOT, "round %d: restart storm (server down %s)...%n", round, text(down));
                Storm sm = storm(round, server, reader, tally, rpc);
                storms.add(sm);
                progress.printf(Locale.ROOT, "  %s passing %.1f s after the restart; %d renewals failed;"
                        + " calls/casts ok/failed %s%n", sm.recovered() ? "all" : "NOT all (" + sm.lastPassing() + ")",
                        sm.recoveredAfterRestartS(), sm.renewFailed(), sm.rpc().text());
            } finally {
                driver.shutdownNow();
                for (AutoCloseable part : rpcParts) {
                    part.close();
                }
                // Closing deregisters each host; in parallel, one thread per heartbeater, while the server is up.
                StoreWorkload.inParallel(Math.max(1, beaters.size()), beaters.size(),
                        h -> beaters.get(h).close(), interval.multipliedBy(30));
                real.forEach(EndpointStore::close);
            }
            return server.about();
        }
    }

    /**
     * Starts the RPC servers (each registered, through its own heartbeater, in one of the fleet's store instances) and
     * the conductors (each an {@link RpcClient} on a store instance of its own), and has every conductor send a call or
     * a cast, alternately, {@code --rpc-rate} times a second from then on, counting the outcomes into {@code rpc}.
     */
    private void conduct(Server server, HealthPolicy policy, List<EndpointStore> stores, List<AutoCloseable> parts,
            ScheduledExecutorService driver, AtomicReference<RpcTally> rpc) {
        for (int i = 0; i < rpcServers; i++) {
            parts.add(RpcServer.builder(stores.get(i % stores.size())).target(RPC.server("rpc-host-" + i))
                    .endpoint(new Sink()).healthPolicy(policy).start());
        }
        long period = 1_000_000_000L / rpcRate;
        for (int c = 0; c < conductors; c++) {
            EndpointStore own = open(server);
            parts.add(own);
            RpcClient client = RpcClient.builder(own).timeout(RPC_TIMEOUT).build();
            // At the front, so that clients close before the servers they call and the stores under them.
            parts.add(0, client);
            RpcClient.Prepared target = client.prepare(RPC);
            Map<String, String> args = Map.of("host", "conductor-" + c);
            long[] sent = {0};
            driver.scheduleAtFixedRate(() -> {
                RpcTally t = rpc.get();
                if (sent[0]++ % 2 == 0) {
                    target.callAsync("get", args, Map.class).whenComplete((ok, e) -> {
                        if (e == null) {
                            t.callsOk.increment();
                        } else {
                            t.callsFailed.increment();
                            t.failed(e);
                        }
                    });
                } else {
                    target.castAsync("build", args).whenComplete((ok, e) -> {
                        if (e == null) {
                            t.castsOk.increment();
                        } else {
                            t.castsFailed.increment();
                            t.failed(e);
                        }
                    });
                }
            }, period * c / conductors, period, TimeUnit.NANOSECONDS);
        }
    }

    /** Registers the N hosts at an even pace over one report interval, so that their renewals come evenly spread. */
    private void ramp(List<Heartbeater> beaters, HealthPolicy policy, Tally tally) throws Exception {
        long start = System.nanoTime();
        double spacing = (double) interval.toNanos() / endpoints;
        Duration limit = interval.multipliedBy(10);
        try {
            StoreWorkload.inParallel(beaters.size(), endpoints, i -> {
                LockSupport.parkNanos(start + (long) (i * spacing) - System.nanoTime());
                beaters.get(i % beaters.size()).register(StoreWorkload.endpoint(SERVICE, ZONE, i), policy);
            }, limit);
        } catch (TimeoutException e) {
            long done = tally.registered.sum();
            throw new IllegalStateException(String.format(Locale.ROOT, "the %s store took %,d of %,d registrations"
                    + " (%,d failed) in %s: %.0f a second, where the fleet registers %.0f a second", store, done,
                    endpoints, tally.registerFailed.sum(), text(limit), done / ((System.nanoTime() - start) / 1e9),
                    endpoints / (interval.toNanos() / 1e9)), e);
        }
    }

    private Steady steady(int round, Server server, EndpointStore reader, AtomicReference<Tally> tally,
            AtomicReference<RpcTally> rpc) throws Exception {
        long pid = server.pid();
        Tally t = new Tally();
        tally.set(t);
        RpcTally r = new RpcTally();
        rpc.set(r);
        double cpu = ProcessUsage.cpuSeconds(List.of(pid));
        double harness = ProcessUsage.harnessCpuSeconds();
        long start = System.nanoTime();
        long end = start + steady.toNanos();
        long least = Long.MAX_VALUE;
        int listings = 0;
        for (long next = start; next < end; next += LIST_EVERY.toNanos()) {
            LockSupport.parkNanos(next - System.nanoTime());
            least = Math.min(least, passing(reader));
            listings++;
        }
        LockSupport.parkNanos(end - System.nanoTime());
        double seconds = (System.nanoTime() - start) / 1e9;
        Histogram h = t.renewMicros.copy();
        return new Steady(round, h.getTotalCount(), h.getValueAtPercentile(50) / 1e3,
                h.getValueAtPercentile(99) / 1e3, h.getMaxValue() / 1e3, t.renewFailed.sum() + t.registerFailed.sum(),
                t.forgotten.sum(), t.longestGap.get() / 1e9, least, listings,
                ProcessUsage.cpuSeconds(List.of(pid)) - cpu, seconds, ProcessUsage.peakRssKib(List.of(pid)),
                ProcessUsage.harnessCpuSeconds() - harness, r);
    }

    private Storm storm(int round, Server server, EndpointStore reader, AtomicReference<Tally> tally,
            AtomicReference<RpcTally> rpc) throws Exception {
        Tally stopped = new Tally();
        tally.set(stopped);
        RpcTally r = new RpcTally();
        rpc.set(r);
        double harness = ProcessUsage.harnessCpuSeconds();
        long stopAt = System.nanoTime();
        server.stop();
        LockSupport.parkNanos(down.toNanos());
        server.start();
        // Registrations are counted per second from the restart on (a few land between the server's readiness and
        // this switch, and count in the totals only); failures while it was down stay in the first tally.
        Tally after = new Tally();
        tally.set(after);
        long restartAt = after.origin;
        long pid = server.pid();
        double cpuStart = ProcessUsage.cpuSeconds(List.of(pid));
        double cpuBefore = cpuStart;
        long sampleAt = System.nanoTime();
        double peakShare = 0;
        long limit = restartAt + interval.multipliedBy(5).toNanos();
        long count = 0;
        long recoveredAt = -1;
        for (long next = System.nanoTime(); next < limit; next += STORM_LIST_EVERY.toNanos()) {
            LockSupport.parkNanos(next - System.nanoTime());
            count = passing(reader);
            long now = System.nanoTime();
            // /proc counts CPU in 10 ms ticks: over a window shorter than a second that alone is several percent.
            if (now - sampleAt >= CPU_WINDOW.toNanos()) {
                double cpuNow = ProcessUsage.cpuSeconds(List.of(pid));
                peakShare = Math.max(peakShare, (cpuNow - cpuBefore) / ((now - sampleAt) / 1e9));
                cpuBefore = cpuNow;
                sampleAt = now;
            }
            if (count == endpoints) {
                recoveredAt = now;
                break;
            }
        }
        long end = recoveredAt > 0 ? recoveredAt : System.nanoTime();
        // Requests sent from now on are no longer the storm's.
        rpc.set(new RpcTally());
        long peakPerSecond = 0;
        for (int s = 0; s < after.registeredPerSecond.length(); s++) {
            peakPerSecond = Math.max(peakPerSecond, after.registeredPerSecond.get(s));
        }
        return new Storm(round, (end - restartAt) / 1e9, (end - stopAt) / 1e9, recoveredAt > 0, count,
                stopped.registered.sum() + after.registered.sum(), stopped.forgotten.sum() + after.forgotten.sum(),
                stopped.renewFailed.sum() + after.renewFailed.sum(),
                stopped.registerFailed.sum() + after.registerFailed.sum(), peakPerSecond,
                ProcessUsage.cpuSeconds(List.of(pid)) - cpuStart, peakShare, ProcessUsage.peakRssKib(List.of(pid)),
                ProcessUsage.harnessCpuSeconds() - harness, r);
    }

    /** Passing hosts as a separate store instance lists them; -1 when the listing fails (the server is away). */
    private static long passing(EndpointStore reader) {
        try {
            return reader.list(SERVICE, ZONE).stream().filter(EndpointStatus::isPassing).count();
        } catch (StoreException e) {
            return -1;
        }
    }

    /** Waits until a listing shows all N passing; else fails saying what the last listing showed, or why it failed. */
    private void awaitAllPassing(EndpointStore reader, Duration limit, String when) {
        long deadline = System.nanoTime() + limit.toNanos();
        String last = "no listing";
        while (System.nanoTime() <= deadline) {
            try {
                long count = reader.list(SERVICE, ZONE).stream().filter(EndpointStatus::isPassing).count();
                if (count == endpoints) {
                    return;
                }
                last = String.format(Locale.ROOT, "%,d of %,d hosts passing", count, endpoints);
            } catch (StoreException e) {
                last = "the listing failed: " + e;
            }
            LockSupport.parkNanos(LIST_EVERY.toNanos());
        }
        throw new IllegalStateException(String.format(Locale.ROOT, "the %s store did not show all %,d hosts passing"
                + " within %s %s; at the last look %s", store, endpoints, text(limit), when, last));
    }

    private static EndpointStore open(Server server) {
        return StoreProviders.load().open(HotlineConfig.of(server.config()));
    }

    private void print(PrintStream out, String startedAt, double loadBefore, Restart restart, About about,
            List<Steady> steadies, List<Storm> storms) {
        out.printf(Locale.ROOT, "# A fleet of %,d hosts on the %s store, renewing every %s%n%n", endpoints, store,
                text(interval));
        out.printf(Locale.ROOT, "- command: `benchmarks/run-fleet --endpoints %d --report-interval %s --steady %s"
                + " --down %s --store %s%s --rounds %d --heartbeaters %d --store-instances %d`%n", endpoints,
                text(interval), text(steady), text(down), store, Restart.allowedFor(store).size() > 1
                        ? " --restart " + restart.option : "", rounds, heartbeaters, storeInstances);
        out.printf(Locale.ROOT, "- started %s on %s; load average (1 min) %.2f at the start, %.2f at the end: anything"
                + " above 0 at the start is load this run did not make%n", startedAt, Machine.description(), loadBefore,
                Machine.loadAverage());
        out.printf(Locale.ROOT, "- simulated: the %,d hosts' heartbeats all come from this JVM, through %d"
                + " Heartbeaters (one scheduler thread each) sharing %d store instances, where a real host has its"
                + " own heartbeater and connection; %s on loopback on the same machine; health policy report %s, down"
                + " after %s%n", endpoints, heartbeaters, storeInstances, about.description(), text(interval),
                text(interval.multipliedBy(6)));
        out.println();
        out.printf(Locale.ROOT, "## Steady state (%s window; a separate store lists the service every %s)%n%n",
                text(steady), text(LIST_EVERY));
        out.println("| round | N | renewals | renewals/s | renew p50 ms | renew p99 ms | renew max ms | failed |"
                + " re-registered | longest gap between renewals s | least passing | all passing | server CPU s"
                + " | server CPU % of a core | server peak RSS MiB | harness CPU s | calls ok / failed |"
                + " casts ok / failed |");
        out.println("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|");
        for (Steady s : steadies) {
            out.printf(Locale.ROOT, "| %d | %d | %d | %.0f | %.2f | %.2f | %.1f | %d | %d | %.1f | %d | %s | %.2f |"
                    + " %.1f | %.1f | %.1f | %s |%n", s.round(), endpoints, s.renewals(), s.renewals() / s.seconds(),
                    s.p50Ms(), s.p99Ms(), s.maxMs(), s.failed(), s.forgotten(), s.longestGapS(), s.leastPassing(),
                    s.leastPassing() == endpoints && s.failed() == 0 ? "yes" : "NO", s.serverCpuS(),
                    100 * s.serverCpuS() / s.seconds(), s.serverRssKib() / 1024.0, s.harnessCpuS(), s.rpc().text());
        }
        // Down-after is six intervals, so a store renewing slower than the fleet asks still shows every host passing:
        // a host that went two intervals between renewals missed a round, which "all passing" does not show.
        for (Steady s : steadies) {
            if (s.longestGapS() >= 2.0 * interval.toNanos() / 1e9) {
                out.printf(Locale.ROOT, "%nRound %d fell behind the report interval: %.0f renewals a second, where %,d"
                        + " hosts renewing every %s make %.0f, and a host went %.1f s between two renewals; down-after"
                        + " (%s) kept them passing.%n", s.round(), s.renewals() / s.seconds(), endpoints,
                        text(interval), endpoints / (interval.toNanos() / 1e9), s.longestGapS(),
                        text(interval.multipliedBy(6)));
            }
        }
        out.println();
        out.printf(Locale.ROOT, "## Restart storm (server stopped, %s down, %s; a separate store lists the service"
                + " every %s)%n%n", text(down), about.restarted(), text(STORM_LIST_EVERY));
        out.println("| round | N | all passing again after restart s | after stop s | re-registrations |"
                + " renewals that found it forgotten | renewals failed | registrations failed |"
                + " peak registrations in 1 s (even spread: N / interval) | server CPU s in recovery |"
                + " server peak CPU % of a core (1 s windows) | server peak RSS MiB | harness CPU s |"
                + " calls ok / failed, stop to recovery | casts ok / failed |");
        out.println("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|");
        for (Storm s : storms) {
            out.printf(Locale.ROOT, "| %d | %d | %s | %.1f | %d | %d | %d | %d | %d (%.0f) | %.2f | %.0f | %.1f |"
                    + " %.1f | %s |%n", s.round(), endpoints, s.recovered()
                            ? String.format(Locale.ROOT, "%.1f", s.recoveredAfterRestartS())
                            : String.format(Locale.ROOT, "NOT within %.0f (%d passing)", s.recoveredAfterRestartS(),
                                    s.lastPassing()),
                    s.recoveredAfterStopS(), s.registered(), s.forgotten(), s.renewFailed(), s.registerFailed(),
                    s.peakRegistrationsPerSecond(), endpoints / (interval.toNanos() / 1e9), s.serverCpuS(),
                    100 * s.peakCpuShare(), s.serverRssKib() / 1024.0, s.harnessCpuS(), s.rpc().text());
        }
        if (conductors > 0) {
            out.println();
            out.printf(Locale.ROOT, "Conductors: %d RpcClients (store instances of their own, call timeout %s), each"
                    + " sending %d requests a second, calls and casts alternately, to topic %s on %d RpcServers"
                    + " registered in the same store.%n", conductors, text(RPC_TIMEOUT), rpcRate, RPC.topic(),
                    rpcServers);
            for (Steady s : steadies) {
                failures(out, "steady, round " + s.round(), s.rpc());
            }
            for (Storm s : storms) {
                failures(out, "storm, round " + s.round(), s.rpc());
            }
        }
    }

    private static void failures(PrintStream out, String phase, RpcTally rpc) {
        rpc.failures.forEach((what, count) -> out.printf(Locale.ROOT, "- %s: %d x %s%n", phase, count, what));
    }

    static String text(Duration d) {
        return d.toMillis() % 1000 == 0 ? d.toSeconds() + "s" : d.toMillis() + "ms";
    }

    /** Reads {@code 10s}, {@code 500ms}, {@code 2m} or an ISO-8601 duration ({@code PT10S}). */
    static final class Durations implements CommandLine.ITypeConverter<Duration> {
        @Override
        public Duration convert(String value) {
            String v = value.trim().toLowerCase(Locale.ROOT);
            if (v.startsWith("pt")) {
                return Duration.parse(value);
            }
            if (v.endsWith("ms")) {
                return Duration.ofMillis(Long.parseLong(v.substring(0, v.length() - 2)));
            }
            long amount = Long.parseLong(v.substring(0, v.length() - 1));
            return switch (v.charAt(v.length() - 1)) {
                case 's' -> Duration.ofSeconds(amount);
                case 'm' -> Duration.ofMinutes(amount);
                default -> throw new CommandLine.TypeConversionException("'" + value + "' is not a duration such as"
                        + " 10s, 500ms or 2m");
            };
        }
    }
}
