package io.hotline.discovery;

/** The health of a registered endpoint as its store reports it. */
public enum Health {
    /** Renewed within its policy's down-after (or passing its store's native check). */
    PASSING,
    /** Not renewed in time, or failing its check; never returned by healthy-only lookups. */
    CRITICAL
}
