package io.hotline.discovery.redis;

import io.hotline.discovery.Endpoint;
import io.hotline.discovery.EndpointStatus;
import io.hotline.discovery.Health;
import io.hotline.discovery.HealthPolicy;
import io.hotline.discovery.StoreException;
import io.hotline.discovery.StoreUnavailableException;
import io.hotline.discovery.Untrusted;
import io.hotline.discovery.Zone;
import io.hotline.discovery.spi.Watch;
import io.hotline.discovery.spi.WatchListener;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.exceptions.JedisConnectionException;
import redis.clients.jedis.exceptions.JedisException;
import redis.clients.jedis.params.SetParams;

/**
 * One Redis deployment (a server, a Sentinel-watched master or a Cluster) and the zones kept in it: the atomic
 * scripts and the watches fed by its change channel; {@link RedisErrors} says what its failures mean.
 *
 * <p>Layout, for key prefix {@code P}: {@code P:{service}:zone:records|down|gone|lease} per service and zone (the
 * {@code {service}} hash tag puts them in one Cluster slot, so one script can touch them all), {@code P:zones} the
 * zones registered here, {@code P:changes} the channel every change is announced on as {@code "zone service"}.
 */
final class RedisDeployment implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(RedisDeployment.class);
    private static final int MAX_REPORTED = 10_000;
    private static final int MAX_CACHED_SERVICES = 4_096;
    /** Every command the store sends or its scripts call, for an ACL narrower than +@all. */
    static final String ACL_COMMANDS = "+ping +evalsha +eval +time +hset +hget +hdel +hexists +hgetall +zadd +zscore "
            + "+zrem +zrange +zrangebyscore +publish +sadd +smembers +subscribe +set";

    private final RedisSettings settings;
    private final String prefix;
    private final String channel;
    private final Map<String, Set<RedisWatch>> watches = new ConcurrentHashMap<>();
    private final Set<String> reported = ConcurrentHashMap.newKeySet();
    /**
     * The endpoints decoded by the last read of each zone and service: a watch reads a whole service after every
     * change, and decoding thousands of unchanged records each time would cost more than the read itself.
     */
    private final Map<String, Map<String, Decoded>> decoded = new ConcurrentHashMap<>();
    private UnifiedJedis client;
    private ScheduledExecutorService executor;
    private ChangeSubscriber subscriber;
    private boolean closed;

    RedisDeployment(RedisSettings settings) {
        this.settings = settings;
        this.prefix = settings.keyPrefix();
        this.channel = prefix + ":changes";
    }

    RedisSettings settings() {
        return settings;
    }

    String channel() {
        return channel;
    }

    // ---- the operations --------------------------------------------------------------------------------

    void register(Endpoint e, Zone zone, HealthPolicy policy) {
        call("register " + e.id() + " of " + e.service(), r -> RedisScripts.REGISTER.run(r, keys(zone, e.service()),
                List.of(e.id(), RedisRecord.toJson(e), Long.toString(policy.downAfter().toMillis()),
                        Long.toString(policy.deregisterAfter().toMillis()), channel, message(zone, e.service()))));
        // Outside the script: in a Cluster this key lives in another slot than the service's.
        call("note the service " + e.service(), c -> c.sadd(prefix + ":services", message(zone, e.service())));
    }

    /**
     * Sweeps every service registered here if no other client has swept within {@code interval}: reads sweep what
     * they read, and this catches the services nobody reads, once per interval however many clients there are.
     *
     * @return how many registrations were removed, or -1 when another client has this interval's turn
     */
    long sweepIfOurTurn(Duration interval, String owner) {
        String turn = call("take the sweep turn", c -> c.set(prefix + ":sweeper", owner,
                SetParams.setParams().nx().px(interval.toMillis())));
        if (!"OK".equals(turn)) {
            return -1;
        }
        long removed = 0;
        for (String entry : call("list the services", c -> c.smembers(prefix + ":services"))) {
            int space = entry.indexOf(' ');
            Zone zone;
            try {
                zone = Zone.of(entry.substring(0, Math.max(space, 0)));
            } catch (IllegalArgumentException e) {
                reportOnce("service " + entry, "skipping '" + Untrusted.escape(entry) + "' in " + prefix
                        + ":services of Redis " + settings + ": not a zone and a service");
                continue;
            }
            String service = entry.substring(space + 1);
            try {
                Object n = call("sweep " + service + " in zone " + zone, c -> RedisScripts.SWEEP.run(c,
                        keys(zone, service), List.of(channel, entry)));
                removed += n instanceof Long l ? l : 0;
            } catch (StoreUnavailableException e) {
                throw e;
            } catch (StoreException e) {
                reportOnce("service " + entry, "skipping '" + Untrusted.escape(entry) + "' in " + prefix
                        + ":services of Redis " + settings + ": " + Untrusted.escape(e.getMessage()));
            }
        }
        return removed;
    }

    /** False when Redis does not hold the registration. */
    boolean renew(String service, String id, Zone zone) {
        Object r = call("renew " + id + " of " + service, c -> RedisScripts.RENEW.run(c, keys(zone, service),
                List.of(id, channel, message(zone, service))));
        return Long.valueOf(1).equals(r);
    }

    void deregister(String service, String id, Zone zone) {
        call("deregister " + id + " of " + service, c -> RedisScripts.DEREGISTER.run(c, keys(zone, service),
                List.of(id, channel, message(zone, service))));
    }

    /** Every registration of the service in the zone with its health, and when that will next change by itself. */
    Snapshot read(String service, Zone zone) {
        Object reply = call("read " + service + " in zone " + zone, c -> RedisScripts.READ.run(c, keys(zone, service),
                List.of(channel, message(zone, service))));
        if (!(reply instanceof List<?> parts) || parts.size() != 5 || !(parts.get(0) instanceof Long now)) {
            throw new StoreException("Redis " + settings + " answered the read of " + service
                    + " with something other than the read script's reply; is another program using the key prefix '"
                    + prefix + "'?");
        }
        Map<String, Long> down = scores(parts.get(2));
        Map<String, Long> passingSince = scores(parts.get(4));
        long next = scores(parts.get(3)).values().stream().mapToLong(t -> t - now).filter(t -> t > 0).min()
                .orElse(Long.MAX_VALUE);
        List<EndpointStatus> statuses = new ArrayList<>(down.size());
        List<?> records = (List<?>) parts.get(1);
        String cacheKey = message(zone, service);
        Map<String, Decoded> before = decoded.getOrDefault(cacheKey, Map.of());
        Map<String, Decoded> after = new HashMap<>(records.size());
        for (int i = 0; i + 1 < records.size(); i += 2) {
            String id = text(records.get(i));
            byte[] json = (byte[]) records.get(i + 1);
            Decoded d = before.get(id);
            if (d == null || !Arrays.equals(d.json(), json)) {
                Endpoint endpoint = decode(service, zone, id, json);
                if (endpoint == null) {
                    continue;
                }
                d = new Decoded(json, endpoint);
            }
            after.put(id, d);
            Endpoint endpoint = d.endpoint();
            Long downAt = down.get(id);
            if (downAt == null) {
                report(service, zone, id, "it has no deadline in " + base(zone, service) + ":down");
                continue;
            }
            statuses.add(status(endpoint, downAt, now, passingSince.get(id)));
            if (downAt > now) {
                next = Math.min(next, downAt - now);
            }
        }
        if (decoded.size() >= MAX_CACHED_SERVICES && !decoded.containsKey(cacheKey)) {
            decoded.clear();
        }
        decoded.put(cacheKey, after);
        statuses.sort(Comparator.comparing(s -> s.endpoint().id()));
        return new Snapshot(List.copyOf(statuses),
                next == Long.MAX_VALUE ? Optional.empty() : Optional.of(Duration.ofMillis(next)));
    }

    /**
     * Passing since it last turned passing (unknown for a registration written by a version that did not record it),
     * critical since its deadline passed.
     */
    private static EndpointStatus status(Endpoint endpoint, long downAt, long now, Long passingSince) {
        if (downAt <= now) {
            return new EndpointStatus(endpoint, Health.CRITICAL, Instant.ofEpochMilli(downAt));
        }
        return passingSince == null ? new EndpointStatus(endpoint, Health.PASSING)
                : new EndpointStatus(endpoint, Health.PASSING, Instant.ofEpochMilli(passingSince));
    }

    /** The zones registered in this deployment. */
    Set<Zone> zones() {
        Set<String> raw = call("list the zones", c -> c.smembers(prefix + ":zones"));
        Set<Zone> zones = new LinkedHashSet<>();
        for (String z : raw) {
            try {
                zones.add(Zone.of(z));
            } catch (IllegalArgumentException e) {
                reportOnce("zone " + z, "skipping a zone in " + prefix + ":zones of Redis " + settings + ": "
                        + e.getMessage());
            }
        }
        return zones;
    }

    void addZone(Zone zone) {
        call("note the zone " + zone, c -> c.sadd(prefix + ":zones", zone.path()));
    }

    /** Checks that the server answers; throws as every operation does. */
    void ping() {
        call("ping", UnifiedJedis::ping);
    }

    /** A record as read and the endpoint decoded from it, reused while the record's bytes stay the same. */
    private record Decoded(byte[] json, Endpoint endpoint) {}

    /** A snapshot, and how long until the health of one of its endpoints changes with no write. */
    record Snapshot(List<EndpointStatus> statuses, Optional<Duration> nextChange) {}

    // ---- watches ---------------------------------------------------------------------------------------

    Watch watch(String service, Zone zone, WatchListener listener) {
        RedisWatch w = new RedisWatch(this, service, zone, listener, watchExecutor());
        watches.compute(message(zone, service), (k, set) -> {
            Set<RedisWatch> s = set != null ? set : ConcurrentHashMap.newKeySet();
            s.add(w);
            return s;
        });
        w.refresh();
        return w;
    }

    /** The thread every watch of this Redis reads on, and the change subscriber, both started by the first watch. */
    private synchronized ScheduledExecutorService watchExecutor() {
        if (closed) {
            throw new IllegalStateException("the Redis store is closed");
        }
        if (executor == null) {
            ScheduledThreadPoolExecutor ex = new ScheduledThreadPoolExecutor(1, r -> {
                Thread t = new Thread(r, "hotline-redis-watch");
                t.setDaemon(true);
                return t;
            });
            ex.setRemoveOnCancelPolicy(true);
            executor = ex;
            subscriber = new ChangeSubscriber(this);
            subscriber.start();
        }
        return executor;
    }

    void forget(RedisWatch w) {
        watches.computeIfPresent(message(w.zone(), w.service()), (k, set) -> {
            set.remove(w);
            return set.isEmpty() ? null : set;
        });
    }

    /** A change notice arrived: the watches of that zone and service read again. */
    void changed(String message) {
        Set<RedisWatch> set = watches.get(message);
        if (set != null) {
            set.forEach(RedisWatch::refresh);
        }
    }

    /** (Re)subscribed: notices may have been lost meanwhile, so every watch reads the full state again. */
    void subscribed() {
        watches.values().forEach(set -> set.forEach(RedisWatch::refresh));
    }

    /** The change channel broke: every watch ends with this error, and the core opens new ones. */
    void subscriptionLost(StoreException error) {
        watches.values().forEach(set -> set.forEach(w -> w.fail(error)));
    }

    // ---- connection ---------------------------------------------------------------------------------------

    /** The client, opened on first use so that an unreachable deployment does not stop the store from opening. */
    synchronized UnifiedJedis client() {
        if (closed) {
            throw new IllegalStateException("the Redis store is closed");
        }
        if (client == null) {
            client = RedisClients.open(settings);
        }
        return client;
    }

    <T> T call(String what, Function<UnifiedJedis, T> op) {
        for (int attempt = 0; ; attempt++) {
            try {
                return op.apply(client());
            } catch (JedisConnectionException e) {
                // A pooled connection opened before a server restart fails once; a fresh one may well work. The
                // Cluster client retries by itself, within hotline.redis.timeout.
                if (attempt > 0 || settings.mode() == RedisSettings.Mode.CLUSTER) {
                    throw RedisErrors.translate(e, settings, what);
                }
            } catch (JedisException e) {
                throw RedisErrors.translate(e, settings, what);
            }
        }
    }

    // ---- records -------------------------------------------------------------------------------------------

    private Endpoint decode(String service, Zone zone, String id, byte[] json) {
        Endpoint e;
        try {
            e = RedisRecord.parse(json);
        } catch (IllegalArgumentException ex) {
            report(service, zone, id, ex.getMessage());
            return null;
        }
        if (!e.service().equals(service) || !e.id().equals(id) || !e.zone().isWithin(zone)) {
            report(service, zone, id, "it names " + e.id() + " of " + e.service() + " in zone " + e.zone()
                    + ", not the service, id and zone it is filed under");
            return null;
        }
        return e;
    }

    /** Logs a record that is not ours, once per record and reason: never its content, which may hold anything. */
    private void report(String service, Zone zone, String id, String reason) {
        reportOnce(zone + " " + service + " " + id + " " + reason, "skipping the record '" + Untrusted.escape(id)
                + "' of " + service + " in zone " + zone + " at Redis " + settings + " (key " + base(zone, service)
                + ":records): " + Untrusted.escape(reason));
    }

    private void reportOnce(String key, String message) {
        if (reported.size() < MAX_REPORTED && reported.add(key)) {
            LOG.warn(message);
        }
    }


    private static Map<String, Long> scores(Object flat) {
        List<?> items = (List<?>) flat;
        Map<String, Long> scores = new HashMap<>(items.size());
        for (int i = 0; i + 1 < items.size(); i += 2) {
            // Redis keeps scores as numbers, so they always parse.
            scores.put(text(items.get(i)), (long) Double.parseDouble(text(items.get(i + 1))));
        }
        return scores;
    }

    private static String text(Object bytes) {
        return new String((byte[]) bytes, StandardCharsets.UTF_8);
    }

    private String base(Zone zone, String service) {
        return prefix + ":{" + service + "}:" + zone.path();
    }

    private List<String> keys(Zone zone, String service) {
        String base = base(zone, service);
        return List.of(base + ":records", base + ":down", base + ":gone", base + ":lease", base + ":since");
    }

    static String message(Zone zone, String service) {
        return zone.path() + " " + service;
    }

    @Override
    public void close() {
        ChangeSubscriber s;
        ScheduledExecutorService ex;
        UnifiedJedis c;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            s = subscriber;
            ex = executor;
            c = client;
        }
        watches.values().forEach(set -> set.forEach(RedisWatch::close));
        if (s != null) {
            s.close();
        }
        if (ex != null) {
            ex.shutdownNow();
            try {
                ex.awaitTermination(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (c != null) {
            c.close();
        }
    }
}
