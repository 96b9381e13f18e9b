package io.hotline.discovery;

import java.util.concurrent.ThreadLocalRandom;

/**
 * How a {@link Directory} picks one endpoint among the equally near ones a query resolves to.
 *
 * <pre>{@code
 * Directory dir = Directory.builder(store).strategy(SelectionStrategy.LEAST_IN_FLIGHT).build();
 * }</pre>
 */
public enum SelectionStrategy {

    /** Uniformly at random; the http driver proposal's default. */
    RANDOM {
        @Override
        int pick(Resolution r) {
            return ThreadLocalRandom.current().nextInt(r.size());
        }
    },

    /** In turn, starting at a random place so that many clients do not all start on the same endpoint. */
    ROUND_ROBIN {
        @Override
        int pick(Resolution r) {
            return Math.floorMod(r.nextTurn(), r.size());
        }
    },

    /**
     * The one with fewer calls in flight from this directory, of two chosen at random ("power of two choices"):
     * close to least-loaded without a global scan or herding onto one idle endpoint.
     */
    LEAST_IN_FLIGHT {
        @Override
        int pick(Resolution r) {
            int n = r.size();
            if (n == 1) {
                return 0;
            }
            ThreadLocalRandom random = ThreadLocalRandom.current();
            int a = random.nextInt(n);
            int b = random.nextInt(n - 1);
            if (b >= a) {
                b++;
            }
            return r.inFlight(a).get() <= r.inFlight(b).get() ? a : b;
        }
    };

    /** Index of the chosen endpoint; {@code r} has at least one. */
    abstract int pick(Resolution r);
}
