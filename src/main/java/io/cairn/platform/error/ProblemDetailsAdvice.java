package io.cairn.platform.error;

import java.net.URI;
import java.util.Locale;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.http.converter.HttpMessageNotReadableException;
import org.springframework.web.HttpMediaTypeNotSupportedException;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.exc.UnrecognizedPropertyException;

/**
 * Errors of Cairn's own /api/v1 endpoints as RFC 9457 problem details: {@code type} names the stable code
 * ({@code urn:cairn:problem:invalid-parameter-value}), {@code code} repeats it as MLflow-style upper case. In
 * {@code platform} because every module has /api/v1 endpoints; the security filters write the same shape for every
 * path no other protocol owns.
 */
@RestControllerAdvice(annotations = CairnApi.class)
@Order(Ordered.HIGHEST_PRECEDENCE)
public class ProblemDetailsAdvice extends ProtocolErrors {

    private static final ErrorTranslation TRANSLATION = new ProblemWording();

    public ProblemDetailsAdvice() {
        super(TRANSLATION);
    }

    /** The fallback: security filters use problem details for any path that no protocol owns. */
    @Override
    public boolean owns(String path) {
        return false;
    }

    @Override
    public Object body(ApiError error) {
        return detail(error);
    }

    private static ProblemDetail detail(ApiError error) {
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.valueOf(error.status()), error.message());
        problem.setType(URI.create("urn:cairn:problem:"
                + error.code().name().toLowerCase(Locale.ROOT).replace('_', '-')));
        problem.setProperty("code", error.code().name());
        return problem;
    }

    /** Problem details negotiate their own media type (application/problem+json). */
    @Override
    protected MediaType notAcceptableType() {
        return null;
    }

    /** A problem-details answer for a controller that decides on its own (e.g. a 406 before any exception). */
    public static ResponseEntity<ProblemDetail> problem(ErrorCode code, String detail) {
        ApiError error = new ApiError(code, status(code), detail);
        return ResponseEntity.status(error.status()).body(detail(error));
    }

    /**
     * The HTTP status of a code on /api/v1. MLflow answers a name already taken with 400, which its clients expect on
     * MLflow paths; HTTP's own status for it, and what problem details' readers expect, is 409 Conflict.
     */
    static int status(ErrorCode code) {
        return code == ErrorCode.RESOURCE_ALREADY_EXISTS ? HttpStatus.CONFLICT.value() : code.httpStatus();
    }

    private static final class ProblemWording extends ErrorTranslation {

        ProblemWording() {
            super("an /api/v1 endpoint");
        }

        @Override
        protected int status(ErrorCode code) {
            return ProblemDetailsAdvice.status(code);
        }

        @Override
        protected ApiError unreadable(HttpMessageNotReadableException e) {
            Throwable cause = e.getMostSpecificCause();
            if (cause instanceof UnrecognizedPropertyException unknown) {
                return error(ErrorCode.INVALID_PARAMETER_VALUE, "Unknown field '" + unknown.getPropertyName()
                        + "' at " + path(unknown) + "; known fields are " + unknown.getKnownPropertyIds() + ".");
            }
            if (cause instanceof JacksonException jackson && !jackson.getPath().isEmpty()) {
                return error(ErrorCode.INVALID_PARAMETER_VALUE, "Invalid value at " + path(jackson) + ": "
                        + jackson.getOriginalMessage());
            }
            return error(ErrorCode.MALFORMED_REQUEST, "Malformed JSON in request body: "
                    + (cause instanceof JacksonException j ? j.getOriginalMessage() : cause.getMessage()));
        }

        @Override
        protected ApiError malformedJson(JacksonException e) {
            return error(ErrorCode.MALFORMED_REQUEST, "Malformed JSON in request body: " + e.getOriginalMessage());
        }

        @Override
        protected ApiError unsupportedMediaType(HttpMediaTypeNotSupportedException e) {
            return error(ErrorCode.MALFORMED_REQUEST, "Unsupported content type " + e.getContentType()
                    + "; send one of " + e.getSupportedMediaTypes() + ".");
        }

        private static String path(JacksonException e) {
            StringBuilder out = new StringBuilder("$");
            for (var ref : e.getPath()) {
                if (ref.getPropertyName() != null) {
                    out.append('.').append(ref.getPropertyName());
                } else {
                    out.append('[').append(ref.getIndex()).append(']');
                }
            }
            return out.toString();
        }
    }
}
