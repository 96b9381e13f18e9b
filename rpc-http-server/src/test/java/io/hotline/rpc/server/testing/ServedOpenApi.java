package io.hotline.rpc.server.testing;

import static org.assertj.core.api.Assertions.assertThat;

import com.atlassian.oai.validator.OpenApiInteractionValidator;
import io.swagger.parser.OpenAPIParser;
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
 * ValidationReport report = served.validator().validate(request, response);
 * }</pre>
 *
 * @param parsed the document as swagger-parser read it, with the messages it had
 * @param validator checks requests and replies against the document
 */
public record ServedOpenApi(SwaggerParseResult parsed, OpenApiInteractionValidator validator) {

    /** Fetches the document at {@code document}, which must answer 200 and parse. */
    public static ServedOpenApi read(HttpClient http, URI document) throws IOException, InterruptedException {
        HttpResponse<String> doc = http.send(HttpRequest.newBuilder(document).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(doc.statusCode()).isEqualTo(200);
        // The options the validator's own loader uses, so the document checked is the one it validates with.
        ParseOptions options = new ParseOptions();
        options.setResolve(true);
        options.setResolveFully(true);
        SwaggerParseResult parsed = new OpenAPIParser().readContents(doc.body(), null, options);
        assertThat(parsed.getOpenAPI()).as("swagger-parser read no document: %s", parsed.getMessages()).isNotNull();
        return new ServedOpenApi(parsed, OpenApiInteractionValidator.createFor(parsed.getOpenAPI()).build());
    }
}
