package io.hotline.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class DemoCommandTest {

    @Test
    void theNovaBootFlowRunsOnTheFileStore() {
        Cli.Result r = Cli.raw("demo");
        assertThat(r.exitCode()).as(r.toString()).isZero();
        assertThat(r.out())
                .contains("on the 'file' store in")
                .containsPattern("ok +conductor calls select_destinations for vm-1: scheduler-1 \\(region-one/az-1, nearest\\)")
                .containsPattern("ok +conductor casts build_and_run_instance to compute-\\d: compute-\\d built vm-1")
                .contains("3 targeted, 3 delivered: compute-1, compute-2, compute-3")
                .contains("compute-3 shown down")
                .containsPattern("scheduler-2 \\(region-one/az-2, failover\\) chose compute-[12]")
                .contains("demo passed: 11 steps");
    }

    @Test
    void theStoreIsSelectable() {
        Cli.Result r = Cli.raw("demo", "--store", "memory");
        assertThat(r.exitCode()).as(r.toString()).isZero();
        assertThat(r.out()).contains("on the 'memory' store", "demo passed");
    }

    @Test
    void anUnknownStoreIsAUsageError() {
        Cli.Result r = Cli.raw("demo", "--store", "nosuch");
        assertThat(r.exitCode()).isEqualTo(Hotline.USAGE);
        assertThat(r.err()).contains("no endpoint store named 'nosuch'");
    }

    @Test
    void aDownAfterNotLongerThanTheReportIntervalIsAUsageError() {
        Cli.Result r = Cli.raw("demo", "--report-interval", "1s", "--down-after", "500ms");
        assertThat(r.exitCode()).isEqualTo(Hotline.USAGE);
        assertThat(r.err()).contains("down-after", "hint: keep --down-after a few times --report-interval");
    }
}
