package io.hotline.rpc.server.internal.http;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.BufferUtil;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.Promise;
import org.eclipse.jetty.util.thread.Invocable;
import org.eclipse.jetty.util.thread.Scheduler;

/**
 * Reads a request's whole body without holding a thread while it arrives, for every Hotline handler that takes a
 * body (the RPC server's and the broadcaster's).
 *
 * <p>A blocking read parked a request thread per slow client: about 200 connections sending part of a body took
 * every thread, and calls and {@code /healthz} waited for {@code listen-timeout}. Here a body that is already there
 * (the common case: a small body arriving with its headers) is handed over on the calling thread, as the blocking read
 * did, so the call costs no thread hand-off. A body still on its way is read as it arrives by Jetty's demand
 * callbacks, no thread waits for it, and once it is whole it is handed over on a thread of the server's pool (or, for a
 * consumer that never blocks, on the I/O thread that read its end: {@link #readWithoutBlocking}). A body
 * not whole within the body timeout (counted from the request's first byte) gets 408 and the connection is closed.
 * The size limit stays with the handlers in front, whose 413 fails the read: the {@code SizeLimitHandler}, and on
 * HTTP/2 {@link Http2BodyLimit}, which answers the 413 and then drops the rest of the body.
 */
public final class RequestBody {

    /** What to do with a whole body. */
    @FunctionalInterface
    public interface Consumer {
        void accept(byte[] body) throws Exception;
    }

    private RequestBody() {
    }

    /**
     * Reads the body of {@code request} and gives it to {@code then}, which may block: now on this thread if it has all
     * arrived, otherwise later on a thread of the server's pool; or answers the request itself if the body fails (413
     * and other HTTP errors through Jetty's error handler, 408 after {@code timeout}). Either way {@code callback} is
     * completed exactly once: by {@code then}'s reply, or here.
     */
    public static void read(Request request, Response response, Callback callback, Duration timeout, Consumer then) {
        start(new Read(request, response, callback, then, Invocable.InvocationType.BLOCKING), timeout);
    }

    /**
     * As {@link #read}, for a handler declared non-blocking whose {@code then} never waits: a body still on its way is
     * given to {@code then} on the I/O thread that read its last bytes, so no thread is woken for it either.
     */
    public static void readWithoutBlocking(Request request, Response response, Callback callback, Duration timeout,
            Consumer then) {
        start(new Read(request, response, callback, then, Invocable.InvocationType.NON_BLOCKING), timeout);
    }

    private static void start(Read read, Duration timeout) {
        // Jetty reads every chunk there is and, when it runs out, demands the rest and returns; the promise is
        // completed before this returns when the body came with the headers.
        Content.Source.asByteBuffer(read.request, read);
        read.returned(timeout);
    }

    /**
     * One body's read. Three parties may finish it (the reading thread, Jetty completing the promise, the deadline),
     * so its state says who: a promise completed while the reading thread is still inside Jetty's read leaves the
     * body to that thread; one completed later hands it to the pool; the deadline answers only a body still awaited.
     */
    private static final class Read implements Promise<ByteBuffer>, Invocable {
        private static final int READING = 0;
        private static final int ARRIVED = 1;
        private static final int WAITING = 2;
        private static final int ANSWERED = 3;

        private final AtomicInteger state = new AtomicInteger(READING);
        private final Request request;
        private final Response response;
        private final Callback callback;
        private final Consumer then;
        /** How Jetty may complete the read: NON_BLOCKING lets it do so on an I/O thread, which then runs {@code then}. */
        private final InvocationType invocationType;
        private volatile byte[] body;
        private volatile Throwable failure;
        private volatile Scheduler.Task deadline;

        Read(Request request, Response response, Callback callback, Consumer then, InvocationType invocationType) {
            this.request = request;
            this.response = response;
            this.callback = callback;
            this.then = then;
            this.invocationType = invocationType;
        }

        /** Jetty's demand for the rest of the body takes this type from here. */
        @Override
        public InvocationType getInvocationType() {
            return invocationType;
        }

        @Override
        public void succeeded(ByteBuffer buffer) {
            body = BufferUtil.toArray(buffer);
            arrived();
        }

        @Override
        public void failed(Throwable x) {
            failure = x;
            arrived();
        }

        /** Called by the reading thread once Jetty's read returned. */
        void returned(Duration timeout) {
            if (!state.compareAndSet(READING, WAITING)) {
                // The common case: the body came with the headers, and runs here without a hand-off.
                finish();
                return;
            }
            Duration elapsed = Duration.ofNanos(System.nanoTime() - request.getBeginNanoTime());
            deadline = request.getComponents().getScheduler().schedule(() -> {
                if (state.compareAndSet(WAITING, ANSWERED)) {
                    timedOut();
                }
            }, timeout.minus(elapsed));
            if (state.get() != WAITING) {
                // The body arrived while the deadline was being set, and has been handed to the pool.
                deadline.cancel();
            }
        }

        private void arrived() {
            if (state.compareAndSet(READING, ARRIVED)) {
                return;
            }
            if (state.compareAndSet(WAITING, ANSWERED)) {
                Scheduler.Task pending = deadline;
                if (pending != null) {
                    pending.cancel();
                }
                if (invocationType == InvocationType.NON_BLOCKING) {
                    finish();
                } else {
                    // This may be Jetty's selector thread, which must never run what may block: hand it to the pool.
                    request.getComponents().getExecutor().execute(this::finish);
                }
            }
        }

        private void finish() {
            Throwable x = failure;
            if (x == null) {
                try {
                    then.accept(body);
                } catch (Throwable e) {
                    // Jetty answers a failed callback with a 500 through the error handler, or aborts a committed
                    // response.
                    callback.failed(e);
                }
            } else if (x instanceof TimeoutException) {
                // Jetty's idle timeout (listen-timeout) ended the wait before the body deadline did.
                timedOut();
            } else {
                // An HttpException (413 from the size limit, 400 for broken chunking) keeps its status; anything
                // else, such as a client that went away, is Jetty's to answer or abort.
                callback.failed(x);
            }
        }

        /**
         * 408 through the error handler, which writes the JSON error; Jetty adds {@code Connection: close} and closes
         * the connection, as the rest of the body was never read.
         */
        private void timedOut() {
            Response.writeError(request, response, callback, 408);
        }
    }
}
