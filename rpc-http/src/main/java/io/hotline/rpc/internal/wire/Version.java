package io.hotline.rpc.internal.wire;

import io.hotline.discovery.Untrusted;

/**
 * An oslo API version, {@code major.minor}; compatible when the major is equal and the minor not higher. The client
 * checks a target's version with it and the server picks the endpoint that serves a request's version.
 *
 * <pre>{@code
 * Version.parse("1.3").serves(Version.parse("1.1"));   // true
 * Version.parse(null);                                 // 1.0, the version of a request that names none
 * }</pre>
 */
public record Version(int major, int minor) implements Comparable<Version> {

    /** The version of a request or endpoint that names none: 1.0. */
    public static final Version DEFAULT = new Version(1, 0);

    /**
     * The version {@code text} names, or {@link #DEFAULT} for null.
     *
     * @throws IllegalArgumentException if it is not {@code major.minor}
     */
    public static Version parse(String text) {
        if (text == null) {
            return DEFAULT;
        }
        String[] parts = text.split("\\.", -1);
        try {
            if (parts.length == 2) {
                int major = Integer.parseInt(parts[0]);
                int minor = Integer.parseInt(parts[1]);
                if (major >= 0 && minor >= 0) {
                    return new Version(major, minor);
                }
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException("version '" + Untrusted.excerpt(text)
                + "' is not major.minor, e.g. 1.3");
    }

    /** True if an endpoint at this version can serve a request for {@code requested}. */
    public boolean serves(Version requested) {
        return major == requested.major && requested.minor <= minor;
    }

    @Override
    public int compareTo(Version o) {
        return major != o.major ? Integer.compare(major, o.major) : Integer.compare(minor, o.minor);
    }

    @Override
    public String toString() {
        return major + "." + minor;
    }
}
