package io.hotline.rpc.internal.wire;

import com.fasterxml.jackson.core.ErrorReportConfiguration;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.core.util.JsonParserDelegate;
import com.fasterxml.jackson.databind.BeanProperty;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.deser.ContextualDeserializer;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.InvalidNullException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.type.LogicalType;
import io.hotline.discovery.Untrusted;
import io.hotline.rpc.InvalidRequest;
import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Collection;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * How every Hotline server reads a request body (the RPC server's and the broadcaster's): exactly what the OpenAPI
 * documents say and nothing Jackson would otherwise let through. The body must be UTF-8 as RFC 3629 defines it (Jackson
 * decodes overlong forms and sequences above U+10FFFF without complaint); no field takes another JSON type than
 * its own (no string for a number, number for a string, or number for a boolean); a field the document does not mark
 * nullable may be left out but not sent as null ({@link NotNull}); and a number must be finite as a double (Jackson
 * reads {@code 1e400} as Infinity, which would come back as the string "Infinity"). A refusal says what was wrong in
 * the terms of the document, never Jackson's class or feature names, and quotes input only briefly.
 *
 * <pre>{@code
 * static final ObjectReader READER = StrictJson.mapper().build().readerFor(Request.class);
 * Request r = StrictJson.read(READER, body);   // or InvalidRequest with the reason
 * }</pre>
 */
public final class StrictJson {

    /** The bytes of a body decoded per pass: the check keeps no copy of the body, only this much of it as text. */
    private static final int DECODE_CHUNK = 1024;
    /** Reads eight bytes of an array as one long, to find the first non-ASCII byte a word at a time. */
    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    private StrictJson() {}

