package io.hotline.benchmarks;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The median of a measurement's samples and their range, as the store benchmarks print them.
 *
 * <pre>{@code
 * Spread s = Spread.of(List.of(12.0, 9.5, 30.1));   // median 12.0, lowest 9.5, highest 30.1
 * }</pre>
 */
record Spread(double median, double lowest, double highest) {

    /**
     * @throws IllegalArgumentException if there are no samples
     */
    static Spread of(List<Double> samples) {
        if (samples.isEmpty()) {
            throw new IllegalArgumentException("no samples to take a median of");
        }
        List<Double> sorted = new ArrayList<>(samples);
        Collections.sort(sorted);
        int n = sorted.size();
        double median = n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
        return new Spread(median, sorted.get(0), sorted.get(n - 1));
    }

    /** {@code median (lowest-highest)}, with {@link Report#number}'s precision. */
    String text() {
        return Report.number(median) + " (" + Report.number(lowest) + "-" + Report.number(highest) + ")";
    }
}
