package io.hotline.rpc.server.internal.http;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import org.eclipse.jetty.http.BadMessageException;
import org.eclipse.jetty.http.HttpException;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.http.HttpVersion;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.thread.Invocable;
import org.eclipse.jetty.util.thread.Scheduler;

/**
 * The body limit on HTTP/2 streams: a request answered before its body was read (413 for a body over the limit, or
 * any refusal that does not read the body) has the rest of its body read and dropped before its stream completes,
 * within the body timeout; HTTP/1.1 requests pass through untouched, to the {@code SizeLimitHandler} behind.
 *
 * <p>Jetty completes a stream whose body is unread by resetting it (RST_STREAM NO_ERROR, as RFC 9113 8.1 allows).
 * Two things then broke h2c clients. Jetty's HTTP/2 client aborts an exchange on any reset, also one after the whole
 * answer arrived, so the 413 was lost whenever the reset was processed before the answer's body was read. And the
 * DATA frames the client had in flight (up to the stream's flow-control window, dozens of frames) reach the server
 * for a stream it no longer knows; Jetty's rate control counts each as an invalid frame and, past its limit,
 * closes the connection with GOAWAY ENHANCE_YOUR_CALM, failing every other call on it. Reading the body to its end
 * instead closes the stream the ordinary way, with no reset and no frames for an unknown stream. A body over the
 * limit sent without a Content-Length is refused at the limit here too, as the {@code SizeLimitHandler} would, but
 * without failing the request's content, which has to stay readable to be dropped.
 */
final class Http2BodyLimit extends Handler.Wrapper {

    private final long maxBodyBytes;
    private final Duration bodyTimeout;

    Http2BodyLimit(long maxBodyBytes, Duration bodyTimeout) {
        this.maxBodyBytes = maxBodyBytes;
        this.bodyTimeout = bodyTimeout;
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) throws Exception {
        if (request.getConnectionMetaData().getHttpVersion() != HttpVersion.HTTP_2) {
            return super.handle(request, response, callback);
        }
        Limited limited = new Limited(request);
        return super.handle(limited, response, new Callback.Nested(callback) {
            @Override
            public void succeeded() {
                afterTheBody(request, () -> super.succeeded());
            }

            @Override
            public void failed(Throwable x) {
                if (x instanceof HttpException && !response.isCommitted()) {
                    // Jetty writes the error's answer only once the failure is passed on, which waits for the body's
                    // end: a body sent without a length and refused at the limit would get its 413 after it all
                    // arrived, or at the body timeout together with the reset. Answer first, then drop the rest.
                    Response.writeError(limited, response, Callback.from(
                            () -> afterTheBody(request, () -> super.succeeded()),
                            failure -> afterTheBody(request, () -> super.failed(failure))), x);
                    return;
                }
                afterTheBody(request, () -> super.failed(x));
            }
        });
    }

    /**
     * Runs {@code then} once the rest of the body is read and dropped, or at the body timeout, whichever is first: a
     * body still arriving then is left to Jetty's reset, and one that stalled has nothing in flight that the reset
     * could make trouble with.
     */
    private void afterTheBody(Request request, Runnable then) {
        // Nearly every call has read its body to the end: it costs one read here, and no deadline.
        Content.Chunk next = request.read();
        if (next != null) {
            boolean last = next.isLast();
            next.release();
            if (last) {
                then.run();
                return;
            }
        }
        Duration left = bodyTimeout.minusNanos(System.nanoTime() - request.getBeginNanoTime());
        if (left.isNegative() || left.isZero()) {
            then.run();
            return;
        }
        AtomicBoolean done = new AtomicBoolean();
        Runnable once = () -> {
            if (done.compareAndSet(false, true)) {
                then.run();
            }
        };
        Scheduler.Task deadline = request.getComponents().getScheduler().schedule(once, left);
        // Completing the response never blocks, so the I/O thread that reads the body's end may complete it. A failed
        // read (the stream idle timeout, a client that went away) ends the wait as well.
        Content.Source.consumeAll(request, Callback.from(Invocable.InvocationType.NON_BLOCKING, () -> {
            deadline.cancel();
            once.run();
        }, x -> {
            deadline.cancel();
            once.run();
        }));
    }

    /** The request as the handlers behind read it: ending, once over the limit, in a 413 that leaves the rest unread. */
    private final class Limited extends Request.Wrapper {
        private long read;
        private Content.Chunk refusal;

        Limited(Request request) {
            super(request);
        }

        /**
         * Says the body is not consumed, and leaves it as it is: Jetty's own consuming, as an early answer is written,
         * would fail the rest of an HTTP/2 body, which is read to its end before the stream completes instead.
         */
        @Override
        public boolean consumeAvailable() {
            return false;
        }

        @Override
        public Content.Chunk read() {
            if (refusal != null) {
                return refusal;
            }
            Content.Chunk chunk = super.read();
            if (chunk == null || Content.Chunk.isFailure(chunk)) {
                return chunk;
            }
            read += chunk.remaining();
            if (read <= maxBodyBytes) {
                return chunk;
            }
            chunk.release();
            refusal = Content.Chunk.from(new BadMessageException(HttpStatus.PAYLOAD_TOO_LARGE_413,
                    "Request body is too large: " + read + ">" + maxBodyBytes), true);
            return refusal;
        }
    }
}
