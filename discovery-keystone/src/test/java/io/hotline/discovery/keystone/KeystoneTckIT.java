package io.hotline.discovery.keystone;

import io.hotline.tck.EndpointStoreCompatibilityKit;
import io.hotline.tck.KeystoneStoreFixture;
import io.hotline.tck.StoreFixture;

/** The keystone store keeps every contract on real Keystone: two zones on two Keystones (see the fixture). */
class KeystoneTckIT extends EndpointStoreCompatibilityKit {
    @Override
    protected StoreFixture createFixture() {
        return KeystoneStoreFixture.start();
    }
}
