package io.hotline.tck;

import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Tag;
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
 * {@link WatchContract}, {@link ZoneContract}, {@link FailureContract}, {@link ConcurrencyContract}), one file each,
 * whose Javadoc says what its tests check and at what scale; this class runs each as a {@code @Nested} group, so a
 * failing clause shows up by name. Every test uses its own service name, so the groups share one fixture (created on
 * first use, closed after the class); each test gets a {@link TckContext} that closes what it opened. Waits are
 * bounded by the fixture's {@link StoreTiming}, never by guesses.
 *
 * <p><b>One contract group alone.</b> Each group carries a JUnit tag, its contract's name ({@link #REGISTRATION},
 * {@link #HEALTH}, {@link #WATCH}, {@link #ZONES}, {@link #FAILURE}, {@link #CONCURRENCY}). Maven selects groups by
 * tag with Failsafe's (and Surefire's) {@code groups} property, the {@link TckRunner} with {@code --contract}:
 *
 * <pre>
 * mvn verify -Dit.test=MyStoreTckIT -Dgroups=watch,failure
 * java -cp ... io.hotline.tck.TckRunner --contract watch --contract failure my-store.properties
 * </pre>
 *
 * <p>A class pattern such as {@code -Dit.test='MyStoreTckIT$WatchTck'} selects nothing: the nested classes are
 * this class's, inherited, so their name is {@code EndpointStoreCompatibilityKit$WatchTck}.
 *
 * <p><b>The kit split over two classes.</b> A subclass annotated with {@link OnlyContracts} runs only the groups it
 * names; the others are left out of discovery, not skipped. For a store whose kit takes long, two subclasses that name
 * every contract between them, each with its own fixture, can run at the same time (Failsafe's {@code forkCount}):
 *
 * <pre>{@code
 * @OnlyContracts({HEALTH, WATCH})
 * class MyStoreHealthAndWatchTckIT extends EndpointStoreCompatibilityKit { ... }
 *
 * @OnlyContracts({REGISTRATION, ZONES, FAILURE, CONCURRENCY})
 * class MyStoreTckIT extends EndpointStoreCompatibilityKit { ... }
 * }</pre>
 */
@ExtendWith({FixtureResolver.class, OnlyContractsCheck.class})
public abstract class EndpointStoreCompatibilityKit {

    /** The tag of the {@link RegistrationTck} group. */
    public static final String REGISTRATION = "registration";
    /** The tag of the {@link HealthTck} group. */
    public static final String HEALTH = "health";
    /** The tag of the {@link WatchTck} group. */
    public static final String WATCH = "watch";
    /** The tag of the {@link ZoneTck} group. */
    public static final String ZONES = "zones";
    /** The tag of the {@link FailureTck} group. */
    public static final String FAILURE = "failure";
    /** The tag of the {@link ConcurrencyTck} group. */
    public static final String CONCURRENCY = "concurrency";

    /** Every group's tag, in contract order: the names {@code TckRunner --contract} takes. */
    public static final List<String> CONTRACTS = List.of(REGISTRATION, HEALTH, WATCH, ZONES, FAILURE, CONCURRENCY);

    /** A fixture for the store under test; called once per kit class, and once more by a test that needs its own. */
    protected abstract StoreFixture createFixture();

    StoreFixture newFixture() {
        return createFixture();
    }

    /** Contract 1, tag {@value #REGISTRATION}: {@link RegistrationContract}. */
    @Nested
    @Tag(REGISTRATION)
    @DisplayName("1. Registration")
    public class RegistrationTck implements RegistrationContract {}

    /** Contract 2, tag {@value #HEALTH}: {@link HealthContract}. */
    @Nested
    @Tag(HEALTH)
    @DisplayName("2. Health")
    public class HealthTck implements HealthContract {}

    /** Contract 3, tag {@value #WATCH}: {@link WatchContract}. */
    @Nested
    @Tag(WATCH)
    @DisplayName("3. Watch")
    public class WatchTck implements WatchContract {}

    /** Contract 4, tag {@value #ZONES}: {@link ZoneContract}. */
    @Nested
    @Tag(ZONES)
    @DisplayName("4. Zones and federation")
    public class ZoneTck implements ZoneContract {}

    /** Contract 5, tag {@value #FAILURE}: {@link FailureContract}. */
    @Nested
    @Tag(FAILURE)
    @DisplayName("5. Failure and recovery")
    public class FailureTck implements FailureContract {}

    /** Contract 6, tag {@value #CONCURRENCY}: {@link ConcurrencyContract}. */
    @Nested
    @Tag(CONCURRENCY)
    @DisplayName("6. Concurrency and size")
    public class ConcurrencyTck implements ConcurrencyContract {}
}
