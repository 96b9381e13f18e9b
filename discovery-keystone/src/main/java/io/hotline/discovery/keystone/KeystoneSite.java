package io.hotline.discovery.keystone;

import com.fasterxml.jackson.databind.JsonNode;
import io.hotline.discovery.Endpoint;
import io.hotline.discovery.EndpointStatus;
import io.hotline.discovery.Health;
import io.hotline.discovery.HealthPolicy;
import io.hotline.discovery.StoreException;
import io.hotline.discovery.StoreUnavailableException;
import io.hotline.discovery.Untrusted;
import io.hotline.discovery.Zone;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One Keystone as the store sees it. In read-write mode each Hotline service is a Keystone service of type
 * {@code hotline.<service>}, created disabled (so that RPC endpoints never go into users' tokens; {@code
 * /v3/endpoints} still lists them), and each endpoint a Keystone endpoint in its zone's region carrying its fields and
 * lease (see {@link EndpointJson}). Times are Keystone's ({@link ServerClock}), so client clocks never matter. In
 * catalog mode it reads the endpoints of the services the cloud's operators registered.
 */
final class KeystoneSite implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(KeystoneSite.class);
    static final String TYPE_PREFIX = "hotline.";
    private static final String REAPER_TYPE = "hotline-reaper";
    private static final String REAPER = "hotline_reaper";
    /** A reaper whose turn was not taken for this many intervals has stopped; another takes over. */
    private static final int TURNS_BEFORE_TAKEOVER = 3;

    private final Zone zone;
    private final KeystoneSettings settings;
    private final KeystoneApi api;
    private final LongSupplier nanos;
    private final Map<String, String> serviceIds = new ConcurrentHashMap<>();
    private final Map<String, KnownServices> knownServices = new ConcurrentHashMap<>();
    private final Set<String> regions = ConcurrentHashMap.newKeySet();
    private final Map<String, Registered> registered = new ConcurrentHashMap<>();
    private final Set<String> reportedForeign = ConcurrentHashMap.newKeySet();
    private final String owner = UUID.randomUUID().toString();

    /** How long a reader trusts the Keystone services it found for a Hotline service. */
    private static final Duration SERVICES_KEPT = Duration.ofMinutes(1);

    /**
     * The Keystone services of a Hotline service (sorted), found at {@code at} and found the same since
     * {@code sameSince} (this process's nanoTime).
     */
    private record KnownServices(List<String> ids, long at, long sameSince) {}

    /** A registration made here: its Keystone id, policy, and this process's time of its last renewal. */
    private record Registered(String keystoneId, HealthPolicy policy, long renewedAt) {
        boolean expired(long now) {
            return now - renewedAt >= policy.deregisterAfter().toNanos();
        }
    }

    KeystoneSite(Zone zone, KeystoneSettings settings, LongSupplier nanos) {
        this.zone = zone;
        this.settings = settings;
        this.nanos = nanos;
        this.api = new KeystoneApi(settings, nanos);
    }

    Zone zone() {
        return zone;
    }

    KeystoneSettings settings() {
        return settings;
    }

    boolean catalogMode() {
        return settings.catalogMode();
    }

    void register(Endpoint e, HealthPolicy policy) {
        requireWritable();
        String serviceId = serviceId(e.service(), true).orElseThrow();
        ensureRegion(e.zone());
        // Taken with the lease's stamp, before sending: this process must never think a registration younger than a
        // reader does, or it would renew one that readers already stopped listing.
        long stamped = nanos.getAsLong();
        Map<String, Object> body = EndpointJson.create(e, serviceId, settings.endpointInterface(), serverLatest(),
                policy);
        // Replace in place what this process registered (a PATCH replaces every top-level key given), else create.
        // One made by an earlier process with the same id is not looked for, which would read every endpoint of the
        // service: readers take the one renewed last, and the reaper removes the other once its lease runs out.
        Registered mine = registered.get(key(e.service(), e.id()));
        String id = mine != null && api.patch("/endpoints/" + mine.keystoneId(), body).ok() ? mine.keystoneId() : null;
        if (id == null) {
            KeystoneApi.Answer a = api.post("/endpoints", body);
            requireOk(a, "create an endpoint of " + e.service());
            id = a.body().path("endpoint").path("id").asText();
        }
        registered.put(key(e.service(), e.id()), new Registered(id, policy, stamped));
    }

    boolean renew(String service, String id) {
        requireWritable();
        long now = nanos.getAsLong();
        Registered r = registered.get(key(service, id));
        if (r == null) {
            Optional<Found> found = find(service, id);
            if (found.isEmpty()) {
                return false;
            }
            r = new Registered(found.get().registration().keystoneId(), found.get().registration().policy(),
                    now - found.get().age().toNanos());
        }
        if (r.expired(now)) {
            // Readers no longer list it and the reaper may delete it any moment: gone, so that everyone agrees; the
            // heartbeater registers it again.
            registered.remove(key(service, id));
            api.delete("/endpoints/" + r.keystoneId());
            return false;
        }
        KeystoneApi.Answer a = api.patch("/endpoints/" + r.keystoneId(),
                EndpointJson.renewal(serverLatest(), r.policy()));
        if (a.status() == 404) {
            registered.remove(key(service, id));
            return false;
        }
        requireOk(a, "renew an endpoint of " + service);
        registered.put(key(service, id), new Registered(r.keystoneId(), r.policy(), now));
        return true;
    }

    /**
     * Removes the registration this process made, by its Keystone id (one request); one it did not make (an earlier
     * process's, or another's) is looked for in a listing of the service, and every one with the id is removed.
     */
    void deregister(String service, String id) {
        requireWritable();
        Registered mine = registered.remove(key(service, id));
        if (mine != null) {
            KeystoneApi.Answer a = api.delete("/endpoints/" + mine.keystoneId());
            if (a.status() != 404) {
                requireOk(a, "deregister an endpoint of " + service);
            }
            return;
        }
        for (Found f : registrations(service)) {
            if (f.registration().endpoint().id().equals(id)) {
                api.delete("/endpoints/" + f.registration().keystoneId());
            }
        }
    }

    /** Endpoints of {@code service} in {@code within} or a zone inside it, with their health. */
    List<EndpointStatus> list(String service, Zone within) {
        if (settings.catalogMode()) {
            return catalog(service, within);
        }
        List<EndpointStatus> statuses = new ArrayList<>();
        Map<String, Found> byId = new LinkedHashMap<>();
        for (Found f : registrations(service)) {
            Endpoint e = f.registration().endpoint();
            // Two processes registering the same id at once may both create one: the one renewed last stands.
            Found other = byId.get(e.id());
            if (other == null || other.age().compareTo(f.age()) > 0) {
                byId.put(e.id(), f);
            }
        }
        for (Found f : byId.values()) {
            Endpoint e = f.registration().endpoint();
            HealthPolicy p = f.registration().policy();
            if (!e.zone().isWithin(within) || f.age().compareTo(p.deregisterAfter()) >= 0) {
                continue;
            }
            // Critical since its lease ran out, by Keystone's clock; the lease does not say since when it passes.
            statuses.add(f.age().compareTo(p.downAfter()) < 0 ? new EndpointStatus(e, Health.PASSING)
                    : new EndpointStatus(e, Health.CRITICAL, f.registration().renewed().plus(p.downAfter())));
        }
        return statuses;
    }

    /** The zones (regions) under the configured roots, or under the home zone's top region. */
    Set<Zone> zones(Zone home) {
        List<String> roots = settings.roots().isEmpty() ? List.of(home.segments().get(0)) : settings.roots();
        Set<Zone> zones = new HashSet<>();
        for (Zone z : regionZones().values()) {
            if (settings.catalogMode() || roots.contains(z.segments().get(0))) {
                zones.add(z);
            }
        }
        return zones;
    }

    /** A registration found in Keystone, and its age by Keystone's clock. */
    private record Found(EndpointJson.Registration registration, Duration age) {}

    private Optional<Found> find(String service, String id) {
        for (Found f : registrations(service)) {
            if (f.registration().endpoint().id().equals(id)) {
                return Optional.of(f);
            }
        }
        return Optional.empty();
    }

    /** Every registration of {@code service}, over all Keystone services of its type. */
    private List<Found> registrations(String service) {
        List<Found> found = new ArrayList<>();
        for (String serviceId : knownServiceIds(service)) {
            KeystoneApi.Answer a = api.get("/endpoints?service_id=" + encode(serviceId));
            requireOk(a, "list the endpoints of " + service);
            Instant now = serverEarliest();
            for (JsonNode ep : a.body().path("endpoints")) {
                decode(ep, service).ifPresent(r -> found.add(new Found(r, age(r.renewed(), now))));
            }
        }
        return found;
    }

    private Optional<EndpointJson.Registration> decode(JsonNode ep, String service) {
        String keystoneId = ep.path("id").asText();
        try {
            if (!EndpointJson.isHotline(ep)) {
                throw new IllegalArgumentException("it has no hotline attributes");
            }
            EndpointJson.Registration r = EndpointJson.decode(ep);
            if (service != null && !r.endpoint().service().equals(service)) {
                throw new IllegalArgumentException("it names another service than its Keystone service's");
            }
            return Optional.of(r);
        } catch (IllegalArgumentException e) {
            if (reportedForeign.add(keystoneId)) {
                LOG.warn("skipping Keystone endpoint {} at {}: it is not a Hotline registration ({}); this is logged "
                        + "once per endpoint", keystoneId, settings.authUrl(), e.getMessage());
            }
            return Optional.empty();
        }
    }

    private static Duration age(Instant renewed, Instant now) {
        Duration d = Duration.between(renewed, now);
        return d.isNegative() ? Duration.ZERO : d;
    }

    private List<EndpointStatus> catalog(String serviceType, Zone within) {
        KeystoneApi.Answer services = api.get("/services?type=" + encode(serviceType));
        requireOk(services, "list services of type " + serviceType);
        Map<String, Zone> regionZones = regionZones();
        List<EndpointStatus> statuses = new ArrayList<>();
        for (JsonNode s : services.body().path("services")) {
            if (!serviceType.equals(s.path("type").asText())) {
                continue;
            }
            boolean serviceEnabled = s.path("enabled").asBoolean(true);
            KeystoneApi.Answer a = api.get("/endpoints?service_id=" + encode(s.path("id").asText()) + "&interface="
                    + settings.endpointInterface());
            requireOk(a, "list the endpoints of " + serviceType);
            for (JsonNode ep : a.body().path("endpoints")) {
                Zone z = regionZones.get(ep.path("region_id").asText());
                if (z == null || !z.isWithin(within)) {
                    continue;
                }
                try {
                    Endpoint e = EndpointJson.fromCatalog(ep, serviceType, z);
                    boolean enabled = serviceEnabled && ep.path("enabled").asBoolean(true);
                    statuses.add(new EndpointStatus(e, enabled ? Health.PASSING : Health.CRITICAL));
                } catch (IllegalArgumentException e) {
                    if (reportedForeign.add(ep.path("id").asText())) {
                        LOG.warn("skipping Keystone endpoint {} of {}: {}; this is logged once per endpoint",
                                ep.path("id").asText(), serviceType, e.getMessage());
                    }
                }
            }
        }
        return statuses;
    }

    /** Every region Keystone holds that is a zone, by region id. */
    private Map<String, Zone> regionZones() {
        KeystoneApi.Answer a = api.get("/regions");
        requireOk(a, "list regions");
        Map<String, Zone> m = new HashMap<>();
        for (JsonNode r : a.body().path("regions")) {
            Regions.zone(r.path("id").asText(), r.path("parent_region_id").asText(null))
                    .ifPresent(z -> m.put(r.path("id").asText(), z));
        }
        return m;
    }

    /**
     * The Keystone service to register {@code service}'s endpoints under, created (disabled) if {@code create}; when
     * several exist (two processes created one at once), the one with the least id, so that all writers agree.
     */
    private Optional<String> serviceId(String service, boolean create) {
        String cached = serviceIds.get(service);
        if (cached != null) {
            return Optional.of(cached);
        }
        List<String> ids = serviceIdsOf(service);
        if (ids.isEmpty() && create) {
            Map<String, Object> s = new LinkedHashMap<>();
            s.put("type", TYPE_PREFIX + service);
            s.put("name", service);
            s.put("enabled", false);
            s.put("description", "Hotline RPC endpoints of " + service + "; disabled so that they stay out of tokens'"
                    + " catalogs");
            KeystoneApi.Answer a = api.post("/services", Map.of("service", s));
            requireOk(a, "create the service " + service);
            ids = serviceIdsOf(service);
        }
        Optional<String> least = ids.stream().sorted().findFirst();
        least.ifPresent(id -> serviceIds.put(service, id));
        return least;
    }

    /**
     * The Keystone services of {@code service}'s type, as {@link #serviceIdsOf} last found them, kept for
     * {@link #SERVICES_KEPT} once they stayed the same that long, so that a watch's poll is then one request rather
     * than two. Hotline never deletes these services; only a second one, made by two processes creating the first at
     * once, can appear, moments after the first, and the writers may all settle on it (the least id): a reader that
     * kept the first alone for a minute listed none of their registrations. So a young list is asked again each time.
     */
    private List<String> knownServiceIds(String service) {
        long now = nanos.getAsLong();
        KnownServices known = knownServices.get(service);
        if (known != null && !known.ids().isEmpty() && now - known.sameSince() >= SERVICES_KEPT.toNanos()
                && now - known.at() < SERVICES_KEPT.toNanos()) {
            return known.ids();
        }
        List<String> ids = serviceIdsOf(service).stream().sorted().toList();
        long sameSince = known != null && known.ids().equals(ids) ? known.sameSince() : now;
        knownServices.put(service, new KnownServices(ids, now, sameSince));
        return ids;
    }

    private List<String> serviceIdsOf(String service) {
        String type = TYPE_PREFIX + service;
        KeystoneApi.Answer a = api.get("/services?type=" + encode(type));
        requireOk(a, "list services");
        List<String> ids = new ArrayList<>();
        for (JsonNode s : a.body().path("services")) {
            // Compared here too: some databases compare the type filter without case.
            if (type.equals(s.path("type").asText())) {
                ids.add(s.path("id").asText());
            }
        }
        return ids;
    }

    /**
     * Creates the zone's region and its parents, where missing. One thread at a time: a fleet's first registrations
     * come together, and one POST per region is enough (Keystone answers the others 409).
     */
    private void ensureRegion(Zone z) {
        String id = Regions.id(z);
        if (regions.contains(id)) {
            return;
        }
        synchronized (regions) {
            if (regions.contains(id)) {
                return;
            }
            z.parent().ifPresent(this::ensureRegion);
            Map<String, Object> region = new LinkedHashMap<>();
            region.put("id", id);
            Regions.parentId(z).ifPresent(p -> region.put("parent_region_id", p));
            region.put("description", "Hotline zone " + z.path());
            KeystoneApi.Answer a = api.postRepeatable("/regions", Map.of("region", region));
            if (!a.ok() && a.status() != 409) {
                requireOk(a, "create the region " + id);
            }
            regions.add(id);
        }
    }

    /**
     * Takes the reaper's turn if it is this process's (by Keystone's clock, with no compare-and-set in Keystone: a
     * takeover may let two reap for a moment, which costs a few 404s) and deletes registrations past deregister-after.
     *
     * @return how many it deleted
     */
    synchronized int reapIfOurTurn() {
        if (!takeTurn()) {
            return 0;
        }
        KeystoneApi.Answer services = api.get("/services");
        requireOk(services, "list services");
        Set<String> ours = new HashSet<>();
        for (JsonNode s : services.body().path("services")) {
            if (s.path("type").asText().startsWith(TYPE_PREFIX)) {
                ours.add(s.path("id").asText());
            }
        }
        KeystoneApi.Answer endpoints = api.get("/endpoints");
        requireOk(endpoints, "list endpoints");
        Instant now = serverEarliest();
        int removed = 0;
        for (JsonNode ep : endpoints.body().path("endpoints")) {
            if (!ours.contains(ep.path("service_id").asText())) {
                continue;
            }
            Optional<EndpointJson.Registration> r = decode(ep, null);
            if (r.isPresent() && expired(r.get(), now) && stillExpired(r.get().keystoneId())
                    && api.delete("/endpoints/" + r.get().keystoneId()).ok()) {
                removed++;
            }
        }
        return removed;
    }

    private static boolean expired(EndpointJson.Registration r, Instant now) {
        return age(r.renewed(), now).compareTo(r.policy().deregisterAfter()) >= 0;
    }

    /**
     * Reads one registration again just before deleting it. Keystone has no compare-and-set, so a renewal can still
     * land between this read and the delete; it only does if the renewer's own reckoning put the lease just short of
     * deregister-after while Keystone's put it past (a renewer drops a registration it reckons expired). The renewal
     * after that gets 404 and the heartbeater registers the endpoint again: missing for at most a report interval.
     */
    private boolean stillExpired(String keystoneId) {
        KeystoneApi.Answer a = api.get("/endpoints/" + encode(keystoneId));
        if (!a.ok()) {
            return false;
        }
        Optional<EndpointJson.Registration> r = decode(a.body().path("endpoint"), null);
        return r.isPresent() && expired(r.get(), serverEarliest());
    }

    private boolean takeTurn() {
        KeystoneApi.Answer a = api.get("/services?type=" + REAPER_TYPE);
        requireOk(a, "read the reaper's turn");
        Map<String, Object> turn = Map.of(REAPER, Map.of("owner", owner, "at", serverLatest().toEpochMilli()));
        JsonNode existing = null;
        for (JsonNode s : a.body().path("services")) {
            if (REAPER_TYPE.equals(s.path("type").asText())) {
                existing = existing == null || s.path("id").asText().compareTo(existing.path("id").asText()) < 0 ? s
                        : existing;
            }
        }
        if (existing == null) {
            Map<String, Object> s = new LinkedHashMap<>(turn);
            s.put("type", REAPER_TYPE);
            s.put("name", "hotline reaper");
            s.put("enabled", false);
            requireOk(api.post("/services", Map.of("service", s)), "create the reaper's turn");
            return false;
        }
        JsonNode held = existing.path(REAPER);
        boolean ours = owner.equals(held.path("owner").asText());
        Duration since = age(Instant.ofEpochMilli(held.path("at").asLong(0)), serverEarliest());
        if (!ours && since.compareTo(settings.reapInterval().multipliedBy(TURNS_BEFORE_TAKEOVER)) < 0) {
            return false;
        }
        requireOk(api.patch("/services/" + existing.path("id").asText(), Map.of("service", turn)),
                "take the reaper's turn");
        if (!ours) {
            LOG.info("this process reaps Hotline's endpoints in Keystone {} now: the reaper before it stopped taking "
                    + "its turn", settings.authUrl());
        }
        return ours;
    }

    /** The earliest Keystone's time can be now, to judge ages by: never older than they are. */
    private Instant serverEarliest() {
        return serverTime(ServerClock::earliest);
    }

    /** The latest Keystone's time can be now, to stamp leases with: never older than they are. */
    private Instant serverLatest() {
        return serverTime(ServerClock::latest);
    }

    /** Keystone's time by {@code bound}; asks it once if no answer has told it yet. */
    private Instant serverTime(Function<ServerClock, Optional<Instant>> bound) {
        return bound.apply(api.clock()).orElseGet(() -> {
            api.get("/regions?id=" + encode("hotline-clock"));
            return bound.apply(api.clock()).orElseThrow(() -> new StoreUnavailableException("Keystone at "
                    + settings.authUrl() + " answers without a Date header; its clock is what judges leases"));
        });
    }

    private void requireOk(KeystoneApi.Answer a, String what) {
        if (!a.ok()) {
            throw new StoreException("Keystone at " + settings.authUrl() + " answered " + a.status() + " when asked to "
                    + what + ": " + Untrusted.excerpt(a.body().path("error").path("message").asText("no message")));
        }
    }

    private void requireWritable() {
        if (settings.catalogMode()) {
            throw new StoreException("the Keystone store of " + zone + " is in catalog mode (" + settings.keys()
                    + "mode=catalog): it reads what the cloud's operators registered and cannot register, renew or "
                    + "deregister; set " + settings.keys() + "mode=read-write with an admin user to register");
        }
    }

    private static String key(String service, String id) {
        return service + '\n' + id;
    }

    private static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    @Override
    public void close() {
        api.close();
    }
}
