package io.hotline.tck;

import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * Injects the {@link StoreFixture} of the running kit. One fixture per kit class, created on first use and closed
 * when the class's tests are done, so real servers start once per class and not once per test.
 */
final class FixtureResolver implements ParameterResolver {

    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(FixtureResolver.class);

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        return parameter.getParameter().getType() == StoreFixture.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        EndpointStoreCompatibilityKit kit = context.getRequiredTestInstances().getAllInstances().stream()
                .filter(EndpointStoreCompatibilityKit.class::isInstance)
                .map(EndpointStoreCompatibilityKit.class::cast)
                .findFirst()
                .orElseThrow(() -> new IllegalStateException(
                        "StoreFixture parameters are only available inside an EndpointStoreCompatibilityKit"));
        return kitContext(context).getStore(NAMESPACE)
                .getOrComputeIfAbsent(kit.getClass(), k -> kit.newFixture(), StoreFixture.class);
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
