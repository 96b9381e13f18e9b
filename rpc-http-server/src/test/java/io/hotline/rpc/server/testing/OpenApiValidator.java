package io.hotline.rpc.server.testing;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.BooleanNode;
import com.fasterxml.jackson.databind.node.DecimalNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.TextNode;
import com.networknt.schema.Error;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.dialect.Dialect;
import com.networknt.schema.dialect.Dialects;
import com.networknt.schema.keyword.NonValidationKeyword;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.net.URLDecoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * Checks HTTP requests and replies against an OpenAPI 3.0 document: that the path and method are an operation of the
 * document, that its parameters and security are there, that the status is documented, that the content type is one
 * documented, that the required reply headers are there, and that every JSON body, parameter and header matches its
 * schema. The schemas are checked by networknt's json-schema-validator in its OpenAPI 3.0 dialect ({@code nullable},
 * boolean {@code exclusiveMinimum}), with the document's {@code $ref}s resolved within the document; the rest is
 * matched here.
 *
 * <p>A problem's key is {@code validation.<request|response>.<what>[.<schema keyword>]}, the names
 * swagger-request-validator gave, which the tests were written against. Query and cookie parameters are not checked:
 * the documents have none, so one is reported as a problem rather than passed unseen.
 *
 * <pre>{@code
 * OpenApiValidator validator = OpenApiValidator.of(documentJson);
 * assertThat(validator.validateRequest(Request.post("/v1/rpc/nova", "application/json", body))).isEmpty();
 * assertThat(validator.validateResponse("POST", "/v1/rpc/nova", Response.of(httpResponse))).isEmpty();
 * }</pre>
 */
public final class OpenApiValidator {

