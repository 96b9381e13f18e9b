package io.hotline.discovery.config;

import io.hotline.discovery.HealthPolicy;
import java.util.Locale;
import java.util.Map;

/**
 * Which {@code hotline.*} key each option of an oslo-style INI file sets. The proposal's options keep their oslo
 * names in the file and land on the keys the rest of Hotline reads:
 *
 * <table>
 * <caption>Options the proposal names</caption>
 * <tr><th>section</th><th>option</th><th>key</th></tr>
 * <tr><td>{@code DEFAULT}</td><td>{@code transport_url}</td><td>{@code hotline.transport-url}</td></tr>
 * <tr><td>{@code DEFAULT}</td><td>{@code report_interval}</td><td>{@code hotline.health.report-interval}</td></tr>
 * <tr><td>{@code DEFAULT}</td><td>{@code service_down_time}</td><td>{@code hotline.health.down-after}</td></tr>
 * <tr><td>{@code oslo_messaging_http}</td><td>{@code port_range}</td><td>{@code hotline.http.port-range}</td></tr>
 * <tr><td>{@code oslo_messaging_http}</td><td>{@code zone}</td><td>{@code hotline.zone}</td></tr>
 * <tr><td>{@code oslo_messaging_http}</td><td>{@code store}</td><td>{@code hotline.store}</td></tr>
 * <tr><td>{@code http_driver}</td><td>{@code http_token}</td><td>{@code hotline.http.token}</td></tr>
 * <tr><td>{@code http_driver}</td><td>{@code enable_ssl}</td><td>{@code hotline.http.tls.enabled}</td></tr>
 * <tr><td>{@code http_driver}</td><td>{@code ssl_certfile}</td><td>{@code hotline.http.tls.certfile}</td></tr>
 * <tr><td>{@code http_driver}</td><td>{@code ssl_keyfile}</td><td>{@code hotline.http.tls.keyfile}</td></tr>
 * <tr><td>{@code http_driver}</td><td>{@code listen_timeout}</td><td>{@code hotline.http.listen-timeout}</td></tr>
 * <tr><td>{@code http_driver}</td><td>{@code http_api_config_file}</td>
 *     <td>{@code hotline.http.api-config-file}</td></tr>
 * <tr><td>{@code hotline}</td><td>{@code foo_bar}</td><td>{@code hotline.foo-bar}</td></tr>
 * <tr><td><i>any other</i></td><td>{@code foo_bar}</td><td>{@code hotline.<section>.foo-bar}</td></tr>
 * </table>
 *
 * <p>The last rule lets a store plugin read its own section: {@code [redis] sentinel_master} is
 * {@code hotline.redis.sentinel-master}, and the proposal's {@code [consul]} options ({@code host}, {@code port},
 * {@code token}, {@code check_timeout}, {@code check_deregister}) need no entry of their own.
 */
final class IniOptions {

    private static final Map<String, String> NAMED = Map.ofEntries(
            Map.entry("DEFAULT transport_url", "hotline.transport-url"),
            // Nova's own service heartbeat: its servers' registrations keep the same rhythm.
            Map.entry("DEFAULT report_interval", HealthPolicy.REPORT_INTERVAL),
            Map.entry("DEFAULT service_down_time", HealthPolicy.DOWN_AFTER),
            Map.entry("oslo_messaging_http port_range", "hotline.http.port-range"),
            Map.entry("oslo_messaging_http zone", HotlineConfig.ZONE),
            Map.entry("oslo_messaging_http store", HotlineConfig.STORE),
            Map.entry("http_driver http_token", "hotline.http.token"),
            Map.entry("http_driver enable_ssl", "hotline.http.tls.enabled"),
            Map.entry("http_driver ssl_certfile", "hotline.http.tls.certfile"),
            Map.entry("http_driver ssl_keyfile", "hotline.http.tls.keyfile"),
            Map.entry("http_driver listen_timeout", "hotline.http.listen-timeout"),
            Map.entry("http_driver http_api_config_file", "hotline.http.api-config-file"));

    private IniOptions() {}

    /**
     * The section name as oslo.config compares it: {@code DEFAULT} exactly, every other section in any case, so
     * {@code [Consul]} is {@code [consul]}.
     */
    static String section(String name) {
        String s = name.strip();
        return s.equals("DEFAULT") ? s : s.toLowerCase(Locale.ROOT);
    }

    /** The key that {@code option} in the {@linkplain #section(String) normalised} {@code section} sets. */
    static String key(String section, String option) {
        String named = NAMED.get(section + " " + option);
        if (named != null) {
            return named;
        }
        if (section.equals("hotline")) {
            return "hotline." + dashed(option);
        }
        return "hotline." + dashed(section.toLowerCase(Locale.ROOT)) + "." + dashed(option);
    }

    private static String dashed(String name) {
        return name.replace('_', '-');
    }
}
