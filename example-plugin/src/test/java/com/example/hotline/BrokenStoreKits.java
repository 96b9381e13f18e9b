package com.example.hotline;

import io.hotline.discovery.spi.EndpointStore;
import io.hotline.tck.EndpointStoreCompatibilityKit;
import io.hotline.tck.StoreFixture;
import java.util.Objects;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The TCK bound to one of the {@link BrokenStores}, for {@link BrokenStoresRejectedTest} to run with the JUnit Platform
 * launcher. It fails by design, so nothing else may run it: its name ends in {@code Kit} and it is a nested class, so
 * Surefire and Failsafe never pick it up, and {@link OnlyWhenLaunchedOnPurpose} skips it in any other run that selects
 * it (an IDE running the whole package, {@code mvn -Dtest=...}).
 */
final class BrokenStoreKits {

    /** The launcher configuration parameter with which {@link BrokenStoresRejectedTest} enables the kit. */
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

    /**
     * The kit over the example store wrapped in {@link #breaking}. The launcher creates the kit itself, so the broken
     * store is chosen before each launch through this field; launches run one at a time on the caller's thread.
     */
    @ExtendWith(OnlyWhenLaunchedOnPurpose.class)
    static final class BrokenStoreKit extends EndpointStoreCompatibilityKit {
        static volatile UnaryOperator<EndpointStore> breaking = UnaryOperator.identity();

        @Override
        protected StoreFixture createFixture() {
            return new ExampleStoreFixture(Objects.requireNonNull(breaking, "breaking"));
        }
    }
}
