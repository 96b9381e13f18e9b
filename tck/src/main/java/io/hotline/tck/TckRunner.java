package io.hotline.tck;

import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import io.hotline.discovery.StoreProviders;
import io.hotline.discovery.config.HotlineConfig;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.launcher.Launcher;
import org.junit.platform.launcher.TagFilter;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.TestPlan;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * Runs the {@link EndpointStoreCompatibilityKit} against the store a configuration file names and prints a
 * conformance report per contract. Exit code 0 only if every test ran and passed.
 *
 * <pre>
 * java -jar tck/target/hotline-tck.jar tck/file-store.properties
 * java -jar tck/target/hotline-tck.jar --contract watch --contract failure tck/file-store.properties
 * </pre>
 *
 * <p>The store's fixture (how to stop and restart its server) comes from a {@link TckFixtureProvider} on the class
 * path whose store name equals {@code hotline.store}; the runner ships fixtures for {@code memory}, {@code file},
 * {@code consul} and {@code redis} (the last two start real servers). The store itself must be on the class path
 * too, with its own dependencies: {@code java -jar} sees only the runner jar, which holds {@code memory} and
 * {@code file}; for any other store run {@code java -cp hotline-tck.jar:<the store's jars> io.hotline.tck.TckRunner}.
 * The runner stops at once, with exit code 2, when either is missing.
 */
@Command(name = "hotline-tck",
        description = "Runs the Hotline store TCK against the store named by hotline.store in CONFIG.")
public final class TckRunner implements Callable<Integer> {

    @Parameters(index = "0", arity = "0..1", paramLabel = "CONFIG",
            description = "A properties file with hotline.store and the store's keys; "
                    + "without it, system properties and HOTLINE_* environment variables are read.")
    private Path configFile;

    /** slf4j-simple's level property; the runner jar logs through slf4j-simple. */
    private static final String SIMPLE_LOGGER_LEVEL = "org.slf4j.simpleLogger.defaultLogLevel";

    /** The exit code of a run that could not start: a bad configuration, no fixture or no store. */
    private static final int CANNOT_RUN = 2;

    private final PrintStream out;

    TckRunner(PrintStream out) {
        this.out = out;
    }

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help and exit.")
    private boolean help;

    @Option(names = {"-v", "--verbose"},
            description = "Show the stores' own log lines; they warn about every outage the failure contracts cause.")
    private boolean verbose;

    @Option(names = {"-c", "--contract"}, paramLabel = "NAME", split = ",", completionCandidates = Contracts.class,
            description = "Run only this contract group (repeatable, or comma-separated): ${COMPLETION-CANDIDATES}."
                    + " Default: all.")
    private List<String> contracts = List.of();

    public static void main(String[] args) {
        TckRunner runner = new TckRunner(System.out);
        CommandLine cli = new CommandLine(runner);
        try {
            cli.parseArgs(args);
        } catch (CommandLine.ParameterException e) {
            // execute() below reports it with the usage text.
        }
        if (System.getProperty(SIMPLE_LOGGER_LEVEL) == null) {
            System.setProperty(SIMPLE_LOGGER_LEVEL, runner.verbose ? "info" : "error");
        }
        System.exit(cli.execute(args));
    }

    @Override
    public Integer call() {
        HotlineConfig config;
        try {
            config = configFile != null ? HotlineConfig.fromFile(configFile) : HotlineConfig.load();
        } catch (IllegalArgumentException e) {
            out.println("hotline-tck: " + e.getMessage());
            return CANNOT_RUN;
        }
        return run(config, contracts, out);
    }

    /** The contract names {@code --contract} takes, for picocli's help text. */
    static final class Contracts implements Iterable<String> {
        @Override
        public Iterator<String> iterator() {
            return EndpointStoreCompatibilityKit.CONTRACTS.iterator();
        }
    }

    /**
     * Runs every contract of the kit against the store {@code config} names and prints the report to {@code out}.
     *
     * @return 0 if every test ran and passed, 1 if one failed, 2 if it could not run (see
     *     {@link #run(HotlineConfig, Collection, PrintStream)})
     */
    public static int run(HotlineConfig config, PrintStream out) {
        return run(config, List.of(), out);
    }

    /**
     * Runs the kit's {@code contracts} (tags from {@link EndpointStoreCompatibilityKit#CONTRACTS}; empty for all)
     * against the store {@code config} names and prints the report to {@code out}: what {@code hotline tck} runs as
     * well.
     *
     * <pre>{@code
     * HotlineConfig config = HotlineConfig.fromFile(Path.of("tck/file-store.properties"));
     * int code = TckRunner.run(config, List.of(EndpointStoreCompatibilityKit.WATCH), System.out);
     * }</pre>
     *
     * @return 0 if every test ran and passed, 1 if one failed, 2 (having printed why) if a contract name is unknown,
     *     or if there is no fixture or no store of that name on the class path
     */
    public static int run(HotlineConfig config, Collection<String> contracts, PrintStream out) {
        List<String> known = EndpointStoreCompatibilityKit.CONTRACTS;
        List<String> unknown = contracts.stream().filter(c -> !known.contains(c)).toList();
        if (!unknown.isEmpty()) {
            out.println("no contract named " + unknown + "; the contracts are " + known);
            return CANNOT_RUN;
        }
        String store = config.storeName();
        List<TckFixtureProvider> providers = new ArrayList<>();
        ServiceLoader.load(TckFixtureProvider.class).forEach(providers::add);
        Optional<TckFixtureProvider> provider = providers.stream().filter(p -> p.storeName().equals(store)).findFirst();
        if (provider.isEmpty()) {
            out.println("no TCK fixture for store '" + store + "'; fixtures on the class path: "
                    + providers.stream().map(TckFixtureProvider::storeName).toList()
                    + ". A plugin ships one as io.hotline.tck.TckFixtureProvider (see example-plugin/README.md).");
            return CANNOT_RUN;
        }
        Optional<String> noStore = missingStore(store);
        if (noStore.isPresent()) {
            out.println(noStore.get());
            return CANNOT_RUN;
        }
        ConfiguredStoreKit.fixtures = () -> provider.get().create(config);
        Report report = run(contracts);
        report.print(out, store);
        return report.allPassed() ? 0 : 1;
    }

    /**
     * Why the store named {@code store} cannot be opened here, if it cannot: checked before any fixture starts a
     * server, so that a class path without the store fails at once rather than in every test.
     */
    private static Optional<String> missingStore(String store) {
        List<String> stores;
        try {
            stores = StoreProviders.load().names();
        } catch (IllegalStateException e) {
            return Optional.of("hotline-tck: " + e.getMessage());
        } catch (LinkageError e) {
            return Optional.of("hotline-tck: cannot load the store providers (" + e + "); a jar a store depends on is"
                    + " missing from the class path");
        }
        if (stores.contains(store)) {
            return Optional.empty();
        }
        return Optional.of("store '" + store + "' is not on the class path (stores found: " + stores + "); put the"
                + " store's jar and the jars it depends on on the class path: java -cp hotline-tck.jar:<store jars>"
                + " io.hotline.tck.TckRunner CONFIG");
    }

    private static Report run(Collection<String> contracts) {
        LauncherDiscoveryRequestBuilder request = LauncherDiscoveryRequestBuilder.request()
                .selectors(selectClass(ConfiguredStoreKit.class));
        if (!contracts.isEmpty()) {
            request.filters(TagFilter.includeTags(List.copyOf(contracts)));
        }
        Launcher launcher = LauncherFactory.create();
        Report report = new Report();
        launcher.execute(request.build(), report);
        return report;
    }

    private record Outcome(String contract, String test, TestExecutionResult.Status status, Duration time,
            String message) {}

    /** Collects each test's outcome under the contract group (the nested class) it belongs to. */
    private static final class Report implements TestExecutionListener {
        private final Map<String, Long> started = new ConcurrentHashMap<>();
        private final List<Outcome> outcomes = new ArrayList<>();
        private TestPlan plan;

        @Override
        public void testPlanExecutionStarted(TestPlan testPlan) {
            this.plan = testPlan;
        }

        @Override
        public void executionStarted(TestIdentifier id) {
            started.put(id.getUniqueId(), System.nanoTime());
        }

        @Override
        public void executionSkipped(TestIdentifier id, String reason) {
            if (id.isTest()) {
                record(id, TestExecutionResult.Status.ABORTED, Duration.ZERO, "skipped: " + reason);
            }
        }

        @Override
        public void executionFinished(TestIdentifier id, TestExecutionResult result) {
            Long t0 = started.remove(id.getUniqueId());
            Duration took = t0 == null ? Duration.ZERO : Duration.ofNanos(System.nanoTime() - t0);
            String message = result.getThrowable().map(Report::firstLines).orElse("");
            if (id.isTest()) {
                record(id, result.getStatus(), took, message);
            } else if (result.getStatus() != TestExecutionResult.Status.SUCCESSFUL) {
                record(id, result.getStatus(), took, "container failed: " + message);
            }
        }

        private synchronized void record(TestIdentifier id, TestExecutionResult.Status status, Duration took,
                String message) {
            String contract = plan.getParent(id).map(TestIdentifier::getDisplayName).orElse("?");
            outcomes.add(new Outcome(contract, id.getDisplayName(), status, took, message));
        }

        private static String firstLines(Throwable t) {
            String m = String.valueOf(t.getMessage()).strip();
            String[] lines = m.split("\n");
            String head = lines.length > 4 ? String.join("\n", List.of(lines).subList(0, 4)) + "\n..." : m;
            return t.getClass().getSimpleName() + ": " + head;
        }

        synchronized boolean allPassed() {
            return !outcomes.isEmpty()
                    && outcomes.stream().allMatch(o -> o.status == TestExecutionResult.Status.SUCCESSFUL);
        }

        synchronized void print(PrintStream out, String store) {
            Map<String, List<Outcome>> byContract = new LinkedHashMap<>();
            outcomes.stream()
                    .sorted((a, b) -> a.contract.compareTo(b.contract))
                    .forEach(o -> byContract.computeIfAbsent(o.contract, k -> new ArrayList<>()).add(o));
            out.println("Hotline store TCK: store '" + store + "'");
            out.printf(Locale.ROOT, "%-28s %6s %6s %6s %9s%n", "contract", "tests", "passed", "failed", "time");
            int passed = 0;
            int failed = 0;
            for (Map.Entry<String, List<Outcome>> e : byContract.entrySet()) {
                long ok = e.getValue().stream().filter(o -> o.status == TestExecutionResult.Status.SUCCESSFUL).count();
                long bad = e.getValue().size() - ok;
                double secs = e.getValue().stream().mapToLong(o -> o.time.toMillis()).sum() / 1000.0;
                out.printf(Locale.ROOT, "%-28s %6d %6d %6d %8.1fs  %s%n", e.getKey(), e.getValue().size(), ok, bad, secs,
                        bad == 0 ? "PASS" : "FAIL");
                passed += (int) ok;
                failed += (int) bad;
            }
            for (Outcome o : outcomes) {
                if (o.status != TestExecutionResult.Status.SUCCESSFUL) {
                    out.println();
                    out.println(o.status + ": " + o.contract + " > " + o.test);
                    out.println("  " + o.message.replace("\n", "\n  "));
                }
            }
            out.println();
            out.println("tck: " + passed + " passed, " + failed + " failed");
        }
    }
}
