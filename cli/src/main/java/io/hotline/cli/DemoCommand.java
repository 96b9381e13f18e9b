package io.hotline.cli;

import io.hotline.discovery.EndpointStatus;
import io.hotline.discovery.Health;
import io.hotline.discovery.HealthPolicy;
import io.hotline.discovery.ZoneScope;
import io.hotline.discovery.config.HotlineConfig;
import io.hotline.discovery.spi.EndpointStore;
import io.hotline.rpc.FanoutReport;
import io.hotline.rpc.RpcClient;
import io.hotline.rpc.Target;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code hotline demo}: the Nova boot flow on Hotline, in this process, on the embedded {@code file} store in a
 * temporary directory unless {@code --store} names another.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = {"Run the Nova boot flow on Hotline and print each step with its timing:",
                "  a conductor in region-one/az-1 calls select_destinations on the nearest scheduler (call), casts"
                        + " build_and_run_instance to the chosen compute (server-targeted cast), fans a cast out to"
                        + " every compute through a broadcaster, watches a compute that stops reporting go down after"
                        + " down_after (service_down_time), and fails over to region-one/az-2 when az-1's scheduler"
                        + " stops.",
                "Runs on the embedded file store in a temporary directory unless --store names another (its keys"
                        + " from --config / hotline.*); it starts and stops everything itself. Exit code 1 if a step"
                        + " fails."})
final class DemoCommand implements Callable<Integer> {

    private static final String[] INSTANCES = {"vm-1", "vm-2", "vm-3"};

    @Mixin
    ConfigOptions configOptions;

    @Option(names = "--report-interval", paramLabel = "DURATION", defaultValue = "200ms", converter = DurationConverter.class,
            description = "How often every server reports (Nova's report_interval); default ${DEFAULT-VALUE}.")
    Duration reportInterval;

    @Option(names = "--down-after", paramLabel = "DURATION", defaultValue = "1s", converter = DurationConverter.class,
            description = "How long without a report until a server is down (Nova's service_down_time);"
                    + " default ${DEFAULT-VALUE}.")
    Duration downAfter;

    @Option(names = "--status-port", paramLabel = "PORT",
            description = "Also serve the live status page on this port (0: any free port) while the demo runs.")
    Integer statusPort;

    @Option(names = "--linger", paramLabel = "DURATION", defaultValue = "0s", converter = DurationConverter.class,
            description = "Keep the cloud running this long after the flow, e.g. to look at the status page.")
    Duration linger;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    private final List<String[]> summary = new ArrayList<>();
    private PrintWriter out;
    private long demoStart;

    @Override
    public Integer call() throws Exception {
        HealthPolicy policy;
        try {
            policy = HealthPolicy.of(reportInterval, downAfter, downAfter.multipliedBy(30));
        } catch (IllegalArgumentException e) {
            throw CliException.usage("--report-interval/--down-after: " + e.getMessage(),
                    "keep --down-after a few times --report-interval, e.g. --report-interval 200ms --down-after 1s");
        }
        out = spec.commandLine().getOut();
        demoStart = System.nanoTime();
        Path tempDir = Files.createTempDirectory("hotline-demo");
        try {
            HotlineConfig config = demoConfig(configOptions.config(), tempDir);
            say("Hotline demo: the Nova boot flow on the '" + config.storeName() + "' store"
                    + (config.storeName().equals("file") ? " in " + tempDir : "") + ", report_interval "
                    + reportInterval.toMillis() + " ms, down_after " + downAfter.toMillis() + " ms");
            try (EndpointStore store = ConfigOptions.openStore(config);
                 NovaCloud cloud = new NovaCloud(store, config, policy, this::say);
                 RpcClient conductor = RpcClient.builder(store).config(config).zone(NovaCloud.AZ1)
                         .timeout(Duration.ofSeconds(10)).build();
                 StatusServer status = statusPort == null ? null
                         : StatusServer.start(store, config, statusPort, List.of(NovaCloud.SCHEDULER, NovaCloud.COMPUTE))) {
                step("start 2 zones: broadcaster, 2 schedulers, 3 computes", () -> {
                    cloud.start();
                    return "6 servers registered in " + NovaCloud.AZ1 + " and " + NovaCloud.AZ2;
                });
                if (status != null) {
                    say("status page: " + status.url());
                }
                boot(cloud, conductor);
                fanout(cloud, conductor);
                serviceDown(cloud);
                failover(cloud, conductor);
                if (!linger.isZero()) {
                    say("lingering " + linger.toSeconds() + " s (--linger)");
                    Thread.sleep(linger.toMillis());
                }
                say("stopping every server (deregister, drain, stop)");
            }
        } catch (StepFailed e) {
            printSummary(false);
            throw CliException.failed("demo step '" + e.step + "' failed: " + e.getCause().getMessage(),
                    "rerun with -Dorg.slf4j.simpleLogger.defaultLogLevel=info to see the servers' logs");
        } finally {
            deleteTree(tempDir);
        }
        printSummary(true);
        return Hotline.OK;
    }

