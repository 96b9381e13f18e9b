package com.example.hotline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectNestedClass;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectNestedMethod;

import com.example.hotline.BrokenStoreKits.BrokenStoreKit;
import io.hotline.discovery.spi.EndpointStore;
import io.hotline.tck.EndpointStoreCompatibilityKit;
import io.hotline.tck.TckContext;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.platform.engine.DiscoverySelector;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.launcher.LauncherDiscoveryRequest;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The TCK is only worth something if it fails stores that break the contract. Each case wraps the example store in
 * one of the {@link BrokenStores}, runs only the kit test aimed at the clause it breaks, and checks that the test
 * fails: a broken store must be caught by its clause's own test, not by accident elsewhere. The unbroken store passes
 * every one of these tests ({@code ExampleStoreTckIT}). The plugin guide's clause table lists the same cases.
 */
class BrokenStoresRejectedTest {

    private static final Logger log = LoggerFactory.getLogger(BrokenStoresRejectedTest.class);

    /** A broken store, the contract group (the kit's nested class) and the test aimed at the clause it breaks. */
    record Case(String clause, String store, UnaryOperator<EndpointStore> breaking, String group, String test) {
        @Override
        public String toString() {
            return clause + " " + store + " fails " + group + "." + test;
        }
    }

    private static Case aim(String clause, String store, UnaryOperator<EndpointStore> breaking, String group,
            String test) {
        return new Case(clause, store, breaking, group, test);
    }

    static Stream<Case> brokenStores() {
        String reg = "RegistrationTck";
        String health = "HealthTck";
        String watch = "WatchTck";
        String zones = "ZoneTck";
        String failure = "FailureTck";
        String size = "ConcurrencyTck";
        return Stream.of(
                aim("1.1", "DropsMetadata", BrokenStores.DropsMetadata::new, reg, "roundTripKeepsEveryField"),
                aim("1.1", "DropsPriorityAndWeight", BrokenStores.DropsPriorityAndWeight::new, reg,
                        "roundTripKeepsEveryField"),
                aim("1.2", "TrimsMetadataToFit", BrokenStores.TrimsMetadataToFit::new, reg, "everyValueTheModelAllowsSurvives"),
                aim("1.2", "ClampsZeroWeight", BrokenStores.ClampsZeroWeight::new, reg,
                        "everyValueTheModelAllowsSurvives"),
                aim("1.3", "MergesOnReRegister", BrokenStores.MergesOnReRegister::new, reg, "reRegisterReplacesEveryField"),
                aim("1.4", "KeepsFirstPolicy", BrokenStores.KeepsFirstPolicy::new, reg, "reRegisterAppliesTheNewPolicy"),
                aim("1.5", "ReRegisterKeepsCritical", BrokenStores.ReRegisterKeepsCritical::new, reg,
                        "reRegisterMakesCriticalPassing"),
                aim("1.6", "PrefixMatchesServices", BrokenStores.PrefixMatchesServices::new, reg, "idsAreUniquePerService"),
                aim("1.7", "DeregistersIdEverywhere", BrokenStores.DeregistersIdEverywhere::new, reg,
                        "deregisterRemovesThatEndpointOnly"),
                aim("1.8", "FlattensZone", BrokenStores.FlattensZone::new, reg, "acceptsZonesInsideTheHomeZone"),
                aim("1.9", "PrefixZoneCheck", BrokenStores.PrefixZoneCheck::new, reg, "refusesZonesOutsideTheHomeZone"),
                aim("2.1", "EarlyCritical", BrokenStores.EarlyCritical::new, health, "renewalKeepsPassingForDownAfter"),
                aim("2.2", "LateCritical", BrokenStores.LateCritical::new, health, "missedHeartbeatTurnsCritical"),
                aim("2.2", "NeverCritical", BrokenStores.NeverCritical::new, health, "missedHeartbeatTurnsCritical"),
                aim("2.3", "IgnoresRenewal", BrokenStores.IgnoresRenewal::new, health, "criticalCountsFromTheLastRenewal"),
                aim("2.4", "NeverExpires", BrokenStores.NeverExpires::new, health,
                        "criticalIsListedUntilDeregisterAfterThenGone"),
                aim("2.4", "ExpiresAtDownAfter", BrokenStores.ExpiresAtDownAfter::new, health,
                        "criticalIsListedUntilDeregisterAfterThenGone"),
                aim("2.5", "StaysCritical", BrokenStores.StaysCritical::new, health, "renewalRevivesCritical"),
                aim("2.6", "LenientRenew", BrokenStores.LenientRenew::new, health, "renewOfUnknownRegistrationFails"),
                aim("2.7", "WatchHidesCritical", BrokenStores.WatchHidesCritical::new, health,
                        "healthyOnlyLookupsNeverReturnCritical"),
                aim("2.8", "SinceIsTheRead", BrokenStores.SinceIsTheRead::new, health, "sinceIsWhenHealthLastChanged"),
                aim("2.8", "SinceIsTheRegistration", BrokenStores.SinceIsTheRegistration::new, health,
                        "sinceIsWhenHealthLastChanged"),
                aim("3.1", "EmptyFirstSnapshot", BrokenStores.EmptyFirstSnapshot::new, watch, "firstSnapshotIsTheCurrentList"),
                aim("3.2", "SilentWatch", BrokenStores.SilentWatch::new, watch, "seesEveryKindOfChange"),
                aim("3.2", "LateWatch", BrokenStores.LateWatch::new, watch, "seesEveryKindOfChange"),
                aim("3.3", "WatchDropsMetadata", BrokenStores.WatchDropsMetadata::new, watch, "snapshotsKeepEveryField"),
                aim("3.4", "ReplaysStaleSnapshot", BrokenStores.ReplaysStaleSnapshot::new, watch, "snapshotsArriveInOrder"),
                aim("3.5", "FlapsHealth", BrokenStores.FlapsHealth::new, watch, "healthNeverRevivesWithoutRenewal"),
                aim("3.6", "WatchKeepsExpired", BrokenStores.WatchKeepsExpired::new, watch, "expiryShowsInWatches"),
                aim("3.7", "WatchesHomeOnly", BrokenStores.WatchesHomeOnly::new, watch, "watchOfTheFederatedZone"),
                aim("3.8", "WatchPrefixMatches", BrokenStores.WatchPrefixMatches::new, watch, "watchSeesOnlyItsService"),
                aim("3.9", "ResumesAfterError", BrokenStores.ResumesAfterError::new, watch, "nothingAfterOnError"),
                aim("3.10", "CloseIgnored", BrokenStores.CloseIgnored::new, watch, "closedWatchIsSilent"),
                aim("4.1", "NoFederation", BrokenStores.NoFederation::new, zones, "zonesListsHomeAndFederated"),
                aim("4.2", "FrozenZones", BrokenStores.FrozenZones::new, zones, "zonesStayCurrent"),
                aim("4.3", "IgnoresZone", BrokenStores.IgnoresZone::new, zones, "homeAndScopedLookups"),
                aim("4.4", "UnknownZoneIsEmpty", BrokenStores.UnknownZoneIsEmpty::new, zones, "unknownZonesAreRefused"),
                aim("4.6", "RemoteOutageBreaksHome", BrokenStores.RemoteOutageBreaksHome::new, zones,
                        "losingRemoteZoneKeepsHomeWorking"),
                aim("5.1", "RawErrors", BrokenStores.RawErrors::new, failure, "downStoreGivesClearError"),
                aim("5.2", "HidesOutage", BrokenStores.HidesOutage::new, failure, "watchReportsOutage"),
                aim("5.3", "NeverReconnects", BrokenStores.NeverReconnects::new, failure, "storeServesAgainAfterRestart"),
                aim("6.1", "LosesConcurrentWrites", BrokenStores.LosesConcurrentWrites::new, size, "manyWritersAndReaders"),
                aim("6.1", "Unsynchronized", BrokenStores.Unsynchronized::new, size, "manyWritersAndReaders"),
                aim("6.3", "TruncatesLargeServices", BrokenStores.TruncatesLargeServices::new, size,
                        "largeServiceIsListedAndWatchedWhole"),
                aim("6.4", "EvictsServices", BrokenStores.EvictsServices::new, size,
                        "manyServicesAndThousandsOfEndpoints"));
    }