    /** A mapper builder with the strict rules above; callers add their own output settings. */
    public static JsonMapper.Builder mapper() {
        JsonFactory factory = JsonFactory.builder()
                // Jackson quotes a bad token in its message: keep that to the excerpt a refusal may quote.
                .errorReportConfiguration(ErrorReportConfiguration.builder()
                        .maxErrorTokenLength(Untrusted.EXCERPT_LIMIT).maxRawContentLength(0).build())
                .build();
        return JsonMapper.builder(factory)
                .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
                .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
                .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
                .withCoercionConfigDefaults(c -> c.setCoercion(CoercionInputShape.EmptyString, CoercionAction.Fail))
                .withCoercionConfig(LogicalType.Textual, c -> c
                        .setCoercion(CoercionInputShape.Integer, CoercionAction.Fail)
                        .setCoercion(CoercionInputShape.Float, CoercionAction.Fail)
                        .setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail));
    }

    /**
     * Reads a request body with a reader built on {@link #mapper()}.
     *
     * @return the value, or null for a body that is the JSON literal null
     * @throws InvalidRequest saying what is wrong with the body, for a 400
     */
    public static <T> T read(ObjectReader reader, byte[] body) {
        requireUtf8(body);
        try (JsonParser parser = new FiniteNumbers(reader.createParser(body))) {
            return reader.readValue(parser);
        } catch (JsonProcessingException e) {
            throw new InvalidRequest(problem(e));
        } catch (IOException e) {
            throw new IllegalStateException("reading a body held in memory failed", e);
        }
    }

    /** @throws InvalidRequest at the first byte that is not UTF-8 as RFC 3629 allows */
    private static void requireUtf8(byte[] body) {
        int ascii = asciiPrefix(body);
        if (ascii == body.length) {
            return; // ASCII is UTF-8 as it is: most bodies are, and need no decoder and no buffer
        }
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
        // Positions stay those of the whole body, so that an error's offset counts from its first byte.
        ByteBuffer in = ByteBuffer.wrap(body, ascii, body.length - ascii);
        CharBuffer out = CharBuffer.allocate(Math.min(body.length, DECODE_CHUNK));
        while (true) {
            CoderResult result = decoder.decode(in, out, true);
            if (result.isError()) {
                throw new InvalidRequest("invalid UTF-8 at byte offset " + in.position() + " (RFC 3629 forbids"
                        + " overlong forms, surrogates and code points above U+10FFFF); send JSON as UTF-8 (RFC 8259)");
            }
            if (result.isUnderflow()) {
                return;
            }
            out.clear();
        }
    }

    /** How many bytes at the start of {@code body} are ASCII (below 0x80), eight at a time. */
    private static int asciiPrefix(byte[] body) {
        int i = 0;
        for (int end = body.length - Long.BYTES; i <= end; i += Long.BYTES) {
            if (((long) LONGS.get(body, i) & 0x8080808080808080L) != 0) {
                break;
            }
        }
        while (i < body.length && body[i] >= 0) {
            i++;
        }
        return i;
    }

    /** What was wrong, said in the document's terms: the field, the JSON type it takes, where in the body. */
    private static String problem(JsonProcessingException e) {
        if (e instanceof JsonMappingException && e.getCause() instanceof JsonProcessingException inner) {
            return problem(inner); // the parser's own problem (a number out of range, a limit) met inside a value
        }
        if (e instanceof UnrecognizedPropertyException u) {
            return "unknown field '" + Untrusted.excerpt(u.getPropertyName()) + "'; the fields are "
                    + fieldNames(u.getKnownPropertyIds());
        }
        if (e instanceof InvalidNullException n) {
            return "field '" + path(n) + "' is null; leave it out instead, as it may not be null";
        }
        if (e instanceof NonFiniteNumber) {
            return e.getOriginalMessage() + location(e);
        }
        if (e instanceof StreamConstraintsException) {
            StreamReadConstraints limits = StreamReadConstraints.defaults();
            return "the body is beyond what this server reads: numbers have at most " + limits.getMaxNumberLength()
                    + " characters, strings " + limits.getMaxStringLength() + " and nesting at most "
                    + limits.getMaxNestingDepth() + " levels" + location(e);
        }
        if (e instanceof MismatchedInputException m && !m.getPath().isEmpty()) {
            String given = e instanceof InvalidFormatException f ? ", not " + Untrusted.excerpt(json(f.getValue()))
                    : "";
            return "field '" + path(m) + "' must be " + jsonType(m.getTargetType()) + given + location(e);
        }
        if (e instanceof MismatchedInputException) {
            return "the body must be a JSON object" + location(e);
        }
        if (e instanceof JsonParseException) {
            return "the body is not valid JSON: " + Untrusted.escape(e.getOriginalMessage()) + location(e);
        }
        return "the body does not fit the request schema" + location(e);
    }

    private static String fieldNames(Collection<Object> known) {
        return known.stream().map(String::valueOf).sorted().collect(Collectors.joining(", "));
    }

    private static String path(JsonMappingException e) {
        StringBuilder path = new StringBuilder();
        for (JsonMappingException.Reference r : e.getPath()) {
            if (r.getFieldName() != null) {
                path.append(path.isEmpty() ? "" : ".").append(Untrusted.excerpt(r.getFieldName()));
            } else {
                path.append('[').append(r.getIndex()).append(']');
            }
        }
        return path.toString();
    }

    private static String jsonType(Class<?> type) {
        if (type == null) {
            return "of its documented type";
        }
        if (CharSequence.class.isAssignableFrom(type)) {
            return "a string";
        }
        if (Number.class.isAssignableFrom(type)) {
            return "a number";
        }
        if (type == Boolean.class) {
            return "true or false";
        }
        if (Map.class.isAssignableFrom(type)) {
            return "a JSON object";
        }
        if (Collection.class.isAssignableFrom(type) || type.isArray()) {
            return "a JSON array";
        }
        return "of its documented type";
    }

    private static String json(Object value) {
        return value instanceof String s ? "\"" + s + "\"" : String.valueOf(value);
    }

    private static String location(JsonProcessingException e) {
        JsonLocation at = e.getLocation();
        return at == null || at.getLineNr() < 0 ? ""
                : " (line " + at.getLineNr() + ", column " + at.getColumnNr() + ")";
    }

    /**
     * A field that may be left out but not be null: {@code @JsonDeserialize(using = StrictJson.NotNull.class)}.
     * Jackson's own {@code @JsonSetter(nulls = Nulls.FAIL)} also refuses a record component that is left out.
     */
    public static final class NotNull extends JsonDeserializer<Object> implements ContextualDeserializer {
        private final BeanProperty property;
        private final JsonDeserializer<Object> standard;

        public NotNull() {
            this(null, null);
        }

        private NotNull(BeanProperty property, JsonDeserializer<Object> standard) {
            this.property = property;
            this.standard = standard;
        }

        @Override
        public JsonDeserializer<?> createContextual(DeserializationContext ctxt, BeanProperty property)
                throws JsonMappingException {
            return new NotNull(property, ctxt.findContextualValueDeserializer(property.getType(), property));
        }

        @Override
        public Object deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
            return standard.deserialize(p, ctxt);
        }

        @Override
        public Object getNullValue(DeserializationContext ctxt) throws JsonMappingException {
            throw InvalidNullException.from(ctxt, property.getFullName(), property.getType());
        }

        @Override
        public Object getAbsentValue(DeserializationContext ctxt) {
            return null;
        }
    }

    /** A number token too large for a double, refused where it is read so that no deserializer sees Infinity. */
    private static final class NonFiniteNumber extends JsonParseException {
        private static final long serialVersionUID = 1L;

        NonFiniteNumber(JsonParser p, String text) {
            super(p, "number " + Untrusted.excerpt(text) + " at " + Untrusted.excerpt(p.getParsingContext()
                    .pathAsPointer()) + " is out of range: numbers must be finite doubles (magnitude below about"
                    + " 1.8e308)", p.currentTokenLocation());
        }
    }

    /** Checks each floating-point token as the deserializers ask for the next one; integers are exact as they are. */
    private static final class FiniteNumbers extends JsonParserDelegate {
        FiniteNumbers(JsonParser parser) {
            super(parser);
        }

        @Override
        public JsonToken nextToken() throws IOException {
            return checked(super.nextToken());
        }

        @Override
        public JsonToken nextValue() throws IOException {
            return checked(super.nextValue());
        }

        private JsonToken checked(JsonToken token) throws IOException {
            if (token == JsonToken.VALUE_NUMBER_FLOAT && !Double.isFinite(getDoubleValue())) {
                throw new NonFiniteNumber(this, getText());
            }
            return token;
        }
    }
}
