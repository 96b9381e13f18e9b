package io.hotline.discovery.spi;

/** A running watch started by {@link EndpointStore#watch}; closing it stops deliveries. */
@FunctionalInterface
public interface Watch extends AutoCloseable {
    @Override
    void close();
}
