package io.hotline.rpc;

import io.hotline.discovery.Directory;
import io.hotline.discovery.Endpoint;
import io.hotline.discovery.NoEndpointException;
import io.hotline.discovery.Query;
import io.hotline.discovery.Resolution;
import io.hotline.discovery.Selection;
import io.hotline.discovery.ZoneScope;
import io.hotline.rpc.internal.wire.Wire;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Collectors;

/**
 * Where the messages of one prepared target go, chosen once by {@link RpcClient#prepare}: to any server of the
 * service, to the one server the target names, or, for a fanout, to a broadcaster (or, when none is registered and
 * the client may, to every server straight from the client).
 *
 * <pre>{@code
 * Route route = Route.of(target, fanoutFallback);
 * Route.Pick pick = route.pick(directory, tried);
 * }</pre>
 */
sealed interface Route {

    /** The route of {@code target}; {@code fanoutFallback} lets a fanout go out from the client itself. */
    static Route of(Target target, boolean fanoutFallback) {
        if (target.fanout()) {
            return new ToBroadcaster(target.service(), fanoutFallback);
        }
        return target.server() != null ? new ToServer(target.service(), target.server())
                : new ToService(target.service());
    }

    /** The request path, e.g. {@code /v1/rpc/conductor}. */
    String path();

    /**
     * A server not tried yet where there is one, else one tried already.
     *
     * @throws RuntimeException (InvalidTarget, NoEndpointException) if there is none to go to
     */
    Pick pick(Directory directory, Set<String> tried);

    /**
     * The endpoint a message goes to, what to do if it did not answer, and when the exchange with it is over.
     *
     * @param unanswered ejects the endpoint for a while
     * @param release gives the selection back
     */
    record Pick(Endpoint endpoint, Runnable unanswered, Runnable release) {
        static Pick of(Selection s) {
            return new Pick(s.endpoint(), s::failed, s::close);
        }

        /** One picked by this client, not by the directory's strategy: nothing to eject or give back. */
        static Pick of(Endpoint endpoint) {
            return new Pick(endpoint, () -> { }, () -> { });
        }
    }

    /**
     * Any server of the service, as the directory selects it, nearest zone first.
     *
     * @param query and {@code path} are made once from {@code service} by the one-argument constructor, not per message
     */
    record ToService(String service, Query query, String path) implements Route {
        ToService(String service) {
            this(service, Query.of(service), Wire.RPC_PATH + service);
        }

        @Override
        public Pick pick(Directory directory, Set<String> tried) {
            return pickAny(directory, query, tried);
        }
    }

    /**
     * The one server a target names, in any zone.
     *
     * @param query and {@code path} are made once from {@code service} by the two-argument constructor, not per message
     */
    record ToServer(String service, String server, Query query, String path) implements Route {
        ToServer(String service, String server) {
            this(service, server, Query.of(service).allZones(), Wire.RPC_PATH + service);
        }

        @Override
        public Pick pick(Directory directory, Set<String> tried) {
            Resolution r = directory.resolve(query);
            List<Endpoint> named = r.endpointsOf(server);
            if (named.isEmpty()) {
                throw new InvalidTarget("server " + server + " is not registered (healthy) for " + service
                        + "; registered: " + someOf(r.servers()));
            }
            List<Endpoint> fresh = named.stream().filter(e -> !tried.contains(e.id())).toList();
            List<Endpoint> pool = fresh.isEmpty() ? named : fresh;
            return Pick.of(pool.get(ThreadLocalRandom.current().nextInt(pool.size())));
        }
    }

    /**
     * A broadcaster, nearest first, which casts to every server of the service.
     *
     * @param fallback whether the client casts to every server itself when no broadcaster is registered
     * @param path made once from {@code service} by the two-argument constructor, not per message
     */
    record ToBroadcaster(String service, boolean fallback, String path) implements Route {
        static final Query BROADCASTERS = Query.of(RpcClient.BROADCASTER_SERVICE);

        ToBroadcaster(String service, boolean fallback) {
            this(service, fallback, Wire.FANOUT_PATH + service);
        }

        @Override
        public Pick pick(Directory directory, Set<String> tried) {
            try {
                return pickAny(directory, BROADCASTERS, tried);
            } catch (NoEndpointException e) {
                throw new InvalidTarget("no broadcaster registered (" + RpcClient.BROADCASTER_SERVICE + ") to fan out"
                        + " to " + service + "; start one, or let clients fan out themselves with "
                        + RpcClient.FANOUT_FALLBACK + "=true: " + e.getMessage());
            }
        }

        /**
         * The broadcaster for a fanout's first try, or null when the client fans out itself: it may, and no
         * broadcaster is registered in any zone.
         */
        Pick first(Directory directory) {
            if (!fallback) {
                return pick(directory, Set.of());
            }
            try {
                return Pick.of(directory.select(BROADCASTERS));
            } catch (NoEndpointException e) {
                return null;
            }
        }
    }

    /** Names the servers in order, or the first few of many and how many there are: a service may have 13,000. */
    static String someOf(Set<String> servers) {
        int shown = 10;
        String first = servers.stream().sorted().limit(shown).collect(Collectors.joining(", ", "[", ""));
        return servers.size() <= shown ? first + "]" : first + ", ...] (" + servers.size() + " servers)";
    }

    /** Any endpoint the directory selects for {@code query}, preferring one not tried yet. */
    private static Pick pickAny(Directory directory, Query query, Set<String> tried) {
        Selection s = directory.select(query);
        for (int i = 0; i < 8 && tried.contains(s.endpoint().id()); i++) {
            s.close();
            s = directory.select(query);
        }
        if (tried.contains(s.endpoint().id())) {
            // Random picks can keep landing on servers tried already (with two of three tried, 4% of the time
            // after eight); a caller that takes every server for busy then would wait for nothing. Of those not
            // tried, the best priority: a worse one only once every server of the better ones was tried.
            List<Endpoint> untried = directory.resolve(query).endpoints().stream()
                    .filter(e -> !tried.contains(e.id())).toList();
            if (untried.isEmpty() && query.scope() == ZoneScope.nearest()) {
                // Every server of the nearest zone was tried, and the directory still lists them (a stop it has not
                // heard of yet refuses connections): the next try goes to the nearest zone farther out that has one,
                // as it would once the directory dropped them.
                untried = nearestUntried(directory, query, tried);
            }
            int best = untried.stream().mapToInt(Endpoint::priority).min().orElse(0);
            List<Endpoint> fresh = untried.stream().filter(e -> e.priority() == best).toList();
            if (!fresh.isEmpty()) {
                s.close();
                return Pick.of(fresh.get(ThreadLocalRandom.current().nextInt(fresh.size())));
            }
        }
        return Pick.of(s);
    }

    /** The servers not tried yet in the zones nearest the directory's that have any. */
    private static List<Endpoint> nearestUntried(Directory directory, Query query, Set<String> tried) {
        List<Endpoint> untried = directory.resolve(query.allZones()).endpoints().stream()
                .filter(e -> !tried.contains(e.id())).toList();
        int nearest = untried.stream().mapToInt(e -> e.zone().commonDepth(directory.zone())).max().orElse(0);
        return untried.stream().filter(e -> e.zone().commonDepth(directory.zone()) == nearest).toList();
    }
}
