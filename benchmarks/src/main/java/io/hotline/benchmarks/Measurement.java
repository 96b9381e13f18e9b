package io.hotline.benchmarks;

import org.HdrHistogram.AbstractHistogram;

/**
 * What one measured phase saw: requests completed and failed inside the measurement window, the window's length,
 * the latencies of the completed ones in nanoseconds, and the CPU the contender spent in the window.
 *
 * @param firstError the first failure's description, or null when none failed
 * @param cpu what the contender's {@link CpuMeter} counted from the window's start to its end
 */
record Measurement(long completed, long failed, double seconds, AbstractHistogram latencies, String firstError,
        CpuTime cpu) {

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

    /** CPU microseconds per completed request, client, server and broker together; NaN if none completed. */
    double cpuMicrosPerMessage() {
        return perMessage(cpu.total());
    }

    /** The client's (with the load driver's) CPU microseconds per completed request. */
    double clientMicrosPerMessage() {
        return perMessage(cpu.client());
    }

    /** The server's CPU microseconds per completed request. */
    double serverMicrosPerMessage() {
        return perMessage(cpu.server());
    }

    /** The broker's CPU microseconds per completed request (0 without a broker). */
    double brokerMicrosPerMessage() {
        return perMessage(cpu.broker());
    }

    private double perMessage(double cpuSeconds) {
        return completed == 0 ? Double.NaN : cpuSeconds * 1e6 / completed;
    }
}
