package io.hotline.tck;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Fails a contract group that runs although its kit's {@link OnlyContracts} does not name it: that happens only under
 * a launcher that did not apply {@link OnlyContractsFilter}, and a split kit would then run such a group in both of
 * its classes, silently, each contract twice.
 */
final class OnlyContractsCheck implements BeforeAllCallback {

    @Override
    public void beforeAll(ExtensionContext context) {
        Class<?> group = context.getRequiredTestClass();
        Optional<Class<?>> kit = context.getParent().flatMap(ExtensionContext::getTestClass);
        if (group.getEnclosingClass() != EndpointStoreCompatibilityKit.class || kit.isEmpty()) {
            return;
        }
        OnlyContracts only = kit.get().getAnnotation(OnlyContracts.class);
        String contract = group.getAnnotation(Tag.class).value();
        if (only != null && !List.of(only.value()).contains(contract)) {
            throw new IllegalStateException("the " + contract + " group runs although @OnlyContracts on "
                    + kit.get().getName() + " does not name it: the test launcher did not apply "
                    + OnlyContractsFilter.class.getName() + ", registered in the tck jar's"
                    + " META-INF/services/org.junit.platform.launcher.PostDiscoveryFilter");
        }
    }
}
