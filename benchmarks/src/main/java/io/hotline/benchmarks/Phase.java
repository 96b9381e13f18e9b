package io.hotline.benchmarks;

/** What a {@link Measurement} measured. */
enum Phase {
    CALL_LATENCY("call, 1 in flight"),
    CALL_THROUGHPUT("call, N in flight"),
    CAST_THROUGHPUT("cast, N in flight");

    private final String label;

    Phase(String label) {
        this.label = label;
    }

    String label(int inFlight) {
        return label.replace("N", String.valueOf(inFlight));
    }
}
