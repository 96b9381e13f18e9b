package io.hotline.cli;

import io.hotline.discovery.Directory;
import io.hotline.discovery.Endpoint;
import io.hotline.discovery.NoEndpointException;
import io.hotline.discovery.Query;
import io.hotline.discovery.Selection;
import java.util.Map;

/**
 * The demo's {@code nova.scheduler}: {@code select_destinations} picks a passing compute with enough free memory,
 * any zone, as Nova's filter scheduler does from the host states it keeps; here they come from the store.
 */
public final class SchedulerEndpoint {

    private final String name;
    private final String zone;
    private final Directory directory;

    SchedulerEndpoint(String name, String zone, Directory directory) {
        this.name = name;
        this.zone = zone;
        this.directory = directory;
    }

    /** The chosen compute's server name and zone, and which scheduler chose it. */
    public Map<String, String> select_destinations(String instance_uuid, int memory_mb) {
        Query computes = Query.of(NovaCloud.COMPUTE).allZones().where("free_ram_mb>=" + memory_mb);
        try (Selection s = directory.select(computes)) {
            Endpoint host = s.endpoint();
            return Map.of("instance_uuid", instance_uuid, "host", host.server(), "host_zone", host.zone().path(),
                    "scheduler", name, "scheduler_zone", zone);
        } catch (NoEndpointException e) {
            throw new IllegalStateException("No valid host was found: " + e.getMessage(), e);
        }
    }
}
