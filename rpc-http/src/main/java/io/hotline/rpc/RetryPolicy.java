package io.hotline.rpc;

import java.net.ConnectException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The client's at-most-once rule, without HTTP: what one try came to, whether the message is tried again, and whether
 * the next try may start. A message that never reached a server (refused, never given a connection) or that a server
 * refused before any work (503) may go again; one that may have reached a server goes again only if idempotent; none
 * goes again after its timeout or after {@value #MAX_TRIES} tries.
 *
 * <pre>{@code
 * RetryPolicy policy = new RetryPolicy(false);
 * if (policy.tryAgain(RetryPolicy.Outcome.of(503, null, true), 1, nanosLeft)) { ... }
 * }</pre>
 *
 * @param idempotent whether the message is safe to run twice
 */
record RetryPolicy(boolean idempotent) {

    /** Tries of one message at most. */
    static final int MAX_TRIES = 3;
    /** Less than this left of a timeout is not worth another try: no server answers that fast. */
    static final long MIN_TRY_NANOS = TimeUnit.MILLISECONDS.toNanos(1);

    /** What one try came to, as far as sending it again goes. */
    enum Outcome {
        /** A server answered, other than busy: the answer is the result, whatever it says. */
        ANSWERED,
        /** A server refused it before any work (503). */
        BUSY,
        /** It failed before a connection was its own (refused, say): nothing was written, so nothing ran. */
        NEVER_SENT,
        /** It broke after it was written: the server may have run it. */
        MAY_HAVE_RUN,
        /** No answer in time, sent or not: the timeout is used up. */
        TIMED_OUT;

        /**
         * @param status the answer's HTTP status (ignored after a failure)
         * @param failure why there was no answer, or null
         * @param begun whether the request had a connection of its own, so that its bytes may have left
         */
        static Outcome of(int status, Throwable failure, boolean begun) {
            if (failure == null) {
                return status == 503 ? BUSY : ANSWERED;
            }
            if (causedBy(failure, TimeoutException.class)) {
                return TIMED_OUT;
            }
            return begun ? MAY_HAVE_RUN : NEVER_SENT;
        }
    }

    /** What to do before a try, about the server picked for it. */
    enum Start {
        /** Send it now. */
        SEND,
        /** The server picked said busy and asked for a wait that ends before the deadline: wait, then pick again. */
        WAIT,
        /** Every server it may go to said busy until after the deadline: fail with ServerBusy, nothing ran. */
        BUSY_PAST_DEADLINE,
        /** A retry with too little time left to get an answer: fail with MessagingTimeout, nothing ran. */
        TOO_LATE
    }

    /**
     * Whether the message goes again after a try.
     *
     * @param sent the tries so far, this one included
     * @param nanosLeft what is left of the timeout now
     */
    boolean tryAgain(Outcome outcome, int sent, long nanosLeft) {
        boolean triesLeft = sent < MAX_TRIES && nanosLeft > 0;
        return switch (outcome) {
            case BUSY, NEVER_SENT -> triesLeft;
            case MAY_HAVE_RUN -> idempotent && triesLeft;
            case ANSWERED, TIMED_OUT -> false;
        };
    }

    /**
     * Whether a try starts now. The picker prefers servers not tried yet, so a server picked that asked to wait means
     * every server the message may go to did.
     *
     * @param busyForNanos how much longer the server picked asked not to be sent it (0 or less: it did not)
     * @param nanosLeft what is left of the timeout
     * @param retry whether a try went before
     */
    static Start start(long busyForNanos, long nanosLeft, boolean retry) {
        if (busyForNanos > 0) {
            return busyForNanos >= nanosLeft ? Start.BUSY_PAST_DEADLINE : Start.WAIT;
        }
        // A retry that starts this late (a Retry-After wait that ran long on a busy machine) could not get an answer
        // in time; sent with what is left, the server would refuse it as expired anyway.
        return retry && nanosLeft < MIN_TRY_NANOS ? Start.TOO_LATE : Start.SEND;
    }

    /** Whether the server did not answer at all, refused or silent: the directory ejects it for a while. */
    static boolean unanswered(Throwable failure) {
        return causedBy(failure, ConnectException.class) || causedBy(failure, TimeoutException.class);
    }

    static boolean causedBy(Throwable t, Class<? extends Throwable> type) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (type.isInstance(c)) {
                return true;
            }
        }
        return false;
    }
}
