package io.hotline.tck;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The contracts every endpoint store keeps, clause by clause as the plugin guide numbers them. A store author extends
 * this class once in their tests and says how to run the store:
 *
 * <pre>{@code
 * class MyStoreTckIT extends EndpointStoreCompatibilityKit {
 *     @Override
 *     protected StoreFixture createFixture() {
 *         return new MyStoreFixture();              // starts the real server(s) on free loopback ports
 *     }
 * }
 * }</pre>
 *
 * <p>Each contract is an interface of its own ({@link RegistrationContract}, {@link HealthContract},
 * {@link WatchContract}, {@link ZoneContract}, {@link FailureContract}, {@link ConcurrencyContract}) whose tests this
 * class runs as a {@code @Nested} group, so a failing clause shows up by name. Every test uses its own service name,
 * so the groups share one fixture (created on first use, closed after the class); each test gets a {@link TckContext}
 * that closes what it opened. Waits are bounded by the fixture's {@link StoreTiming}, never by guesses. To run one
 * group from Maven: {@code mvn verify -Dit.test='MyStoreTckIT$WatchTck'}.
 */
@ExtendWith(FixtureResolver.class)
public abstract class EndpointStoreCompatibilityKit {

    /** A fixture for the store under test; called once per kit class, and once more by a test that needs its own. */
    protected abstract StoreFixture createFixture();

    StoreFixture newFixture() {
        return createFixture();
    }

    /** Contract 1: {@link RegistrationContract}. */
    @Nested
    @DisplayName("1. Registration")
    public class RegistrationTck implements RegistrationContract {}

    /** Contract 2: {@link HealthContract}. */
    @Nested
    @DisplayName("2. Health")
    public class HealthTck implements HealthContract {}

    /** Contract 3: {@link WatchContract}. */
    @Nested
    @DisplayName("3. Watch")
    public class WatchTck implements WatchContract {}

    /** Contract 4: {@link ZoneContract}. */
    @Nested
    @DisplayName("4. Zones and federation")
    public class ZoneTck implements ZoneContract {}

    /** Contract 5: {@link FailureContract}. */
    @Nested
    @DisplayName("5. Failure and recovery")
    public class FailureTck implements FailureContract {}

    /** Contract 6: {@link ConcurrencyContract}. */
    @Nested
    @DisplayName("6. Concurrency and size")
    public class ConcurrencyTck implements ConcurrencyContract {}
}
