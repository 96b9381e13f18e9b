package io.hotline.discovery.keystone;

import io.hotline.discovery.Zone;
import io.hotline.discovery.config.HotlineConfig;
import io.hotline.discovery.config.RemoteZones;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * How to reach one Keystone, read from {@code hotline.keystone.*} (the home zone's) or
 * {@code hotline.keystone.remote.<alias>.*} (a federated zone's), under the names {@code keystone_authtoken} uses
 * ({@code auth_url}, {@code username}, {@code user_domain_name}, ... in a {@code [keystone]} INI section). Every value
 * is checked here; the password and secret are never repeated.
 *
 * @param authUrl the identity API, ending in {@code /v3}
 * @param credentials how to authenticate
 * @param catalogMode whether the store only reads what the cloud's operators registered
 * @param endpointInterface the interface Hotline registers as and, in catalog mode, reads
 * @param roots the regions whose subtrees are the store's zones; empty: the home zone's top region
 * @param timeout one request
 * @param pollInterval how often a watch lists again
 * @param reapInterval how often a writing store removes registrations past deregister-after
 * @param caFile a PEM file of certificate authorities to trust over https, or empty for the JDK's
 * @param keys the prefix of the config keys these came from, so that a message names the key to fix
 */
record KeystoneSettings(URI authUrl, Credentials credentials, boolean catalogMode, String endpointInterface,
        List<String> roots, Duration timeout, Duration pollInterval, Duration reapInterval, Optional<Path> caFile,
        String keys) {

    static final String PREFIX = "hotline.keystone.";

    private static final Duration MAX_DURATION = Duration.ofMinutes(10);

    /** Password or application credential; {@link #toString()} never shows the secret. */
    sealed interface Credentials {
        /** The {@code auth} object of a token request. */
        Map<String, Object> auth();
    }

    /**
     * A user's password, scoped to a project as {@code keystone_authtoken} has it, or to the whole system ({@code
     * system-scope=all}), which is what a user with the {@code reader} role on the system needs to list endpoints.
     */
    record Password(String username, String userDomain, String password, Optional<String> project,
            String projectDomain) implements Credentials {
        @Override
        public Map<String, Object> auth() {
            Map<String, Object> scope = project.<Map<String, Object>>map(p -> Map.of("project", Map.of("name", p,
                    "domain", Map.of("name", projectDomain)))).orElse(Map.of("system", Map.of("all", true)));
            return Map.of("identity", Map.of("methods", List.of("password"), "password", Map.of("user", Map.of(
                            "name", username, "domain", Map.of("name", userDomain), "password", password))),
                    "scope", scope);
        }

        @Override
        public String toString() {
            return "user " + username + " (domain " + userDomain + ") " + project.map(p -> "in project " + p)
                    .orElse("on the system");
        }
    }

    /** An application credential: already scoped, no user name needed. */
    record ApplicationCredential(String id, String secret) implements Credentials {
        @Override
        public Map<String, Object> auth() {
            return Map.of("identity", Map.of("methods", List.of("application_credential"),
                    "application_credential", Map.of("id", id, "secret", secret)));
        }

        @Override
        public String toString() {
            return "application credential " + id;
        }
    }

    @Override
    public String toString() {
        return authUrl + " as " + credentials + (catalogMode ? " (catalog mode)" : "");
    }

    static KeystoneSettings home(HotlineConfig config) {
        return read(config, PREFIX);
    }

    /**
     * The federated zones' Keystones, by zone, from {@code hotline.keystone.remotes} (see {@link RemoteZones}); a
     * remote's zone may not lie inside the home zone nor hold it, as zones never overlap.
     */
    static Map<Zone, KeystoneSettings> remotes(HotlineConfig config, Zone home) {
        Map<Zone, KeystoneSettings> remotes = new LinkedHashMap<>();
        RemoteZones.read(config, PREFIX, home).forEach((zone, prefix) -> {
            if (zone.isWithin(home) || home.isWithin(zone)) {
                throw config.invalid(prefix + "zone", "overlaps this store's home zone " + home
                        + "; a remote serves a zone of its own, e.g. another region");
            }
            remotes.put(zone, read(config, prefix));
        });
        return remotes;
    }

    private static KeystoneSettings read(HotlineConfig config, String p) {
        URI authUrl = authUrl(config, p + "auth-url");
        Credentials credentials = credentials(config, p);
        String modeKey = p + "mode";
        boolean catalog = switch (config.string(modeKey, "read-write").toLowerCase(Locale.ROOT)) {
            case "", "read-write" -> false;
            case "catalog" -> true;
            default -> throw config.invalid(modeKey, "is not a mode; use read-write (Hotline registers in Keystone) or "
                    + "catalog (read the endpoints the cloud's operators registered)");
        };
        String iface = config.string(p + "interface", catalog ? "public" : "internal").toLowerCase(Locale.ROOT);
        if (!List.of("public", "internal", "admin").contains(iface)) {
            throw config.invalid(p + "interface", "is not an endpoint interface; use public, internal or admin");
        }
        List<String> roots = config.list(p + "root-regions");
        for (String root : roots) {
            if (!Regions.SEGMENT.matcher(root).matches()) {
                throw config.invalid(p + "root-regions", "names the region '" + root + "', which is no zone segment: "
                        + "1-63 letters, digits, '-' or '_'");
            }
        }
        Duration timeout = config.positiveDuration(p + "timeout", Duration.ofSeconds(5), MAX_DURATION);
        Duration poll = config.positiveDuration(p + "poll-interval", Duration.ofSeconds(2), MAX_DURATION);
        Duration reap = config.positiveDuration(p + "reap-interval", Duration.ofSeconds(30), MAX_DURATION);
        Optional<Path> ca = config.string(p + "cafile").filter(s -> !s.isEmpty()).map(Path::of);
        if (ca.isPresent() && !Files.isReadable(ca.get())) {
            throw config.invalid(p + "cafile", "cannot be read; give the path of a PEM file of CA certificates");
        }
        return new KeystoneSettings(authUrl, credentials, catalog, iface, List.copyOf(roots), timeout, poll, reap, ca,
                p);
    }

    private static URI authUrl(HotlineConfig config, String key) {
        String raw = config.string(key).filter(s -> !s.isEmpty()).orElseThrow(() -> config.invalid(key,
                "is missing; set the identity API's address, e.g. https://keystone.example:5000/v3"));
        String text = raw.endsWith("/") ? raw.substring(0, raw.length() - 1) : raw;
        if (!text.endsWith("/v3")) {
            text = text + "/v3";
        }
        try {
            URI uri = new URI(text);
            if (!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme()) || uri.getHost() == null) {
                throw config.invalid(key, "is not an http or https address; write e.g. https://keystone.example:5000/v3");
            }
            return uri;
        } catch (URISyntaxException e) {
            throw config.invalid(key, "is not an address (" + e.getReason() + "); write e.g. "
                    + "https://keystone.example:5000/v3");
        }
    }

    private static Credentials credentials(HotlineConfig config, String p) {
        Optional<String> appId = nonEmpty(config, p + "application-credential-id");
        if (appId.isPresent()) {
            String secret = nonEmpty(config, p + "application-credential-secret").orElseThrow(() -> config.invalid(
                    p + "application-credential-secret", "is missing while " + p + "application-credential-id is set"));
            if (nonEmpty(config, p + "password").isPresent()) {
                throw config.invalid(p + "password", "is set beside an application credential; give one or the other");
            }
            return new ApplicationCredential(appId.get(), secret);
        }
        String user = nonEmpty(config, p + "username").orElseThrow(() -> config.invalid(p + "username",
                "is missing; set a user (with username, password and project-name) or an application credential "
                        + "(application-credential-id and -secret)"));
        String password = nonEmpty(config, p + "password").orElseThrow(() -> config.invalid(p + "password",
                "is missing for the user " + user));
        Optional<String> project = nonEmpty(config, p + "project-name");
        Optional<String> system = nonEmpty(config, p + "system-scope");
        if (system.isPresent() && !system.get().equals("all")) {
            throw config.invalid(p + "system-scope", "is not 'all', the only system scope Keystone has");
        }
        if (project.isPresent() == system.isPresent()) {
            throw config.invalid(p + "project-name", (project.isPresent() ? "is set beside " + p + "system-scope; give "
                    + "one" : "is missing") + ": the token is scoped to a project (admin, to register) or, to read "
                    + "with the reader role on the system, to the system (" + p + "system-scope=all)");
        }
        return new Password(user, config.string(p + "user-domain-name", "Default"), password, project,
                config.string(p + "project-domain-name", "Default"));
    }

    private static Optional<String> nonEmpty(HotlineConfig config, String key) {
        return config.string(key).filter(s -> !s.isEmpty());
    }
}
