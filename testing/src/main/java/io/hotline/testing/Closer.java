package io.hotline.testing;

import java.util.ArrayDeque;
import java.util.Deque;

/**
 * What a test opened, closed last opened first when the test ends: servers before the stores they registered in,
 * clients before the servers they call.
 *
 * <pre>{@code
 * private final Closer closer = new Closer();
 *
 * @AfterEach
 * void closeAll() throws Exception {
 *     closer.close();
 * }
 *
 * @Test
 * void callsAServer() {
 *     EndpointStore store = closer.track(StoreProviders.load().open(config));
 *     RpcServer server = closer.track(RpcServer.builder(store)...start());
 * }
 * }</pre>
 *
 * <p>One failure to close does not leave the rest open: every resource is closed, then the first failure is thrown
 * with the others {@linkplain Throwable#getSuppressed() suppressed}. Thread-safe, and empty again after a close, so a
 * closer may serve several tests in turn.
 */
public final class Closer implements AutoCloseable {

    private final Deque<AutoCloseable> opened = new ArrayDeque<>();

    /** Closes {@code resource} with the others, before those tracked earlier; returns it. */
    public <T extends AutoCloseable> T track(T resource) {
        synchronized (opened) {
            opened.push(resource);
        }
        return resource;
    }

    /** Closes {@code resource} now, ahead of the others, e.g. a server a test stops halfway; it is not closed again. */
    public void closeNow(AutoCloseable resource) throws Exception {
        synchronized (opened) {
            opened.removeFirstOccurrence(resource);
        }
        resource.close();
    }

    /**
     * {@link #close()} for callers that cannot throw checked exceptions, e.g. a fixture's {@code close()}.
     *
     * @param what what the resources are, for the message, e.g. {@code "the fixture's servers"}
     * @throws IllegalStateException if a resource failed to close, with the first failure as its cause
     */
    public void closeOrFail(String what) {
        try {
            close();
        } catch (Exception e) {
            throw new IllegalStateException("cannot stop " + what + ": " + e.getMessage(), e);
        }
    }

    /** Closes every tracked resource, the last tracked first. */
    @Override
    public void close() throws Exception {
        Exception failure = null;
        for (AutoCloseable next = pop(); next != null; next = pop()) {
            try {
                next.close();
            } catch (Exception e) {
                if (failure == null) {
                    failure = e;
                } else {
                    failure.addSuppressed(e);
                }
            }
        }
        if (failure != null) {
            throw failure;
        }
    }

    private AutoCloseable pop() {
        synchronized (opened) {
            return opened.poll();
        }
    }
}
