package io.hotline.status;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Each service's figures over the last few minutes, for its chart: one point per collection, at most {@link #WINDOW}
 * old and {@link #MAX_POINTS} many (at a fast refresh the oldest go first), so its memory is bounded whatever the
 * refresh and the uptime. Written by the page's one collecting thread only.
 */
final class History {

    /** How far back a chart goes. */
    static final Duration WINDOW = Duration.ofMinutes(5);
    /** Points per service at most. */
    static final int MAX_POINTS = 300;

    private final Map<String, Deque<Snapshot.Point>> points = new ConcurrentHashMap<>();

    /**
     * Adds one collection's figures and gives the service's points, oldest first.
     *
     * @param callsPerSecond null when no server of the service was scraped twice yet: a gap, not a zero
     * @param meanLatencyMs null without calls to average
     */
    List<Snapshot.Point> add(String service, Instant now, Double callsPerSecond, Double meanLatencyMs) {
        Deque<Snapshot.Point> kept = points.computeIfAbsent(service, s -> new ArrayDeque<>());
        kept.addLast(new Snapshot.Point(now.toEpochMilli(), callsPerSecond, meanLatencyMs));
        long oldest = now.minus(WINDOW).toEpochMilli();
        while (kept.size() > MAX_POINTS || kept.peekFirst().at() < oldest) {
            kept.removeFirst();
        }
        return List.copyOf(kept);
    }
}