    @AfterEach
    void unbreak() {
        BrokenStoreKit.breaking = UnaryOperator.identity();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("brokenStores")
    void kitRejectsBrokenStore(Case c) {
        BrokenStoreKit.breaking = c.breaking();
        Outcomes outcomes = run(selectNestedMethod(List.of(BrokenStoreKit.class.getName()), nested(c.group()), c.test(),
                TckContext.class.getName()), true);

        log.info("{}: failed {}", c, outcomes.failures());
        assertThat(outcomes.finished).as("the aimed test ran").containsKey(c.test());
        assertThat(outcomes.failures()).as("tests that failed against %s", c.store()).containsKey(c.test());
    }

    @Test
    void brokenStoreKitIsSkippedUnlessLaunchedOnPurpose() {
        Outcomes outcomes = run(selectNestedClass(List.of(BrokenStoreKit.class.getName()), nested("RegistrationTck")),
                false);

        assertThat(outcomes.finished).isEmpty();
        assertThat(outcomes.skipped).isNotEmpty();
    }

    private static String nested(String group) {
        return EndpointStoreCompatibilityKit.class.getName() + "$" + group;
    }

    /** Runs what {@code selector} selects in a launcher of its own, and collects what happened. */
    private static Outcomes run(DiscoverySelector selector, boolean onPurpose) {
        LauncherDiscoveryRequest request = LauncherDiscoveryRequestBuilder.request()
                .selectors(selector)
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
            if (id.isTest() && id.getSource().orElse(null)
                    instanceof org.junit.platform.engine.support.descriptor.MethodSource m) {
                finished.put(m.getMethodName(), result);
            }
        }

        /** Failed test -> what it failed with. */
        Map<String, String> failures() {
            Map<String, String> failed = new ConcurrentHashMap<>();
            finished.forEach((test, result) -> {
                if (result.getStatus() != TestExecutionResult.Status.SUCCESSFUL) {
                    failed.put(test, result.getThrowable().map(t -> t.getClass().getSimpleName() + ": "
                            + String.valueOf(t.getMessage()).lines().findFirst().orElse("")).orElse("aborted"));
                }
            });
            return failed;
        }
    }
}
