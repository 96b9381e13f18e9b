package io.hotline.testing;

/** Why a built-in readiness check is not satisfied yet, for the message of a startup timeout. */
final class NotReadyException extends Exception {
    private static final long serialVersionUID = 1L;

    NotReadyException(String message) {
        super(message);
    }

    NotReadyException(String message, Throwable cause) {
        super(message, cause);
    }
}
