package io.hotline.discovery.keystone;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.hotline.discovery.StoreException;
import io.hotline.discovery.StoreUnavailableException;
import io.hotline.discovery.Untrusted;
import io.hotline.discovery.spi.Backoff;
import io.hotline.discovery.tls.PemTls;
import java.io.EOFException;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import javax.net.ssl.SSLException;
import org.eclipse.jetty.client.ContentResponse;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.client.Request;
import org.eclipse.jetty.client.StringRequestContent;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpMethod;
import org.eclipse.jetty.io.ClientConnector;
import org.eclipse.jetty.util.ssl.SslContextFactory;

/**
 * Keystone's v3 REST API as the store uses it: a token obtained with the configured credentials, kept until shortly
 * before it expires and obtained again once when a request is answered 401; every answer's {@code Date} feeds the
 * {@link ServerClock}. A request that may run twice (all but the POSTs that create a service or an endpoint) is sent
 * again, a few times and briefly, when Keystone closes the connection without an answer or answers 500, 502, 503 or
 * 504: Keystone fails a write now and then when its database refuses it for a moment (a deadlock in MySQL, a locked
 * sqlite file), and uWSGI answers a request whose handler failed by closing the connection. Failures become the SPI's
 * errors: no answer or a 5xx is {@link StoreUnavailableException}, a refused login or a 403 a {@link StoreException}
 * naming what to fix; never the password, secret or token.
 */
final class KeystoneApi implements AutoCloseable {

