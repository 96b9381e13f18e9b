package io.hotline.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class TckCommandTest {

    @Test
    void runsEveryContractAgainstTheConfiguredStore() {
        Cli.Result r = Cli.raw("tck", "--store", "memory");
        assertThat(r.exitCode()).as(r.toString()).isZero();
        assertThat(r.out()).contains("Hotline store TCK: store 'memory'", "Registration", "Health", "Watch", "PASS")
                .containsPattern("tck: \\d+ passed, 0 failed");
    }

    @Test
    void aStoreWithoutAFixtureIsAUsageError() {
        Cli.Result r = Cli.raw("tck", "--store", "consul-not-here");
        assertThat(r.exitCode()).isEqualTo(Hotline.USAGE);
        assertThat(r.err()).contains("no TCK fixture for store 'consul-not-here'", "hint: pick a store with a fixture");
    }
}
