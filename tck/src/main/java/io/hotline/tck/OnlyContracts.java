package io.hotline.tck;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Runs only the named contract groups of the {@link EndpointStoreCompatibilityKit} subclass it annotates; the other
 * groups are left out of test discovery, so they are neither run nor reported (not even as skipped).
 *
 * <p>What it is for: splitting a slow store's kit over two test classes, each with its own fixture, so that a build
 * running test classes in parallel (Failsafe's {@code forkCount}) runs them at the same time. Between them the classes
 * must name every contract, each once:
 *
 * <pre>{@code
 * @OnlyContracts({HEALTH, WATCH})                     // the two groups that wait on the server's reaper
 * class MyStoreHealthAndWatchTckIT extends EndpointStoreCompatibilityKit {
 *     @Override
 *     protected StoreFixture createFixture() {
 *         return new MyStoreFixture();
 *     }
 * }
 *
 * @OnlyContracts({REGISTRATION, ZONES, FAILURE, CONCURRENCY})
 * class MyStoreTckIT extends EndpointStoreCompatibilityKit {
 *     ...
 * }
 * }</pre>
 *
 * <p>The names are the contracts' tags, {@link EndpointStoreCompatibilityKit#CONTRACTS}. A name that is not one of
 * them, or no name at all, fails test discovery with an error that names the class. A tag selection ({@code -Dgroups},
 * {@code TckRunner --contract}) applies on top: it runs the named groups that both select.
 *
 * <p>The groups are left out by a JUnit Platform post-discovery filter that the TCK jar registers through
 * {@code META-INF/services}, which every launcher loads unless told not to (Maven Surefire and Failsafe, Gradle and
 * the IDEs do).
 */
@Documented
@Inherited
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.TYPE)
public @interface OnlyContracts {

    /** The contract groups to run: names from {@link EndpointStoreCompatibilityKit#CONTRACTS}. */
    String[] value();
}
