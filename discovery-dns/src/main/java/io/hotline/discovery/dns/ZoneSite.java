package io.hotline.discovery.dns;

import io.hotline.discovery.Endpoint;
import io.hotline.discovery.EndpointStatus;
import io.hotline.discovery.HealthPolicy;
import io.hotline.discovery.Zone;
import java.time.Duration;
import java.util.List;
import java.util.Set;

/** One zone's name server as the store sees it: a zone Hotline registers in, or one someone else maintains. */
interface ZoneSite extends AutoCloseable {

    /**
     * A listing and when it may next change by the passing of time alone (a lease running out), so that a watch can
     * look again then.
     */
    record Listing(List<EndpointStatus> statuses, Duration nextChange) {}

    /** The zone the site serves (zones inside it included). */
    Zone zone();

    void register(Endpoint endpoint, HealthPolicy policy);

    /** @return false if the registration is not there */
    boolean renew(String service, String id);

    void deregister(String service, String id);

    /** Endpoints of {@code service} in {@code zone} or a zone inside it. */
    Listing list(String service, Zone zone);

    /** Brings what the site holds up to date if it was read within {@code idle}; called every poll interval. */
    void keepCurrent(Duration idle);

    /** Zones the site holds endpoints in, as last seen; may be empty. */
    Set<Zone> zones();

    DnsSettings settings();

    @Override
    void close();
}
