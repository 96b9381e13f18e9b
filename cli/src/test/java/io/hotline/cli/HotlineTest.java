package io.hotline.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.hotline.testing.CapturedStderr;
import java.util.logging.Logger;
import org.junit.jupiter.api.Test;

class HotlineTest {

    @Test
    void helpListsEveryCommandAndTheExitCodes() {
        Cli.Result r = Cli.raw("--help");
        assertThat(r.exitCode()).as(r.toString()).isZero();
        assertThat(r.out()).contains("demo", "server", "broadcaster", "call", "cast", "fanout", "endpoints", "zones",
                "tck", "status", "Exit codes:", "nothing to talk to");
    }

    @Test
    void everyCommandHasHelp() {
        for (String command : new String[] {"demo", "server", "broadcaster", "call", "cast", "fanout", "endpoints",
                "zones", "tck", "status"}) {
            Cli.Result r = Cli.raw(command, "--help");
            assertThat(r.exitCode()).as(command + ": " + r).isZero();
            assertThat(r.out()).as(command).contains("Usage: hotline " + command, "--config", "--store");
        }
    }

    @Test
    void noCommandIsAUsageError() {
        Cli.Result r = Cli.raw();
        assertThat(r.exitCode()).isEqualTo(Hotline.USAGE);
        assertThat(r.err()).contains("name a command", "hint:");
    }

    @Test
    void anUnknownCommandIsAUsageErrorWithAHint() {
        Cli.Result r = Cli.raw("frobnicate");
        assertThat(r.exitCode()).isEqualTo(Hotline.USAGE);
        assertThat(r.err()).contains("frobnicate", "hint: run 'hotline --help'");
    }

    @Test
    void aMistypedCommandSaysWhichOneWasMeant() {
        Cli.Result r = Cli.raw("servr", "--store", "memory");
        assertThat(r.exitCode()).isEqualTo(Hotline.USAGE);
        assertThat(r.err()).contains("'servr'", "did you mean 'server'?", "hint: run 'hotline --help'");
        assertThat(Cli.raw("stauts").err()).contains("did you mean 'status'?");
        assertThat(Cli.raw("frobnicate").err()).doesNotContain("did you mean");
    }

    @Test
    void editDistanceCountsLettersInsertedDeletedOrReplaced() {
        assertThat(Hotline.editDistance("servr", "server")).isEqualTo(1);
        assertThat(Hotline.editDistance("stauts", "status")).isEqualTo(2);
        assertThat(Hotline.editDistance("", "tck")).isEqualTo(3);
        assertThat(Hotline.editDistance("zones", "zones")).isZero();
    }

    @Test
    void anUnknownOptionNamesTheCommandsHelp() {
        Cli.Result r = Cli.raw("zones", "--frob");
        assertThat(r.exitCode()).isEqualTo(Hotline.USAGE);
        assertThat(r.err()).contains("hotline zones: Unknown option: '--frob'", "hint: run 'hotline zones --help'");
    }

    @Test
    void javaUtilLoggingGoesToSlf4jAtItsLevel() {
        try (CapturedStderr err = CapturedStderr.start()) {
            Hotline.routeJavaUtilLogging("warn");
            Logger jersey = Logger.getLogger("org.glassfish.jersey.example");
            jersey.warning("a Jersey warning");
            jersey.info("a Jersey info line");
            // SLF4J's simple logger's format (level, then the logger's name), not java.util.logging's console one.
            assertThat(err.text()).contains("WARN org.glassfish.jersey.example - a Jersey warning")
                    .doesNotContain("a Jersey info line").doesNotContain("WARNING:");
        } finally {
            Hotline.routeJavaUtilLogging("info");
        }
    }
}
