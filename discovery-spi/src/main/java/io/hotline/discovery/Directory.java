package io.hotline.discovery;

import io.hotline.discovery.config.HotlineConfig;
import io.hotline.discovery.spi.Backoff;
import io.hotline.discovery.spi.EndpointStore;
import io.hotline.discovery.spi.Watch;
import io.hotline.discovery.spi.WatchListener;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The client side of discovery, the same for every store: answers queries from a cache kept current by the
 * store's watches, picks endpoints, fails over to farther zones only when nearer ones have nothing, and keeps
 * serving the last known endpoints (marked stale) while the store is unreachable, recovering by itself.
 *
 * <pre>{@code
 * try (Directory dir = Directory.builder(store).zone(Zone.of("region-one/az-1")).build();
 *      Selection s = dir.select(Query.of("nova.scheduler").where("free_disk_gb>=100"))) {
 *     call(s.endpoint());
 * }
 * }</pre>
 *
 * <p><b>Priority and weight</b> (RFC 2782, {@link Endpoint#priority()}, {@link Endpoint#weight()}). Zones come first:
 * a query resolves to the eligible endpoints of the nearest zone tier (the passing ones for healthy-only queries, those
 * its filter accepts), whatever their priority. Among those, a selection chooses only from the lowest priority
 * present, so a worse priority is used only while no endpoint of a better one is eligible (all critical, filtered out
 * or gone), and within it each endpoint gets a share of the picks proportional to its weight (see
 * {@link SelectionStrategy}). {@link Resolution#endpoints()} keeps every priority: a fanout casts to all of them.
 *
 * <p>A service's endpoints in a zone are fetched on first use and watched from then on; resolutions are cached
 * per query and rebuilt only when a watch reports a change, so {@link #select} costs a map lookup and a random
 * number. Thread-safe.
 *
 * <p><b>A store that comes back empty.</b> A store restarted without its data (a {@code consul -dev} agent, a Redis
 * without persistence, an emptied file store) answers with few or no endpoints until each server's next heartbeat
 * registers it again, one or two report intervals later. So the first answer after a store failure does not take
 * endpoints away at once: those it no longer lists that were passing stay selectable, marked stale, until they
 * reappear or three {@linkplain Builder#reportInterval report intervals} have passed; endpoints it adds are used at
 * once. An answer that drops two or more passing endpoints at once is held the same way, failure or not: a store
 * emptied under its servers (a file store's records deleted) reports no failure, and servers leave one at a time.
 * Otherwise a shorter list applies at once (a server deregistered).
 *
 * <p><b>Outlier ejection.</b> A caller that gets no answer from an endpoint (refused connection, timeout) reports it
 * with {@link Selection#failed()}; the endpoint is then ejected: selections pick the query's other endpoints for a
 * backoff that doubles while it keeps failing ({@linkplain Builder#ejection 1 s to 30 s}), then one caller tries it
 * again, and an answered call readmits it. If every endpoint of the best priority is ejected, an admitted endpoint of
 * the next priority is picked (an ejected endpoint is one that just did not answer; a backup that is answering serves
 * the caller better, as RFC 2782 falls back to the next priority when none of the best is reachable); only if every
 * endpoint of every priority is ejected is one of the best priority picked all the same: a caller is better served by
 * an endpoint that may have recovered than by none.
 *
 * <pre>{@code
 * Directory dir = Directory.builder(store).config(config)      // hotline.health.report-interval, as the servers'
 *         .ejection(Duration.ofMillis(500), Duration.ofSeconds(10)).build();
 * }</pre>
 */
public final class Directory implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Directory.class);
    /**
     * How many report intervals endpoints a store dropped after a failure stay held: a server retries its heartbeat
     * once per interval, so one that failed while the store was down registers again within two intervals of the
     * store's return (one if the store took writes at once), and its watchers see it a moment later.
     */
    private static final int HOLD_INTERVALS = 3;

    /** Resolutions kept at most; far above the distinct queries a client normally makes. */
    static final int MAX_CACHED_QUERIES = 1024;

    private final EndpointStore store;
    private final Zone zone;
    private final SelectionStrategy strategy;
    private final Backoff retry;
    private final Clock clock;
    private final Duration holdWindow;
    private final EndpointState.Ejection ejection;
    private final ScheduledExecutorService scheduler;
    private final ConcurrentHashMap<ViewKey, ZoneView> views = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<Query, QueryState> queries = new ConcurrentHashMap<>();
    private final AtomicLong version = new AtomicLong();
    private final Object zonesLock = new Object();
    private volatile List<Zone> zones;
    private volatile boolean closed;

    private Directory(Builder b) {
        this.store = b.store;
        this.zone = b.zone != null ? b.zone : store.homeZone();
        this.strategy = b.strategy;
        this.retry = b.retry;
        this.clock = b.clock;
        // Every live server renews within 1.1 report intervals (its jitter); the rest is for the renewal to reach
        // this directory's watch.
        this.holdWindow = b.reportInterval.multipliedBy(HOLD_INTERVALS);
        this.ejection = new EndpointState.Ejection(Backoff.exponential(b.ejectionBase, b.ejectionMax), b.ticker);
        this.scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "hotline-directory");
            t.setDaemon(true);
            return t;
        });
        long refreshNanos = b.zoneRefresh.toNanos();
        scheduler.scheduleWithFixedDelay(this::refreshZones, refreshNanos, refreshNanos, TimeUnit.NANOSECONDS);
    }

    /** Starts a directory over {@code store}; the store stays the caller's to close. */
    public static Builder builder(EndpointStore store) {
        return new Builder(store);
    }

    /** The zone this client is in; nearest-first queries rank zones by their distance from it. */
    public Zone zone() {
        return zone;
    }

    /** Resolves a query, possibly to nothing; see {@link Resolution}. */
    public Resolution resolve(Query query) {
        if (closed) {
            throw new IllegalStateException("directory is closed");
        }
        QueryState state = queries.get(query);
        if (state == null) {
            if (queries.size() >= MAX_CACHED_QUERIES) {
                // Filters built from request data (free_disk_gb>=N for every N seen) would grow the cache forever;
                // dropping it costs only recomputing resolutions from the watched views, which stay.
                queries.clear();
            }
            state = queries.computeIfAbsent(query, k -> new QueryState());
        }
        Resolution r = state.resolution;
        if (r != null && state.version == version.get()) {
            return r;
        }
        synchronized (state) {
            long v = version.get();
            if (state.resolution == null || state.version != v) {
                state.resolution = compute(query, state.turn);
                state.version = v;
            }
            return state.resolution;
        }
    }

    /**
     * Picks one endpoint with this directory's strategy.
     *
     * @throws NoEndpointException saying what was found instead, when the query resolves to nothing
     */
    public Selection select(Query query) {
        return select(query, strategy);
    }

    /**
     * Picks one endpoint with {@code strategy} among those of the best priority, leaving out ejected endpoints while
     * there are others: when every endpoint of the best priority is ejected, an admitted one of the next priority
     * that has one; an ejected one of the best priority only when every endpoint is ejected.
     */
    public Selection select(Query query, SelectionStrategy strategy) {
        Resolution r = resolve(query);
        if (r.isEmpty()) {
            throw new NoEndpointException(query, r.emptyReason());
        }
        int pick = strategy.pick(r, r.group(0));
        return r.selection(r.admits(pick) ? pick : admitted(r, strategy, pick));
    }

    /**
     * An endpoint other than the ejected {@code first}, best priority first: in each priority the strategy's next few
     * picks, then a scan, which only a priority with most of its endpoints ejected reaches; {@code first} if every
     * endpoint is ejected. Each endpoint that {@link Resolution#admits admits} is taken at once: after a backoff, the
     * first caller asking is the one let through alone.
     */
    private static int admitted(Resolution r, SelectionStrategy strategy, int first) {
        for (int rank = 0; rank < r.priorities(); rank++) {
            PriorityGroup g = r.group(rank);
            for (int i = 0; i < 3; i++) {
                int pick = strategy.pick(r, g);
                if (r.admits(pick)) {
                    return pick;
                }
            }
            int scanned = scan(r, g, false);
            if (scanned < 0 && !g.equalWeights()) {
                scanned = scan(r, g, true);
            }
            if (scanned >= 0) {
                return scanned;
            }
        }
        return first;
    }

    /**
     * The first admitted member of {@code g} from a random start: with {@code weightZero}, only among its weight-0
     * members; without, among the others, or all of them if the weights are equal. So a weight-0 member stands in for
     * its priority only when every member of weight is ejected, before a worse priority is tried. Returns -1 if none.
     */
    private static int scan(Resolution r, PriorityGroup g, boolean weightZero) {
        int n = g.size();
        int start = ThreadLocalRandom.current().nextInt(n);
        for (int k = 0; k < n; k++) {
            int m = (start + k) % n;
            if (!g.equalWeights() && (g.weight(m) == 0) != weightZero) {
                continue;
            }
            int pick = g.endpoint(m);
            if (r.admits(pick)) {
                return pick;
            }
        }
        return -1;
    }

    /** How many query resolutions are cached now. */
    int cachedQueries() {
        return queries.size();
    }

    /** Stops every watch; the store stays open. */
    @Override
    public void close() {
        closed = true;
        scheduler.shutdownNow();
        views.values().forEach(ZoneView::stop);
    }

    // ---- resolution --------------------------------------------------------------------------------------

    private Resolution compute(Query q, AtomicInteger turn) {
        List<Zone> known = knownZones();
        Zone home = store.homeZone();
        Gather g = new Gather(q, turn);
        String where;
        if (q.scope() instanceof ZoneScope.In in) {
            where = in.zone().path();
            List<Zone> units = known.stream().filter(u -> u.isWithin(in.zone()) || in.zone().isWithin(u)).toList();
            if (units.isEmpty()) {
                return g.empty("zone " + in.zone() + " is not known to the store (known zones: " + names(known) + ")");
            }
            units.forEach(u -> g.add(view(q.service(), u), in.zone()));
        } else if (q.scope() == ZoneScope.home()) {
            where = home.path();
            g.add(view(q.service(), home), null);
        } else if (q.scope() == ZoneScope.all()) {
            where = "any zone";
            known.forEach(u -> g.add(view(q.service(), u), null));
        } else {
            where = zone.path();
            for (List<Zone> tier : tiers(known, home)) {
                tier.forEach(u -> g.add(view(q.service(), u), null));
                if (g.hasMatches()) {
                    return g.resolution(zone);
                }
            }
        }
        return g.hasMatches() ? g.resolution(null) : g.empty(g.describeEmpty(where));
    }

    /** The home zone alone, then the other zones grouped by how near they are to this client, nearest first. */
    private List<List<Zone>> tiers(List<Zone> known, Zone home) {
        TreeMap<Integer, List<Zone>> byDepth = new TreeMap<>(Comparator.reverseOrder());
        for (Zone u : known) {
            if (!u.equals(home)) {
                byDepth.computeIfAbsent(u.commonDepth(zone), d -> new ArrayList<>()).add(u);
            }
        }
        List<List<Zone>> tiers = new ArrayList<>();
        tiers.add(List.of(home));
        tiers.addAll(byDepth.values());
        return tiers;
    }

    private ZoneView view(String service, Zone unit) {
        ZoneView v = views.computeIfAbsent(new ViewKey(service, unit), k -> new ZoneView(k.service, k.unit));
        v.ensureStarted();
        return v;
    }

    private List<Zone> knownZones() {
        List<Zone> z = zones;
        if (z == null) {
            synchronized (zonesLock) {
                if (zones == null) {
                    refreshZones();
                }
                z = zones;
            }
        }
        return z;
    }

    private void refreshZones() {
        List<Zone> fresh;
        try {
            Set<Zone> set = new LinkedHashSet<>();
            set.add(store.homeZone());
            set.addAll(store.zones());
            fresh = List.copyOf(set);
        } catch (RuntimeException e) {
            log.debug("cannot list the store's zones; keeping the last known: {}", e.toString());
            if (zones == null) {
                zones = List.of(store.homeZone());
            }
            return;
        }
        if (!fresh.equals(zones)) {
            zones = fresh;
            version.incrementAndGet();
        }
    }

    private static String names(List<Zone> zones) {
        return String.join(", ", zones.stream().map(Zone::path).toList());
    }

    private record ViewKey(String service, Zone unit) {}

    private static final class QueryState {
        volatile Resolution resolution;
        volatile long version = -1;
        /** Round-robin position; kept across re-resolutions so that a change does not restart the rotation. */
        final AtomicInteger turn = new AtomicInteger(ThreadLocalRandom.current().nextInt(1 << 16));
    }

    /** @param heldSince null for an endpoint the store lists; for one held after the store came back without it, when the store failed */
    private record Entry(EndpointStatus status, EndpointState state, Instant heldSince) {}

    /**
     * @param entries the endpoints the store listed, in its order, then those held
     * @param byId the same by id
     * @param listed how many of {@code entries} the store listed (the first ones)
     */
    private record Snapshot(List<Entry> entries, Map<String, Entry> byId, int listed) {}

    /** A hash map's initial capacity for {@code n} entries at its default load factor, so that it never resizes. */
    private static int capacity(int n) {
        return (int) (n / 0.75f) + 1;
    }

    /** One service in one store zone: its last known list, kept current by a watch. */
    private final class ZoneView implements WatchListener {
        private final String service;
        private final Zone unit;
        private volatile Snapshot snapshot;
        /** When the store became unreachable for this view; null while it answers. */
        private volatile Instant staleSince;
        private volatile StoreException lastError;
        private Watch watch;
        private int failures;
        private boolean started;
        /** Whether the last word from the store was a failure; the next answer is then a recovery. */
        private boolean failing;
        private ScheduledFuture<?> holdEnd;

        ZoneView(String service, Zone unit) {
            this.service = service;
            this.unit = unit;
        }

        /** The first user lists synchronously, so it need not wait for the watch; others wait for that listing. */
        synchronized void ensureStarted() {
            if (started) {
                return;
            }
            started = true;
            try {
                accept(store.list(service, unit));
            } catch (StoreException e) {
                markFailed(e);
            }
            subscribe();
        }

        private synchronized void subscribe() {
            if (closed) {
                return;
            }
            try {
                watch = store.watch(service, unit, this);
                if (closed) {
                    watch.close();
                }
            } catch (StoreException e) {
                onError(e);
            }
        }

        @Override
        public synchronized void onSnapshot(List<EndpointStatus> endpoints) {
            failures = 0;
            accept(endpoints);
        }

        @Override
        public void onError(StoreException error) {
            markFailed(error);
            long delay;
            synchronized (this) {
                watch = null;
                delay = retry.delay(++failures).toNanos();
            }
            if (!closed) {
                try {
                    scheduler.schedule(this::subscribe, delay, TimeUnit.NANOSECONDS);
                } catch (RejectedExecutionException e) {
                    log.debug("directory closed; not re-opening the watch of {} in {}", service, unit);
                }
            }
        }

        /**
         * Applies the store's list. Its cost grows with the service's size, since every watch snapshot is the whole
         * list: it is one pass over the new list and one over the old, with lookups by id (a string, whose hash is
         * cached) and no hashing of whole endpoints (a record hashes its metadata on every call). At 13,000 endpoints
         * this runs many times a second on a busy conductor.
         */
        private synchronized void accept(List<EndpointStatus> endpoints) {
            Snapshot old = snapshot;
            boolean returned = failing;
            failing = false;
            if (returned) {
                log.info("store reachable again for {} in {}", service, unit);
            }
            Map<String, Entry> byId = new HashMap<>(capacity(endpoints.size()));
            List<Entry> entries = new ArrayList<>(endpoints.size());
            // Whether every endpoint listed is one old listed, unchanged; with as many listed before, nothing changed.
            boolean unchanged = old != null && old.listed == endpoints.size();
            // How many of the endpoints old listed are listed again; if all of them are, none was dropped.
            int relisted = 0;
            for (EndpointStatus s : endpoints) {
                String id = s.endpoint().id();
                Entry before = old == null ? null : old.byId.get(id);
                unchanged = unchanged && before != null && before.heldSince == null && before.status.equals(s);
                Entry known = byId.get(id);
                if (known == null && before != null && before.heldSince == null) {
                    relisted++;
                }
                // A store that lists one id twice gets one state for both, so that ejecting one ejects the other.
                EndpointState state = known != null ? known.state : before != null ? before.state
                        : new EndpointState(ejection);
                Entry e = new Entry(s, state, null);
                byId.putIfAbsent(id, e);
                entries.add(e);
            }
            // A store emptied under live servers (a file store's records deleted) says nothing failed, but drops several
            // servers at once; servers stop one at a time, as a rolling restart does. Holding servers that really left
            // costs a refused connection each, tried elsewhere at once.
            boolean dropped = old != null && relisted < old.listed;
            boolean emptied = !returned && dropped && droppedSeveralPassing(old, byId);
            boolean recovering = returned || emptied;
            // Without a failure, only what was held before can stay held.
            boolean holding = old != null && (recovering || old.entries.size() > old.listed);
            List<Entry> held = holding ? held(old, byId, recovering) : List.of();
            // Unchanged lists (the first watch snapshot repeats the initial listing) keep cached resolutions valid.
            if (!recovering && unchanged && byId.size() == endpoints.size()
                    && old.entries.size() - old.listed == held.size()) {
                return;
            }
            for (Entry e : held) {
                byId.putIfAbsent(e.status.endpoint().id(), e);
                entries.add(e);
            }
            snapshot = new Snapshot(List.copyOf(entries), byId, endpoints.size());
            staleSince = null;
            lastError = null;
            if (recovering && !held.isEmpty()) {
                log.info("store for {} in {} {} {} passing endpoints it listed before; they stay selectable, marked"
                        + " stale, for up to {} unless they register again", service, unit,
                        returned ? "came back without" : "dropped, at once,", held.size(), holdWindow);
                if (holdEnd != null) {
                    holdEnd.cancel(false);
                }
                try {
                    holdEnd = scheduler.schedule(this::endHold, holdWindow.toNanos(), TimeUnit.NANOSECONDS);
                } catch (RejectedExecutionException e) {
                    log.debug("directory closed; not scheduling the end of the hold of {} in {}", service, unit);
                }
            }
            version.incrementAndGet();
        }

        /**
         * The endpoints of {@code old} to keep though the store no longer lists them ({@code listed} by id): after a
         * failure, those that were passing (a restarted store lists a server again only at its next heartbeat);
         * otherwise those already held. A normal shrink, with no failure before it, holds nothing.
         */
        private List<Entry> held(Snapshot old, Map<String, Entry> listed, boolean recovering) {
            List<Entry> held = new ArrayList<>();
            for (Entry e : old.entries) {
                if (recovering ? !e.status.isPassing() : e.heldSince == null) {
                    continue;
                }
                if (!listed.containsKey(e.status.endpoint().id())) {
                    held.add(e.heldSince != null ? e : new Entry(e.status, e.state, staleSince));
                }
            }
            return held;
        }

        /** Whether {@code listed} (by id) no longer has two or more of the passing endpoints {@code old} listed. */
        private static boolean droppedSeveralPassing(Snapshot old, Map<String, Entry> listed) {
            int dropped = 0;
            for (Entry e : old.entries) {
                if (e.heldSince == null && e.status.isPassing() && !listed.containsKey(e.status.endpoint().id())
                        && ++dropped == 2) {
                    return true;
                }
            }
            return false;
        }

        /** The hold after a recovery is over: endpoints the store still does not list are gone. */
        private synchronized void endHold() {
            Snapshot s = snapshot;
            // While the store is down again everything cached is served; the next answer starts a hold anew.
            if (failing || s == null) {
                return;
            }
            List<Entry> kept = s.entries.stream().filter(e -> e.heldSince == null).toList();
            if (kept.size() == s.entries.size()) {
                return;
            }
            Map<String, Entry> byId = new HashMap<>(capacity(kept.size()));
            kept.forEach(e -> byId.putIfAbsent(e.status.endpoint().id(), e));
            snapshot = new Snapshot(kept, byId, kept.size());
            log.info("{} endpoints of {} in {} not registered again within {} of the store's return; dropped",
                    s.entries.size() - kept.size(), service, unit, holdWindow);
            version.incrementAndGet();
        }

        private synchronized void markFailed(StoreException error) {
            if (!failing) {
                failing = true;
                staleSince = clock.instant();
                log.warn("endpoint store unavailable for {} in {}; serving the last known endpoints: {}", service, unit,
                        error.getMessage());
            }
            lastError = error;
            version.incrementAndGet();
        }

        void stop() {
            Watch w;
            synchronized (this) {
                w = watch;
                watch = null;
            }
            // Closed outside the lock: a store may be delivering a snapshot to this view right now.
            if (w != null) {
                w.close();
            }
        }
    }

    /** @param stale whether the endpoint comes from the cache: its store is unreachable, or it is held */
    private record Match(Entry entry, boolean stale) {}

    /** Collects the matching endpoints of several zone views, and counts what it saw to explain an empty result. */
    private final class Gather {
        private final Query query;
        private final AtomicInteger turn;
        private final List<Match> matches = new ArrayList<>();
        private final Set<Zone> unavailable = new LinkedHashSet<>();
        private final List<ZoneView> seen = new ArrayList<>();
        private Instant staleSince;
        private int registered;
        private int passing;
        private Zone scopeZone;

        Gather(Query query, AtomicInteger turn) {
            this.query = query;
            this.turn = turn;
        }

        void add(ZoneView view, Zone within) {
            seen.add(view);
            scopeZone = within;
            Snapshot s = view.snapshot;
            Instant stale = view.staleSince;
            if (s == null) {
                unavailable.add(view.unit);
                return;
            }
            if (stale != null && (staleSince == null || stale.isBefore(staleSince))) {
                staleSince = stale;
            }
            for (Entry e : s.entries) {
                EndpointStatus st = e.status;
                if (within != null && !st.endpoint().zone().isWithin(within)) {
                    continue;
                }
                registered++;
                if (st.isPassing()) {
                    passing++;
                }
                if ((!query.healthyOnly() || st.isPassing()) && query.filter().test(st.endpoint())) {
                    matches.add(new Match(e, stale != null || e.heldSince != null));
                    if (e.heldSince != null && (staleSince == null || e.heldSince.isBefore(staleSince))) {
                        staleSince = e.heldSince;
                    }
                }
            }
        }

        boolean hasMatches() {
            return !matches.isEmpty();
        }

        /** The matches; with {@code nearTo}, only those sharing the longest zone prefix with it. */
        Resolution resolution(Zone nearTo) {
            List<Match> chosen = matches;
            if (nearTo != null) {
                int[] depths = new int[matches.size()];
                int best = -1;
                for (int i = 0; i < depths.length; i++) {
                    depths[i] = matches.get(i).entry.status.endpoint().zone().commonDepth(nearTo);
                    best = Math.max(best, depths[i]);
                }
                chosen = new ArrayList<>(depths.length);
                for (int i = 0; i < depths.length; i++) {
                    if (depths[i] == best) {
                        chosen.add(matches.get(i));
                    }
                }
            }
            EndpointState[] states = new EndpointState[chosen.size()];
            boolean[] stale = new boolean[chosen.size()];
            EndpointStatus[] statuses = new EndpointStatus[chosen.size()];
            for (int i = 0; i < states.length; i++) {
                Match m = chosen.get(i);
                states[i] = m.entry.state;
                stale[i] = m.stale;
                statuses[i] = m.entry.status;
            }
            return new Resolution(query, List.of(statuses), states, stale, staleSince, unavailable, "", turn);
        }

        Resolution empty(String reason) {
            return new Resolution(query, List.of(), new EndpointState[0], new boolean[0], staleSince, unavailable,
                    reason, turn);
        }

        String describeEmpty(String where) {
            StringBuilder sb = new StringBuilder();
            sb.append(query.healthyOnly() ? "no healthy endpoint for " : "no endpoint for ").append(query.service());
            sb.append(" in ").append(where).append(" (");
            if (registered == 0) {
                sb.append("none registered");
            } else if (query.healthyOnly() && passing == 0) {
                sb.append(registered).append(" registered, ")
                        .append(registered == 1 ? "critical" : registered == 2 ? "both critical" : "all critical");
            } else {
                sb.append(registered).append(" registered, ").append(passing).append(" passing, none matching ")
                        .append(query.filter());
            }
            if (!unavailable.isEmpty()) {
                sb.append("; store unreachable for ").append(names(List.copyOf(unavailable)));
                ZoneView v = seen.stream().filter(x -> unavailable.contains(x.unit)).findFirst().orElse(null);
                if (v != null && v.lastError != null) {
                    sb.append(": ").append(v.lastError.getMessage());
                }
            }
            if (staleSince != null) {
                sb.append("; store unreachable, list from cache since ").append(staleSince);
            }
            nearestOther().ifPresent(s -> sb.append("; nearest other zone: ").append(s));
            return sb.append(')').toString();
        }

        /** Among everything cached for this service outside the scope, the nearest zone with matches. */
        private Optional<String> nearestOther() {
            Map<Zone, Integer> counts = new HashMap<>();
            for (ZoneView v : views.values()) {
                Snapshot s = v.snapshot;
                if (!v.service.equals(query.service()) || s == null) {
                    continue;
                }
                boolean inScope = seen.contains(v);
                for (Entry e : s.entries) {
                    Endpoint ep = e.status.endpoint();
                    boolean outside = !inScope || (scopeZone != null && !ep.zone().isWithin(scopeZone));
                    if (outside && e.status.isPassing() && query.filter().test(ep)) {
                        counts.merge(ep.zone(), 1, Integer::sum);
                    }
                }
            }
            return counts.entrySet().stream()
                    .max(Comparator.<Map.Entry<Zone, Integer>>comparingInt(en -> en.getKey().commonDepth(zone))
                            .thenComparing(Map.Entry::getValue))
                    .map(en -> en.getKey() + " has " + en.getValue() + " passing");
        }
    }

    /** Configures a {@link Directory}. */
    public static final class Builder {
        private final EndpointStore store;
        private Zone zone;
        private SelectionStrategy strategy = SelectionStrategy.RANDOM;
        /** Jittered, so that the clients of a store that restarts do not all re-open their watches at once. */
        private Backoff retry = Backoff.exponential(Duration.ofMillis(100), Duration.ofSeconds(10)).withJitter(0.5);
        private Duration zoneRefresh = Duration.ofSeconds(30);
        private Clock clock = Clock.systemUTC();
        private Duration reportInterval = HealthPolicy.DEFAULT.reportInterval();
        private Duration ejectionBase = Duration.ofSeconds(1);
        private Duration ejectionMax = Duration.ofSeconds(30);
        private LongSupplier ticker = System::nanoTime;

        private Builder(EndpointStore store) {
            this.store = Objects.requireNonNull(store, "store");
        }

        /** This client's zone; defaults to the store's home zone. */
        public Builder zone(Zone zone) {
            this.zone = Objects.requireNonNull(zone, "zone");
            return this;
        }

        /** Defaults to {@link SelectionStrategy#RANDOM}. */
        public Builder strategy(SelectionStrategy strategy) {
            this.strategy = Objects.requireNonNull(strategy, "strategy");
            return this;
        }

        /**
         * Backoff between attempts to re-open a failed watch, doubling from min to max, each delay shortened at random
         * by up to half ({@link Backoff} with jitter 0.5); 100 ms to 10 s.
         *
         * @throws IllegalArgumentException unless {@code 0 < min <= max}
         */
        public Builder retryBackoff(Duration min, Duration max) {
            if (min.isNegative() || min.isZero() || max.compareTo(min) < 0) {
                throw new IllegalArgumentException("retry backoff needs 0 < min <= max, got " + min + " and " + max);
            }
            this.retry = Backoff.exponential(min, max).withJitter(retry.jitter());
            return this;
        }

        /** How often the list of federated zones is re-read; 30 s. */
        public Builder zoneRefresh(Duration every) {
            if (every.isNegative() || every.isZero()) {
                throw new IllegalArgumentException("zone refresh interval " + every + " must be positive");
            }
            this.zoneRefresh = every;
            return this;
        }

        /**
         * Reads {@value HealthPolicy#REPORT_INTERVAL} (see {@link #reportInterval}), validated as the servers'
         * {@link HealthPolicy#config} validates it, so that a client and the servers of one configuration agree.
         *
         * @throws IllegalArgumentException naming the key whose value is bad
         */
        public Builder config(HotlineConfig config) {
            return reportInterval(HealthPolicy.DEFAULT.config(config).reportInterval());
        }

        /**
         * How often the servers renew their registrations ({@link HealthPolicy#reportInterval()}); 10 s. After a
         * store failure, endpoints its first answer leaves out stay selectable, marked stale, for three of these: a
         * store restarted empty lists each server again only at its next successful heartbeat.
         */
        public Builder reportInterval(Duration interval) {
            if (interval.isNegative() || interval.isZero()) {
                throw new IllegalArgumentException("report interval " + interval + " must be positive");
            }
            this.reportInterval = interval;
            return this;
        }

        /**
         * How long an endpoint that did not answer ({@link Selection#failed()}) is ejected: {@code base} after one
         * failure, doubling with each further failure in a row up to {@code max}; 1 s to 30 s, as Envoy's
         * outlier detection (and gRPC's) starts. A short base finds a recovered server sooner; each retry of a hung
         * one costs a caller its timeout.
         */
        public Builder ejection(Duration base, Duration max) {
            if (base.isNegative() || base.isZero() || max.compareTo(base) < 0) {
                throw new IllegalArgumentException("ejection needs 0 < base <= max, got " + base + " and " + max);
            }
            this.ejectionBase = base;
            this.ejectionMax = max;
            return this;
        }

        /** The time source of ejections, in nanoseconds as {@link System#nanoTime()}; for tests. */
        Builder ticker(LongSupplier ticker) {
            this.ticker = Objects.requireNonNull(ticker, "ticker");
            return this;
        }

        /** The clock used to stamp staleness; the system UTC clock. */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        public Directory build() {
            return new Directory(this);
        }
    }
}
