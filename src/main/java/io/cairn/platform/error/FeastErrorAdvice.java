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
 * Errors of the Feast feature-server paths ({@code /get-online-features}, {@code /push}, ...) the way Feast's FastAPI
 * server sends them: an HTTP status with {@code {"detail": "<message>"}}.
 */
@RestControllerAdvice(annotations = FeastApi.class)
@Order(Ordered.HIGHEST_PRECEDENCE)
public class FeastErrorAdvice {

    private static final Logger log = LoggerFactory.getLogger(FeastErrorAdvice.class);

    /** FastAPI's error body. */
    public record Detail(String detail) {
    }

    @ExceptionHandler(CairnException.class)
    ResponseEntity<Detail> domain(CairnException e) {
        return respond(e.code(), e.getMessage());
    }

    @ExceptionHandler(HttpMessageNotReadableException.class)
    ResponseEntity<Detail> unreadable(HttpMessageNotReadableException e) {
        Throwable cause = e.getMostSpecificCause();
        return respond(ErrorCode.BAD_REQUEST, "Malformed JSON in request body: "
                + (cause instanceof JacksonException j ? j.getOriginalMessage() : cause.getMessage()));
    }

    @ExceptionHandler(HttpMediaTypeNotSupportedException.class)
    ResponseEntity<Detail> mediaType(HttpMediaTypeNotSupportedException e) {
        return respond(ErrorCode.BAD_REQUEST, "Unsupported content type " + e.getContentType()
                + "; send application/json.");
    }

    @ExceptionHandler({DataAccessResourceFailureException.class, TransientDataAccessException.class})
    ResponseEntity<Detail> unavailable(RuntimeException e) {
        log.warn("Database unavailable", e);
        return respond(ErrorCode.TEMPORARILY_UNAVAILABLE, "The database is temporarily unavailable; retry later.");
    }

    @ExceptionHandler(Exception.class)
    ResponseEntity<Detail> unexpected(Exception e) {
        log.error("Unexpected error on a Feast endpoint", e);
        return respond(ErrorCode.INTERNAL_ERROR, "Internal error: " + e.getClass().getSimpleName());
    }

    private static ResponseEntity<Detail> respond(ErrorCode code, String message) {
        return ResponseEntity.status(code.httpStatus()).body(new Detail(message));
    }
}