    // The base the document's $refs resolve against, given to the schema registry as text: nothing is fetched.
    private static final String DOCUMENT = "urn:hotline:openapi";
    // A body with anything after its JSON value is not JSON, though Jackson would read the value and stop.
    private static final ObjectMapper JSON = JsonMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS).build();
    // The whole document is read as the schema resource the $refs point into, so its top-level fields are keywords to
    // the dialect; and the 3.0 dialect reads the boolean exclusiveMinimum with minimum but does not declare it. Both
    // declared as validating nothing, so that they are not logged as unknown keywords.
    private static final Dialect OPENAPI_30 = Dialect.builder(Dialects.getOpenApi30())
            .keywords(Stream.of("openapi", "info", "paths", "components", "exclusiveMinimum")
                    .map(NonValidationKeyword::new).toList())
            .build();

    private final JsonNode document;
    private final SchemaRegistry schemas;

    private OpenApiValidator(String document) throws JsonProcessingException {
        this.document = JSON.readTree(document);
        this.schemas = SchemaRegistry.withDialect(OPENAPI_30,
                registry -> registry.schemas(Map.of(DOCUMENT, document)));
    }

    /** A validator of the OpenAPI 3.0 document {@code document} (its JSON text). */
    public static OpenApiValidator of(String document) throws JsonProcessingException {
        return new OpenApiValidator(document);
    }

    /** What is wrong with {@code request} by the document; empty when it conforms. */
    public List<Problem> validateRequest(Request request) {
        List<Problem> problems = new ArrayList<>();
        Operation operation = operation(request.method(), request.path(), problems);
        if (operation == null) {
            return problems;
        }
        checkParameters(operation, request, problems);
        checkSecurity(operation, request, problems);
        checkRequestBody(operation, request, problems);
        return problems;
    }

    /** What is wrong with {@code response} as the reply to {@code method} on {@code path}; empty when it conforms. */
    public List<Problem> validateResponse(String method, String path, Response response) {
        List<Problem> problems = new ArrayList<>();
        Operation operation = operation(method, path, problems);
        if (operation == null) {
            return problems;
        }
        JsonNode responses = operation.node().path("responses");
        String status = Integer.toString(response.status());
        JsonNode documented = responses.has(status) ? responses.get(status)
                : responses.has(status.charAt(0) + "XX") ? responses.get(status.charAt(0) + "XX")
                : responses.get("default");
        if (documented == null) {
            problems.add(new Problem("validation.response.status.unknown",
                    "status " + status + " is not documented for " + operation));
            return problems;
        }
        documented = resolve(documented);
        for (Map.Entry<String, JsonNode> header : documented.path("headers").properties()) {
            // OpenAPI: a response header named Content-Type is ignored; the content map says it.
            if (!header.getKey().equalsIgnoreCase("Content-Type")) {
                checkValue(header.getKey(), resolve(header.getValue()), response.header(header.getKey()),
                        "validation.response.header", "response header", problems);
            }
        }
        checkContent(documented.path("content"), response.header("Content-Type"), response.body(), false, problems);
        return problems;
    }

    /** The operation {@code method path} names, literal path segments before templated ones; null with a problem. */
    private Operation operation(String method, String path, List<Problem> problems) {
        String[] segments = path.split("/", -1);
        Operation best = null;
        int bestLiterals = -1;
        for (Map.Entry<String, JsonNode> item : document.path("paths").properties()) {
            String[] template = item.getKey().split("/", -1);
            if (template.length != segments.length) {
                continue;
            }
            Map<String, String> values = new LinkedHashMap<>();
            int literals = 0;
            for (int i = 0; i < template.length && values != null; i++) {
                if (template[i].startsWith("{") && template[i].endsWith("}")) {
                    // A path is percent-encoded; '+' is a plus there, not a space as in a form.
                    values.put(template[i].substring(1, template[i].length() - 1),
                            URLDecoder.decode(segments[i].replace("+", "%2B"), StandardCharsets.UTF_8));
                } else if (template[i].equals(segments[i])) {
                    literals++;
                } else {
                    values = null;
                }
            }
            JsonNode pathItem = resolve(item.getValue());
            if (values != null && literals > bestLiterals) {
                best = new Operation(item.getKey(), method.toLowerCase(Locale.ROOT), pathItem,
                        pathItem.get(method.toLowerCase(Locale.ROOT)), values);
                bestLiterals = literals;
            }
        }
        if (best == null) {
            problems.add(new Problem("validation.request.path.missing", "no path of the document matches " + path));
            return null;
        }
        if (best.node() == null) {
            problems.add(new Problem("validation.request.operation.notAllowed",
                    method + " is not an operation of " + best.path()));
            return null;
        }
        return best;
    }

    private void checkParameters(Operation operation, Request request, List<Problem> problems) {
        // Path-item parameters apply unless the operation has one of the same name and location.
        Map<String, JsonNode> parameters = new LinkedHashMap<>();
        for (JsonNode list : List.of(operation.item().path("parameters"), operation.node().path("parameters"))) {
            for (JsonNode parameter : list) {
                JsonNode resolved = resolve(parameter);
                parameters.put(resolved.path("in").asText() + ":" + resolved.path("name").asText(), resolved);
            }
        }
        for (JsonNode parameter : parameters.values()) {
            String name = parameter.path("name").asText();
            String in = parameter.path("in").asText();
            switch (in) {
                case "path" -> checkValue(name, parameter, operation.pathValues().get(name),
                        "validation.request.parameter", "path parameter", problems);
                case "header" -> checkValue(name, parameter, request.header(name), "validation.request.parameter",
                        "header parameter", problems);
                default -> problems.add(new Problem("validation.request.parameter.unsupported",
                        in + " parameter " + name + " is not checked by this validator"));
            }
        }
    }

    /** Met when every scheme of one of the alternatives is in the request; {@code {}} is the anonymous one. */
    private void checkSecurity(Operation operation, Request request, List<Problem> problems) {
        JsonNode alternatives = operation.node().has("security") ? operation.node().get("security")
                : document.path("security");
        if (alternatives.isEmpty()) {
            return;
        }
        for (JsonNode alternative : alternatives) {
            boolean met = true;
            for (Iterator<String> names = alternative.fieldNames(); names.hasNext(); ) {
                met &= presented(document.path("components").path("securitySchemes").path(names.next()), request);
            }
            if (met) {
                return;
            }
        }
        problems.add(new Problem("validation.request.security.missing",
                "the request meets none of the security alternatives " + alternatives + " of " + operation));
    }

    private static boolean presented(JsonNode scheme, Request request) {
        String type = scheme.path("type").asText();
        if (type.equals("http")) {
            String authorization = request.header("Authorization");
            return authorization != null && authorization.regionMatches(true, 0, scheme.path("scheme").asText() + " ",
                    0, scheme.path("scheme").asText().length() + 1);
        }
        if (type.equals("apiKey") && scheme.path("in").asText().equals("header")) {
            return request.header(scheme.path("name").asText()) != null;
        }
        throw new IllegalStateException("a security scheme this validator does not check: " + scheme);
    }

    private void checkRequestBody(Operation operation, Request request, List<Problem> problems) {
        JsonNode body = operation.node().get("requestBody");
        if (body == null) {
            if (!request.body().isEmpty()) {
                problems.add(new Problem("validation.request.body.unexpected",
                        operation + " documents no request body"));
            }
            return;
        }
        body = resolve(body);
        if (request.body().isEmpty()) {
            if (body.path("required").asBoolean()) {
                problems.add(new Problem("validation.request.body.missing", operation + " requires a body"));
            }
            return;
        }
        checkContent(body.path("content"), request.header("Content-Type"), request.body(), true, problems);
    }

    /** The body's content type is one of {@code content}'s media types, and the body matches its schema. */
    private void checkContent(JsonNode content, String contentType, String body, boolean inRequest,
            List<Problem> problems) {
        String side = inRequest ? "validation.request" : "validation.response";
        if (content.isEmpty()) {
            return;
        }
        if (contentType == null) {
            problems.add(new Problem(side + ".contentType.missing", "no Content-Type, expected one of "
                    + content.properties().stream().map(Map.Entry::getKey).toList()));
            return;
        }
        String given = contentType.split(";", 2)[0].strip().toLowerCase(Locale.ROOT);
        Map.Entry<String, JsonNode> media = null;
        for (Map.Entry<String, JsonNode> documented : content.properties()) {
            if (mediaTypeMatches(documented.getKey().toLowerCase(Locale.ROOT), given)) {
                media = documented;
                break;
            }
        }
        if (media == null) {
            problems.add(new Problem(side + ".contentType.notAllowed", contentType + " is none of "
                    + content.properties().stream().map(Map.Entry::getKey).toList()));
            return;
        }
        if (body.isEmpty()) {
            problems.add(new Problem(side + ".body.missing", "no body, expected " + media.getKey()));
            return;
        }
        if (!media.getValue().has("schema")) {
            return;
        }
        JsonNode instance;
        if (given.equals("application/json") || given.endsWith("+json")) {
            try {
                instance = JSON.readTree(body);
            } catch (JsonProcessingException e) {
                problems.add(new Problem(side + ".body.schema.invalidJson", e.getOriginalMessage()));
                return;
            }
        } else {
            instance = TextNode.valueOf(body);
        }
        checkSchema(locationOf(media.getValue().get("schema")), instance, side + ".body.schema", "body", problems);
    }

    private static boolean mediaTypeMatches(String documented, String given) {
        if (documented.equals("*/*") || documented.equals(given)) {
            return true;
        }
        return documented.endsWith("/*") && given.startsWith(documented.substring(0, documented.length() - 1));
    }

    /** A documented parameter or header: there when required, and matching its schema when there. */
    private void checkValue(String name, JsonNode documented, String value, String key, String what,
            List<Problem> problems) {
        if (value == null) {
            if (documented.path("required").asBoolean()) {
                problems.add(new Problem(key + ".missing", "the " + what + " " + name + " is missing"));
            }
            return;
        }
        JsonNode schema = documented.get("schema");
        if (schema != null) {
            checkSchema(locationOf(schema), typed(value, resolve(schema)), key + ".schema", what + " " + name,
                    problems);
        }
    }

    /** A parameter's or header's text as the JSON value its schema's type reads it as, so that the type is checked. */
    private static JsonNode typed(String value, JsonNode schema) {
        try {
            return switch (schema.path("type").asText()) {
                case "integer" -> JsonNodeFactory.instance.numberNode(new BigInteger(value));
                case "number" -> DecimalNode.valueOf(new BigDecimal(value));
                case "boolean" -> value.equals("true") || value.equals("false")
                        ? BooleanNode.valueOf(Boolean.parseBoolean(value)) : TextNode.valueOf(value);
                default -> TextNode.valueOf(value);
            };
        } catch (NumberFormatException e) {
            return TextNode.valueOf(value);
        }
    }

    private void checkSchema(String location, JsonNode instance, String key, String what, List<Problem> problems) {
        for (Error error : schemas.getSchema(SchemaLocation.of(location)).validate(instance)) {
            problems.add(new Problem(key + "." + error.getKeyword(), what + error.getInstanceLocation() + ": "
                    + error.getMessage()));
        }
    }

    /** Where in the document {@code schema} is, as the schema registry finds it: by identity, not by value. */
    private String locationOf(JsonNode schema) {
        String pointer = pointerOf(document, schema, "");
        if (pointer == null) {
            throw new IllegalStateException("not a node of the document: " + schema);
        }
        return DOCUMENT + "#" + pointer;
    }

    private static String pointerOf(JsonNode at, JsonNode wanted, String pointer) {
        if (at == wanted) {
            return pointer;
        }
        for (Map.Entry<String, JsonNode> child : at.properties()) {
            String found = pointerOf(child.getValue(), wanted,
                    pointer + "/" + child.getKey().replace("~", "~0").replace("/", "~1"));
            if (found != null) {
                return found;
            }
        }
        for (int i = 0; i < at.size() && at.isArray(); i++) {
            String found = pointerOf(at.get(i), wanted, pointer + "/" + i);
            if (found != null) {
                return found;
            }
        }
        return null;
    }

    /** {@code node}, or what its local {@code $ref} names. */
    private JsonNode resolve(JsonNode node) {
        while (node.has("$ref")) {
            String ref = node.get("$ref").asText();
            if (!ref.startsWith("#/")) {
                throw new IllegalStateException("a $ref outside the document: " + ref);
            }
            JsonNode target = document.at(ref.substring(1));
            if (target.isMissingNode()) {
                throw new IllegalStateException("a $ref to nothing: " + ref);
            }
            node = target;
        }
        return node;
    }

    private record Operation(String path, String method, JsonNode item, JsonNode node,
            Map<String, String> pathValues) {
        @Override
        public String toString() {
            return method.toUpperCase(Locale.ROOT) + " " + path;
        }
    }

    /** One way a request or reply differs from the document: {@code key} names the check, {@code message} the case. */
    public record Problem(String key, String message) {
        @Override
        public String toString() {
            return key + ": " + message;
        }
    }

    /** A request as the document sees it; header names are matched ignoring case, and an empty body is none. */
    public record Request(String method, String path, Map<String, String> headers, String body) {

        public Request {
            Map<String, String> copy = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
            copy.putAll(headers);
            headers = copy;
        }

        public static Request of(String method, String path) {
            return new Request(method, path, Map.of(), "");
        }

        public static Request get(String path) {
            return of("GET", path);
        }

        public static Request post(String path, String contentType, String body) {
            return of("POST", path).withBody(contentType, body);
        }

        public Request withHeader(String name, String value) {
            Map<String, String> more = new TreeMap<>(headers);
            more.put(name, value);
            return new Request(method, path, more, body);
        }

        public Request withBody(String contentType, String body) {
            return new Request(method, path, headers, body).withHeader("Content-Type", contentType);
        }

        String header(String name) {
            return headers.get(name);
        }
    }

    /** A reply as the document sees it; header names are matched ignoring case, and an empty body is none. */
    public record Response(int status, Map<String, String> headers, String body) {

        public Response {
            Map<String, String> copy = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
            copy.putAll(headers);
            headers = copy;
        }

        /** The JDK client's reply, each header by its first value. */
        public static Response of(HttpResponse<String> reply) {
            Map<String, String> headers = new TreeMap<>();
            reply.headers().map().forEach((name, values) -> headers.put(name, values.get(0)));
            return new Response(reply.statusCode(), headers, reply.body());
        }

        public static Response of(int status, String contentType, String body) {
            return new Response(status, Map.of("Content-Type", contentType), body);
        }

        String header(String name) {
            return headers.get(name);
        }
    }
}
