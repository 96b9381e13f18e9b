package io.hotline.tck;

import static io.hotline.tck.EndpointStoreCompatibilityKit.CONCURRENCY;
import static io.hotline.tck.EndpointStoreCompatibilityKit.FAILURE;
import static io.hotline.tck.EndpointStoreCompatibilityKit.HEALTH;
import static io.hotline.tck.EndpointStoreCompatibilityKit.REGISTRATION;
import static io.hotline.tck.EndpointStoreCompatibilityKit.WATCH;
import static io.hotline.tck.EndpointStoreCompatibilityKit.ZONES;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.platform.engine.Filter;
import org.junit.platform.launcher.Launcher;
import org.junit.platform.launcher.TagFilter;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.TestPlan;
import org.junit.platform.launcher.core.LauncherConfig;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;
import org.junit.platform.launcher.listeners.SummaryGeneratingListener;
import org.junit.platform.launcher.listeners.TestExecutionSummary;

/**
 * {@link OnlyContracts} as a build tool sees it: a launcher made with the defaults, which loads the TCK's filter from
 * the class path as Surefire's and Failsafe's do, discovers the test plan of a kit subclass. Discovery only; nothing
 * here runs a store.
 */
class OnlyContractsTest {

    @OnlyContracts({HEALTH, WATCH})
    static class HealthAndWatchKit extends MemoryStoreKit {}

    @OnlyContracts({REGISTRATION, ZONES, FAILURE, CONCURRENCY})
    static class TheOtherFourKit extends MemoryStoreKit {}

    @OnlyContracts(REGISTRATION)
    static class RegistrationKit extends MemoryStoreKit {}

    @OnlyContracts({HEALTH, "helth"})
    static class MisspelledKit extends MemoryStoreKit {}

    @OnlyContracts({})
    static class EmptyKit extends MemoryStoreKit {}

    static class WholeKit extends MemoryStoreKit {}

    abstract static class MemoryStoreKit extends EndpointStoreCompatibilityKit {
        @Override
        protected StoreFixture createFixture() {
            return new MemoryStoreFixture();
        }
    }

    @Test
    void onlyTheNamedGroupsAreDiscovered() {
        assertThat(testsPerGroup(HealthAndWatchKit.class)).isEqualTo(Map.of(
                "2. Health", testsOf(HealthContract.class),
                "3. Watch", testsOf(WatchContract.class)));
    }

    @Test
    void twoClassesThatSplitTheContractsHaveEveryTestOnce() {
        Map<String, Long> whole = testsPerGroup(WholeKit.class);
        assertThat(whole).hasSize(EndpointStoreCompatibilityKit.CONTRACTS.size());
        Map<String, Long> split = new HashMap<>(testsPerGroup(HealthAndWatchKit.class));
        testsPerGroup(TheOtherFourKit.class).forEach((group, tests) ->
                assertThat(split.put(group, tests)).as("%s in both classes", group).isNull());
        assertThat(split).isEqualTo(whole);
    }

    @Test
    void aTagSelectionAppliesOnTop() {
        assertThat(testsPerGroup(HealthAndWatchKit.class, TagFilter.includeTags(WATCH, ZONES)))
                .isEqualTo(Map.of("3. Watch", testsOf(WatchContract.class)));
    }

    @Test
    void anUnknownContractFailsDiscoveryNamingTheClass() {
        assertThatThrownBy(() -> testsPerGroup(MisspelledKit.class))
                .hasStackTraceContaining(MisspelledKit.class.getName())
                .hasStackTraceContaining("unknown contracts [helth]")
                .hasStackTraceContaining(EndpointStoreCompatibilityKit.CONTRACTS.toString());
    }

    @Test
    void noContractAtAllFailsDiscovery() {
        assertThatThrownBy(() -> testsPerGroup(EmptyKit.class))
                .hasStackTraceContaining(EmptyKit.class.getName() + " names no contract");
    }

    @Test
    void underALauncherWithoutTheFilterTheGroupsNotNamedFailInsteadOfRunning() {
        Launcher launcher = LauncherFactory.create(LauncherConfig.builder()
                .enablePostDiscoveryFilterAutoRegistration(false).build());
        SummaryGeneratingListener summary = new SummaryGeneratingListener();
        launcher.execute(LauncherDiscoveryRequestBuilder.request()
                .selectors(selectClass(RegistrationKit.class)).build(), summary);
        TestExecutionSummary result = summary.getSummary();
        assertThat(result.getTestsSucceededCount()).isEqualTo(testsOf(RegistrationContract.class));
        assertThat(result.getTestsFailedCount()).isZero();
        assertThat(result.getFailures()).hasSize(EndpointStoreCompatibilityKit.CONTRACTS.size() - 1)
                .allSatisfy(f -> assertThat(f.getException()).hasMessageContaining(
                        "does not name it: the test launcher did not apply " + OnlyContractsFilter.class.getName()));
    }

    /** The number of tests discovered under each group, by the group's display name. */
    private static Map<String, Long> testsPerGroup(Class<?> kit, Filter<?>... filters) {
        TestPlan plan = LauncherFactory.create().discover(LauncherDiscoveryRequestBuilder.request()
                .selectors(selectClass(kit)).filters(filters).build());
        List<TestIdentifier> tests = plan.getRoots().stream()
                .flatMap(root -> plan.getDescendants(root).stream())
                .filter(TestIdentifier::isTest)
                .toList();
        return tests.stream().collect(Collectors.groupingBy(
                t -> plan.getParent(t).orElseThrow().getDisplayName(), Collectors.counting()));
    }

    private static long testsOf(Class<?> contract) {
        return Arrays.stream(contract.getMethods()).filter(m -> m.isAnnotationPresent(Test.class)).count();
    }
}
