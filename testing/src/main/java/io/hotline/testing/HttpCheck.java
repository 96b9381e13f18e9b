package io.hotline.testing;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Objects;
import java.util.function.Predicate;

/** Ready when a GET answers 2xx with an accepted body. */
final class HttpCheck implements ReadinessCheck {

    private static final Duration CONNECT_TIMEOUT = Duration.ofMillis(500);
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(2);
    private static final int BODY_EXCERPT = 200;

    // One client for every check: each HttpClient owns a selector thread that lives until it is collected.
    // No proxy, since a proxy from the environment cannot reach a server on the test machine's loopback;
    // HTTP/1.1 so that no server sees an h2c upgrade request.
    private static final HttpClient CLIENT = HttpClient.newBuilder()
            .connectTimeout(CONNECT_TIMEOUT)
            .proxy(HttpClient.Builder.NO_PROXY)
            .version(HttpClient.Version.HTTP_1_1)
            .followRedirects(HttpClient.Redirect.NEVER)
            .build();

    private final URI uri;
    private final Predicate<String> body;

    HttpCheck(URI uri, Predicate<String> body) {
        this.uri = Objects.requireNonNull(uri, "uri");
        this.body = Objects.requireNonNull(body, "body");
        if (!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme())) {
            throw new IllegalArgumentException("readiness URI " + uri + " is not http or https");
        }
    }

    @Override
    public boolean isReady() throws NotReadyException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(uri).timeout(REQUEST_TIMEOUT).GET().build();
        HttpResponse<String> response;
        try {
            response = CLIENT.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new NotReadyException("GET " + uri + " failed: " + e, e);
        }
        if (response.statusCode() / 100 != 2) {
            throw new NotReadyException("GET " + uri + " answered " + response.statusCode() + ": "
                    + excerpt(response.body()));
        }
        if (!body.test(response.body())) {
            throw new NotReadyException("GET " + uri + " answered " + response.statusCode()
                    + " with a body not showing readiness: " + excerpt(response.body()));
        }
        return true;
    }

    private static String excerpt(String body) {
        String oneLine = body.strip().replaceAll("\\s+", " ");
        return oneLine.length() > BODY_EXCERPT ? oneLine.substring(0, BODY_EXCERPT) + "..." : oneLine;
    }

    @Override
    public String toString() {
        return "GET " + uri;
    }
}
