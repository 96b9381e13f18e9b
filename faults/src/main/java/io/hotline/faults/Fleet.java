package io.hotline.faults;

import io.hotline.discovery.EndpointStatus;
import io.hotline.discovery.StoreException;
import io.hotline.discovery.StoreProviders;
import io.hotline.discovery.config.HotlineConfig;
import io.hotline.discovery.spi.EndpointStore;
import io.hotline.rpc.RpcClient;
import io.hotline.rpc.Target;
import io.hotline.testing.FreePorts;
import io.hotline.testing.ReadinessCheck;
import io.hotline.testing.ServerProcess;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;
import java.util.stream.Collectors;

/**
 * The processes of one run: RPC servers of the service {@value #SERVICE} (the {@code hotline server} command serving
 * {@link RecordingEndpoint}, each a JVM of its own on a fixed loopback port), optionally a broadcaster, and in this
 * JVM a store client to see what the store lists.
 */
final class Fleet implements AutoCloseable {

    static final String SERVICE = "fault";
    static final Target TARGET = Target.topic(SERVICE);
    static final String TOKEN = "fault-suite-token";
    private static final Duration STARTUP = Duration.ofSeconds(90);

    /** How the servers are tuned: the keys of {@code hotline server}, as {@code --set} values. */
    record Settings(Map<String, String> keys) {
        static Settings of(Duration reportInterval, Duration downAfter) {
            Map<String, String> keys = new LinkedHashMap<>();
            keys.put("hotline.health.report-interval", reportInterval.toMillis() + "ms");
            keys.put("hotline.health.down-after", downAfter.toMillis() + "ms");
            // Consul removes a critical check no sooner than a minute after.
            keys.put("hotline.health.deregister-after", "1m");
            keys.put("hotline.http.drain-delay", "500ms");
            return new Settings(Map.copyOf(keys));
        }

        Settings with(String key, String value) {
            Map<String, String> more = new LinkedHashMap<>(keys);
            more.put(key, value);
            return new Settings(Map.copyOf(more));
        }
    }

    /** One server or broadcaster process. */
    record Member(String name, int port, ServerProcess process, Path record) {
        URI uri(String path) {
            return URI.create("http://127.0.0.1:" + port + path);
        }
    }

    private final StoreUnderTest store;
    private final Settings settings;
    private final List<Member> servers = new ArrayList<>();
    private final List<Member> broadcasters = new ArrayList<>();
    private final EndpointStore watchStore;

    private Fleet(StoreUnderTest store, Settings settings) {
        this.store = store;
        this.settings = settings;
        this.watchStore = StoreProviders.load().open(config());
    }

    /** Starts {@code count} servers on {@code store}, at once, and waits until the store lists every one passing. */
    static Fleet start(StoreUnderTest store, Settings settings, int count) {
        Fleet fleet = new Fleet(store, settings);
        try {
            List<CompletableFuture<Member>> starting = new ArrayList<>();
            for (int i = 1; i <= count; i++) {
                Member m = fleet.server("s" + i);
                fleet.servers.add(m);
                starting.add(CompletableFuture.supplyAsync(() -> {
                    m.process().start();
                    return m;
                }));
            }
            starting.forEach(CompletableFuture::join);
            fleet.awaitListed(fleet.serverNames(), STARTUP);
            return fleet;
        } catch (RuntimeException e) {
            fleet.close();
            throw e;
        }
    }

    HotlineConfig config() {
        return HotlineConfig.of(store.config());
    }

    StoreUnderTest store() {
        return store;
    }

    List<Member> servers() {
        return List.copyOf(servers);
    }

    Set<String> serverNames() {
        return servers.stream().map(Member::name).collect(Collectors.toUnmodifiableSet());
    }

    /** A client of the fleet's store, with the fleet's token and this call timeout. */
    RpcClient client(Duration timeout) {
        return RpcClient.builder(StoreProviders.load().open(config())).config(config()).token(TOKEN).timeout(timeout)
                .build();
    }

    /** Starts a broadcaster (for fanouts) and waits until the store lists it. */
    Member startBroadcaster() {
        String name = "b" + (broadcasters.size() + 1);
        int port = FreePorts.tcp();
        List<String> command = java();
        command.addAll(List.of("broadcaster", "--server", name));
        command.addAll(options(port));
        ServerProcess p = ServerProcess.builder("broadcaster-" + name).command(command)
                .readiness(ReadinessCheck.http(URI.create("http://127.0.0.1:" + port + "/healthz")))
                .startupTimeout(STARTUP).build();
        Member m = new Member(name, port, p, null);
        broadcasters.add(m);
        p.start();
        await("broadcaster " + name + " listed", STARTUP, () -> listed(RpcClient.BROADCASTER_SERVICE).contains(name));
        return m;
    }

