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

    /** A status and the message for {@code {"detail"}}. */
    public record Mapped(int status, String detail) {
    }

    /**
     * How an error on a Feast endpoint is answered, for the handlers here and for the feature server's own port,
     * which is not Spring MVC: domain errors with their code (a body over its limit as 413, also when a parser wrapped
     * it), malformed JSON as 400, a database outage as 503,
     * anything else as 500 (logged).
     */
    public static Mapped map(Throwable e) {
        PayloadTooLarge tooLarge = PayloadTooLarge.in(e);
        if (tooLarge != null) {
            return new Mapped(tooLarge.code().httpStatus(), tooLarge.getMessage());
        }
        if (e instanceof CairnException c) {
            return new Mapped(c.code().httpStatus(), c.getMessage());
        }
        if (e instanceof JacksonException j) {
            return new Mapped(ErrorCode.BAD_REQUEST.httpStatus(), "Malformed JSON in request body: "
                    + j.getOriginalMessage());
        }
        if (e instanceof DataAccessResourceFailureException || e instanceof TransientDataAccessException) {
            log.warn("Database unavailable", e);
            return new Mapped(ErrorCode.TEMPORARILY_UNAVAILABLE.httpStatus(),
                    "The database is temporarily unavailable; retry later.");
        }
        log.error("Unexpected error on a Feast endpoint", e);
        return new Mapped(ErrorCode.INTERNAL_ERROR.httpStatus(), "Internal error: " + e.getClass().getSimpleName());
    }

    @ExceptionHandler(CairnException.class)
    ResponseEntity<Detail> domain(CairnException e) {
        return respond(map(e));
    }

    @ExceptionHandler(HttpMessageNotReadableException.class)
    ResponseEntity<Detail> unreadable(HttpMessageNotReadableException e) {
        if (PayloadTooLarge.in(e) != null) {
            return respond(map(e));
        }
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
        return respond(map(e));
    }

    @ExceptionHandler(Exception.class)
    ResponseEntity<Detail> unexpected(Exception e) {
        return respond(map(e));
    }

    private static ResponseEntity<Detail> respond(ErrorCode code, String message) {
        return ResponseEntity.status(code.httpStatus()).body(new Detail(message));
    }

    private static ResponseEntity<Detail> respond(Mapped mapped) {
        return ResponseEntity.status(mapped.status()).body(new Detail(mapped.detail()));
    }
}
