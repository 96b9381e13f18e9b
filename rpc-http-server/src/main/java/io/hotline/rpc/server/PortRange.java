package io.hotline.rpc.server;

/**
 * The ports a server may listen on, written as the proposal's {@code port_range}: {@code 20000:20100}; empty means
 * an ephemeral port chosen by the system.
 *
 * <pre>{@code
 * PortRange.parse("20000:20100");   // tries 20000, 20001, ... and takes the first free one
 * PortRange.EPHEMERAL;
 * }</pre>
 *
 * @param first the lowest port, or 0 for ephemeral
 * @param last the highest port, or 0 for ephemeral
 */
public record PortRange(int first, int last) {

    public static final PortRange EPHEMERAL = new PortRange(0, 0);

    public PortRange {
        boolean ephemeral = first == 0 && last == 0;
        if (!ephemeral && (first < 1 || last > 65535 || first > last)) {
            throw new IllegalArgumentException("port range " + first + ":" + last
                    + " is not FIRST:LAST with 1 <= FIRST <= LAST <= 65535");
        }
    }

    /** Parses {@code FIRST:LAST}, a single port, or empty for ephemeral. */
    public static PortRange parse(String text) {
        if (text == null || text.isBlank()) {
            return EPHEMERAL;
        }
        String[] parts = text.strip().split(":", -1);
        try {
            if (parts.length == 1) {
                int p = Integer.parseInt(parts[0]);
                return new PortRange(p, p);
            }
            if (parts.length == 2) {
                return new PortRange(Integer.parseInt(parts[0].strip()), Integer.parseInt(parts[1].strip()));
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException("port range '" + text + "' is not FIRST:LAST, e.g. 20000:20100");
    }

    public boolean isEphemeral() {
        return first == 0;
    }

    public int size() {
        return isEphemeral() ? 1 : last - first + 1;
    }

    @Override
    public String toString() {
        return isEphemeral() ? "ephemeral" : first + ":" + last;
    }
}
