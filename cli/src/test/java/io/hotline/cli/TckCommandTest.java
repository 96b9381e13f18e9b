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
    void runsOnlyTheNamedContracts() {
        Cli.Result r = Cli.raw("tck", "--store", "memory", "--contract", "zones,registration");
        assertThat(r.exitCode()).as(r.toString()).isZero();
        assertThat(r.out()).contains("1. Registration", "4. Zones and federation")
                .doesNotContain("2. Health", "3. Watch", "5. Failure", "6. Concurrency")
                .containsPattern("tck: \\d+ passed, 0 failed");
    }

    @Test
    void anUnknownContractIsAUsageError() {
        Cli.Result r = Cli.raw("tck", "--store", "memory", "--contract", "speed");
        assertThat(r.exitCode()).isEqualTo(Hotline.USAGE);
        assertThat(r.err()).contains("no contract named [speed]", "concurrency");
    }

    @Test
    void helpNamesEveryContractAndShippedFixture() {
        Cli.Result r = Cli.raw("tck", "--help");
        assertThat(r.exitCode()).isZero();
        assertThat(r.out().replaceAll("\\s+", " ")).contains("registration, health, watch, zones, failure, concurrency",
                "memory, file, consul, redis, dns and keystone", "HOTLINE_CLASSPATH");
    }

    @Test
    void aStoreWithoutAFixtureIsAUsageError() {
        Cli.Result r = Cli.raw("tck", "--store", "consul-not-here");
        assertThat(r.exitCode()).isEqualTo(Hotline.USAGE);
        assertThat(r.err()).contains("no TCK fixture for store 'consul-not-here'", "hint: pick a store with a fixture");
    }
}
