package io.hotline.discovery.memory;

import static org.assertj.core.api.Assertions.assertThat;

import io.hotline.discovery.Endpoint;
import io.hotline.discovery.EndpointStatus;
import io.hotline.discovery.HealthPolicy;
import io.hotline.discovery.Zone;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class MemorySpaceTest {

    private static final Zone HOME = Zone.of("region-one/az-1");

    /**
     * A listing is one moment of the zone, as a real server's read is: while endpoints are deregistered in order, a
     * listing that lacks one lacks every one deregistered before it. Iterating a concurrent map is not enough (it may
     * see an early removal's slot before it happens and a later one's after), which TCK clause 3.4 once caught.
     */
    @Test
    void aListingIsOneMomentWhileEndpointsLeaveInOrder() throws InterruptedException {
        int n = 20_000;
        int overlapping = 0;
        for (int round = 0; round < 20; round++) {
            MemorySpace.Server server = new MemorySpace.Server("listing-test", HOME);
            for (int i = 0; i < n; i++) {
                server.register(Endpoint.builder("svc").id("e" + i).host("10.0.0.1").port(20000).zone(HOME).build(),
                        HealthPolicy.DEFAULT);
            }
            CountDownLatch go = new CountDownLatch(1);
            AtomicInteger listings = new AtomicInteger();
            Thread leaving = new Thread(() -> {
                awaitQuietly(go);
                for (int i = 0; i < n; i++) {
                    server.deregister("svc", "e" + i);
                    if (i % 1000 == 999) {
                        // Lets a listing start between chunks, so that some listings overlap removals however the
                        // threads are scheduled (without this, one round on a quiet machine never overlapped).
                        awaitListing(listings, listings.get());
                    }
                }
            });
            leaving.start();
            go.countDown();
            while (leaving.isAlive()) {
                List<EndpointStatus> now = server.list("svc");
                listings.incrementAndGet();
                int lowest = now.stream().mapToInt(s -> Integer.parseInt(s.endpoint().id().substring(1))).min()
                        .orElse(n);
                assertThat(now.size()).as("a listing holds every endpoint from the lowest it holds up, e%d", lowest)
                        .isEqualTo(n - lowest);
                if (lowest > 0 && lowest < n) {
                    overlapping++;
                }
            }
            leaving.join();
            assertThat(server.list("svc")).isEmpty();
        }
        assertThat(overlapping).as("listings made while endpoints left (else this test proves nothing)").isPositive();
    }

    /** Until a listing after {@code seen} has been made, at most a second. */
    private static void awaitListing(AtomicInteger listings, int seen) {
        long until = System.nanoTime() + 1_000_000_000L;
        while (listings.get() == seen && System.nanoTime() < until) {
            Thread.onSpinWait();
        }
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
