package io.hotline.tck;

/** The embedded file store keeps every contract. */
class FileStoreTckIT extends EndpointStoreCompatibilityKit {
    @Override
    protected StoreFixture createFixture() {
        return new FileStoreFixture();
    }
}
