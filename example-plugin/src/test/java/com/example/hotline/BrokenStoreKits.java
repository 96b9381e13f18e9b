package com.example.hotline;

import io.hotline.tck.EndpointStoreCompatibilityKit;
import io.hotline.tck.StoreFixture;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The TCK bound to each of the {@link BrokenStores}, for {@link BrokenStoresRejectedTest} to run with the JUnit
 * Platform launcher. These kits fail by design, so nothing else may run them: their names end in {@code Kit} and they
 * are nested classes, so Surefire and Failsafe never pick them up, and {@link OnlyWhenLaunchedOnPurpose} skips them
 * in any other run that selects them (an IDE running the whole package, {@code mvn -Dtest=...}).
 */
final class BrokenStoreKits {

    /** The launcher configuration parameter with which {@link BrokenStoresRejectedTest} enables the kits. */
    static final String LAUNCHED_ON_PURPOSE = "com.example.hotline.broken-store-kits.enabled";

    private BrokenStoreKits() {}

    /** Runs a kit only when its launcher was given {@link #LAUNCHED_ON_PURPOSE}{@code =true}. */
    static final class OnlyWhenLaunchedOnPurpose implements ExecutionCondition {
        @Override
        public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
            return context.getConfigurationParameter(LAUNCHED_ON_PURPOSE, Boolean::parseBoolean).orElse(false)
                    ? ConditionEvaluationResult.enabled("launched by BrokenStoresRejectedTest")
                    : ConditionEvaluationResult.disabled("fails by design; BrokenStoresRejectedTest runs it");
        }
    }

    /** A kit over the example store with one contract broken by {@code BrokenStores}. */
    @ExtendWith(OnlyWhenLaunchedOnPurpose.class)
    abstract static class BrokenStoreKit extends EndpointStoreCompatibilityKit {}

    static final class DropsMetadataKit extends BrokenStoreKit {
        @Override
        protected StoreFixture createFixture() {
            return new ExampleStoreFixture(BrokenStores.DropsMetadata::new);
        }
    }

    static final class NeverCriticalKit extends BrokenStoreKit {
        @Override
        protected StoreFixture createFixture() {
            return new ExampleStoreFixture(BrokenStores.NeverCritical::new);
        }
    }

    static final class EarlyCriticalKit extends BrokenStoreKit {
        @Override
        protected StoreFixture createFixture() {
            return new ExampleStoreFixture(BrokenStores.EarlyCritical::new);
        }
    }

    static final class HidesOutageKit extends BrokenStoreKit {
        @Override
        protected StoreFixture createFixture() {
            return new ExampleStoreFixture(BrokenStores.HidesOutage::new);
        }
    }

    static final class NoFederationKit extends BrokenStoreKit {
        @Override
        protected StoreFixture createFixture() {
            return new ExampleStoreFixture(BrokenStores.NoFederation::new);
        }
    }

    static final class NeverExpiresKit extends BrokenStoreKit {
        @Override
        protected StoreFixture createFixture() {
            return new ExampleStoreFixture(BrokenStores.NeverExpires::new);
        }
    }

    static final class SilentWatchKit extends BrokenStoreKit {
        @Override
        protected StoreFixture createFixture() {
            return new ExampleStoreFixture(BrokenStores.SilentWatch::new);
        }
    }

    static final class ReplaysStaleSnapshotKit extends BrokenStoreKit {
        @Override
        protected StoreFixture createFixture() {
            return new ExampleStoreFixture(BrokenStores.ReplaysStaleSnapshot::new);
        }
    }

    static final class IgnoresZoneKit extends BrokenStoreKit {
        @Override
        protected StoreFixture createFixture() {
            return new ExampleStoreFixture(BrokenStores.IgnoresZone::new);
        }
    }

    static final class RawErrorsKit extends BrokenStoreKit {
        @Override
        protected StoreFixture createFixture() {
            return new ExampleStoreFixture(BrokenStores.RawErrors::new);
        }
    }

    static final class LenientRenewKit extends BrokenStoreKit {
        @Override
        protected StoreFixture createFixture() {
            return new ExampleStoreFixture(BrokenStores.LenientRenew::new);
        }
    }

    static final class LosesConcurrentWritesKit extends BrokenStoreKit {
        @Override
        protected StoreFixture createFixture() {
            return new ExampleStoreFixture(BrokenStores.LosesConcurrentWrites::new);
        }
    }
}
