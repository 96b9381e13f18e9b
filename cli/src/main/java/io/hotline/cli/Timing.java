package io.hotline.cli;

import java.util.Locale;

/** How the demo prints a duration: milliseconds with one decimal, right-aligned after the message. */
final class Timing {

    private Timing() {}

    static double millisSince(long startNanos) {
        return (System.nanoTime() - startNanos) / 1e6;
    }

    static String since(long startNanos) {
        return String.format(Locale.ROOT, "  (%.1f ms)", millisSince(startNanos));
    }
}
