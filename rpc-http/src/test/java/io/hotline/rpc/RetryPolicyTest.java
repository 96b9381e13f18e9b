package io.hotline.rpc;

import static org.assertj.core.api.Assertions.assertThat;

import io.hotline.rpc.RetryPolicy.Outcome;
import io.hotline.rpc.RetryPolicy.Start;
import java.io.EOFException;
import java.net.ConnectException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;

/** The at-most-once rule on its own: what a try came to, whether it goes again, whether the next one starts. */
class RetryPolicyTest {

    private static final long PLENTY = TimeUnit.SECONDS.toNanos(10);
    private final RetryPolicy once = new RetryPolicy(false);
    private final RetryPolicy idempotent = new RetryPolicy(true);

    @Test
    void anAnswerIsTheOutcomeAndA503IsBusy() {
        assertThat(Outcome.of(200, null, true)).isEqualTo(Outcome.ANSWERED);
        assertThat(Outcome.of(500, null, true)).isEqualTo(Outcome.ANSWERED);
        assertThat(Outcome.of(504, null, true)).isEqualTo(Outcome.ANSWERED);
        assertThat(Outcome.of(503, null, true)).isEqualTo(Outcome.BUSY);
    }

    @Test
    void aFailureBeforeAConnectionWasItsOwnWasNeverSentAndOneAfterMayHaveRun() {
        assertThat(Outcome.of(0, new ConnectException("refused"), false)).isEqualTo(Outcome.NEVER_SENT);
        assertThat(Outcome.of(0, new EOFException("closed"), false)).isEqualTo(Outcome.NEVER_SENT);
        assertThat(Outcome.of(0, new EOFException("closed"), true)).isEqualTo(Outcome.MAY_HAVE_RUN);
        assertThat(Outcome.of(0, new RuntimeException(new EOFException()), true)).isEqualTo(Outcome.MAY_HAVE_RUN);
    }

    @Test
    void noAnswerInTimeIsTimedOutWhetherSentOrNot() {
        assertThat(Outcome.of(0, new TimeoutException(), false)).isEqualTo(Outcome.TIMED_OUT);
        assertThat(Outcome.of(0, new RuntimeException(new TimeoutException()), true)).isEqualTo(Outcome.TIMED_OUT);
    }

    @Test
    void whatNeverReachedAServerGoesAgain() {
        assertThat(once.tryAgain(Outcome.NEVER_SENT, 1, PLENTY)).isTrue();
        assertThat(once.tryAgain(Outcome.BUSY, 1, PLENTY)).isTrue();
    }

    @Test
    void whatMayHaveRunGoesAgainOnlyIfIdempotent() {
        assertThat(once.tryAgain(Outcome.MAY_HAVE_RUN, 1, PLENTY)).isFalse();
        assertThat(idempotent.tryAgain(Outcome.MAY_HAVE_RUN, 1, PLENTY)).isTrue();
    }

    @Test
    void anAnswerOrATimeoutNeverGoesAgain() {
        for (RetryPolicy policy : new RetryPolicy[] {once, idempotent}) {
            assertThat(policy.tryAgain(Outcome.ANSWERED, 1, PLENTY)).isFalse();
            assertThat(policy.tryAgain(Outcome.TIMED_OUT, 1, PLENTY)).isFalse();
        }
    }

    @Test
    void nothingGoesAgainAfterTheLastTryOrTheDeadline() {
        for (Outcome outcome : Outcome.values()) {
            assertThat(idempotent.tryAgain(outcome, RetryPolicy.MAX_TRIES, PLENTY)).as(outcome.name()).isFalse();
            assertThat(idempotent.tryAgain(outcome, 1, 0)).as(outcome.name()).isFalse();
            assertThat(idempotent.tryAgain(outcome, 1, -1)).as(outcome.name()).isFalse();
        }
        assertThat(once.tryAgain(Outcome.BUSY, RetryPolicy.MAX_TRIES - 1, 1)).isTrue();
    }

    @Test
    void aServerThatSaidBusyIsWaitedForOnlyIfItsWaitEndsBeforeTheDeadline() {
        assertThat(RetryPolicy.start(TimeUnit.SECONDS.toNanos(1), PLENTY, true)).isEqualTo(Start.WAIT);
        assertThat(RetryPolicy.start(PLENTY, PLENTY, true)).isEqualTo(Start.BUSY_PAST_DEADLINE);
        assertThat(RetryPolicy.start(PLENTY + 1, PLENTY, true)).isEqualTo(Start.BUSY_PAST_DEADLINE);
    }

    @Test
    void aRetryWithLessThanTheShortestTryLeftIsNotSent() {
        assertThat(RetryPolicy.start(0, RetryPolicy.MIN_TRY_NANOS - 1, true)).isEqualTo(Start.TOO_LATE);
        assertThat(RetryPolicy.start(0, RetryPolicy.MIN_TRY_NANOS, true)).isEqualTo(Start.SEND);
        assertThat(RetryPolicy.start(-5, PLENTY, true)).isEqualTo(Start.SEND);
    }

    @Test
    void theFirstTryIsSentHoweverLittleTimeIsLeft() {
        assertThat(RetryPolicy.start(0, 1, false)).isEqualTo(Start.SEND);
    }

    @Test
    void onlyAServerThatDidNotAnswerAtAllIsEjected() {
        assertThat(RetryPolicy.unanswered(new ConnectException())).isTrue();
        assertThat(RetryPolicy.unanswered(new RuntimeException(new TimeoutException()))).isTrue();
        assertThat(RetryPolicy.unanswered(new EOFException())).isFalse();
        assertThat(RetryPolicy.unanswered(null)).isFalse();
    }
}
