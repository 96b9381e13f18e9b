package io.hotline.discovery.consul;

import io.hotline.discovery.Endpoint;
import io.hotline.discovery.EndpointStatus;
import io.hotline.discovery.HealthPolicy;
import io.hotline.discovery.NotRegisteredException;
import io.hotline.discovery.Untrusted;
import io.hotline.discovery.Zone;
import io.hotline.discovery.config.HotlineConfig;
import io.hotline.discovery.spi.EndpointStore;
import io.hotline.discovery.spi.Watch;
import io.hotline.discovery.spi.WatchListener;
import java.math.BigInteger;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import org.kiwiproject.consul.AgentClient;
import org.kiwiproject.consul.CatalogClient;
import org.kiwiproject.consul.Consul;
import org.kiwiproject.consul.ConsulException;
import org.kiwiproject.consul.HealthClient;
import org.kiwiproject.consul.model.ConsulResponse;
import org.kiwiproject.consul.model.health.ServiceHealth;
import org.kiwiproject.consul.option.ImmutableQueryOptions;
import org.kiwiproject.consul.option.QueryOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code consul} store over the local agent's HTTP API (see {@link ConsulStoreProvider} for the keys). The home
 * zone is the prefix of {@code hotline.zone} that ends in the agent's datacenter; every other datacenter of the WAN
 * pool is the sibling zone of the same name, read with {@code ?dc=}.
 */
final class ConsulStore implements EndpointStore {

    private static final Logger log = LoggerFactory.getLogger(ConsulStore.class);

    private static final Pattern SERVICE = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");
    private static final int MAX_REPORTED = 10_000;

    private final ConsulSettings settings;
    private final HotlineConfig config;
    private final Consul client;
    private final Consul watchClient;
    private final String datacenter;
    private final Zone home;
    private final ExecutorService watches;
    private final Set<String> reported = ConcurrentHashMap.newKeySet();
    /** Datacenters seen in the agent's list; once seen, a datacenter that goes away is an outage, not unknown. */
    private final Set<String> knownDatacenters = ConcurrentHashMap.newKeySet();
    private final Set<BlockingWatch> open = ConcurrentHashMap.newKeySet();

