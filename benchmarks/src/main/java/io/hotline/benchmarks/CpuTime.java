package io.hotline.benchmarks;

/**
 * CPU seconds by where they were spent: the client's JVM (with the load driver), the server's, and the broker's (0
 * when there is none).
 */
record CpuTime(double client, double server, double broker) {

    static final CpuTime NONE = new CpuTime(0, 0, 0);

    /** What was spent between {@code earlier} and this reading. */
    CpuTime minus(CpuTime earlier) {
        return new CpuTime(client - earlier.client, server - earlier.server, broker - earlier.broker);
    }

    double total() {
        return client + server + broker;
    }
}
