package io.hotline.discovery;

import java.util.Objects;

/**
 * Which zones a {@link Query} looks in.
 *
 * <pre>{@code
 * ZoneScope.nearest();                          // home zone first, farther zones only when it has nothing
 * ZoneScope.home();                             // the store's home zone only
 * ZoneScope.in(Zone.of("region-two"));          // one named zone (and everything inside it)
 * ZoneScope.all();                              // every zone the store knows, merged
 * }</pre>
 */
public sealed interface ZoneScope {

    static ZoneScope nearest() {
        return Nearest.INSTANCE;
    }

    static ZoneScope home() {
        return Home.INSTANCE;
    }

    static ZoneScope all() {
        return All.INSTANCE;
    }

    static ZoneScope in(Zone zone) {
        return new In(zone);
    }

    /** Nearest-first: the deepest zone sharing the client's path that has a match; farther zones only as failover. */
    enum Nearest implements ZoneScope {
        INSTANCE;

        @Override
        public String toString() {
            return "nearest";
        }
    }

    /** The store's home zone only. */
    enum Home implements ZoneScope {
        INSTANCE;

        @Override
        public String toString() {
            return "home";
        }
    }

    /** Every zone the store knows. */
    enum All implements ZoneScope {
        INSTANCE;

        @Override
        public String toString() {
            return "all";
        }
    }

    /** One named zone and the zones inside it. */
    record In(Zone zone) implements ZoneScope {
        public In {
            Objects.requireNonNull(zone, "zone");
        }

        @Override
        public String toString() {
            return "in " + zone;
        }
    }
}
