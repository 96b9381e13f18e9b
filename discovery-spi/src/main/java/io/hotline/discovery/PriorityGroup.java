package io.hotline.discovery;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.TreeMap;

/**
 * The endpoints of one {@link Endpoint#priority() priority} in a {@link Resolution}, with what a weighted pick needs
 * worked out once, when the resolution is built: the running sums of their weights, so that a pick is a random number
 * and a binary search.
 *
 * <p>Weight 0 follows RFC 2782: such an endpoint is picked only when every endpoint of its priority has weight 0, and
 * then all of them are picked alike. A group whose weights are all equal (the common case: every endpoint of weight 1)
 * is picked exactly as before priorities and weights existed, without the sums.
 */
final class PriorityGroup {

    /**
     * Sums up to this keep {@code turn * stride} within a long; past it (some 46,000 endpoints of the greatest
     * weight in one priority) round robin visits the endpoints in runs instead of interleaved.
     */
    private static final long MAX_INTERLEAVED_TOTAL = 1L << 31;
    /** (sqrt(5) - 1) / 2: a stride of this fraction of the total spreads consecutive turns evenly over it. */
    private static final double GOLDEN = 0.6180339887498949;

    private final int priority;
    /** Indexes into the resolution's endpoints, in their order there. */
    private final int[] members;
    /** Weights of the members, in the same order. */
    private final int[] weights;
    /** {@code cumulative[k]} is the sum of the weights of members 0 to k; null when all weights are equal. */
    private final long[] cumulative;
    private final long total;
    /** Coprime with {@link #total}, so that {@code turn * stride mod total} visits every point once per cycle. */
    private final long stride;

    private PriorityGroup(int priority, int[] members, int[] weights) {
        this.priority = priority;
        this.members = members;
        this.weights = weights;
        int first = weights[0];
        boolean equal = Arrays.stream(weights).allMatch(w -> w == first);
        if (equal) {
            cumulative = null;
            total = 0;
            stride = 1;
            return;
        }
        cumulative = new long[weights.length];
        long sum = 0;
        for (int k = 0; k < weights.length; k++) {
            sum += weights[k];
            cumulative[k] = sum;
        }
        total = sum;
        stride = total <= MAX_INTERLEAVED_TOTAL ? coprimeStride(total) : 1;
    }

    /** The groups of {@code endpoints}, lowest priority first; none for no endpoints. */
    static PriorityGroup[] of(List<Endpoint> endpoints) {
        TreeMap<Integer, List<Integer>> byPriority = new TreeMap<>();
        for (int i = 0; i < endpoints.size(); i++) {
            byPriority.computeIfAbsent(endpoints.get(i).priority(), p -> new ArrayList<>()).add(i);
        }
        PriorityGroup[] groups = new PriorityGroup[byPriority.size()];
        int g = 0;
        for (var e : byPriority.entrySet()) {
            int[] members = e.getValue().stream().mapToInt(Integer::intValue).toArray();
            int[] weights = Arrays.stream(members).map(i -> endpoints.get(i).weight()).toArray();
            groups[g++] = new PriorityGroup(e.getKey(), members, weights);
        }
        return groups;
    }

    private static long coprimeStride(long total) {
        long s = Math.max(1, Math.round(total * GOLDEN));
        while (gcd(s, total) != 1) {
            s++;
        }
        return s;
    }

    private static long gcd(long a, long b) {
        while (b != 0) {
            long t = a % b;
            a = b;
            b = t;
        }
        return a;
    }

    int priority() {
        return priority;
    }

    int size() {
        return members.length;
    }

    /** The endpoint index of member {@code k}. */
    int endpoint(int k) {
        return members[k];
    }

    int weight(int k) {
        return weights[k];
    }

    /**
     * Whether every member has the same weight, so that each gets the same share (weight 0 included: when all are 0,
     * all are picked alike).
     */
    boolean equalWeights() {
        return cumulative == null;
    }

    /** The sum of the weights; only for groups of unequal weights. */
    long total() {
        return total;
    }

    /**
     * The member whose share of {@code [0, total)} holds {@code point}: the first whose running sum exceeds it, so a
     * member of weight 0, whose share is empty, never is.
     */
    int memberAt(long point) {
        int lo = 0;
        int hi = cumulative.length - 1;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (cumulative[mid] > point) {
                hi = mid;
            } else {
                lo = mid + 1;
            }
        }
        return lo;
    }

    /** Where member {@code k}'s share of {@code [0, total)} starts. */
    long shareStart(int k) {
        return cumulative[k] - weights[k];
    }

    /**
     * The point of {@code [0, total)} that round-robin turn {@code turn} lands on: every point once in {@code total}
     * consecutive turns, so each member gets exactly its weight's turns per cycle, and consecutive turns a stride
     * of about 0.618 of the total apart, so a heavy member's turns are spread out rather than taken in a run.
     */
    long turnPoint(int turn) {
        long t = Math.floorMod((long) turn, total);
        return t * stride % total;
    }
}
