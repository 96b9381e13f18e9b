package io.hotline.discovery;

/**
 * The server or medium behind a store cannot be reached. The core serves cached endpoints meanwhile and the
 * heartbeater keeps retrying, so registrations come back when the store does.
 */
public class StoreUnavailableException extends StoreException {
    private static final long serialVersionUID = 1L;

    public StoreUnavailableException(String message) {
        super(message);
    }

    public StoreUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
