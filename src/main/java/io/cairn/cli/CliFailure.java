package io.cairn.cli;

/** A command failed for a reason the user can act on (the server refused, it cannot be reached, a file is missing). */
final class CliFailure extends RuntimeException {

    CliFailure(String message) {
        super(message);
    }

    CliFailure(String message, Throwable cause) {
        super(message, cause);
    }
}
