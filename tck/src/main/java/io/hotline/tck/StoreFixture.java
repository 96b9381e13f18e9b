package io.hotline.tck;

import io.hotline.discovery.Zone;
import io.hotline.discovery.spi.EndpointStore;

/**
 * What the kit needs from a store author: how to open a store in a zone, how to take the server behind a zone down
 * and bring it back, and the store's timing bounds. One fixture serves one kit class; stores it opens for the two
 * zones must be federated with each other.
 *
 * <pre>{@code
 * final class MyStoreFixture implements StoreFixture {
 *     public Zone homeZone()   { return Zone.of("dc1"); }
 *     public Zone remoteZone() { return Zone.of("dc2"); }
 *     public EndpointStore open(Zone zone) { return provider.open(config.with("hotline.zone", zone.path())); }
 *     public void stop(Zone zone)  { servers.get(zone).stop(); }
 *     public void start(Zone zone) { servers.get(zone).start(); }
 *     public StoreTiming timing() { return TIMING; }
 *     public void close() { servers.values().forEach(Server::stop); }
 * }
 * }</pre>
 */
public interface StoreFixture extends AutoCloseable {

    /** The zone the kit's main store serves. */
    Zone homeZone();

    /** A second zone, federated with the home zone, that shares as few path segments with it as the store allows. */
    Zone remoteZone();

    /** A new store instance whose home zone is {@code zone}; the kit closes it. */
    EndpointStore open(Zone zone);

    /** Makes the server behind {@code zone} unreachable until {@link #start}. */
    void stop(Zone zone);

    /** Brings the server behind {@code zone} back and returns once it serves requests; it may have lost its data. */
    void start(Zone zone);

    StoreTiming timing();

    /** Stops whatever the fixture started. */
    @Override
    void close();
}