    /**
     * Which servers the store lists as passing now, asked of the store itself (a directory would answer from its cache
     * while the store is down); none while the store cannot be reached.
     */
    Set<String> listed() {
        return listed(SERVICE);
    }

    private Set<String> listed(String service) {
        try {
            return watchStore.list(service, watchStore.homeZone()).stream().filter(EndpointStatus::isPassing)
                    .map(s -> s.endpoint().server()).collect(Collectors.toUnmodifiableSet());
        } catch (StoreException e) {
            return Set.of();
        }
    }

    /** Waits until the store lists every one of {@code names} as passing. */
    void awaitListed(Set<String> names, Duration bound) {
        await("servers " + names + " listed", bound, () -> listed().containsAll(names));
    }

    /** Waits until {@code check} holds, polling, up to {@code bound}; fails saying what was awaited. */
    static void await(String what, Duration bound, BooleanSupplier check) {
        long deadline = System.nanoTime() + bound.toNanos();
        while (!check.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                throw new IllegalStateException("not within " + bound + ": " + what);
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for " + what, e);
            }
        }
    }

    /** What every server recorded running, restarts included. */
    Ledger ledger() {
        return Ledger.read(servers.stream().map(Member::record).toList());
    }

    /**
     * What the servers recorded once {@code done} holds for it, or once their records stopped growing (2 s without a new
     * line; 2 min at most, as a server draining a backlog keeps writing).
     */
    Ledger settle(Predicate<Ledger> done) {
        long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
        Ledger ledger = ledger();
        long quietSince = System.nanoTime();
        while (!done.test(ledger) && System.nanoTime() - deadline < 0
                && System.nanoTime() - quietSince < Duration.ofSeconds(2).toNanos()) {
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for the servers' records", e);
            }
            Ledger next = ledger();
            if (!next.equals(ledger)) {
                quietSince = System.nanoTime();
            }
            ledger = next;
        }
        return ledger;
    }

    private Member server(String name) {
        int port = FreePorts.tcp();
        List<String> command = java();
        command.addAll(List.of("server", "--topic", SERVICE, "--server", name, "--endpoint",
                RecordingEndpoint.class.getName()));
        command.addAll(options(port));
        ServerProcess.Builder b = ServerProcess.builder("server-" + name).command(command)
                .readiness(ReadinessCheck.http(URI.create("http://127.0.0.1:" + port + "/healthz")))
                .startupTimeout(STARTUP)
                // A graceful stop may run a backlog of casts: give it its grace period and more.
                .stopTimeout(Duration.ofMinutes(6));
        ServerProcess p = b.environment(dir -> Map.of(RecordingEndpoint.RECORD_FILE, dir.resolve("record").toString()))
                .build();
        return new Member(name, port, p, p.directory().resolve("record"));
    }

    /** The java command of a child JVM on this JVM's class path, small and quick to start. */
    private static List<String> java() {
        String java = ProcessHandle.current().info().command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        return new ArrayList<>(List.of(java, "-Xmx192m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                "-cp", System.getProperty("java.class.path"), "io.hotline.cli.Hotline"));
    }

    private List<String> options(int port) {
        List<String> options = new ArrayList<>();
        Map<String, String> keys = new LinkedHashMap<>(store.config());
        keys.putAll(settings.keys());
        keys.put("hotline.http.port-range", port + ":" + port);
        keys.put("hotline.http.token", TOKEN);
        keys.forEach((k, v) -> options.addAll(List.of("--set", k + "=" + v)));
        return options;
    }

    @Override
    public void close() {
        RuntimeException failure = null;
        // All at once: each graceful stop waits out its drain delay.
        List<CompletableFuture<Void>> closing = concat().stream()
                .map(m -> CompletableFuture.runAsync(m.process()::close)).toList();
        for (CompletableFuture<Void> c : closing) {
            try {
                c.join();
            } catch (RuntimeException e) {
                failure = add(failure, e);
            }
        }
        try {
            watchStore.close();
        } catch (RuntimeException e) {
            failure = add(failure, e);
        }
        if (failure != null) {
            throw failure;
        }
    }

    private List<Member> concat() {
        List<Member> all = new ArrayList<>(broadcasters);
        all.addAll(servers);
        return all;
    }

    private static RuntimeException add(RuntimeException first, RuntimeException next) {
        if (first == null) {
            return next;
        }
        first.addSuppressed(next);
        return first;
    }
}
