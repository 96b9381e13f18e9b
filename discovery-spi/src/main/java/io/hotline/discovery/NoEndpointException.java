package io.hotline.discovery;

/**
 * A query resolved to no endpoint. The message says where it looked and what it found, e.g.
 * {@code no healthy endpoint for nova.scheduler in region-one/az-1 (2 registered, both critical; nearest other
 * zone: region-one/az-2 has 3 passing)}.
 */
public class NoEndpointException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final transient Query query;

    public NoEndpointException(Query query, String message) {
        super(message);
        this.query = query;
    }

    public Query query() {
        return query;
    }
}
