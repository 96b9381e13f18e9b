package io.hotline.discovery.dns;

import io.hotline.discovery.HealthPolicy;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A registration's lease, the TXT string at {@code _lease.<instance>}: rewritten by every renewal with a new random
 * {@code seq}, so that readers and the reaper see each renewal as a change of value, and compare-and-set can name the
 * value it saw.
 *
 * @param seq random per renewal
 * @param at when it was written, by the writer's clock (used only by readers that have not seen an earlier value)
 * @param policy the registration's health policy
 */
record Lease(String seq, Instant at, HealthPolicy policy) {

    private static final Pattern FORM = Pattern.compile(
            "v=1 seq=([0-9a-f]{16}) at=(\\d{1,15}) report=(\\d{1,12}) down=(\\d{1,12}) dereg=(\\d{1,12})");

    /** A new lease written now. */
    static Lease fresh(HealthPolicy policy, Instant now) {
        return new Lease(HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextLong()), now, policy);
    }

    /** The TXT string. */
    String text() {
        return "v=1 seq=" + seq + " at=" + at.toEpochMilli() + " report=" + policy.reportInterval().toMillis()
                + " down=" + policy.downAfter().toMillis() + " dereg=" + policy.deregisterAfter().toMillis();
    }

    /**
     * Parses {@link #text()}.
     *
     * @throws IllegalArgumentException if it is not a lease Hotline wrote
     */
    static Lease parse(String text) {
        Matcher m = FORM.matcher(text);
        if (!m.matches()) {
            throw new IllegalArgumentException("not a Hotline lease");
        }
        return new Lease(m.group(1), Instant.ofEpochMilli(Long.parseLong(m.group(2))),
                HealthPolicy.of(Duration.ofMillis(Long.parseLong(m.group(3))),
                        Duration.ofMillis(Long.parseLong(m.group(4))), Duration.ofMillis(Long.parseLong(m.group(5)))));
    }
}
