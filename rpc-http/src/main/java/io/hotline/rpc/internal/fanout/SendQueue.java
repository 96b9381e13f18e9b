package io.hotline.rpc.internal.fanout;

import io.hotline.discovery.Endpoint;
import io.hotline.rpc.FanoutReport.Delivery;
import io.hotline.rpc.FanoutReport.Outcome;
import io.hotline.rpc.ServerBusy;
import io.hotline.rpc.internal.fanout.FanoutEngine.Fanout;
import io.hotline.rpc.internal.wire.JsonPost;
import io.hotline.rpc.internal.wire.Wire;
import java.io.IOException;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.jetty.client.ContentResponse;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.client.Request;

/**
 * The casts an engine sends itself: one queue of targets across all fanouts, at most {@code maxConcurrent} requests in
 * flight, each with the per-target timeout, and each target's outcome. A send that completes starts the next, so no
 * thread blocks on the bound. Also the bound on targets waiting, those handed to peers included, as each holds memory
 * until its outcome is known.
 *
 * <p>Delivery is at most once per server: only a refused connection (the server cannot have seen the cast) is tried a
 * second time; a timeout or a broken exchange may have delivered it, and is reported, not repeated.
 */
final class SendQueue {

    /** A server's answer to a cast is a small JSON object; more than this is not a Hotline server. */
    private static final int MAX_ANSWER_BYTES = 64 * 1024;

    private final HttpClient http;
    private final Duration perTarget;
    private final int maxPending;
    private final FanoutEngine.Observer observer;
    private final Semaphore permits;
    /** Set while a thread drains the queue, so that {@link #pump()} never nests on one thread. */
    private final ThreadLocal<Boolean> draining = ThreadLocal.withInitial(() -> false);
    private final AtomicInteger pending = new AtomicInteger();
    private final ConcurrentLinkedQueue<Job> queue = new ConcurrentLinkedQueue<>();

    SendQueue(HttpClient http, FanoutEngine.Settings settings, FanoutEngine.Observer observer) {
        this.http = http;
        this.perTarget = settings.perTarget();
        this.maxPending = settings.maxPending();
        this.observer = observer;
        this.permits = new Semaphore(settings.maxConcurrent());
    }

    /**
     * Counts {@code targets} more as waiting until each is {@linkplain #settle settled}.
     *
     * @throws ServerBusy if that would exceed the bound on waiting targets; nothing is counted then
     */
    void admit(int targets) {
        if (targets > 0 && pending.addAndGet(targets) > maxPending) {
            pending.addAndGet(-targets);
            throw new ServerBusy(targets + " more targets would exceed the " + maxPending + " allowed to wait");
        }
    }

    /** Queues targets {@code from..to} of {@code fanout} for a first attempt; {@link #pump()} sends them. */
    void add(Fanout fanout, int from, int to) {
        for (int i = from; i < to; i++) {
            queue.add(new Job(fanout, i, fanout.endpoint(i), 1));
        }
    }

    /**
     * Starts queued jobs while permits last. Called after every enqueue and every completion, also from inside a send
     * that completed on the calling thread (as every send does once the client is stopped): such a nested call returns
     * at once, as the drain further up its stack looks again, so the stack stays flat however long the queue. Threads
     * do not wait for each other: each completion sends the next job on its own thread, so sending uses every core.
     */
    void pump() {
        if (draining.get()) {
            return;
        }
        draining.set(true);
        try {
            drain();
        } finally {
            draining.remove();
        }
    }

    /** Records a target's outcome that this queue did not send (a peer's report on it) and stops counting it. */
    void settle(Fanout fanout, int index, Delivery delivery) {
        pending.decrementAndGet();
        fanout.settle(index, delivery);
    }

    private void drain() {
        while (!queue.isEmpty()) {
            if (!permits.tryAcquire()) {
                return;
            }
            Job job = queue.poll();
            if (job == null) {
                // Another thread took it; give the permit back and look again, or a job queued meanwhile would wait
                // for a completion that may never come.
                permits.release();
                continue;
            }
            send(job);
        }
    }

    private void send(Job job) {
        Fanout f = job.fanout;
        Request request = JsonPost.to(http, job.endpoint.baseUri(), Wire.RPC_PATH + f.order().service(),
                f.order().castBody(), perTarget.toMillis(), f.order().authorization(), f.order().trace());
        CompletableFuture<ContentResponse> sent;
        try {
            sent = JsonPost.send(request, MAX_ANSWER_BYTES);
        } catch (RuntimeException e) {
            // The client is stopping: nothing was sent.
            permits.release();
            sent(f, job.index, new Delivery(job.endpoint.id(), job.endpoint.server(), Outcome.ERROR, null,
                    e.toString()));
            return;
        }
        sent.whenComplete((response, failure) -> {
            permits.release();
            if (failure != null && job.attempt == 1 && causedBy(failure, ConnectException.class)) {
                // Refused: the server never saw it, so once more is safe (it may have been restarting).
                observer.retrying(job.endpoint);
                queue.add(new Job(f, job.index, job.endpoint, 2));
            } else {
                sent(f, job.index, outcome(job.endpoint, response, failure));
            }
            pump();
        });
    }

    private void sent(Fanout f, int index, Delivery delivery) {
        observer.delivery(delivery.outcome());
        settle(f, index, delivery);
    }

    private Delivery outcome(Endpoint e, ContentResponse response, Throwable failure) {
        if (failure == null) {
            int status = response.getStatus();
            if (status >= 200 && status < 300) {
                return new Delivery(e.id(), e.server(), Outcome.DELIVERED, status, null);
            }
            return new Delivery(e.id(), e.server(), Outcome.REJECTED, status, errorMessage(response));
        }
        if (causedBy(failure, ConnectException.class)) {
            return new Delivery(e.id(), e.server(), Outcome.REFUSED, null,
                    "connection refused at " + e.baseUri() + ", also on the retry");
        }
        if (causedBy(failure, TimeoutException.class) || causedBy(failure, SocketTimeoutException.class)) {
            return new Delivery(e.id(), e.server(), Outcome.TIMED_OUT, null, "no answer from " + e.baseUri()
                    + " within " + perTarget + "; it may still run the cast");
        }
        return new Delivery(e.id(), e.server(), Outcome.ERROR, null,
                "the exchange with " + e.baseUri() + " broke: " + failure);
    }

    /** The Hotline error in an answer ({@code type: message}), or its status when it has none; also for peers. */
    static String errorMessage(ContentResponse response) {
        try {
            Wire.ErrorBody body = Wire.ERROR_READER.readValue(response.getContent());
            if (body.error() != null) {
                return body.error().type() + ": " + body.error().message();
            }
        } catch (IOException | RuntimeException ignored) {
            // not a Hotline error body; say what we have
        }
        return "HTTP " + response.getStatus() + " without a Hotline error body";
    }

    /** Whether a failed exchange failed for want of a connection; also for peers. */
    static boolean refused(Throwable failure) {
        return causedBy(failure, ConnectException.class);
    }

    private static boolean causedBy(Throwable t, Class<? extends Throwable> type) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (type.isInstance(c)) {
                return true;
            }
        }
        return false;
    }

    private record Job(Fanout fanout, int index, Endpoint endpoint, int attempt) {}
}
