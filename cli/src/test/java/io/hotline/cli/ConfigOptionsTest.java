package io.hotline.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigOptionsTest {

    @TempDir
    Path dir;

    @Test
    void aPropertiesFileGivenWithConfigPicksTheStoreAndZone() throws IOException {
        Path file = Files.writeString(dir.resolve("hotline.properties"), "hotline.store=file\n"
                + "hotline.zone=region-nine\nhotline.file.dir=" + dir.resolve("store") + "\n");
        Cli.Result r = Cli.raw("zones", "--config", file.toString());
        assertThat(r.exitCode()).as(r.toString()).isZero();
        assertThat(r.out()).contains("region-nine  (home zone of this store)");
    }

    @Test
    void anOsloIniFileIsReadAsItIs() throws IOException {
        Path file = Files.writeString(dir.resolve("nova.conf"), "[hotline]\nstore = file\nzone = region-ini\n"
                + "[file]\ndir = " + dir.resolve("store") + "\n");
        Cli.Result r = Cli.raw("zones", "--config", file.toString());
        assertThat(r.exitCode()).as(r.toString()).isZero();
        assertThat(r.out()).contains("region-ini  (home zone of this store)");
    }

    @Test
    void aMissingConfigFileIsAUsageError() {
        Cli.Result r = Cli.raw("zones", "--config", dir.resolve("nope.conf").toString());
        assertThat(r.exitCode()).isEqualTo(Hotline.USAGE);
        assertThat(r.err()).contains("nope.conf", "does not exist", "hint:");
    }

    @Test
    void anUnknownStoreListsTheAvailableOnes() {
        Cli.Result r = Cli.raw("zones", "--store", "nosuch");
        assertThat(r.exitCode()).isEqualTo(Hotline.USAGE);
        assertThat(r.err()).contains("no endpoint store named 'nosuch'", "file", "memory");
    }

    @Test
    void aBadZoneIsAUsageError() {
        Cli.Result r = Cli.raw("zones", "--zone", "a//b");
        assertThat(r.exitCode()).isEqualTo(Hotline.USAGE);
        assertThat(r.err()).contains("hotline.zone", "hint:");
    }

    @Test
    void setTakesOnlyHotlineKeys() {
        Cli.Result r = Cli.raw("zones", "--set", "java.home=/tmp");
        assertThat(r.exitCode()).isEqualTo(Hotline.USAGE);
        assertThat(r.err()).contains("java.home is not a Hotline key");
    }
}
