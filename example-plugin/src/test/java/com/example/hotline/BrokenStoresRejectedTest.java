package com.example.hotline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectNestedClass;

import io.hotline.tck.EndpointStoreCompatibilityKit;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.launcher.LauncherDiscoveryRequest;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The TCK is only worth something if it fails stores that break the contract. Each case runs one contract group of
 * the kit against one of the {@link BrokenStores} and checks that the test for the broken clause is among the
 * failures.
 */
class BrokenStoresRejectedTest {

    private static final Logger log = LoggerFactory.getLogger(BrokenStoresRejectedTest.class);

    /**
     * A kit bound to a broken store, the kit's contract group (its nested class, package-private in the TCK, so named
     * here rather than referenced) to run, and the test that must fail.
     */
    record Case(Class<? extends EndpointStoreCompatibilityKit> kit, String group, String mustFail) {
        @Override
        public String toString() {
            return kit.getSimpleName() + " fails " + group + "." + mustFail;
        }
    }

    static Stream<Case> brokenStores() {
        return Stream.of(
                new Case(BrokenStoreKits.DropsMetadataKit.class, "Registration", "roundTripKeepsEveryField"),
                new Case(BrokenStoreKits.NeverCriticalKit.class, "HealthContract", "missedHeartbeatTurnsCritical"),
                new Case(BrokenStoreKits.EarlyCriticalKit.class, "HealthContract", "heartbeatKeepsPassing"),
                new Case(BrokenStoreKits.NeverExpiresKit.class, "HealthContract", "criticalIsRemovedAfterDeregisterAfter"),
                new Case(BrokenStoreKits.LenientRenewKit.class, "HealthContract", "renewOfUnknownRegistrationFails"),
                new Case(BrokenStoreKits.SilentWatchKit.class, "WatchContract", "seesEveryKindOfChange"),
                new Case(BrokenStoreKits.ReplaysStaleSnapshotKit.class, "WatchContract", "snapshotsArriveInOrder"),
                new Case(BrokenStoreKits.IgnoresZoneKit.class, "Zones", "homeAndScopedLookups"),
                new Case(BrokenStoreKits.NoFederationKit.class, "Zones", "zonesListsHomeAndFederated"),
                new Case(BrokenStoreKits.HidesOutageKit.class, "Failure", "watchReportsOutage"),
                new Case(BrokenStoreKits.RawErrorsKit.class, "Failure", "downStoreGivesClearError"),
                new Case(BrokenStoreKits.LosesConcurrentWritesKit.class, "Concurrency", "manyWritersAndReaders"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("brokenStores")
    void kitRejectsBrokenStore(Case c) {
        Outcomes outcomes = run(c, true);

        log.info("{}: {} tests ran, failed: {}", c.kit().getSimpleName(), outcomes.finished.size(), outcomes.failures());
        assertThat(outcomes.failures()).as("tests of %s that failed", c.kit().getSimpleName())
                .isNotEmpty()
                .containsKey(c.mustFail());
    }

    @Test
    void brokenStoreKitsAreSkippedUnlessLaunchedOnPurpose() {
        Outcomes outcomes = run(brokenStores().findFirst().orElseThrow(), false);

        assertThat(outcomes.finished).isEmpty();
        assertThat(outcomes.skipped).isNotEmpty();
    }

    /** Runs the case's contract group of its kit in a launcher of its own, and collects what happened. */
    private static Outcomes run(Case c, boolean onPurpose) {
        LauncherDiscoveryRequest request = LauncherDiscoveryRequestBuilder.request()
                .selectors(selectNestedClass(List.of(c.kit().getName()),
                        EndpointStoreCompatibilityKit.class.getName() + "$" + c.group()))
                .configurationParameter(BrokenStoreKits.LAUNCHED_ON_PURPOSE, Boolean.toString(onPurpose))
                .build();
        Outcomes outcomes = new Outcomes();
        LauncherFactory.create().execute(request, outcomes);
        return outcomes;
    }

    /** Each test method's outcome, by method name, and what was skipped. */
    private static final class Outcomes implements TestExecutionListener {
        private final Map<String, TestExecutionResult> finished = new ConcurrentHashMap<>();
        private final List<String> skipped = new CopyOnWriteArrayList<>();

        @Override
        public void executionSkipped(TestIdentifier id, String reason) {
            skipped.add(id.getDisplayName() + ": " + reason);
        }

        @Override
        public void executionFinished(TestIdentifier id, TestExecutionResult result) {
            if (id.isTest() && id.getSource().orElse(null) instanceof org.junit.platform.engine.support.descriptor.MethodSource m) {
                finished.put(m.getMethodName(), result);
            }
        }

        /** Failed test -> what it failed with. */
        Map<String, String> failures() {
            Map<String, String> failed = new ConcurrentHashMap<>();
            finished.forEach((test, result) -> {
                if (result.getStatus() != TestExecutionResult.Status.SUCCESSFUL) {
                    failed.put(test, result.getThrowable().map(t -> t.getClass().getSimpleName()).orElse("aborted"));
                }
            });
            return failed;
        }
    }
}
