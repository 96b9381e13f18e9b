package io.hotline.rpc.server.testing;

import static org.assertj.core.api.Assertions.assertThat;

import io.swagger.v3.parser.OpenAPIV3Parser;
import io.swagger.v3.parser.core.models.ParseOptions;
import io.swagger.v3.parser.core.models.SwaggerParseResult;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

/**
 * The OpenAPI document a running server serves, parsed, and a validator of exchanges against it: what the conformance
 * tests of the RPC server and of the broadcaster check their requests and replies with.
 *
 * <pre>{@code
 * ServedOpenApi served = ServedOpenApi.read(http, URI.create(server.endpoint().baseUri() + "/openapi.json"));
 * assertThat(served.parsed().getMessages()).isEmpty();
 * assertThat(served.validator().validateRequest(OpenApiValidator.Request.get("/healthz"))).isEmpty();
 * }</pre>
 *
 * @param parsed the document as swagger-parser read it, with the messages it had
 * @param validator checks requests and replies against the document
 */
public record ServedOpenApi(SwaggerParseResult parsed, OpenApiValidator validator) {

    /** Fetches the document at {@code document}, which must answer 200 and parse. */
    public static ServedOpenApi read(HttpClient http, URI document) throws IOException, InterruptedException {
        HttpResponse<String> doc = http.send(HttpRequest.newBuilder(document).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(doc.statusCode()).isEqualTo(200);
        // Resolved fully, so the tests that walk the model see each referenced schema in place.
        ParseOptions options = new ParseOptions();
        options.setResolve(true);
        options.setResolveFully(true);
        SwaggerParseResult parsed = new OpenAPIV3Parser().readContents(doc.body(), null, options);
        assertThat(parsed.getOpenAPI()).as("swagger-parser read no document: %s", parsed.getMessages()).isNotNull();
        return new ServedOpenApi(parsed, OpenApiValidator.of(doc.body()));
    }
}