    /** The user's configuration with the demo's zone and, for the embedded stores, a private place and fast polling. */
    private static HotlineConfig demoConfig(HotlineConfig base, Path tempDir) {
        HotlineConfig c = base.with(HotlineConfig.ZONE, NovaCloud.REGION.path())
                .with("hotline.http.drain-delay", "200ms");
        return switch (c.storeName()) {
            case "file" -> c.with("hotline.file.dir", tempDir.toString()).with("hotline.file.poll-interval", "100ms");
            case "memory" -> c.with("hotline.memory.space", "hotline-demo-" + UUID.randomUUID())
                    .with("hotline.memory.poll-interval", "50ms");
            default -> c;
        };
    }

    private void boot(NovaCloud cloud, RpcClient conductor) {
        Target scheduler = Target.topic("scheduler").exchange("nova");
        for (String instance : INSTANCES) {
            String[] host = new String[1];
            step("conductor calls select_destinations for " + instance, () -> {
                @SuppressWarnings("unchecked")
                Map<String, String> c = conductor.prepare(scheduler).call("select_destinations",
                        Map.of("instance_uuid", instance, "memory_mb", 2048), Map.class);
                require(NovaCloud.AZ1.path().equals(c.get("scheduler_zone")),
                        "expected the nearest scheduler (in " + NovaCloud.AZ1 + "), got " + c);
                host[0] = c.get("host");
                return c.get("scheduler") + " (" + c.get("scheduler_zone") + ", nearest) chose " + c.get("host")
                        + " (" + c.get("host_zone") + ")";
            });
            step("conductor casts build_and_run_instance to " + host[0], () -> {
                conductor.prepare(Target.topic("compute").exchange("nova").server(host[0]))
                        .cast("build_and_run_instance", Map.of("instance_uuid", instance));
                awaitTrue(() -> cloud.computes().get(host[0]).instances().contains(instance), Duration.ofSeconds(10),
                        host[0] + " did not build " + instance);
                return host[0] + " built " + instance;
            });
        }
    }

    private void fanout(NovaCloud cloud, RpcClient conductor) {
        step("fanout refresh_cache to every compute via the broadcaster", () -> {
            FanoutReport r = conductor.prepare(Target.topic("compute").exchange("nova").asFanout())
                    .fanoutScope(ZoneScope.all()).fanoutWithReport("refresh_cache", Map.of());
            require(r.targeted() == cloud.computes().size() && r.failed() == 0, "expected every compute, got " + r);
            awaitTrue(() -> cloud.computes().values().stream().allMatch(c -> c.cacheRefreshes() == 1),
                    Duration.ofSeconds(10), "not every compute ran refresh_cache");
            return r.targeted() + " targeted, " + r.delivered() + " delivered: "
                    + String.join(", ", r.results().stream().map(FanoutReport.Delivery::server).sorted().toList());
        });
    }

