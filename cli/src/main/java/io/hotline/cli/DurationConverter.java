package io.hotline.cli;

import io.hotline.discovery.config.HotlineConfig;
import java.time.Duration;
import java.util.Map;
import picocli.CommandLine;

/** Reads a duration as configuration does: {@code 500ms}, {@code 10s}, {@code 5m}, {@code 2h}, {@code PT10S}, bare seconds. */
final class DurationConverter implements CommandLine.ITypeConverter<Duration> {

    @Override
    public Duration convert(String value) {
        try {
            return HotlineConfig.of(Map.of("value", value)).duration("value", null);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.TypeConversionException("'" + value
                    + "' is not a duration; write e.g. 500ms, 10s, 5m, 2h or PT10S");
        }
    }
}
