package com.example.hotline;

import io.hotline.tck.EndpointStoreCompatibilityKit;
import io.hotline.tck.StoreFixture;

/** The example store keeps every contract of the TCK. */
class ExampleStoreTckIT extends EndpointStoreCompatibilityKit {
    @Override
    protected StoreFixture createFixture() {
        return new ExampleStoreFixture();
    }
}