    private ConsulStore(ConsulSettings settings, HotlineConfig config, Consul client, Consul watchClient,
            String datacenter, Zone home) {
        this.settings = settings;
        this.config = config;
        this.client = client;
        this.watchClient = watchClient;
        this.datacenter = datacenter;
        this.home = home;
        AtomicInteger n = new AtomicInteger();
        this.watches = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "hotline-consul-watch-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * Connects and, unless configured, asks the agent for its datacenter.
     *
     * @throws IllegalArgumentException if {@code hotline.zone} does not go through the agent's datacenter
     * @throws io.hotline.discovery.StoreUnavailableException if the agent cannot be reached
     */
    static ConsulStore open(ConsulSettings settings, HotlineConfig config) {
        Duration wait = settings.watchWait();
        // Consul adds up to wait/16 of jitter to a blocking query; the read timeout must outlast both.
        Duration watchRead = wait.plus(wait.dividedBy(16)).plus(settings.timeout());
        Consul client = AgentConnection.connect(settings, settings.timeout());
        Consul watchClient = null;
        try {
            watchClient = AgentConnection.connect(settings, watchRead);
            String dc = settings.datacenter().orElseGet(() -> call(settings, "ask for its datacenter",
                    () -> client.agentClient().getAgent().getConfig().getDatacenter()));
            Zone home = homeZone(config, dc, settings);
            return new ConsulStore(settings, config, client, watchClient, dc, home);
        } catch (RuntimeException e) {
            client.destroy();
            if (watchClient != null) {
                watchClient.destroy();
            }
            throw e;
        }
    }

    /** The prefix of {@code hotline.zone} ending in a segment named {@code dc}, or just {@code dc} if unset. */
    static Zone homeZone(HotlineConfig config, String dc, ConsulSettings settings) {
        if (config.string(HotlineConfig.ZONE).filter(z -> !z.isEmpty()).isEmpty()) {
            return Zone.of(dc);
        }
        Zone configured = config.zone();
        List<String> segments = configured.segments();
        for (int i = segments.size() - 1; i >= 0; i--) {
            if (segments.get(i).equals(dc)) {
                return configured.ancestor(i + 1);
            }
        }
        throw config.invalid(HotlineConfig.ZONE, "does not go through '" + dc + "', the datacenter of the Consul agent"
                + " at " + settings.address() + "; a Consul datacenter is a zone: set it to " + dc
                + " or a path through it, such as region-one/" + dc + " or " + dc + "/rack-7");
    }

    @Override
    public Zone homeZone() {
        return home;
    }

    @Override
    public Set<Zone> zones() {
        List<String> names = call("list the datacenters", () -> catalog().getDatacenters());
        Set<Zone> zones = new LinkedHashSet<>();
        zones.add(home);
        for (String dc : names) {
            try {
                zones.add(zoneOf(dc));
            } catch (IllegalArgumentException e) {
                reportOnce("dc " + dc, "datacenter '" + dc + "' cannot be a zone and is ignored: " + e.getMessage());
            }
        }
        return zones;
    }

    @Override
    public void register(Endpoint endpoint, HealthPolicy policy) {
        EndpointStore.requireWithinHomeZone(endpoint, home);
        Duration ttl = settings.checkTimeout().orElse(policy.downAfter());
        if (settings.checkTimeout().isPresent() && ttl.compareTo(policy.reportInterval()) <= 0) {
            throw config.invalid(ConsulStoreProvider.CHECK_TIMEOUT, "is not longer than the report interval "
                    + policy.reportInterval() + " of " + endpoint.id() + ", so every small delay would mark it"
                    + " critical; make it several report intervals (Nova uses 6x)");
        }
        Duration removeAfter = settings.checkDeregister().orElse(policy.deregisterAfter());
        Duration criticalFor = removeAfter.minus(ttl).isNegative() ? Duration.ZERO : removeAfter.minus(ttl);
        var registration = ServiceRecord.registration(endpoint, ttl, criticalFor,
                settings.httpCheck() ? policy.reportInterval() : null);
        call("register " + endpoint.id() + " of " + endpoint.service(), () -> {
            agent().register(registration);
            return null;
        });
        // The agent keeps the status a check it already holds had, so a critical endpoint registered again would
        // stay critical; a registration is passing at once.
        renew(endpoint.service(), endpoint.id());
    }

    @Override
    public void renew(String service, String id) {
        String cid = ServiceRecord.consulId(requireService(service), id);
        String what = "renew " + id + " of " + service;
        try {
            agent().pass(cid);
        } catch (org.kiwiproject.consul.NotRegisteredException e) {
            // The client wraps every failure of a check update in its NotRegisteredException, an unreachable agent
            // included; only Consul's own answer tells a lost registration from an outage.
            if (e.getCause() instanceof ConsulException ce) {
                if (ce.hasCode() && isUnknownCheck(ce)) {
                    throw new NotRegisteredException(service, id);
                }
                throw ConsulErrors.translate(ce, settings.address(), what, settings.token().isPresent());
            }
            throw ConsulErrors.translate(new ConsulException(e), settings.address(), what,
                    settings.token().isPresent());
        } catch (ConsulException e) {
            throw ConsulErrors.translate(e, settings.address(), what, settings.token().isPresent());
        }
    }

    /** Consul 1.8 answers 500 "CheckID ... does not have associated TTL" for a check it does not hold. */
    private static boolean isUnknownCheck(ConsulException e) {
        String body = ConsulErrors.body(e);
        return (e.getCode() == 500 || e.getCode() == 404)
                && (body.contains("does not have associated TTL") || body.contains("Unknown check"));
    }

    @Override
    public void deregister(String service, String id) {
        String cid = ServiceRecord.consulId(requireService(service), id);
        call("deregister " + id + " of " + service, () -> {
            agent().deregister(cid);
            return null;
        });
    }

    @Override
    public List<EndpointStatus> list(String service, Zone zone) {
        requireService(service);
        QueryOptions options = options(zone, null);
        ConsulResponse<List<ServiceHealth>> r = call("list " + service + " in " + zone,
                () -> health(client).getAllServiceInstances(service, options));
        return decode(r.getResponse(), service, zone);
    }

    @Override
    public Watch watch(String service, Zone zone, WatchListener listener) {
        requireService(service);
        String what = service + " in " + zone;
        // A zone that is no datacenter is refused here, to the caller, not later in the watch's thread.
        options(zone, null);
        BlockingWatch w = BlockingWatch.start(what, index -> {
            QueryOptions options = options(zone, index);
            ConsulResponse<List<ServiceHealth>> r = call("watch " + what,
                    () -> health(watchClient).getAllServiceInstances(service, options));
            return new BlockingWatch.Page(decode(r.getResponse(), service, zone), r.getIndex());
        }, listener, watches);
        open.add(w);
        return () -> {
            open.remove(w);
            w.close();
        };
    }

    @Override
    public void close() {
        // Closed watches go quiet; without this they would see the client go away and report an outage.
        open.forEach(BlockingWatch::close);
        watches.shutdownNow();
        client.destroy();
        watchClient.destroy();
    }

    // ---- zones and datacenters ---------------------------------------------------------------------------

    private Zone zoneOf(String dc) {
        if (dc.equals(datacenter)) {
            return home;
        }
        return home.parent().map(p -> p.child(dc)).orElseGet(() -> Zone.of(dc));
    }

    /** The datacenter to ask for {@code zone}: empty for the home zone (the agent's own). */
    private Optional<String> datacenterOf(Zone zone) {
        if (zone.equals(home)) {
            return Optional.empty();
        }
        if (zone.parent().equals(home.parent())) {
            List<String> s = zone.segments();
            String dc = s.get(s.size() - 1);
            if (knownDatacenters.contains(dc) || zones().contains(zone)) {
                knownDatacenters.add(dc);
                return Optional.of(dc);
            }
        }
        throw new IllegalArgumentException("zone " + zone + " is not a Consul datacenter of this store; its zones are "
                + home + " and the datacenters federated with it, named as its siblings (e.g. "
                + zoneOf("dc2") + ")");
    }

    /** Options for a read of {@code zone}; a blocking query when {@code index} is positive. */
    private QueryOptions options(Zone zone, BigInteger index) {
        Optional<String> dc = datacenterOf(zone);
        ImmutableQueryOptions.Builder b;
        if (index != null && index.signum() > 0) {
            b = ImmutableQueryOptions.builder().from(
                    QueryOptions.blockSeconds((int) Math.max(1, settings.watchWait().toSeconds()), index).build());
        } else {
            b = ImmutableQueryOptions.builder();
        }
        dc.ifPresent(b::datacenter);
        return b.build();
    }

    private List<EndpointStatus> decode(List<ServiceHealth> entries, String service, Zone zone) {
        List<EndpointStatus> out = new ArrayList<>(entries.size());
        for (ServiceHealth entry : entries) {
            // Consul looks services up without regard to case; Hotline's services differ by case.
            if (!service.equals(entry.getService().getService())) {
                continue;
            }
            try {
                out.add(ServiceRecord.read(entry, zone));
            } catch (IllegalArgumentException e) {
                reportOnce(zone + " " + entry.getService().getId(), "skipping Consul service "
                        + Untrusted.escape(entry.getService().getId()) + " of "
                        + Untrusted.escape(entry.getService().getService()) + " in " + zone + ": "
                        + Untrusted.escape(e.getMessage()));
            }
        }
        out.sort(Comparator.comparing(s -> s.endpoint().id()));
        return out;
    }

    /** Logs a record others wrote once, not on every read; the set is bounded so a flood cannot grow it forever. */
    private void reportOnce(String key, String message) {
        if (reported.size() < MAX_REPORTED && reported.add(key)) {
            log.warn(message);
        }
    }

    private static String requireService(String service) {
        if (service == null || !SERVICE.matcher(service).matches()) {
            throw new IllegalArgumentException("service '" + service + "' is invalid; expected 1-128 letters, digits,"
                    + " '.', '_' or '-', starting with a letter or digit");
        }
        return service;
    }

    // ---- calls -------------------------------------------------------------------------------------------

    private AgentClient agent() {
        return client.agentClient();
    }

    private CatalogClient catalog() {
        return client.catalogClient();
    }

    private static HealthClient health(Consul c) {
        return c.healthClient();
    }

    private <T> T call(String what, Supplier<T> body) {
        return call(settings, what, body);
    }

    private static <T> T call(ConsulSettings settings, String what, Supplier<T> body) {
        try {
            return body.get();
        } catch (ConsulException e) {
            throw ConsulErrors.translate(e, settings.address(), what, settings.token().isPresent());
        }
    }

    @Override
    public String toString() {
        return "ConsulStore[" + settings.address() + ", datacenter " + datacenter + ", zone " + home + "]";
    }
}
