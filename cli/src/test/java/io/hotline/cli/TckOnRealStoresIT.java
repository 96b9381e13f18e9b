package io.hotline.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@code hotline tck --store consul|redis}: the kit against the shipped stores, on real servers the fixtures start. */
class TckOnRealStoresIT {

    @ParameterizedTest
    @ValueSource(strings = {"redis", "consul"})
    void runsEveryContractAgainstARealServer(String store) {
        Cli.Result r = Cli.raw("tck", "--store", store);
        assertThat(r.exitCode()).as(r.toString()).isZero();
        assertThat(r.out()).contains("Hotline store TCK: store '" + store + "'", "Failure", "Zones")
                .containsPattern("tck: 25 passed, 0 failed");
    }
}
