package io.hotline.discovery;

import java.util.concurrent.ThreadLocalRandom;

/**
 * How a {@link Directory} picks one endpoint among the equally near endpoints of the best
 * {@link Endpoint#priority() priority} a query resolves to, each with a share proportional to its
 * {@link Endpoint#weight() weight}. Endpoints of weight 0 are picked only when their whole priority has weight 0, and
 * then alike. When all weights are equal, each strategy picks exactly as it would without weights.
 *
 * <pre>{@code
 * Directory dir = Directory.builder(store).strategy(SelectionStrategy.LEAST_IN_FLIGHT).build();
 * }</pre>
 */
public enum SelectionStrategy {

    /** At random, in proportion to the weights (RFC 2782's weighted selection); the http driver proposal's default. */
    RANDOM {
        @Override
        int pick(Resolution r, PriorityGroup g) {
            ThreadLocalRandom random = ThreadLocalRandom.current();
            if (g.equalWeights()) {
                return g.endpoint(random.nextInt(g.size()));
            }
            return g.endpoint(g.memberAt(random.nextLong(g.total())));
        }
    },

    /**
     * In turn, starting at a random place so that many clients do not all start on the same endpoint. With unequal
     * weights it is a weighted turn, not nginx's smooth weighted round robin (which needs a lock per pick): in every
     * run of as many turns as the weights add up to, each endpoint gets exactly its weight's turns, at places spread
     * over the run by a golden-ratio stride, so a heavy endpoint's turns are interleaved with the others' rather than
     * taken in a row.
     */
    ROUND_ROBIN {
        @Override
        int pick(Resolution r, PriorityGroup g) {
            int turn = r.nextTurn();
            if (g.equalWeights()) {
                return g.endpoint(Math.floorMod(turn, g.size()));
            }
            return g.endpoint(g.memberAt(g.turnPoint(turn)));
        }
    },

    /**
     * The one with fewer calls in flight from this directory, of two chosen at random ("power of two choices"):
     * close to least-loaded without a global scan or herding onto one idle endpoint. With unequal weights the two are
     * drawn by weight and compared by calls in flight per unit of weight, so an endpoint of weight 3 is as loaded
     * with three calls as one of weight 1 with one.
     */
    LEAST_IN_FLIGHT {
        @Override
        int pick(Resolution r, PriorityGroup g) {
            int n = g.size();
            if (n == 1) {
                return g.endpoint(0);
            }
            ThreadLocalRandom random = ThreadLocalRandom.current();
            if (g.equalWeights()) {
                int a = random.nextInt(n);
                int b = random.nextInt(n - 1);
                if (b >= a) {
                    b++;
                }
                int ea = g.endpoint(a);
                int eb = g.endpoint(b);
                return r.inFlight(ea).get() <= r.inFlight(eb).get() ? ea : eb;
            }
            long total = g.total();
            int a = g.memberAt(random.nextLong(total));
            long wa = g.weight(a);
            if (wa == total) {
                // Every other member has weight 0: none of them is a candidate while this one is.
                return g.endpoint(a);
            }
            // The second one by weight among the others: a point outside a's share.
            long point = random.nextLong(total - wa);
            if (point >= g.shareStart(a)) {
                point += wa;
            }
            int b = g.memberAt(point);
            long loadA = (long) r.inFlight(g.endpoint(a)).get() * g.weight(b);
            long loadB = (long) r.inFlight(g.endpoint(b)).get() * wa;
            return g.endpoint(loadA <= loadB ? a : b);
        }
    };

    /** Index of the chosen endpoint in {@code r}; one of {@code g}'s, which has at least one. */
    abstract int pick(Resolution r, PriorityGroup g);
}
