package io.hotline.tck;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class TckRunnerIT {

    private record Run(int exitCode, String output) {}

    private static Run run(Path config, String... options) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
        List<String> args = new ArrayList<>(List.of(options));
        args.add(config.toString());
        int code = new CommandLine(new TckRunner(out)).execute(args.toArray(String[]::new));
        return new Run(code, bytes.toString(StandardCharsets.UTF_8));
    }

    @Test
    void reportsEveryContractAndPassesForTheMemoryStore(@TempDir Path dir) throws Exception {
        Path config = dir.resolve("memory.properties");
        Files.writeString(config, "hotline.store=memory\n");
        Run run = run(config);
        assertThat(run.output).contains("Hotline store TCK: store 'memory'");
        for (String contract : new String[] {"1. Registration", "2. Health", "3. Watch", "4. Zones and federation",
                "5. Failure and recovery", "6. Concurrency and size"}) {
            assertThat(run.output).containsPattern("(?m)^" + contract + " +\\d+ +\\d+ +0 +[0-9.]+s  PASS$");
        }
        assertThat(run.output).containsPattern("(?m)^tck: [1-9]\\d* passed, 0 failed$");
        assertThat(run.exitCode).isZero();
    }

    @Test
    void aMissingConfigurationFileIsAClearError(@TempDir Path dir) {
        Run run = run(dir.resolve("missing.properties"));
        assertThat(run.exitCode).isEqualTo(2);
        assertThat(run.output).startsWith("hotline-tck: cannot read Hotline configuration file");
    }

    @Test
    void aStoreWithoutFixtureIsAClearError(@TempDir Path dir) throws Exception {
        Path config = dir.resolve("nope.properties");
        Files.writeString(config, "hotline.store=nope\n");
        Run run = run(config);
        assertThat(run.exitCode).isEqualTo(2);
        assertThat(run.output).contains("no TCK fixture for store 'nope'").contains("file").contains("memory");
    }

    @Test
    void runsOnlyTheNamedContract(@TempDir Path dir) throws Exception {
        Path config = dir.resolve("memory.properties");
        Files.writeString(config, "hotline.store=memory\n");
        Run run = run(config, "--contract", EndpointStoreCompatibilityKit.ZONES);
        long zoneTests = Arrays.stream(ZoneContract.class.getMethods()).filter(m -> m.isAnnotationPresent(Test.class))
                .count();
        assertThat(run.output).containsPattern("(?m)^4. Zones and federation +" + zoneTests + " +" + zoneTests
                + " +0 +[0-9.]+s  PASS$");
        assertThat(run.output).doesNotContain("1. Registration", "6. Concurrency")
                .containsPattern("(?m)^tck: " + zoneTests + " passed, 0 failed$");
        assertThat(run.exitCode).isZero();
    }

    @Test
    void anUnknownContractIsAClearError(@TempDir Path dir) throws Exception {
        Path config = dir.resolve("memory.properties");
        Files.writeString(config, "hotline.store=memory\n");
        Run run = run(config, "--contract", "watch,speed");
        assertThat(run.exitCode).isEqualTo(2);
        assertThat(run.output).contains("no contract named [speed]", EndpointStoreCompatibilityKit.CONTRACTS.toString());
    }

    @Test
    void aStoreNotOnTheClassPathStopsTheRunAtOnce(@TempDir Path dir) throws Exception {
        // The runner ships the consul fixture, but this module's class path has no consul store: without the check
        // the fixture would start two agents and every test would fail on opening the store.
        Path config = dir.resolve("consul.properties");
        Files.writeString(config, "hotline.store=consul\n");
        Run run = run(config);
        assertThat(run.exitCode).isEqualTo(2);
        assertThat(run.output).contains("store 'consul' is not on the class path", "memory", "file")
                .doesNotContain("Hotline store TCK");
    }
}