    private void serviceDown(NovaCloud cloud) {
        String victim = "compute-3";
        step(victim + " stops reporting; the store shows it down after down_after", () -> {
            long t0 = System.nanoTime();
            cloud.stopReporting(victim);
            awaitTrue(() -> health(cloud.store(), victim) == Health.CRITICAL, downAfter.multipliedBy(10).plusSeconds(10),
                    victim + " was not shown down");
            return String.format(Locale.ROOT, "%s shown down %.0f ms after its reports were cut (down_after %d ms, counted from its last report)", victim,
                    Timing.millisSince(t0), downAfter.toMillis());
        });
    }

    private void failover(NovaCloud cloud, RpcClient conductor) {
        step("scheduler-1 (" + NovaCloud.AZ1 + ") stops", () -> {
            cloud.stop("scheduler-1");
            return "deregistered and drained";
        });
        step("conductor calls select_destinations for vm-4 (failover)", () -> {
            @SuppressWarnings("unchecked")
            Map<String, String> c = conductor.prepare(Target.topic("scheduler").exchange("nova")).call(
                    "select_destinations", Map.of("instance_uuid", "vm-4", "memory_mb", 2048), Map.class);
            require(NovaCloud.AZ2.path().equals(c.get("scheduler_zone")), "expected failover to " + NovaCloud.AZ2
                    + ", got " + c);
            require(!"compute-3".equals(c.get("host")), "the scheduler chose compute-3, which is down");
            return c.get("scheduler") + " (" + c.get("scheduler_zone") + ", failover) chose " + c.get("host");
        });
    }

    private static Health health(EndpointStore store, String server) {
        return Inventory.list(store, List.of(NovaCloud.COMPUTE)).stream()
                .filter(s -> s.endpoint().server().equals(server)).map(EndpointStatus::health)
                .findFirst().orElse(null);
    }

    private interface Step {
        String run() throws Exception;
    }

    /** Runs a step and prints it with its timing and what it showed; a failure ends the demo. */
    private void step(String name, Step body) {
        long t0 = System.nanoTime();
        String shown;
        try {
            shown = body.run();
        } catch (Exception e) {
            say(String.format(Locale.ROOT, "FAIL %s: %s", name, e.getMessage()) + Timing.since(t0));
            summary.add(new String[] {name, String.format(Locale.ROOT, "%.1f", Timing.millisSince(t0)), "FAIL"});
            throw new StepFailed(name, e);
        }
        say(String.format(Locale.ROOT, "ok   %s: %s", name, shown) + Timing.since(t0));
        summary.add(new String[] {name, String.format(Locale.ROOT, "%.1f", Timing.millisSince(t0)), "ok"});
    }

    private void say(String line) {
        out.printf(Locale.ROOT, "[%6.0f ms] %s%n", Timing.millisSince(demoStart), line);
        out.flush();
    }

    private void printSummary(boolean passed) {
        out.println();
        out.println("Summary");
        for (String[] s : summary) {
            out.printf(Locale.ROOT, "  %-4s %-66s %9s ms%n", s[2], s[0], s[1]);
        }
        out.printf(Locale.ROOT, "demo %s: %d steps in %.1f s%n", passed ? "passed" : "FAILED", summary.size(),
                Timing.millisSince(demoStart) / 1000);
        out.flush();
    }

    private static void require(boolean condition, String message) {
        if (!condition) {
            throw new IllegalStateException(message);
        }
    }

    private static void awaitTrue(BooleanSupplier condition, Duration within, String message) throws InterruptedException {
        long deadline = System.nanoTime() + within.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(message + " within " + within.toMillis() + " ms");
            }
            Thread.sleep(20);
        }
    }

    private static void deleteTree(Path dir) {
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete the demo's directory " + dir, e);
        }
    }

    private static final class StepFailed extends RuntimeException {
        private static final long serialVersionUID = 1L;
        private final String step;

        StepFailed(String step, Exception cause) {
            super(cause);
            this.step = step;
        }
    }
}
