package io.hotline.benchmarks;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;

/**
 * The CPU a contender spends, as the RPC comparison charges it: all of this JVM (its client and its server, and the
 * load driver, which is the same for every contender), plus the processes that work for it outside (RabbitMQ's broker
 * and its Erlang VM). On 2 shared cores throughput is CPU per message, so every rate is printed beside this.
 *
 * <pre>{@code
 * CpuMeter cpu = CpuMeter.of(contender.processes());
 * double before = cpu.seconds();
 * }</pre>
 */
record CpuMeter(List<Long> processes) {

    static CpuMeter of(List<Long> processes) {
        return new CpuMeter(List.copyOf(processes));
    }

    /** User+system CPU seconds spent so far by this JVM and the processes (with their descendants). */
    double seconds() {
        try {
            return ProcessUsage.harnessCpuSeconds() + (processes.isEmpty() ? 0 : ProcessUsage.cpuSeconds(processes));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the CPU time of " + processes + " from /proc", e);
        }
    }
}
