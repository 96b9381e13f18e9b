package io.hotline.tck;

import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * Injects the running kit's {@link StoreFixture} and a {@link TckContext} per test. One fixture per kit class, created
 * on first use and closed when the class's tests are done, so real servers start once per class and not once per
 * test; each test's context is closed when the test ends, closing what it opened.
 */
final class FixtureResolver implements ParameterResolver {

    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(FixtureResolver.class);

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        Class<?> type = parameter.getParameter().getType();
        return type == StoreFixture.class || type == TckContext.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        EndpointStoreCompatibilityKit kit = context.getRequiredTestInstances().getAllInstances().stream()
                .filter(EndpointStoreCompatibilityKit.class::isInstance)
                .map(EndpointStoreCompatibilityKit.class::cast)
                .findFirst()
                .orElseThrow(() -> new IllegalStateException(
                        "StoreFixture and TckContext parameters are only available inside an EndpointStoreCompatibilityKit"));
        // Both are AutoCloseable, so JUnit closes them with the context that holds them.
        StoreFixture fixture = kitContext(context).getStore(NAMESPACE)
                .getOrComputeIfAbsent(kit.getClass(), k -> kit.newFixture(), StoreFixture.class);
        if (parameter.getParameter().getType() == StoreFixture.class) {
            return fixture;
        }
        return context.getStore(NAMESPACE)
                .getOrComputeIfAbsent(TckContext.class, k -> new TckContext(fixture, kit::newFixture), TckContext.class);
    }

    /** The context of the outermost test class, whose store outlives every nested class in it. */
    private static ExtensionContext kitContext(ExtensionContext context) {
        ExtensionContext c = context;
        while (c.getParent().isPresent() && c.getParent().get().getParent().isPresent()) {
            c = c.getParent().get();
        }
        return c;
    }
}
