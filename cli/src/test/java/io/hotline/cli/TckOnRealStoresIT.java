package io.hotline.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.hotline.tck.ConcurrencyContract;
import io.hotline.tck.FailureContract;
import io.hotline.tck.HealthContract;
import io.hotline.tck.RegistrationContract;
import io.hotline.tck.WatchContract;
import io.hotline.tck.ZoneContract;
import java.util.Arrays;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@code hotline tck --store consul|redis}: the kit against the shipped stores, on real servers the fixtures start. */
class TckOnRealStoresIT {

    /** Every test of every contract, so that a run that skipped some cannot pass. */
    private static final long KIT_TESTS = Stream.of(RegistrationContract.class, HealthContract.class,
                    WatchContract.class, ZoneContract.class, FailureContract.class, ConcurrencyContract.class)
            .flatMap(c -> Arrays.stream(c.getMethods()))
            .filter(m -> m.isAnnotationPresent(Test.class))
            .count();

    @ParameterizedTest
    @ValueSource(strings = {"redis", "consul"})
    void runsEveryContractAgainstARealServer(String store) {
        Cli.Result r = Cli.raw("tck", "--store", store);
        assertThat(r.exitCode()).as(r.toString()).isZero();
        assertThat(r.out()).contains("Hotline store TCK: store '" + store + "'", "Failure", "Zones")
                .containsPattern("tck: " + KIT_TESTS + " passed, 0 failed");
    }
}
