package io.hotline.discovery;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * A place in the cloud's zone tree, written as a path such as {@code region-one/az-1/cell-7}.
 *
 * <p>There may be several roots ({@code region-one}, {@code region-two}). Two zones are "near" when they
 * share a long path prefix: {@code region-one/az-1/cell-7} is nearer to {@code region-one/az-1/cell-2}
 * than to {@code region-one/az-2}, and farthest from anything under {@code region-two}.
 *
 * <pre>{@code
 * Zone cell = Zone.of("region-one/az-1/cell-7");
 * cell.isWithin(Zone.of("region-one"));           // true
 * cell.commonDepth(Zone.of("region-one/az-2"));   // 1
 * }</pre>
 *
 * <p>Each segment is 1 to 63 characters of letters, digits, {@code -} and {@code _}, starting with a letter
 * or digit, so that every store can use it as a key, a Consul datacenter or a DNS label.
 */
public final class Zone {

    private static final Pattern SEGMENT = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_-]{0,62}");
    private static final int MAX_DEPTH = 16;

    /** The zone of a process that has not configured one ({@code hotline.zone} unset). */
    public static final Zone LOCAL = new Zone(new String[] {"local"});

    private final String[] segments;
    private final String path;

    private Zone(String[] segments) {
        this.segments = segments;
        this.path = String.join("/", segments);
    }

    /**
     * Parses a zone path.
     *
     * @throws IllegalArgumentException if the path is empty, has an empty or invalid segment, or is deeper
     *     than 16 levels; the message says which part is wrong
     */
    public static Zone of(String path) {
        Objects.requireNonNull(path, "zone path");
        if (path.isEmpty()) {
            throw new IllegalArgumentException("zone path is empty; write it like region-one/az-1");
        }
        String[] parts = path.split("/", -1);
        if (parts.length > MAX_DEPTH) {
            throw new IllegalArgumentException("zone path '" + Untrusted.excerpt(path) + "' has " + parts.length
                    + " levels; at most " + MAX_DEPTH + " are allowed");
        }
        for (String part : parts) {
            if (part.isEmpty()) {
                throw new IllegalArgumentException("zone path '" + Untrusted.excerpt(path) + "' has an empty segment;"
                        + " separate segments with single slashes and no leading or trailing slash");
            }
            if (!SEGMENT.matcher(part).matches()) {
                throw new IllegalArgumentException("zone path '" + Untrusted.excerpt(path) + "' has an invalid segment '"
                        + Untrusted.excerpt(part) + "'; use 1-63 letters, digits, '-' or '_', starting with a letter or"
                        + " digit");
            }
        }
        return new Zone(parts);
    }

    /** The path segments, root first. */
    public List<String> segments() {
        return List.of(segments);
    }

    /** Number of segments: 1 for a root zone. */
    public int depth() {
        return segments.length;
    }

    /** The enclosing zone, or empty for a root zone. */
    public Optional<Zone> parent() {
        return segments.length == 1 ? Optional.empty() : Optional.of(new Zone(Arrays.copyOf(segments, segments.length - 1)));
    }

    /** The zone named {@code name} directly inside this one. */
    public Zone child(String name) {
        return of(path + "/" + name);
    }

    /** The first {@code depth} levels of this zone. */
    public Zone ancestor(int depth) {
        if (depth < 1 || depth > segments.length) {
            throw new IllegalArgumentException("depth " + depth + " is outside 1.." + segments.length + " for zone " + path);
        }
        return depth == segments.length ? this : new Zone(Arrays.copyOf(segments, depth));
    }

    /** True if this zone is {@code other} or lies inside it. */
    public boolean isWithin(Zone other) {
        return other.segments.length <= segments.length && commonDepth(other) == other.segments.length;
    }

    /** How many leading segments this zone shares with {@code other}; higher means nearer. */
    public int commonDepth(Zone other) {
        int n = Math.min(segments.length, other.segments.length);
        int i = 0;
        while (i < n && segments[i].equals(other.segments[i])) {
            i++;
        }
        return i;
    }

    /** The path, e.g. {@code region-one/az-1}. */
    public String path() {
        return path;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Zone z && z.path.equals(path);
    }

    @Override
    public int hashCode() {
        return path.hashCode();
    }

    @Override
    public String toString() {
        return path;
    }
}
