package io.hotline.rpc.server;

import com.fasterxml.jackson.databind.JsonNode;
import io.hotline.rpc.internal.wire.Wire;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/** The OpenAPI document a server serves at {@code /openapi.json}. */
final class ApiDocument {

    private ApiDocument() {}

    /** The wire protocol's document as shipped in the rpc-http jar. */
    static byte[] builtIn() {
        try (InputStream in = ApiDocument.class.getResourceAsStream("/io/hotline/rpc/openapi.json")) {
            return in.readAllBytes();
        } catch (IOException | NullPointerException e) {
            throw new IllegalStateException("openapi.json is missing from the rpc-http jar", e);
        }
    }

    /**
     * An operator's own copy of the document (the proposal's http_api_config_file), e.g. with their server URLs;
     * it must at least be an OpenAPI 3 JSON document.
     */
    static byte[] from(Path file) {
        String what = "the API document " + file + " (hotline.http.api-config-file)";
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read " + what + ": " + e, e);
        }
        JsonNode doc;
        try {
            doc = Wire.MAPPER.readTree(bytes);
        } catch (IOException e) {
            throw new IllegalArgumentException(what + " is not JSON: " + e.getMessage(), e);
        }
        if (doc == null || !doc.path("openapi").asText().startsWith("3.")) {
            throw new IllegalArgumentException(what + " is not an OpenAPI 3 document: it has no \"openapi\": \"3.x\"");
        }
        return bytes;
    }
}
