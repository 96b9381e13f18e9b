package io.hotline.benchmarks;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;

/**
 * The CPU a contender spends, as the RPC comparison charges it, by process: the client (this whole JVM: the
 * contender's client, and the load driver, which is the same for every contender), the server (its own JVM, an
 * {@link EchoServerJvm}) and the broker that carries messages between them, if any (RabbitMQ and its Erlang VM). On
 * 2 shared cores throughput is CPU per message, so every rate is printed beside this.
 *
 * <pre>{@code
 * CpuMeter cpu = CpuMeter.of(contender);
 * CpuTime before = cpu.read();
 * CpuTime spent = cpu.read().minus(before);
 * }</pre>
 */
record CpuMeter(long server, List<Long> brokers) {

    static CpuMeter of(Contender contender) {
        return new CpuMeter(contender.serverPid(), List.copyOf(contender.brokerPids()));
    }

    /** User+system CPU seconds spent so far by this JVM, the server's and the brokers' (with their descendants). */
    CpuTime read() {
        try {
            return new CpuTime(ProcessUsage.harnessCpuSeconds(), ProcessUsage.cpuSeconds(List.of(server)),
                    brokers.isEmpty() ? 0 : ProcessUsage.cpuSeconds(brokers));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the CPU time of " + server + " and " + brokers
                    + " from /proc", e);
        }
    }
}
