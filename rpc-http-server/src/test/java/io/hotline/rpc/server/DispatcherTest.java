package io.hotline.rpc.server;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.hotline.rpc.internal.wire.Version;
import java.util.List;
import org.junit.jupiter.api.Test;

class DispatcherTest {

    @Test
    void overloadedEndpointMethodsAreRefused() {
        Object overloaded = new Object() {
            @SuppressWarnings("unused")
            public int twice(int x) {
                return 2 * x;
            }

            @SuppressWarnings("unused")
            public String twice(String x) {
                return x + x;
            }
        };
        assertThatThrownBy(() -> new Dispatcher(List.of(new Dispatcher.Endpoint(null, Version.DEFAULT,
                overloaded)), AccessPolicy.DEFAULT)).hasMessageContaining("several methods named twice");
    }
}
