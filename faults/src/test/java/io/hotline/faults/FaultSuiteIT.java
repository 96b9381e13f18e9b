package io.hotline.faults;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The fault suite: every scenario on every store it applies to, at the short pace in CI. The long run is
 * {@code scripts/fault-suite} ({@code -Dhotline.faults.pace=long}); {@code -Dhotline.faults.stores=redis} and
 * {@code -Dhotline.faults.scenarios=hung-server,overload} narrow it, {@code -Dhotline.faults.repeat=20} runs each that
 * many times (a stress run, e.g. beside busy loops). The table of figures is printed and written to
 * {@code faults/target/fault-suite-<pace>.md}.
 */
class FaultSuiteIT {

    private static final Pace PACE = "long".equals(System.getProperty("hotline.faults.pace")) ? Pace.LONG : Pace.SHORT;
    private static final List<Figures> FIGURES = Collections.synchronizedList(new ArrayList<>());

    @TempDir
    Path dir;

    static Stream<Arguments> runs() {
        List<String> stores = list("hotline.faults.stores", "file,redis,consul");
        List<String> chosen = list("hotline.faults.scenarios", "");
        int repeat = Integer.getInteger("hotline.faults.repeat", 1);
        List<Arguments> runs = new ArrayList<>();
        for (int i = 0; i < repeat; i++) {
            for (String store : stores) {
                for (Scenario s : Scenario.all()) {
                    if (s.runsOn(store) && (chosen.isEmpty() || chosen.contains(s.name()))) {
                        runs.add(Arguments.of(s.name(), store));
                    }
                }
            }
        }
        return runs.stream();
    }

    @ParameterizedTest(name = "{0} on {1}")
    @MethodSource("runs")
    void holds(String scenario, String store) throws Exception {
        Scenario s = Scenario.all().stream().filter(x -> x.name().equals(scenario)).findFirst().orElseThrow();
        Figures figures;
        try (StoreUnderTest st = StoreUnderTest.start(store, dir)) {
            figures = s.run(st, PACE, dir);
        }
        FIGURES.add(figures);
        System.out.println(Figures.header() + "\n" + figures.row());
        assertThat(s.violations(figures, PACE)).as("%s on %s at the %s pace: %s%s", scenario, store, PACE.name(),
                figures.row(), figures.explained()).isEmpty();
    }

    @AfterAll
    static void report() throws IOException {
        StringBuilder table = new StringBuilder(Figures.header()).append('\n');
        FIGURES.forEach(f -> table.append(f.row()).append('\n'));
        StringBuilder why = new StringBuilder();
        FIGURES.stream().filter(f -> !f.failures().isEmpty())
                .forEach(f -> why.append(f.scenario()).append(" on ").append(f.store()).append(':')
                        .append(f.explained()).append('\n'));
        System.out.println("Fault suite, " + PACE.name() + " pace:\n" + table + "\n" + why);
        Files.writeString(Path.of("target", "fault-suite-" + PACE.name() + ".md"), table + "\n" + why,
                StandardCharsets.UTF_8);
    }

    private static List<String> list(String property, String fallback) {
        return Arrays.stream(System.getProperty(property, fallback).split(",")).map(String::strip)
                .filter(x -> !x.isEmpty()).toList();
    }
}
