package io.hotline.discovery;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * What a {@link Query} resolved to in a {@link Directory}: the equally near endpoints to choose from, and whether
 * they come from a store that is unreachable right now.
 *
 * <pre>{@code
 * Resolution r = directory.resolve(Query.of("nova.compute").allZones());
 * for (Endpoint e : r.endpoints()) { ... }               // every priority, e.g. to cast to all of them
 * if (r.isStale()) log.warn("store down; list is {} old", r.staleFor(Instant.now()));
 * }</pre>
 *
 * <p>{@link #endpoints()} holds every eligible endpoint of the nearest zone tier, of every
 * {@link Endpoint#priority() priority}: a fanout casts to all of them and a call to a named server looks it up
 * there. {@link Directory#select} chooses among the endpoints of the lowest priority in it alone (weighted), and
 * among those of the next priority only while every endpoint of the better ones is ejected.
 */
public final class Resolution {

    private final Query query;
    private final List<EndpointStatus> statuses;
    private final List<Endpoint> endpoints;
    private final EndpointState[] states;
    private final boolean[] stale;
    private final Instant staleSince;
    private final Set<Zone> unavailableZones;
    private final String emptyReason;
    private final AtomicInteger turn;
    /** The endpoints by priority, lowest first, with their weights summed up for picking. */
    private final PriorityGroup[] groups;
    /** The endpoints by server name, in order, built on first use (threads racing to build it build the same). */
    private volatile Map<String, List<Endpoint>> byServer;
    /** The endpoints by id, built on first use like {@link #byServer}. */
    private volatile Map<String, Endpoint> byId;

    Resolution(Query query, List<EndpointStatus> statuses, EndpointState[] states, boolean[] stale, Instant staleSince,
            Set<Zone> unavailableZones, String emptyReason, AtomicInteger turn) {
        this.query = query;
        this.turn = turn;
        this.statuses = List.copyOf(statuses);
        this.endpoints = statuses.stream().map(EndpointStatus::endpoint).toList();
        this.states = states;
        this.stale = stale;
        this.staleSince = staleSince;
        this.unavailableZones = Set.copyOf(unavailableZones);
        this.emptyReason = emptyReason;
        this.groups = PriorityGroup.of(endpoints);
    }

    public Query query() {
        return query;
    }

    /**
     * The endpoints to choose from, nearest tier only for nearest-first queries, of every priority (selection prefers
     * the lowest; see the class description).
     */
    public List<Endpoint> endpoints() {
        return endpoints;
    }

    /**
     * The endpoints of the named server (most often one), in their order in {@link #endpoints()}; empty if it has none
     * here. An index built once per resolution answers, so that a call naming one of 13,000 compute hosts, as nova's
     * casts to {@code compute.<host>} do, costs a map lookup rather than a scan.
     *
     * <pre>{@code
     * List<Endpoint> host = directory.resolve(Query.of("nova.compute").allZones()).endpointsOf("compute-0042");
     * }</pre>
     */
    public List<Endpoint> endpointsOf(String server) {
        return byServer().getOrDefault(server, List.of());
    }

    /** The names of the servers the endpoints belong to, each once, in the order of {@link #endpoints()}. */
    public Set<String> servers() {
        return byServer().keySet();
    }

    /**
     * The endpoint with this id, if it is among {@link #endpoints()} (the first, should two zones list one id). An
     * index built once per resolution answers, so that a broadcaster looking up a share of a few hundred ids among
     * 13,000 servers pays for the share, not for every server per share.
     *
     * <pre>{@code
     * Resolution all = directory.resolve(Query.of("nova.compute").allZones());
     * all.endpointWithId("compute-17:8774").ifPresent(e -> System.out.println(e.baseUri()));
     * }</pre>
     */
    public Optional<Endpoint> endpointWithId(String id) {
        Map<String, Endpoint> index = byId;
        if (index == null) {
            Map<String, Endpoint> building = new HashMap<>(endpoints.size() * 4 / 3 + 1);
            for (Endpoint e : endpoints) {
                building.putIfAbsent(e.id(), e);
            }
            index = Collections.unmodifiableMap(building);
            byId = index;
        }
        return Optional.ofNullable(index.get(id));
    }

    private Map<String, List<Endpoint>> byServer() {
        Map<String, List<Endpoint>> index = byServer;
        if (index == null) {
            Map<String, List<Endpoint>> building = new LinkedHashMap<>();
            for (Endpoint e : endpoints) {
                building.computeIfAbsent(e.server(), k -> new ArrayList<>(1)).add(e);
            }
            building.replaceAll((k, v) -> List.copyOf(v));
            index = Collections.unmodifiableMap(building);
            byServer = index;
        }
        return index;
    }

    /** The same endpoints with their health (all passing unless the query includes unhealthy ones). */
    public List<EndpointStatus> statuses() {
        return statuses;
    }

    public boolean isEmpty() {
        return endpoints.isEmpty();
    }

    public int size() {
        return endpoints.size();
    }

    /**
     * True if some of the list comes from the cache: the store is unreachable, or it came back without endpoints it
     * listed before (held for a while, see {@link Directory}).
     */
    public boolean isStale() {
        return staleSince != null;
    }

    /** When the store behind the oldest cached part of this list became unreachable. */
    public Optional<Instant> staleSince() {
        return Optional.ofNullable(staleSince);
    }

    /** How long the list has been served from cache, or zero if it is fresh. */
    public Duration staleFor(Instant now) {
        return staleSince == null ? Duration.ZERO : Duration.between(staleSince, now);
    }

    /** Zones in scope whose store could not be reached and had nothing cached. */
    public Set<Zone> unavailableZones() {
        return unavailableZones;
    }

    /** Why there is no endpoint, in words; empty if there are some. */
    String emptyReason() {
        return emptyReason;
    }

    AtomicInteger inFlight(int index) {
        return states[index].inFlight;
    }

    boolean admits(int index) {
        return states[index].admits();
    }

    /** How many priorities the endpoints have. */
    int priorities() {
        return groups.length;
    }

    /** The endpoints of the {@code rank}-th lowest priority; rank 0 is the one selections choose from first. */
    PriorityGroup group(int rank) {
        return groups[rank];
    }

    int nextTurn() {
        return turn.getAndIncrement();
    }

    Selection selection(int index) {
        return new Selection(endpoints.get(index), stale[index], states[index]);
    }

    @Override
    public String toString() {
        return "Resolution[" + query + ": " + endpoints.size() + " endpoints" + (isStale() ? ", stale" : "") + "]";
    }
}
