package io.cairn.platform.error;

/**
 * Stable error codes shared by every protocol family. The names are MLflow's, which the other families
 * (problem details for /api/v1, the V2 inference protocol) reuse as their machine-readable code.
 */
public enum ErrorCode {
    INVALID_PARAMETER_VALUE(400),
    MALFORMED_REQUEST(400),
    BAD_REQUEST(400),
    /** MLflow's status for it; /api/v1 answers 409 (see ProblemDetailsAdvice). */
    RESOURCE_ALREADY_EXISTS(400),
    INVALID_STATE(400),
    /** No credentials, or credentials that do not identify a user (MLflow's code for the same). */
    UNAUTHENTICATED(401),
    /** The authenticated user lacks the permission the request needs (MLflow's code for the same). */
    PERMISSION_DENIED(403),
    RESOURCE_DOES_NOT_EXIST(404),
    ENDPOINT_NOT_FOUND(404),
    /** The endpoint cannot answer in any media type the request's Accept header allows. */
    NOT_ACCEPTABLE(406),
    /** The request is valid but this server cannot carry it out as it is (e.g. a device it does not have). */
    CONFLICT(409),
    /** The request body is larger than the endpoint accepts (cairn.http.* and the protocols' own size settings). */
    PAYLOAD_TOO_LARGE(413),
    /** The request is well-formed but its data cannot be used (e.g. features missing for an entity). */
    UNPROCESSABLE_ENTITY(422),
    /** Too many failed sign-ins for one user or from one address; retry after the time the message names. */
    REQUEST_LIMIT_EXCEEDED(429),
    TEMPORARILY_UNAVAILABLE(503),
    INTERNAL_ERROR(500);

    private final int httpStatus;

    ErrorCode(int httpStatus) {
        this.httpStatus = httpStatus;
    }

    public int httpStatus() {
        return httpStatus;
    }
}
