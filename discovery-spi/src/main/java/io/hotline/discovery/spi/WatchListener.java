package io.hotline.discovery.spi;

import io.hotline.discovery.EndpointStatus;
import io.hotline.discovery.StoreException;
import java.util.List;

/** Receives what a {@link Watch} sees. */
public interface WatchListener {

    /** The complete current list, health included. */
    void onSnapshot(List<EndpointStatus> endpoints);

    /** The watch failed and has ended; no more calls follow. */
    void onError(StoreException error);
}
