package com.example.hotline;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The TCK's command-line runner, run as a plugin author would run it: a separate JVM with the plugin and its
 * fixture on the class path, and a properties file naming the store. (TckRunner.main ends with System.exit, so it
 * cannot run inside the test JVM.)
 */
class TckRunnerCommandLineIT {

    private static final Duration RUN_LIMIT = Duration.ofMinutes(3);
    private static final List<String> CONTRACTS = List.of("1. Registration", "2. Health", "3. Watch",
            "4. Zones and federation", "5. Failure and recovery", "6. Concurrency and size");

    @TempDir
    Path dir;

    private record Run(int exitCode, String output) {}

    private Run runTck(String properties) throws IOException, InterruptedException {
        Path config = Files.writeString(dir.resolve("store.properties"), properties);
        Path output = dir.resolve("tck.out");
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Process p = new ProcessBuilder(java.toString(), "-cp", System.getProperty("java.class.path"),
                "io.hotline.tck.TckRunner", config.toString())
                .redirectErrorStream(true)
                .redirectOutput(output.toFile())
                .start();
        if (!p.waitFor(RUN_LIMIT.toMillis(), TimeUnit.MILLISECONDS)) {
            p.destroyForcibly().waitFor();
            throw new AssertionError("the TCK runner did not finish within " + RUN_LIMIT + ":\n"
                    + Files.readString(output, StandardCharsets.UTF_8));
        }
        return new Run(p.exitValue(), Files.readString(output, StandardCharsets.UTF_8));
    }

    @Test
    void passesTheExampleStore() throws Exception {
        Run run = runTck("hotline.store=example\n");

        assertThat(run.exitCode()).as(run.output()).isZero();
        assertThat(run.output()).contains("Hotline store TCK: store 'example'");
        List<String> rows = run.output().lines().toList();
        for (String contract : CONTRACTS) {
            assertThat(rows).as("report row of %s", contract)
                    .anyMatch(row -> row.startsWith(contract + " ") && row.strip().endsWith("PASS"));
        }
        assertThat(run.output()).contains(" 0 failed");
    }

    @Test
    void refusesAStoreWithoutFixture() throws Exception {
        Run run = runTck("hotline.store=no-such-store\n");

        assertThat(run.exitCode()).as(run.output()).isNotZero();
        assertThat(run.output()).contains("no TCK fixture for store 'no-such-store'").contains("example");
    }
}
