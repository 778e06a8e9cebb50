package io.cairn.platform.error;

/**
 * What a failure means to the client, whatever the protocol: the stable code, the HTTP status to answer with and the
 * message. {@link ErrorTranslation} makes it; each protocol's {@link ProtocolErrors} puts it into its own shape.
 */
public record ApiError(ErrorCode code, int status, String message) {
}
