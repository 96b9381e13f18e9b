package io.hotline.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.hotline.tck.EndpointStoreCompatibilityKit;
import io.hotline.tck.FailureContract;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code hotline tck --store consul|redis|dns|keystone}: the runner against the shipped stores, on real servers its
 * fixtures start. This proves the command, the fixtures and the stores work together end to end, not the stores'
 * conformance: the discovery-consul, -redis, -dns and -keystone modules run the whole kit against their stores. So it
 * runs one contract group per store, the failure contract, whose clauses stop and start the fixture's servers, rather
 * than the whole kit again (about five minutes for Consul).
 */
class TckOnRealStoresIT {

    /** Every test of the failure contract, so that a run that skipped some cannot pass. */
    private static final long FAILURE_TESTS = Arrays.stream(FailureContract.class.getMethods())
            .filter(m -> m.isAnnotationPresent(Test.class))
            .count();

    @ParameterizedTest
    @ValueSource(strings = {"redis", "consul", "dns", "keystone"})
    void runsTheFailureContractAgainstARealServer(String store) {
        Cli.Result r = Cli.raw("tck", "--store", store, "--contract", EndpointStoreCompatibilityKit.FAILURE);
        assertThat(r.exitCode()).as(r.toString()).isZero();
        assertThat(r.out()).contains("Hotline store TCK: store '" + store + "'", "5. Failure and recovery")
                .doesNotContain("1. Registration", "4. Zones")
                .containsPattern("tck: " + FAILURE_TESTS + " passed, 0 failed");
    }
}