    /** An answer: its status and JSON body (an empty object for none). */
    record Answer(int status, JsonNode body) {
        boolean ok() {
            return status >= 200 && status < 300;
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();
    /** A token is obtained again this long before Keystone says it expires, or a quarter of its life if shorter. */
    private static final Duration RENEW_BEFORE = Duration.ofMinutes(2);
    /** How many times in all a request that may run twice is sent while Keystone fails it. */
    private static final int ATTEMPTS = 3;
    /** Between those attempts: long enough for the write that held a database lock to finish (milliseconds). */
    private static final Backoff RETRY = Backoff.exponential(Duration.ofMillis(100), Duration.ofMillis(200))
            .withJitter(0.5);

    private final KeystoneSettings settings;
    private final HttpClient http;
    private final ServerClock clock;
    private final LongSupplier nanos;
    private String token;
    /** When the token is to be replaced, by Keystone's clock. */
    private Instant tokenRenewAt = Instant.MIN;

    KeystoneApi(KeystoneSettings settings, LongSupplier nanos) {
        this.settings = settings;
        this.nanos = nanos;
        this.clock = new ServerClock(nanos);
        ClientConnector connector = new ClientConnector();
        if (settings.caFile().isPresent()) {
            SslContextFactory.Client tls = new SslContextFactory.Client();
            tls.setTrustStore(PemTls.trustStore(settings.caFile().get()));
            connector.setSslContextFactory(tls);
        }
        this.http = new HttpClient(new org.eclipse.jetty.client.transport.HttpClientTransportOverHTTP(connector));
        http.setConnectTimeout(settings.timeout().toMillis());
        http.setName("hotline-keystone");
        try {
            http.start();
        } catch (Exception e) {
            throw new IllegalStateException("cannot start the HTTP client for Keystone: " + e, e);
        }
    }

    ServerClock clock() {
        return clock;
    }

    KeystoneSettings settings() {
        return settings;
    }

    /** GET of a path under the auth URL, e.g. {@code /endpoints?service_id=...}. */
    Answer get(String path) {
        return send(HttpMethod.GET, path, null, true);
    }

    /** A POST that creates something, sent once: when it fails, it may have created it. */
    Answer post(String path, Map<String, Object> body) {
        return send(HttpMethod.POST, path, body, false);
    }

    /** A POST that Keystone refuses with 409 once it has run (a region by its id), so it may be sent again. */
    Answer postRepeatable(String path, Map<String, Object> body) {
        return send(HttpMethod.POST, path, body, true);
    }

    Answer patch(String path, Map<String, Object> body) {
        return send(HttpMethod.PATCH, path, body, true);
    }

    Answer delete(String path) {
        return send(HttpMethod.DELETE, path, null, true);
    }

    private Answer send(HttpMethod method, String path, Map<String, Object> body, boolean repeatable) {
        Answer a = exchange(method, path, body, token(), repeatable);
        if (a.status() == 401) {
            // Revoked or expired early: one new token, one more try.
            invalidate();
            a = exchange(method, path, body, token(), repeatable);
        }
        if (a.status() == 401) {
            throw new StoreException("Keystone at " + settings.authUrl() + " refuses the token it just issued for "
                    + settings.credentials() + " (401 on " + method + " " + pathOnly(path) + ")");
        }
        if (a.status() == 403) {
            throw new StoreException("Keystone at " + settings.authUrl() + " forbids " + method + " " + pathOnly(path)
                    + " to " + settings.credentials() + " (403): " + (method == HttpMethod.GET
                    ? "listing services and endpoints takes the admin role on its project, or the reader role on the "
                            + "system (openstack role add --user NAME --system all reader) with " + settings.keys()
                            + "system-scope=all in place of project-name"
                    : "registering takes the admin role on its project (Keystone's default policy for regions, "
                            + "services and endpoints); a reader can only use " + settings.keys() + "mode=catalog"));
        }
        if (a.status() >= 500) {
            throw new StoreUnavailableException("Keystone at " + settings.authUrl() + " answered " + a.status() + " to "
                    + method + " " + pathOnly(path));
        }
        return a;
    }

    private static String pathOnly(String path) {
        int q = path.indexOf('?');
        return q < 0 ? path : path.substring(0, q);
    }

    private synchronized void invalidate() {
        token = null;
        tokenRenewAt = Instant.MIN;
    }

    /** The current token, obtained again when it is about to expire. */
    private synchronized String token() {
        if (token != null && clock.latest().orElse(Instant.MAX).isBefore(tokenRenewAt)) {
            return token;
        }
        String login = json(Map.of("auth", settings.credentials().auth()));
        // A login that ran twice issued two tokens; the first is never used.
        ContentResponse response = deliver(() -> http.newRequest(settings.authUrl() + "/auth/tokens")
                .method(HttpMethod.POST).body(new StringRequestContent("application/json", login)),
                "POST /auth/tokens", true);
        int status = response.getStatus();
        if (status == 401) {
            throw new StoreException("Keystone at " + settings.authUrl() + " refuses the credentials of "
                    + settings.credentials() + " (401): check " + settings.keys() + (settings.credentials()
                    instanceof KeystoneSettings.Password ? "username, " + settings.keys() + "password and the domain"
                    + " and project names" : "application-credential-id and -secret"));
        }
        if (status == 404 || status == 400) {
            throw new StoreException("Keystone at " + settings.authUrl() + " answered " + status + " to a login of "
                    + settings.credentials() + ": check " + settings.keys() + "auth-url (it must end in /v3) and the "
                    + "domain and project names");
        }
        if (status >= 300) {
            throw new StoreUnavailableException("Keystone at " + settings.authUrl() + " answered " + status
                    + " to a login");
        }
        String issued = response.getHeaders().get("X-Subject-Token");
        if (issued == null || issued.isEmpty()) {
            throw new StoreUnavailableException("Keystone at " + settings.authUrl() + " issued no token (no "
                    + "X-Subject-Token header)");
        }
        JsonNode body = parse(response);
        Instant renewAt;
        try {
            Instant issuedAt = Instant.parse(body.path("token").path("issued_at").asText());
            Instant expires = Instant.parse(body.path("token").path("expires_at").asText());
            Duration margin = Duration.between(issuedAt, expires).dividedBy(4);
            renewAt = expires.minus(margin.compareTo(RENEW_BEFORE) < 0 ? margin : RENEW_BEFORE);
        } catch (DateTimeParseException e) {
            // Without a known expiry, the token is used until Keystone refuses it (401: a new one).
            renewAt = Instant.MAX;
        }
        token = issued;
        tokenRenewAt = renewAt;
        return token;
    }

    private Answer exchange(HttpMethod method, String path, Map<String, Object> body, String authToken,
            boolean repeatable) {
        String content = body == null ? null : json(body);
        ContentResponse response = deliver(() -> {
            Request r = http.newRequest(settings.authUrl() + path).method(method)
                    .headers(h -> h.put("X-Auth-Token", authToken));
            return content == null ? r : r.body(new StringRequestContent("application/json", content));
        }, method + " " + pathOnly(path), repeatable);
        return new Answer(response.getStatus(), parse(response));
    }

    /**
     * Sends the request {@code request} makes and returns the answer; when Keystone closes the connection without one
     * or answers with a server error, a {@code repeatable} request is made and sent again after a short pause, up to
     * {@value #ATTEMPTS} times in all (the last failure stands). A timeout is not repeated: the caller has waited long
     * enough, and its own retries (the heartbeater's, the watch's) come later.
     */
    private ContentResponse deliver(Supplier<Request> request, String what, boolean repeatable) {
        for (int attempt = 1; ; attempt++) {
            boolean last = !repeatable || attempt == ATTEMPTS;
            try {
                ContentResponse response = run(request.get(), what);
                if (last || !serverFailed(response.getStatus())) {
                    return response;
                }
            } catch (StoreUnavailableException e) {
                if (last || !closedWithoutAnswer(e)) {
                    throw e;
                }
            }
            try {
                Thread.sleep(RETRY.delay(attempt).toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new StoreUnavailableException("interrupted while waiting for Keystone", e);
            }
        }
    }

    private static boolean serverFailed(int status) {
        return status == 500 || status == 502 || status == 503 || status == 504;
    }

    private static boolean closedWithoutAnswer(StoreUnavailableException e) {
        return e.getCause() instanceof ExecutionException ee && ee.getCause() instanceof EOFException;
    }

    private ContentResponse run(Request r, String what) {
        r.timeout(settings.timeout().toMillis(), TimeUnit.MILLISECONDS).accept("application/json");
        long sent = nanos.getAsLong();
        ContentResponse response;
        try {
            response = r.send();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StoreUnavailableException("interrupted while waiting for Keystone", e);
        } catch (TimeoutException | ExecutionException e) {
            Throwable cause = e.getCause() == null ? e : e.getCause();
            Throwable tls = cause;
            while (tls != null && !(tls instanceof SSLException)) {
                tls = tls.getCause();
            }
            if (tls != null) {
                throw new StoreException("Keystone at " + settings.authUrl() + ": the TLS handshake failed ("
                        + Untrusted.excerpt(String.valueOf(tls.getMessage())) + "); if its certificate is signed by "
                        + "a private CA, set " + settings.keys() + "cafile to a PEM file of that CA", e);
            }
            // Jetty's messages dump its connection's state: the kind of failure says enough.
            throw new StoreUnavailableException("Keystone at " + settings.authUrl() + " does not answer " + what + ": "
                    + (cause instanceof EOFException ? "the connection closed" : cause.getClass().getSimpleName()
                    + (cause.getMessage() == null ? "" : " " + Untrusted.excerpt(cause.getMessage()))), e);
        }
        String date = response.getHeaders().get(HttpHeader.DATE);
        if (date != null) {
            try {
                clock.observe(ZonedDateTime.parse(date, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant(), sent,
                        nanos.getAsLong());
            } catch (DateTimeParseException e) {
                // An answer without a usable date tells nothing of the clock; the next one will.
            }
        }
        return response;
    }

    private JsonNode parse(ContentResponse response) {
        byte[] content = response.getContent();
        if (content == null || content.length == 0) {
            return JSON.createObjectNode();
        }
        try {
            return JSON.readTree(content);
        } catch (IOException e) {
            throw new StoreUnavailableException("Keystone at " + settings.authUrl() + " answered " + response.getStatus()
                    + " with a body that is not JSON");
        }
    }

    static String json(Object value) {
        try {
            return JSON.writeValueAsString(value);
        } catch (IOException e) {
            throw new IllegalStateException("cannot write JSON: " + e, e);
        }
    }

    @Override
    public void close() {
        try {
            http.stop();
        } catch (Exception e) {
            // Stopping releases threads and sockets; nothing more to do if it fails.
        }
    }
}
