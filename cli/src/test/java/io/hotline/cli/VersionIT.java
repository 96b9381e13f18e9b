package io.hotline.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The packaged command says which build it is: {@code hotline --version} prints the project's version. */
class VersionIT {

    @Test
    void theJarPrintsTheProjectsVersion() throws IOException, InterruptedException {
        String expected = System.getProperty("hotline.version");
        assertThat(expected).as("failsafe passes the project version as hotline.version").isNotBlank();
        Path jar = Path.of("target", "hotline.jar");
        assertThat(jar).as("the shaded jar, built by package before this test").isRegularFile();
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar",
                jar.toString(), "--version").redirectErrorStream(true).start();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("hotline --version ends within 60 s").isTrue();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        assertThat(p.exitValue()).as(out).isZero();
        assertThat(out).isEqualTo("hotline " + expected);
    }
}
