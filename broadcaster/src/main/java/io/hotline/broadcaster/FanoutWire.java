package io.hotline.broadcaster;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import io.hotline.discovery.Endpoint;
import io.hotline.discovery.Untrusted;
import io.hotline.discovery.Zone;
import io.hotline.discovery.ZoneScope;
import io.hotline.rpc.InvalidRequest;
import io.hotline.rpc.internal.wire.StrictJson;
import io.hotline.rpc.internal.wire.Reply;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The JSON of {@code POST /v1/fanout/{service}}: a cast's body plus {@code zones} and {@code report} (and a peer's
 * {@code targets} and {@code peers}), the cast
 * forwarded to each server and the 202 acknowledgement; errors are rpc-http's
 * {@link io.hotline.rpc.internal.wire.Reply}. The report itself is rpc-http's public
 * {@link io.hotline.rpc.FanoutReport}, so client and broadcaster cannot drift apart.
 */
final class FanoutWire {


    /** Reads requests as strictly as the RPC server does: what the document allows, nothing Jackson would let by. */
    static final ObjectMapper MAPPER = StrictJson.mapper()
            .defaultPropertyInclusion(JsonInclude.Value.construct(JsonInclude.Include.NON_NULL,
                    JsonInclude.Include.USE_DEFAULTS))
            .build();

    private static final ObjectReader REQUEST_READER = MAPPER.readerFor(Request.class);

    private FanoutWire() {}

    /** What a client sends. Only {@code namespace} and {@code version} may be null; the others may be left out. */
    record Request(String kind, String method, @JsonDeserialize(using = StrictJson.NotNull.class) JsonNode args,
            @JsonDeserialize(using = StrictJson.NotNull.class) Map<String, Object> context, String namespace,
            String version, @JsonProperty("msg_id") @JsonDeserialize(using = StrictJson.NotNull.class) String msgId,
            @JsonDeserialize(using = StrictJson.NotNull.class) Double timeout,
            @JsonDeserialize(using = StrictJson.NotNull.class) JsonNode zones,
            @JsonDeserialize(using = StrictJson.NotNull.class) Boolean report,
            @JsonDeserialize(using = StrictJson.NotNull.class) List<String> targets,
            @JsonDeserialize(using = StrictJson.NotNull.class) JsonNode peers) {}

    /** What each server gets: the client's cast without the fanout fields, with the same msg_id everywhere. */
    record Cast(String kind, String method, JsonNode args, Map<String, Object> context, String namespace,
            String version, @JsonProperty("msg_id") String msgId, Double timeout) {}

    /** The 202 answer: the casts are under way to this many servers. */
    record Accepted(@JsonProperty("msg_id") String msgId, int targeted, String note) {}

    /**
     * A valid fanout request: the cast to forward (serialized once), the zones to look in, whether to report, and for
     * a share handed over by a peer broadcaster the ids of its servers (else null) and of the broadcasters it is split
     * among (null when its sender predates {@code peers}: the share is then cast entirely here).
     */
    record Parsed(Cast cast, byte[] castBody, List<ZoneScope> scopes, boolean report, Set<String> targets,
            List<String> peers) {}

    /**
     * The most broadcasters a share's {@code peers} may name: far above any region's (a fanout to 13,000 servers needs
     * tens), and a bound on the work a share asks for, as each of its servers' owner is found among them.
     */
    static final int MAX_PEERS = 1_000;

    /**
     * Reads a request body as JSON of the right shape, checking nothing else yet: the handler refuses a share from a
     * client before {@link #parse} looks at its targets.
     *
     * @throws IllegalArgumentException saying what is wrong, for a 400
     */
    static Request read(byte[] body) {
        Request r;
        try {
            r = StrictJson.read(REQUEST_READER, body);
        } catch (InvalidRequest e) {
            throw new IllegalArgumentException("the body is not a valid fanout request: " + e.getMessage());
        }
        if (r == null) {
            throw new IllegalArgumentException("the body is empty; send a JSON cast: kind cast, method, args");
        }
        return r;
    }

    /**
     * Checks a request {@link #read} from a body.
     *
     * @param selfId this broadcaster's endpoint id, which a share's {@code peers} must name; null until registered
     * @throws IllegalArgumentException saying what is wrong, for a 400
     */
    static Parsed parse(Request r, String msgIdIfMissing, String selfId) {
        if (!"cast".equals(r.kind())) {
            throw new IllegalArgumentException("kind must be cast: a fanout cannot wait for replies from every server"
                    + (r.kind() == null ? "" : ", and " + Untrusted.excerpt(r.kind()) + " is not cast"));
        }
        if (r.method() == null || r.method().isBlank()) {
            throw new IllegalArgumentException("method is missing");
        }
        if (r.args() != null && !r.args().isObject()) {
            throw new IllegalArgumentException("args must be a JSON object of named arguments, not "
                    + r.args().getNodeType());
        }
        if (r.timeout() != null && !(r.timeout() > 0)) {
            throw new IllegalArgumentException("timeout must be a positive number of seconds");
        }
        // Every server gets the same msg_id, so logs across the fleet show one fanout.
        Cast cast = new Cast("cast", r.method(), r.args(), r.context(), r.namespace(), r.version(),
                r.msgId() != null ? r.msgId() : msgIdIfMissing, r.timeout());
        try {
            return new Parsed(cast, MAPPER.writeValueAsBytes(cast), scopes(r.zones()),
                    Boolean.TRUE.equals(r.report()), targets(r.targets(), r.zones()), peers(r.peers(), r.targets(),
                    selfId));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write the cast: " + e.getOriginalMessage(), e);
        }
    }

