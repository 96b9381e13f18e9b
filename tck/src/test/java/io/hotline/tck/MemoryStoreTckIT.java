package io.hotline.tck;

/** The embedded memory store keeps every contract. */
class MemoryStoreTckIT extends EndpointStoreCompatibilityKit {
    @Override
    protected StoreFixture createFixture() {
        return new MemoryStoreFixture();
    }
}
