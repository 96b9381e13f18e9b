package io.hotline.faults;

import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * What one scenario run showed, counted from every operation the callers made and every line the servers recorded.
 *
 * <ul>
 *   <li>calls: succeeded, failed (by exception type), and failed ones the server ran all the same;</li>
 *   <li>casts: accepted (answered 202), executed (accepted and recorded), lost (accepted, never recorded),
 *       duplicated (recorded more than once), failed (the caller got an error) and failed ones that ran;</li>
 *   <li>successful operations per second before, during and after the fault;</li>
 *   <li>disrupted: from the fault's start to the end of the last failed operation (zero if none failed);</li>
 *   <li>detected and recovered: what the scenario measures (see its class), or null.</li>
 * </ul>
 */
record Figures(String scenario, String store, int callsOk, int callsFailed, Map<String, Integer> failures,
        int callsFailedButRan, int castsAccepted, int castsExecuted, int castsLost, int castsDuplicated,
        int castsFailed, int castsFailedButRan, double perSecondBefore, double perSecondDuring, double perSecondAfter,
        Duration disrupted, Duration detected, Duration recovered, String note, Map<String, String> examples) {

    /**
     * The fault's start and end, and the load's end, as nanoTime; the rate before the fault is counted from
     * {@code loadStart}, after the warm-up (operations of the warm-up count in every other figure).
     */
    record Window(long loadStart, long faultStart, long faultEnd, long loadEnd) {}

    static Figures of(String scenario, String store, List<Load.Op> ops, Ledger ledger, Window w, Duration detected,
            Duration recovered, String note) {
        int callsOk = 0;
        int callsFailed = 0;
        int callsFailedButRan = 0;
        int castsFailed = 0;
        int castsFailedButRan = 0;
        Map<String, Integer> failures = new TreeMap<>();
        Map<String, String> examples = new TreeMap<>();
        Set<String> accepted = new HashSet<>();
        long lastFailure = Long.MIN_VALUE;
        Map<Integer, Integer> okIn = new HashMap<>();
        for (Load.Op op : ops) {
            if (op.ok()) {
                if (op.end() >= w.loadStart()) {
                    okIn.merge(phase(w, op.end()), 1, Integer::sum);
                }
                if (op.call()) {
                    callsOk++;
                } else {
                    accepted.add(op.id());
                }
                continue;
            }
            String kind = (op.call() ? "call " : "cast ") + op.failure();
            failures.merge(kind, 1, Integer::sum);
            examples.putIfAbsent(kind, abbreviate(op.message()));
            lastFailure = Math.max(lastFailure, op.end());
            boolean ran = ledger.ran(op.call(), op.id()) > 0;
            if (op.call()) {
                callsFailed++;
                callsFailedButRan += ran ? 1 : 0;
            } else {
                castsFailed++;
                castsFailedButRan += ran ? 1 : 0;
            }
        }
        int executed = (int) accepted.stream().filter(id -> ledger.ran(false, id) > 0).count();
        int duplicated = (int) ledger.casts().values().stream().filter(n -> n > 1).count()
                + (int) ledger.calls().values().stream().filter(n -> n > 1).count();
        Duration disrupted = lastFailure == Long.MIN_VALUE ? Duration.ZERO
                : Duration.ofNanos(Math.max(0, lastFailure - w.faultStart()));
        return new Figures(scenario, store, callsOk, callsFailed, Map.copyOf(failures), callsFailedButRan,
                accepted.size(), executed, accepted.size() - executed, duplicated, castsFailed, castsFailedButRan,
                rate(okIn.getOrDefault(0, 0), w.faultStart() - w.loadStart()),
                rate(okIn.getOrDefault(1, 0), w.faultEnd() - w.faultStart()),
                rate(okIn.getOrDefault(2, 0), w.loadEnd() - w.faultEnd()), disrupted, detected, recovered, note,
                Map.copyOf(examples));
    }

    private static int phase(Window w, long t) {
        return t < w.faultStart() ? 0 : t < w.faultEnd() ? 1 : 2;
    }

    /** Operations per second; NaN for a phase too short to have a rate (a scenario without an "after"). */
    private static double rate(int count, long nanos) {
        return nanos < 100_000_000L ? Double.NaN : count * 1e9 / nanos;
    }

    private static String abbreviate(String message) {
        String m = String.valueOf(message);
        return m.length() <= 240 ? m : m.substring(0, 240) + "...";
    }

    /** The failures with the first message of each kind, for a person reading why a run did not hold. */
    String explained() {
        StringBuilder sb = new StringBuilder();
        failures.forEach((kind, n) -> sb.append("\n  ").append(n).append(" x ").append(kind).append(": ")
                .append(examples.get(kind)));
        return sb.toString();
    }

    static String header() {
        return "| scenario | store | calls ok | calls failed | failed but ran | casts accepted | executed | lost"
                + " | duplicated | casts failed | failed but ran | ops/s before / during / after | disrupted"
                + " | detected | recovered | failures | note |\n"
                + "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|---:|---:|---|---|";
    }

    String row() {
        return String.format("| %s | %s | %d | %d | %d | %d | %d | %d | %d | %d | %d | %s / %s / %s | %s | %s"
                + " | %s | %s | %s |", scenario, store, callsOk, callsFailed, callsFailedButRan, castsAccepted,
                castsExecuted, castsLost, castsDuplicated, castsFailed, castsFailedButRan, perSecond(perSecondBefore),
                perSecond(perSecondDuring), perSecond(perSecondAfter), seconds(disrupted), seconds(detected),
                seconds(recovered), failures.isEmpty() ? "" : failures, note == null ? "" : note);
    }

    private static String perSecond(double rate) {
        return Double.isNaN(rate) ? "-" : String.format("%.0f", rate);
    }

    private static String seconds(Duration d) {
        return d == null ? "n/a" : String.format("%.2f s", d.toMillis() / 1000.0);
    }
}
