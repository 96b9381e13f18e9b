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

    /**
     * Makes the server behind {@code zone} unreachable until {@link #start}: the stores opened for it then throw
     * {@code StoreUnavailableException}.
     */
    void stop(Zone zone);

    /**
     * Brings the server behind {@code zone} back, and returns only once the stores opened before the outage serve
     * requests again, not only the server; the server may have lost its data.
     *
     * <p>The kit calls a store it opened before {@link #stop} as soon as this returns (clause 5.3,
     * {@link FailureContract#storeServesAgainAfterRestart}). A store whose client reconnects by itself on its next
     * call keeps that rule with nothing more. One whose client reconnects in the background with a backoff does not,
     * until it has reconnected: its fixture keeps the stores it opened and waits here until each of them answers,
     * for example
     *
     * <pre>{@code
     * public void start(Zone zone) {
     *     servers.get(zone).start();
     *     for (EndpointStore s : opened.get(zone)) {
     *         await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> s.list("probe", zone) != null);
     *     }
     * }
     * }</pre>
     */
    void start(Zone zone);

    StoreTiming timing();

    /** Stops whatever the fixture started. */
    @Override
    void close();
}
