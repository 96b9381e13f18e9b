package io.hotline.benchmarks;

import org.HdrHistogram.AbstractHistogram;

/**
 * What one measured phase saw: requests completed and failed inside the measurement window, the window's length,
 * and the latencies of the completed ones in nanoseconds.
 *
 * @param firstError the first failure's description, or null when none failed
 */
record Measurement(long completed, long failed, double seconds, AbstractHistogram latencies, String firstError) {

    /** Completed requests per second. */
    double rate() {
        return completed / seconds;
    }

    double p50Micros() {
        return latencies.getValueAtPercentile(50) / 1_000.0;
    }

    double p99Micros() {
        return latencies.getValueAtPercentile(99) / 1_000.0;
    }
}
