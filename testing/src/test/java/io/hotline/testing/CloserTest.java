package io.hotline.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class CloserTest {

    private final List<String> closed = new ArrayList<>();

    private AutoCloseable named(String name) {
        return () -> closed.add(name);
    }

    private AutoCloseable failing(String name) {
        return () -> {
            closed.add(name);
            throw new IOException(name + " failed");
        };
    }

    @Test
    void closesTheLastTrackedFirst() throws Exception {
        Closer closer = new Closer();
        AutoCloseable store = named("store");
        assertThat(closer.track(store)).isSameAs(store);
        closer.track(named("server"));
        closer.track(named("client"));

        closer.close();

        assertThat(closed).containsExactly("client", "server", "store");
    }

    @Test
    void aFailureToCloseLeavesNothingOpenAndIsThrownWithTheOthersSuppressed() {
        Closer closer = new Closer();
        closer.track(failing("store"));
        closer.track(named("server"));
        closer.track(failing("client"));

        assertThatThrownBy(closer::close).isInstanceOf(IOException.class).hasMessage("client failed")
                .satisfies(e -> assertThat(e.getSuppressed()).singleElement()
                        .satisfies(s -> assertThat(s).hasMessage("store failed")));
        assertThat(closed).containsExactly("client", "server", "store");
    }

    @Test
    void aClosedCloserIsEmptyAndServesAgain() throws Exception {
        Closer closer = new Closer();
        closer.track(named("first"));
        closer.close();
        closer.track(named("second"));

        closer.close();

        assertThat(closed).containsExactly("first", "second");
    }

    @Test
    void aResourceClosedNowIsNotClosedAgain() throws Exception {
        Closer closer = new Closer();
        closer.track(named("store"));
        AutoCloseable server = closer.track(named("server"));
        closer.track(named("client"));

        closer.closeNow(server);
        closer.close();

        assertThat(closed).containsExactly("server", "client", "store");
    }
}
