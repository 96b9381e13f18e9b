package io.hotline.status;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class HistoryTest {

    private static final Instant T0 = Instant.parse("2026-12-03T10:00:00Z");

    private final History history = new History();

    @Test
    void keepsFiveMinutesOfPointsOldestFirstPerService() {
        List<Snapshot.Point> points = List.of();
        for (int s = 0; s <= 400; s += 10) {
            points = history.add("a", T0.plusSeconds(s), (double) s, s == 0 ? null : 1.5);
        }
        assertThat(points).first().extracting(Snapshot.Point::at)
                .isEqualTo(T0.plusSeconds(400).minus(History.WINDOW).toEpochMilli());
        assertThat(points).last().isEqualTo(new Snapshot.Point(T0.plusSeconds(400).toEpochMilli(), 400.0, 1.5));
        assertThat(points).hasSize(31).isSortedAccordingTo((x, y) -> Long.compare(x.at(), y.at()));
        assertThat(history.add("b", T0, null, null)).as("another service's").containsExactly(
                new Snapshot.Point(T0.toEpochMilli(), null, null));
    }

    @Test
    void keepsAtMostMaxPointsWhateverTheRefresh() {
        List<Snapshot.Point> points = List.of();
        for (int i = 0; i < History.MAX_POINTS * 3; i++) {
            points = history.add("a", T0.plus(Duration.ofMillis(100L * i)), 1.0, 2.0);
        }
        assertThat(points).hasSize(History.MAX_POINTS);
        assertThat(points.get(0).at()).isEqualTo(T0.plus(Duration.ofMillis(100L * History.MAX_POINTS * 2)).toEpochMilli());
    }
}
