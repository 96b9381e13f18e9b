package io.hotline.benchmarks;

import java.lang.management.ManagementFactory;
import java.util.Locale;

/**
 * The machine a benchmark runs on, for its report's header: figures from a small or busy machine are noisy, and a
 * reader comparing two reports needs to know whether they came from the same kind of machine.
 *
 * <pre>{@code
 * out.println("- started " + startedAt + " on " + Machine.description());   // Linux 6.1, 2 cores, 23.5 GiB, Java 17...
 * double before = Machine.loadAverage();
 * }</pre>
 */
final class Machine {

    private Machine() {}

    /**
     * The OS and its version, the cores, the memory and the JVM, e.g. {@code Linux 6.1.0, 2 cores, 23.5 GiB, Java
     * 17.0.15 (OpenJDK 64-Bit Server VM)}.
     */
    static String description() {
        var os = ManagementFactory.getOperatingSystemMXBean();
        long memory = os instanceof com.sun.management.OperatingSystemMXBean sun ? sun.getTotalMemorySize() : 0;
        return String.format(Locale.ROOT, "%s %s, %d cores, %.1f GiB, Java %s (%s)", os.getName(), os.getVersion(),
                os.getAvailableProcessors(), memory / (double) (1L << 30), System.getProperty("java.version"),
                System.getProperty("java.vm.name"));
    }

    /** The load average over the last minute: anything above 0 at the start is load the benchmark did not make. */
    static double loadAverage() {
        return ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
    }
}
