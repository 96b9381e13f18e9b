package io.hotline.benchmarks;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * CPU time and peak memory of processes and everything they started, read from /proc, and of this JVM: the
 * fanout comparison charges each contender's middle (broadcasters, or the broker and its Erlang VM) and the harness
 * JVM (the N servers or consumers, and the client) with what they spent.
 */
final class ProcessUsage {

    /** Linux's USER_HZ: /proc reports CPU time in these ticks. */
    private static final double TICKS_PER_SECOND = 100;

    private ProcessUsage() {}

    /** User+system CPU seconds of these processes and their live descendants so far. */
    static double cpuSeconds(List<Long> pids) throws IOException {
        long ticks = 0;
        for (long pid : withDescendants(pids)) {
            String stat;
            try {
                stat = Files.readString(Path.of("/proc", String.valueOf(pid), "stat"));
            } catch (NoSuchFileException exited) {
                continue;
            }
            String[] rest = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            ticks += Long.parseLong(rest[11]) + Long.parseLong(rest[12]);     // utime + stime
        }
        return ticks / TICKS_PER_SECOND;
    }

    /** The largest peak resident set (VmHWM) among these processes and their descendants, in KiB. */
    static long peakRssKib(List<Long> pids) throws IOException {
        return largest(pids, "VmHWM:");
    }

    /** The largest resident set now (VmRSS) among these processes and their descendants, in KiB. */
    static long rssKib(List<Long> pids) throws IOException {
        return largest(pids, "VmRSS:");
    }

    private static long largest(List<Long> pids, String field) throws IOException {
        long largest = 0;
        for (long pid : withDescendants(pids)) {
            try {
                for (String line : Files.readAllLines(Path.of("/proc", String.valueOf(pid), "status"))) {
                    if (line.startsWith(field)) {
                        largest = Math.max(largest, Long.parseLong(line.replaceAll("[^0-9]", "")));
                    }
                }
            } catch (NoSuchFileException exited) {
                // gone since it was listed
            }
        }
        return largest;
    }

    /** How many files (sockets included) this JVM has open now. */
    static long openFiles() throws IOException {
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.count();
        }
    }

    /**
     * How many files this JVM may have open (the soft limit, which the JVM raises to the hard one as it starts), or
     * {@link Long#MAX_VALUE} when unlimited.
     */
    static long openFilesLimit() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/limits"))) {
            if (line.startsWith("Max open files")) {
                String soft = line.substring("Max open files".length()).trim().split("\\s+")[0];
                return soft.equals("unlimited") ? Long.MAX_VALUE : Long.parseLong(soft);
            }
        }
        throw new IOException("/proc/self/limits has no line on open files");
    }

    /** CPU seconds this JVM has spent so far. */
    static double harnessCpuSeconds() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime() / 1e9;
    }

    private static List<Long> withDescendants(List<Long> pids) {
        return pids.stream().flatMap(pid -> Stream.concat(Stream.of(pid), ProcessHandle.of(pid).stream()
                .flatMap(ProcessHandle::descendants).map(ProcessHandle::pid))).distinct().toList();
    }
}
