package io.cairn.platform.error;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.sql.SQLException;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.dao.DataAccessResourceFailureException;
import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.dao.TransientDataAccessException;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.http.converter.HttpMessageNotReadableException;
import org.springframework.web.HttpMediaTypeNotAcceptableException;
import org.springframework.web.HttpMediaTypeNotSupportedException;
import org.springframework.web.bind.MissingServletRequestParameterException;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.method.annotation.MethodArgumentTypeMismatchException;
import tools.jackson.core.JacksonException;
import tools.jackson.core.exc.StreamReadException;

/** Turns every failure on an MLflow path into MLflow's error JSON with MLflow's HTTP status. */
@RestControllerAdvice(annotations = MlflowApi.class)
@Order(Ordered.HIGHEST_PRECEDENCE)
public class MlflowErrorAdvice {

    private static final Logger log = LoggerFactory.getLogger(MlflowErrorAdvice.class);

    /** MLflow's error body. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record MlflowError(String error_code, String message) {
    }

    @ExceptionHandler(CairnException.class)
    ResponseEntity<MlflowError> domain(CairnException e) {
        return respond(e.code(), e.getMessage());
    }

    @ExceptionHandler(HttpMessageNotReadableException.class)
    ResponseEntity<MlflowError> unreadable(HttpMessageNotReadableException e) {
        PayloadTooLarge tooLarge = PayloadTooLarge.in(e);
        if (tooLarge != null) {
            return respond(tooLarge.code(), tooLarge.getMessage());
        }
        Throwable cause = e.getMostSpecificCause();
        if (cause instanceof StreamReadException syntax && !(cause instanceof tools.jackson.databind.DatabindException)) {
            return respond(ErrorCode.MALFORMED_REQUEST,
                    "Malformed JSON in request body: " + syntax.getOriginalMessage());
        }
        if (cause instanceof JacksonException jackson && !jackson.getPath().isEmpty()) {
            String field = jackson.getPath().stream()
                    .map(ref -> ref.getPropertyName() != null ? ref.getPropertyName() : "[" + ref.getIndex() + "]")
                    .collect(Collectors.joining(".")).replace(".[", "[");
            return respond(ErrorCode.INVALID_PARAMETER_VALUE,
                    "Invalid value for parameter '" + field + "' supplied: " + jackson.getOriginalMessage());
        }
        if (e.getMessage() != null && e.getMessage().contains("Required request body is missing")) {
            return respond(ErrorCode.MALFORMED_REQUEST, "Request body is missing: send a JSON object.");
        }
        return respond(ErrorCode.MALFORMED_REQUEST, "Malformed request body: " + cause.getMessage());
    }

    @ExceptionHandler(HttpMediaTypeNotSupportedException.class)
    ResponseEntity<MlflowError> mediaType(HttpMediaTypeNotSupportedException e) {
        return respond(ErrorCode.MALFORMED_REQUEST,
                "Unsupported content type " + e.getContentType() + ": send application/json.");
    }

    /**
     * An Accept header that rules out JSON. The error is sent as JSON all the same (the type is set, so it is not
     * negotiated again), as MLflow's server, which ignores Accept, would.
     */
    @ExceptionHandler(HttpMediaTypeNotAcceptableException.class)
    ResponseEntity<MlflowError> notAcceptable(HttpMediaTypeNotAcceptableException e) {
        return ResponseEntity.status(ErrorCode.NOT_ACCEPTABLE.httpStatus()).contentType(MediaType.APPLICATION_JSON)
                .body(new MlflowError(ErrorCode.NOT_ACCEPTABLE.name(), "MLflow endpoints answer application/json; "
                        + "send Accept: application/json (or */*)."));
    }

    @ExceptionHandler(MissingServletRequestParameterException.class)
    ResponseEntity<MlflowError> missing(MissingServletRequestParameterException e) {
        return respond(ErrorCode.INVALID_PARAMETER_VALUE, "Missing value for required parameter '"
                + e.getParameterName() + "'. See the API docs for more information about request parameters.");
    }

    @ExceptionHandler(MethodArgumentTypeMismatchException.class)
    ResponseEntity<MlflowError> typeMismatch(MethodArgumentTypeMismatchException e) {
        return respond(ErrorCode.INVALID_PARAMETER_VALUE,
                "Invalid value '" + e.getValue() + "' for parameter '" + e.getName() + "' supplied.");
    }

    @ExceptionHandler({DataAccessResourceFailureException.class, TransientDataAccessException.class})
    ResponseEntity<MlflowError> unavailable(RuntimeException e) {
        log.warn("Database unavailable", e);
        return respond(ErrorCode.TEMPORARILY_UNAVAILABLE, "The database is temporarily unavailable; retry later.");
    }

    /**
     * PostgreSQL refusing a character text cannot hold (U+0000: SQLSTATE 22021) in a field no check before the write
     * names. The statement failed, so its transaction wrote nothing; anything else here is still unexpected.
     */
    @ExceptionHandler(DataIntegrityViolationException.class)
    ResponseEntity<MlflowError> integrity(DataIntegrityViolationException e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SQLException sql && ("22021".equals(sql.getSQLState()) || "22P05".equals(sql.getSQLState()))) {
                return respond(ErrorCode.INVALID_PARAMETER_VALUE, "A value in the request holds a character the "
                        + "database cannot store (NUL, U+0000); remove it.");
            }
        }
        return unexpected(e);
    }

    @ExceptionHandler(Exception.class)
    ResponseEntity<MlflowError> unexpected(Exception e) {
        PayloadTooLarge tooLarge = PayloadTooLarge.in(e);
        if (tooLarge != null) {
            return respond(tooLarge.code(), tooLarge.getMessage());
        }
        log.error("Unexpected error on an MLflow endpoint", e);
        return respond(ErrorCode.INTERNAL_ERROR, "Internal error: " + e.getClass().getSimpleName());
    }

    private static ResponseEntity<MlflowError> respond(ErrorCode code, String message) {
        return ResponseEntity.status(code.httpStatus()).body(new MlflowError(code.name(), message));
    }
}
