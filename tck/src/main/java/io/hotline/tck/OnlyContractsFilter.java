package io.hotline.tck;

import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;
import org.junit.jupiter.api.Tag;
import org.junit.platform.engine.FilterResult;
import org.junit.platform.engine.TestDescriptor;
import org.junit.platform.engine.TestSource;
import org.junit.platform.engine.support.descriptor.ClassSource;
import org.junit.platform.launcher.PostDiscoveryFilter;

/**
 * Leaves out of discovery the contract groups that a kit subclass's {@link OnlyContracts} does not name. Loaded by
 * the JUnit Platform launcher from {@code META-INF/services/org.junit.platform.launcher.PostDiscoveryFilter}; public
 * only because the service loader needs it to be.
 *
 * <p>The launcher asks only about descriptors without children (tests) and then prunes the containers it emptied, so
 * a test is left out when its group, an inherited {@code @Nested} class of the kit, sits in a kit subclass whose
 * annotation does not name the group's tag.
 */
public final class OnlyContractsFilter implements PostDiscoveryFilter {

    @Override
    public FilterResult apply(TestDescriptor descriptor) {
        Optional<TestDescriptor> group = ancestorOrSelf(descriptor, OnlyContractsFilter::isContractGroup);
        if (group.isEmpty()) {
            return FilterResult.included("not in a contract group of the kit");
        }
        Optional<Class<?>> kit = group.get().getParent().flatMap(p -> sourceClass(p.getSource()));
        OnlyContracts only = kit.map(k -> k.getAnnotation(OnlyContracts.class)).orElse(null);
        if (only == null) {
            return FilterResult.included("the kit runs every contract");
        }
        List<String> named = List.of(only.value());
        List<String> known = EndpointStoreCompatibilityKit.CONTRACTS;
        List<String> unknown = named.stream().filter(n -> !known.contains(n)).toList();
        if (named.isEmpty() || !unknown.isEmpty()) {
            // Thrown rather than reported as a test failure: with no known name left, every group of the class would
            // be filtered out and the class would vanish from the run without a word.
            throw new IllegalArgumentException("@OnlyContracts on " + kit.get().getName() + " names "
                    + (named.isEmpty() ? "no contract" : "unknown contracts " + unknown) + "; the contracts are "
                    + known);
        }
        String contract = sourceClass(group.get().getSource()).orElseThrow().getAnnotation(Tag.class).value();
        return named.contains(contract)
                ? FilterResult.included(contract + " is named by @OnlyContracts")
                : FilterResult.excluded(contract + " is not named by @OnlyContracts on " + kit.get().getName());
    }

    /** One of the kit's {@code @Nested} groups, which are declared in the kit and inherited by every subclass. */
    private static boolean isContractGroup(TestDescriptor descriptor) {
        return sourceClass(descriptor.getSource())
                .filter(c -> c.getEnclosingClass() == EndpointStoreCompatibilityKit.class)
                .filter(c -> c.isAnnotationPresent(Tag.class))
                .isPresent();
    }

    private static Optional<TestDescriptor> ancestorOrSelf(TestDescriptor descriptor, Predicate<TestDescriptor> test) {
        for (Optional<TestDescriptor> d = Optional.of(descriptor); d.isPresent(); d = d.get().getParent()) {
            if (test.test(d.get())) {
                return d;
            }
        }
        return Optional.empty();
    }

    private static Optional<Class<?>> sourceClass(Optional<TestSource> source) {
        return source.filter(ClassSource.class::isInstance).map(s -> ((ClassSource) s).getJavaClass());
    }
}
