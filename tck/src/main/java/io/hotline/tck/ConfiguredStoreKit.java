package io.hotline.tck;

import java.util.function.Supplier;

/** The kit as the {@link TckRunner} runs it: the fixture comes from the runner's configuration file. */
class ConfiguredStoreKit extends EndpointStoreCompatibilityKit {

    static volatile Supplier<StoreFixture> fixtures;

    @Override
    protected StoreFixture createFixture() {
        Supplier<StoreFixture> f = fixtures;
        if (f == null) {
            throw new IllegalStateException("ConfiguredStoreKit runs only under TckRunner, which supplies the fixture");
        }
        return f.get();
    }
}
