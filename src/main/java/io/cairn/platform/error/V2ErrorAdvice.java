package io.cairn.platform.error;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.dao.DataAccessResourceFailureException;
import org.springframework.dao.TransientDataAccessException;
import org.springframework.http.ResponseEntity;
import org.springframework.http.converter.HttpMessageNotReadableException;
import org.springframework.web.HttpMediaTypeNotSupportedException;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import tools.jackson.core.JacksonException;

/**
 * Errors of the Open Inference Protocol paths ({@code /v2/...}) as the protocol sends them: a non-2xx status with
 * {@code {"error": "<message>"}}. Unknown model 404, malformed request or wrong tensor 400, model not ready 503.
 */
@RestControllerAdvice(annotations = V2Api.class)
@Order(Ordered.HIGHEST_PRECEDENCE)
public class V2ErrorAdvice {

    private static final Logger log = LoggerFactory.getLogger(V2ErrorAdvice.class);

    /** The protocol's error body. */
    public record V2Error(String error) {
    }

    @ExceptionHandler(CairnException.class)
    ResponseEntity<V2Error> domain(CairnException e) {
        return respond(e.code(), e.getMessage());
    }

    @ExceptionHandler(JacksonException.class)
    ResponseEntity<V2Error> json(JacksonException e) {
        PayloadTooLarge tooLarge = PayloadTooLarge.in(e);
        if (tooLarge != null) {
            return respond(tooLarge.code(), tooLarge.getMessage());
        }
        return respond(ErrorCode.BAD_REQUEST, "Malformed JSON in request body: " + e.getOriginalMessage());
    }

    @ExceptionHandler(HttpMessageNotReadableException.class)
    ResponseEntity<V2Error> unreadable(HttpMessageNotReadableException e) {
        PayloadTooLarge tooLarge = PayloadTooLarge.in(e);
        if (tooLarge != null) {
            return respond(tooLarge.code(), tooLarge.getMessage());
        }
        Throwable cause = e.getMostSpecificCause();
        return respond(ErrorCode.BAD_REQUEST, "Malformed JSON in request body: "
                + (cause instanceof JacksonException j ? j.getOriginalMessage() : cause.getMessage()));
    }

    @ExceptionHandler(HttpMediaTypeNotSupportedException.class)
    ResponseEntity<V2Error> mediaType(HttpMediaTypeNotSupportedException e) {
        return respond(ErrorCode.BAD_REQUEST, "Unsupported content type " + e.getContentType()
                + "; send application/json.");
    }

    @ExceptionHandler({DataAccessResourceFailureException.class, TransientDataAccessException.class})
    ResponseEntity<V2Error> unavailable(RuntimeException e) {
        log.warn("Database unavailable", e);
        return respond(ErrorCode.TEMPORARILY_UNAVAILABLE, "The database is temporarily unavailable; retry later.");
    }

    @ExceptionHandler(Exception.class)
    ResponseEntity<V2Error> unexpected(Exception e) {
        PayloadTooLarge tooLarge = PayloadTooLarge.in(e);
        if (tooLarge != null) {
            return respond(tooLarge.code(), tooLarge.getMessage());
        }
        log.error("Unexpected error on a /v2 endpoint", e);
        return respond(ErrorCode.INTERNAL_ERROR, "Internal error: " + e.getClass().getSimpleName());
    }

    private static ResponseEntity<V2Error> respond(ErrorCode code, String message) {
        return ResponseEntity.status(code.httpStatus()).body(new V2Error(message));
    }
}
