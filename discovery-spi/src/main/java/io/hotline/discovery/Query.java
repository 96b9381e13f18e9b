package io.hotline.discovery;

import java.util.Objects;

/**
 * What to look up in a {@link Directory}: a service, a zone scope, whether only passing endpoints count, and
 * capability requirements.
 *
 * <pre>{@code
 * Query q = Query.of("nova.scheduler");                                   // nearest, healthy only
 * Query big = Query.of("nova.compute").where("free_disk_gb>=100").in(Zone.of("region-one/az-2"));
 * }</pre>
 *
 * @param service the service name
 * @param scope which zones to look in
 * @param healthyOnly whether critical endpoints are left out
 * @param filter capability requirements every returned endpoint meets
 */
public record Query(String service, ZoneScope scope, boolean healthyOnly, CapabilityFilter filter) {

    public Query {
        Objects.requireNonNull(scope, "scope");
        Objects.requireNonNull(filter, "filter");
        Endpoint.requireService(service);
    }

    /** Nearest-first, healthy only, no capability requirement. */
    public static Query of(String service) {
        return new Query(service, ZoneScope.nearest(), true, CapabilityFilter.NONE);
    }

    public Query scope(ZoneScope scope) {
        return new Query(service, scope, healthyOnly, filter);
    }

    public Query in(Zone zone) {
        return scope(ZoneScope.in(zone));
    }

    public Query home() {
        return scope(ZoneScope.home());
    }

    public Query allZones() {
        return scope(ZoneScope.all());
    }

    /** Includes critical endpoints too. */
    public Query includingUnhealthy() {
        return new Query(service, scope, false, filter);
    }

    /** Adds requirements parsed by {@link CapabilityFilter#parse}. */
    public Query where(String requirements) {
        return where(CapabilityFilter.parse(requirements));
    }

    public Query where(CapabilityFilter filter) {
        return new Query(service, scope, healthyOnly, filter);
    }

    @Override
    public String toString() {
        return service + " (" + scope + (healthyOnly ? "" : ", including unhealthy")
                + (filter.isEmpty() ? "" : ", where " + filter) + ")";
    }
}
