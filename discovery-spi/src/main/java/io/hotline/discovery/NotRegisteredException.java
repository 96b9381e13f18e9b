package io.hotline.discovery;

/** A renewal named a registration the store does not hold; the {@link Heartbeater} registers it again. */
public class NotRegisteredException extends StoreException {
    private static final long serialVersionUID = 1L;

    public NotRegisteredException(String service, String id) {
        super("endpoint " + id + " of " + service + " is not registered (it expired or the store lost its data)");
    }
}
