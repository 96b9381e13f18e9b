package io.hotline.discovery;

/**
 * Text that came from outside (a request, a foreign store record, a file name someone else chose) made safe to write
 * into a log line or an error message: control, format and separator characters and lone surrogates are escaped
 * ({@code \n}, {@code \u001b}), so a value cannot start a forged log line or drive a terminal, and long values are
 * cut. The backslash itself is left alone, so that escaping text that holds an escaped value (a message quoting an
 * excerpt) changes nothing. Every module quotes foreign text through here, so all of them escape alike.
 *
 * <pre>{@code
 * log.warn("cast {} was not run", Untrusted.escape(method));
 * throw new InvalidRequest("no method " + Untrusted.excerpt(method));
 * }</pre>
 */
public final class Untrusted {

    /** How much of a value a log line keeps: enough for ids, paths and messages, not a flood. */
    public static final int LOG_LIMIT = 256;
    /** How much of bad input an error message quotes: the client sent it and only needs to recognise it. */
    public static final int EXCERPT_LIMIT = 64;

    private Untrusted() {}

    /** For a log line: the value escaped, cut after {@link #LOG_LIMIT} characters. */
    public static String escape(Object value) {
        return quote(value, LOG_LIMIT);
    }

    /** For an error message: at most the first {@link #EXCERPT_LIMIT} characters, escaped. */
    public static String excerpt(Object value) {
        return quote(value, EXCERPT_LIMIT);
    }

    private static String quote(Object value, int limit) {
        String s = String.valueOf(value);
        int shown = Math.min(s.length(), limit);
        if (shown > 0 && Character.isHighSurrogate(s.charAt(shown - 1)) && shown < s.length()) {
            shown--; // never cut a pair in two, which would leave a lone surrogate
        }
        if (shown == s.length() && isPlain(s)) {
            return s;
        }
        StringBuilder out = new StringBuilder(shown + 16);
        for (int i = 0; i < shown; i++) {
            char c = s.charAt(i);
            if (c == '\n') {
                out.append("\\n");
            } else if (c == '\r') {
                out.append("\\r");
            } else if (c == '\t') {
                out.append("\\t");
            } else if (needsEscape(s, i)) {
                out.append(String.format("\\u%04x", (int) c));
            } else {
                out.append(c);
                if (Character.isHighSurrogate(c)) {
                    out.append(s.charAt(++i));
                }
            }
        }
        if (shown < s.length()) {
            out.append("...(").append(s.length()).append(" characters)");
        }
        return out.toString();
    }

    private static boolean isPlain(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (needsEscape(s, i)) {
                return false;
            }
            if (Character.isHighSurrogate(c)) {
                i++;
            }
        }
        return true;
    }

    /** Control (C0, DEL, C1), format (e.g. bidirectional overrides), line and paragraph separators, lone surrogates. */
    private static boolean needsEscape(String s, int i) {
        char c = s.charAt(i);
        if (Character.isHighSurrogate(c)) {
            return i + 1 >= s.length() || !Character.isLowSurrogate(s.charAt(i + 1));
        }
        if (Character.isLowSurrogate(c)) {
            return true; // a low surrogate reached here has no high one before it
        }
        return switch (Character.getType(c)) {
            case Character.CONTROL, Character.FORMAT, Character.LINE_SEPARATOR, Character.PARAGRAPH_SEPARATOR -> true;
            default -> false;
        };
    }
}
