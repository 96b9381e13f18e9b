package io.hotline.cli;

/** A command's own refusal or failure, with the hint and exit code the user sees. */
final class CliException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final String hint;
    private final int exitCode;

    CliException(int exitCode, String message, String hint) {
        super(message);
        this.exitCode = exitCode;
        this.hint = hint;
    }

    static CliException usage(String message, String hint) {
        return new CliException(Hotline.USAGE, message, hint);
    }

    static CliException failed(String message, String hint) {
        return new CliException(Hotline.FAILED, message, hint);
    }

    String hint() {
        return hint;
    }

    int exitCode() {
        return exitCode;
    }
}
