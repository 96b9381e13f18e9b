package io.hotline.discovery.dns;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The {@code key=value} strings of a TXT record (RFC 6763 section 6), in UTF-8, for values of any length: a string holds
 * at most 255 octets, so an entry longer than that continues in the strings after it, each starting with {@code +}
 * (no key starts with {@code +}). Values are kept exactly: empty, with {@code =}, control characters or any Unicode.
 */
final class TxtStrings {

    private static final int MAX_STRING = 255;

    private TxtStrings() {}

    /** The entries as TXT strings in dnsjava's presentation form (every byte that needs it escaped as {@code \DDD}). */
    static List<String> encode(Map<String, String> entries) {
        List<String> strings = new ArrayList<>();
        entries.forEach((key, value) -> {
            byte[] bytes = (key + "=" + value).getBytes(StandardCharsets.UTF_8);
            int at = Math.min(bytes.length, MAX_STRING);
            strings.add(presentation(bytes, 0, at));
            while (at < bytes.length) {
                int end = Math.min(bytes.length, at + MAX_STRING - 1);
                strings.add("+" + presentation(bytes, at, end));
                at = end;
            }
        });
        return strings;
    }

    /**
     * The entries of TXT strings as read off the wire, in order.
     *
     * @throws IllegalArgumentException if a string is not {@code key=value}, a key repeats, or the bytes are not UTF-8
     */
    static Map<String, String> decode(List<byte[]> strings) {
        Map<String, String> entries = new LinkedHashMap<>();
        ByteArrayOutputStream entry = null;
        for (byte[] s : strings) {
            if (s.length > 0 && s[0] == '+') {
                if (entry == null) {
                    throw new IllegalArgumentException("a continuation string comes first");
                }
                entry.write(s, 1, s.length - 1);
                continue;
            }
            if (entry != null) {
                put(entries, entry.toByteArray());
            }
            entry = new ByteArrayOutputStream(s.length);
            entry.write(s, 0, s.length);
        }
        if (entry != null) {
            put(entries, entry.toByteArray());
        }
        return entries;
    }

    private static void put(Map<String, String> entries, byte[] bytes) {
        String text = utf8(bytes);
        int eq = text.indexOf('=');
        if (eq <= 0) {
            throw new IllegalArgumentException("a string is not key=value");
        }
        if (entries.putIfAbsent(text.substring(0, eq), text.substring(eq + 1)) != null) {
            throw new IllegalArgumentException("a key appears twice");
        }
    }

    /**
     * Strictly decoded UTF-8; ASCII, which most strings are, without a decoder (making one per string was about a
     * tenth of reading a zone of 10,000 endpoints in DnsStoreBenchmark).
     */
    private static String utf8(byte[] bytes) {
        for (byte b : bytes) {
            if (b < 0) {
                try {
                    return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                            .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
                } catch (CharacterCodingException e) {
                    throw new IllegalArgumentException("a string is not UTF-8");
                }
            }
        }
        return new String(bytes, StandardCharsets.US_ASCII);
    }

    /** Printable ASCII as itself, {@code "} and {@code \} and every other byte escaped, as dnsjava parses TXT text. */
    private static String presentation(byte[] bytes, int from, int to) {
        StringBuilder b = new StringBuilder((to - from) * 2);
        for (int i = from; i < to; i++) {
            int c = bytes[i] & 0xff;
            if (c > 0x20 && c < 0x7f && c != '"' && c != '\\') {
                b.append((char) c);
            } else {
                b.append('\\').append((char) ('0' + c / 100)).append((char) ('0' + c / 10 % 10))
                        .append((char) ('0' + c % 10));
            }
        }
        return b.toString();
    }
}
