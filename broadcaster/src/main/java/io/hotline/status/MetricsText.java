package io.hotline.status;

import java.util.HashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The few samples the status page reads from a Hotline server's Prometheus {@code /metrics} text: an RPC server's
 * call count and total call time, a broadcaster's fanouts requested by clients (peer shares left out, so that a sum
 * over broadcasters counts each fanout once) and deliveries by outcome.
 */
record MetricsText(double calls, double callSeconds, double casts, double clientFanouts, Map<String, Double> deliveries) {

    private static final Pattern SAMPLE = Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{([^}]*)})?\\s+(\\S+)");
    private static final Pattern LABEL = Pattern.compile("(\\w+)=\"((?:[^\"\\\\]|\\\\.)*)\"");

    static MetricsText parse(String text) {
        double calls = 0;
        double callSeconds = 0;
        double casts = 0;
        double clientFanouts = 0;
        Map<String, Double> deliveries = new HashMap<>();
        for (String line : text.split("\n")) {
            if (line.startsWith("#")) {
                continue;
            }
            Matcher m = SAMPLE.matcher(line);
            if (!m.find()) {
                continue;
            }
            double value;
            try {
                value = Double.parseDouble(m.group(4));
            } catch (NumberFormatException e) {
                continue;
            }
            Map<String, String> labels = labels(m.group(3));
            switch (m.group(1)) {
                case "hotline_rpc_server_requests_seconds_count" -> {
                    if ("call".equals(labels.get("kind"))) {
                        calls += value;
                    } else if ("cast".equals(labels.get("kind"))) {
                        casts += value;
                    }
                }
                case "hotline_rpc_server_requests_seconds_sum" -> {
                    if ("call".equals(labels.get("kind"))) {
                        callSeconds += value;
                    }
                }
                case "hotline_broadcaster_client_fanouts_total" -> clientFanouts += value;
                case "hotline_broadcaster_deliveries_total" ->
                        deliveries.merge(labels.getOrDefault("outcome", "?"), value, Double::sum);
                default -> { }
            }
        }
        return new MetricsText(calls, callSeconds, casts, clientFanouts, Map.copyOf(deliveries));
    }

    private static Map<String, String> labels(String text) {
        Map<String, String> labels = new HashMap<>();
        if (text != null) {
            Matcher m = LABEL.matcher(text);
            while (m.find()) {
                labels.put(m.group(1), m.group(2));
            }
        }
        return labels;
    }
}
