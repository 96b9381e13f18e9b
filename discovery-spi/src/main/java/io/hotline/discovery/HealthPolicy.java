package io.hotline.discovery;

import io.hotline.discovery.config.HotlineConfig;
import java.time.Duration;
import java.util.Objects;

/**
 * How a registration stays alive: the owner renews it every {@code reportInterval}; a registration not renewed
 * for {@code downAfter} is critical; one not renewed for {@code deregisterAfter} is removed by the store. Both are
 * counted from the last renewal (or the registration), so a removed endpoint was critical for
 * {@code deregisterAfter - downAfter}, not for {@code deregisterAfter}.
 *
 * <pre>{@code
 * HealthPolicy p = HealthPolicy.DEFAULT;                                  // 10 s / 60 s / 30 min
 * HealthPolicy fast = HealthPolicy.of(Duration.ofSeconds(1), Duration.ofSeconds(3), Duration.ofMinutes(1));
 * }</pre>
 *
 * @param reportInterval how often the owner renews (oslo's {@code report_interval})
 * @param downAfter how long without renewal until the endpoint is critical (Nova's {@code service_down_time})
 * @param deregisterAfter how long without renewal until the store removes it (the proposal's
 *     {@code check_deregister}); counted from the last renewal, as {@code downAfter} is, so it is at least
 *     {@code downAfter}
 */
public record HealthPolicy(Duration reportInterval, Duration downAfter, Duration deregisterAfter) {

    /** The config key of {@link #reportInterval}; {@code [DEFAULT] report_interval} in an oslo file, as Nova's. */
    public static final String REPORT_INTERVAL = "hotline.health.report-interval";
    /** The config key of {@link #downAfter}; {@code [DEFAULT] service_down_time} in an oslo file, as Nova's. */
    public static final String DOWN_AFTER = "hotline.health.down-after";
    /** The config key of {@link #deregisterAfter}. */
    public static final String DEREGISTER_AFTER = "hotline.health.deregister-after";

    private static final Duration MIN_INTERVAL = Duration.ofMillis(10);

    /** 10 s reports, down after 60 s, removed after 30 min. */
    public static final HealthPolicy DEFAULT =
            new HealthPolicy(Duration.ofSeconds(10), Duration.ofSeconds(60), Duration.ofMinutes(30));

    /**
     * @throws IllegalArgumentException if a duration is missing or shorter than 10 ms, if {@code downAfter} is
     *     not longer than {@code reportInterval}, or if {@code deregisterAfter} is shorter than {@code downAfter}
     */
    public HealthPolicy {
        Objects.requireNonNull(reportInterval, "reportInterval");
        Objects.requireNonNull(downAfter, "downAfter");
        Objects.requireNonNull(deregisterAfter, "deregisterAfter");
        if (reportInterval.compareTo(MIN_INTERVAL) < 0) {
            throw new IllegalArgumentException("report interval " + reportInterval + " is shorter than " + MIN_INTERVAL);
        }
        if (downAfter.compareTo(reportInterval) <= 0) {
            throw new IllegalArgumentException("down-after " + downAfter + " must be longer than the report interval "
                    + reportInterval + ", or every small delay marks the endpoint down; Nova uses 6x (10 s / 60 s)");
        }
        if (deregisterAfter.compareTo(downAfter) < 0) {
            throw new IllegalArgumentException("deregister-after " + deregisterAfter
                    + " is shorter than down-after " + downAfter + "; an endpoint must be critical before it is removed");
        }
    }

    public static HealthPolicy of(Duration reportInterval, Duration downAfter, Duration deregisterAfter) {
        return new HealthPolicy(reportInterval, downAfter, deregisterAfter);
    }

    /**
     * This policy with {@link #REPORT_INTERVAL}, {@link #DOWN_AFTER} and {@link #DEREGISTER_AFTER} from
     * {@code config} where set.
     *
     * @throws IllegalArgumentException naming the key set that breaks the rules of the constructor
     */
    public HealthPolicy config(HotlineConfig config) {
        Duration report = config.duration(REPORT_INTERVAL, reportInterval);
        Duration down = config.duration(DOWN_AFTER, downAfter);
        Duration deregister = config.duration(DEREGISTER_AFTER, deregisterAfter);
        if (report.compareTo(MIN_INTERVAL) < 0) {
            throw config.invalid(REPORT_INTERVAL, "is shorter than " + MIN_INTERVAL.toMillis() + "ms; write e.g. 10s");
        }
        if (down.compareTo(report) <= 0) {
            throw config.invalid(isSet(config, DOWN_AFTER) ? DOWN_AFTER : REPORT_INTERVAL, "leaves down-after " + down
                    + " not longer than the report interval " + report + ", so every small delay would mark the"
                    + " endpoint down; keep down-after several report intervals, e.g. 10s and 60s as Nova's");
        }
        if (deregister.compareTo(down) < 0) {
            throw config.invalid(isSet(config, DEREGISTER_AFTER) ? DEREGISTER_AFTER : DOWN_AFTER, "leaves"
                    + " deregister-after " + deregister + " shorter than down-after " + down + "; an endpoint must be"
                    + " critical before it is removed");
        }
        return new HealthPolicy(report, down, deregister);
    }

    private static boolean isSet(HotlineConfig config, String key) {
        return config.string(key).filter(v -> !v.isEmpty()).isPresent();
    }
}
