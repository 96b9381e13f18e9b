package io.hotline.tck;

import io.hotline.discovery.Endpoint;
import io.hotline.discovery.Zone;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Endpoints at the edges of what {@link Endpoint} accepts, for the data-fidelity clauses: a store must give back
 * whatever the model allows, not a tidy sample. Each edge is here because some encoding loses it: keys and ids that
 * differ only in case, values that look like numbers, JSON, escapes or separators, control characters and characters
 * outside the Basic Multilingual Plane, empty and maximal lengths, and as many entries as the model allows.
 */
final class ModelLimits {

    static final int MAX_ID = 255;
    static final int MAX_HOST = 253;
    static final int MAX_KEY = 128;
    static final int MAX_VALUE = 4096;
    static final int MAX_ENTRIES = 256;
    static final int MAX_PRIORITY_OR_WEIGHT = Endpoint.MAX_PRIORITY_OR_WEIGHT;

    private ModelLimits() {}

    /** Values a careless encoding changes: separators, escapes, look-alikes of other types, whitespace, controls. */
    static final List<String> AWKWARD_VALUES = List.of(
            "",
            " ",
            "  leading and trailing  ",
            "=",
            "a=b=c",
            "k=v,k2=v2;k3:v3",
            "\"quoted\" 'single'",
            "back\\slash \\n not a newline",
            "line one\nline two\r\nline three",
            "\t\u000b\f",
            controls(),
            "\u007f\u0080\u0085\u009f",
            "\u2028\u2029",
            "null",
            "true",
            "007",
            "1e400",
            "-0",
            "0x1F",
            "{\"json\": [1, 2]}",
            "[]",
            "%41%2F%00",
            "a+b&c=d?e#f",
            "<xml attr=\"1\">&amp;</xml>",
            "Zürich — \u00e9t\u00e9 \u0645\u0631\u062d\u0628\u0627 \u4f60\u597d",
            "e\u0301 (combining) \ufeff(bom) \u200b(zero width)",
            "\ud83d\ude00\ud83c\uddfa\ud83c\uddf3 \ud834\udd1e",
            "${jndi:ldap://x} $(rm -rf) `x` ;",
            "_hotline.reserved-looking:value");

    /** Every C0 control character, NUL included. */
    private static String controls() {
        StringBuilder b = new StringBuilder();
        for (char c = 0; c < 0x20; c++) {
            b.append(c);
        }
        return b.toString();
    }

    /**
     * The most metadata the model allows: {@value #MAX_ENTRIES} entries whose keys use every character a key may hold,
     * at every length up to {@value #MAX_KEY}, in pairs that differ only in case, with {@link #AWKWARD_VALUES}.
     */
    static Map<String, String> widestMetadata() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("a", "shortest key");
        m.put("0", "digit key");
        m.put("Mode", "upper");
        m.put("mode", "lower");
        m.put("MODE", "all upper");
        m.put("free_disk_gb", "250");
        m.put("hw.cpu-model_x86", "dots, dashes and underscores");
        m.put("k".repeat(MAX_KEY), "longest key");
        m.put("K".repeat(MAX_KEY), "longest key, other case");
        m.put("9-._" + "x".repeat(MAX_KEY - 4), "longest key starting with a digit and punctuation");
        for (int i = 0; i < AWKWARD_VALUES.size(); i++) {
            m.put("awkward." + i, AWKWARD_VALUES.get(i));
        }
        for (int i = 0; m.size() < MAX_ENTRIES; i++) {
            String key = "key-" + i + "." + "abcdefghij".repeat(12).substring(0, i % 100);
            m.put(i % 2 == 0 ? key : key.toUpperCase(), "value " + i);
        }
        return m;
    }

    /** Values of the greatest length the model allows, in one-, two- and four-byte UTF-8 characters. */
    static Map<String, String> longestValues() {
        return Map.of(
                "ascii", "v".repeat(MAX_VALUE),
                "two-byte", "\u00fc".repeat(MAX_VALUE),
                "three-byte", "\u4f60".repeat(MAX_VALUE),
                "four-byte", "\ud83d\ude00".repeat(MAX_VALUE / 2),
                "mixed", ("a\u00fc\u4f60\ud83d\ude00\n\"\\" + "x".repeat(56)).repeat(MAX_VALUE / 64));
    }

    /** An id of the greatest length, using every character an id may hold. */
    static String longestId() {
        String chars = "AZaz09._:@[]-";
        StringBuilder b = new StringBuilder();
        while (b.length() < MAX_ID) {
            b.append(chars.charAt(b.length() % chars.length()));
        }
        return b.toString();
    }

    /** A host name of the greatest length the model allows. */
    static String longestHost() {
        StringBuilder b = new StringBuilder();
        while (b.length() + 64 <= MAX_HOST) {
            b.append("h".repeat(62)).append("0.");
        }
        b.append("x".repeat(MAX_HOST - b.length()));
        return b.toString();
    }

    /**
     * Endpoints that together cover every field at its edges, all in {@code zone}: ids differing only in case, the
     * longest id, ids that are dot names ({@code .}, {@code ..}, {@code .hidden}) a file or path encoding mistakes,
     * IPv6 hosts with and without a scope, the longest host, the lowest and highest port, both schemes, the widest
     * metadata and the longest values, the lowest and highest priority and weight (0 and 65535 each, together and
     * apart, so that a store dropping either, clamping weight 0 to 1 as Consul's own weights do, or keeping only 8 or
     * 15 bits of them, gives back something else).
     */
    static List<Endpoint> edgeEndpoints(String service, Zone zone) {
        return List.of(
                Endpoint.builder(service).id("Worker-1").server("S").host("::1").port(1).scheme("https").zone(zone)
                        .priority(MAX_PRIORITY_OR_WEIGHT).weight(0).metadata(widestMetadata()).build(),
                Endpoint.builder(service).id("worker-1").server("s").host("[::1]").port(65535).zone(zone)
                        .priority(0).weight(MAX_PRIORITY_OR_WEIGHT).metadata(longestValues()).build(),
                Endpoint.builder(service).id(longestId()).server(longestId()).host(longestHost()).port(8443)
                        .scheme("https").zone(zone).priority(MAX_PRIORITY_OR_WEIGHT).weight(MAX_PRIORITY_OR_WEIGHT)
                        .build(),
                Endpoint.builder(service).id("a").server("[fe80::1]").host("fe80::1%lo").port(20001).zone(zone)
                        .priority(0).weight(0).metadata("only", "").build(),
                Endpoint.builder(service).id("b").host("127.0.0.1").port(20006).zone(zone)
                        .priority(256).weight(32768).build(),
                Endpoint.builder(service).id(".").host("127.0.0.1").port(20002).zone(zone).build(),
                Endpoint.builder(service).id("..").host("127.0.0.1").port(20003).zone(zone).build(),
                Endpoint.builder(service).id(".hidden").server("-").host("127.0.0.1").port(20004).zone(zone).build(),
                Endpoint.builder(service).id("-").server("_").host("127.0.0.1").port(20005).zone(zone).build());
    }
}