    /**
     * A share's endpoint ids: a non-empty list of distinct ids, without zones (the sender resolved those). Each must
     * be able to name an endpoint, so that a report, which lists each, grows with their number only.
     */
    private static Set<String> targets(List<String> ids, JsonNode zones) {
        if (ids == null) {
            return null;
        }
        if (zones != null) {
            throw new IllegalArgumentException("targets (a share from a peer broadcaster) and zones exclude each other:"
                    + " the sender resolved the zones into these servers");
        }
        if (ids.isEmpty()) {
            throw new IllegalArgumentException("targets is empty; leave it out to cast to every server of the zones");
        }
        Set<String> set = new LinkedHashSet<>();
        for (String id : ids) {
            try {
                Endpoint.requireId(id);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("targets must list endpoint ids: " + e.getMessage());
            }
            if (!set.add(id)) {
                throw new IllegalArgumentException("targets lists " + Untrusted.excerpt(id)
                        + " twice; each server gets a cast once");
            }
        }
        return set;
    }

    /**
     * A share's broadcasters, among which its receiver splits it by ownership: a list of distinct endpoint ids, at
     * most {@link #MAX_PEERS}, naming the receiver (its sender handed it to the first of a group the list is).
     */
    private static List<String> peers(JsonNode peers, List<String> targets, String selfId) {
        if (peers == null) {
            return null;
        }
        if (targets == null) {
            throw new IllegalArgumentException("peers is only for a share from a peer broadcaster, beside its targets;"
                    + " a client leaves both out");
        }
        if (!peers.isArray()) {
            throw new IllegalArgumentException("peers must be a JSON array of broadcaster endpoint ids, not "
                    + Untrusted.excerpt(peers));
        }
        if (peers.size() > MAX_PEERS) {
            throw new IllegalArgumentException("peers names " + peers.size() + " broadcasters; a share names at most "
                    + MAX_PEERS);
        }
        Set<String> ids = new LinkedHashSet<>();
        for (JsonNode p : peers) {
            if (!p.isTextual() || p.textValue().isBlank()) {
                throw new IllegalArgumentException("peers must list broadcaster endpoint ids as non-blank strings, not "
                        + Untrusted.excerpt(p));
            }
            try {
                Endpoint.requireId(p.textValue());
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("peers must list broadcaster endpoint ids: " + e.getMessage());
            }
            if (!ids.add(p.textValue())) {
                throw new IllegalArgumentException("peers lists " + Untrusted.excerpt(p.textValue())
                        + " twice; name each broadcaster once");
            }
        }
        if (selfId == null || !ids.contains(selfId)) {
            throw new IllegalArgumentException("peers does not name this broadcaster"
                    + (selfId == null ? " (it is not registered yet)" : ", " + Untrusted.excerpt(selfId))
                    + "; a share goes to the first broadcaster of the group its peers lists");
        }
        return List.copyOf(ids);
    }

    /** {@code "home"} (or absent), {@code "all"}, or a list of zone paths. */
    private static List<ZoneScope> scopes(JsonNode zones) {
        if (zones == null || (zones.isTextual() && zones.textValue().equals("home"))) {
            return List.of(ZoneScope.home());
        }
        if (zones.isTextual() && zones.textValue().equals("all")) {
            return List.of(ZoneScope.all());
        }
        if (zones.isArray() && !zones.isEmpty()) {
            List<ZoneScope> scopes = new ArrayList<>();
            for (JsonNode z : zones) {
                if (!z.isTextual()) {
                    throw new IllegalArgumentException("zones must list zone paths as strings, not "
                            + Untrusted.excerpt(z));
                }
                scopes.add(ZoneScope.in(Zone.of(z.textValue())));
            }
            return List.copyOf(scopes);
        }
        throw new IllegalArgumentException("zones must be \"home\", \"all\" or a non-empty list of zone paths such as"
                + " [\"region-one/az-1\"], not " + Untrusted.excerpt(zones));
    }

    static byte[] write(Object value) {
        return Reply.json(() -> MAPPER.writeValueAsBytes(value));
    }
}
