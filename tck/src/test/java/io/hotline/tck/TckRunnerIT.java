package io.hotline.tck;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class TckRunnerIT {

    private record Run(int exitCode, String output) {}

    private static Run run(Path config) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
        int code = new CommandLine(new TckRunner(out)).execute(config.toString());
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
}
