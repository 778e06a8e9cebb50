package io.cairn.platform.error;

import java.net.URI;
import java.util.Locale;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.dao.DataAccessResourceFailureException;
import org.springframework.dao.TransientDataAccessException;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.http.converter.HttpMessageNotReadableException;
import org.springframework.web.HttpMediaTypeNotAcceptableException;
import org.springframework.web.HttpMediaTypeNotSupportedException;
import org.springframework.validation.FieldError;
import org.springframework.web.bind.MethodArgumentNotValidException;
import org.springframework.web.bind.MissingServletRequestParameterException;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.method.annotation.MethodArgumentTypeMismatchException;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.exc.UnrecognizedPropertyException;

/**
 * Errors of Cairn's own /api/v1 endpoints as RFC 9457 problem details: {@code type} names the stable code
 * ({@code urn:cairn:problem:invalid-parameter-value}), {@code code} repeats it as MLflow-style upper case.
 */
@RestControllerAdvice(annotations = CairnApi.class)
@Order(Ordered.HIGHEST_PRECEDENCE)
public class ProblemDetailsAdvice {

    private static final Logger log = LoggerFactory.getLogger(ProblemDetailsAdvice.class);

    @ExceptionHandler(CairnException.class)
    ResponseEntity<ProblemDetail> domain(CairnException e) {
        return problem(e.code(), e.getMessage());
    }

    @ExceptionHandler(HttpMessageNotReadableException.class)
    ResponseEntity<ProblemDetail> unreadable(HttpMessageNotReadableException e) {
        PayloadTooLarge tooLarge = PayloadTooLarge.in(e);
        if (tooLarge != null) {
            return problem(tooLarge.code(), tooLarge.getMessage());
        }
        Throwable cause = e.getMostSpecificCause();
        if (cause instanceof UnrecognizedPropertyException unknown) {
            return problem(ErrorCode.INVALID_PARAMETER_VALUE, "Unknown field '" + unknown.getPropertyName()
                    + "' at " + path(unknown) + "; known fields are " + unknown.getKnownPropertyIds() + ".");
        }
        if (cause instanceof JacksonException jackson && !jackson.getPath().isEmpty()) {
            return problem(ErrorCode.INVALID_PARAMETER_VALUE, "Invalid value at " + path(jackson) + ": "
                    + jackson.getOriginalMessage());
        }
        return problem(ErrorCode.MALFORMED_REQUEST, "Malformed JSON in request body: "
                + (cause instanceof JacksonException j ? j.getOriginalMessage() : cause.getMessage()));
    }

    @ExceptionHandler(MethodArgumentNotValidException.class)
    ResponseEntity<ProblemDetail> invalid(MethodArgumentNotValidException e) {
        String detail = e.getBindingResult().getAllErrors().stream()
                .map(error -> (error instanceof FieldError field ? field.getField() + ": " : "")
                        + error.getDefaultMessage())
                .sorted()
                .collect(Collectors.joining("; "));
        return problem(ErrorCode.INVALID_PARAMETER_VALUE, "Invalid request body: " + detail + ".");
    }

    @ExceptionHandler(HttpMediaTypeNotSupportedException.class)
    ResponseEntity<ProblemDetail> mediaType(HttpMediaTypeNotSupportedException e) {
        return problem(ErrorCode.MALFORMED_REQUEST, "Unsupported content type " + e.getContentType()
                + "; send one of " + e.getSupportedMediaTypes() + ".");
    }

    /** An Accept header that rules out JSON (e.g. only text/html); the problem itself is still sent as JSON. */
    @ExceptionHandler(HttpMediaTypeNotAcceptableException.class)
    ResponseEntity<ProblemDetail> notAcceptable(HttpMediaTypeNotAcceptableException e) {
        return problem(ErrorCode.NOT_ACCEPTABLE, "This endpoint answers application/json; send Accept: "
                + "application/json (or */*).");
    }

    @ExceptionHandler(MissingServletRequestParameterException.class)
    ResponseEntity<ProblemDetail> missing(MissingServletRequestParameterException e) {
        return problem(ErrorCode.INVALID_PARAMETER_VALUE, "Missing required parameter '" + e.getParameterName() + "'.");
    }

    @ExceptionHandler(MethodArgumentTypeMismatchException.class)
    ResponseEntity<ProblemDetail> typeMismatch(MethodArgumentTypeMismatchException e) {
        return problem(ErrorCode.INVALID_PARAMETER_VALUE, "Invalid value '" + e.getValue() + "' for parameter '"
                + e.getName() + "'.");
    }

    @ExceptionHandler({DataAccessResourceFailureException.class, TransientDataAccessException.class})
    ResponseEntity<ProblemDetail> unavailable(RuntimeException e) {
        log.warn("Database unavailable", e);
        return problem(ErrorCode.TEMPORARILY_UNAVAILABLE, "The database is temporarily unavailable; retry later.");
    }

    @ExceptionHandler(Exception.class)
    ResponseEntity<ProblemDetail> unexpected(Exception e) {
        PayloadTooLarge tooLarge = PayloadTooLarge.in(e);
        if (tooLarge != null) {
            return problem(tooLarge.code(), tooLarge.getMessage());
        }
        log.error("Unexpected error on an /api/v1 endpoint", e);
        return problem(ErrorCode.INTERNAL_ERROR, "Internal error: " + e.getClass().getSimpleName());
    }

    public static ResponseEntity<ProblemDetail> problem(ErrorCode code, String detail) {
        int status = status(code);
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.valueOf(status), detail);
        problem.setType(URI.create("urn:cairn:problem:" + code.name().toLowerCase(Locale.ROOT).replace('_', '-')));
        problem.setProperty("code", code.name());
        return ResponseEntity.status(status).body(problem);
    }

    /**
     * The HTTP status of a code on /api/v1. MLflow answers a name already taken with 400, which its clients expect on
     * MLflow paths; HTTP's own status for it, and what problem details' readers expect, is 409 Conflict.
     */
    static int status(ErrorCode code) {
        return code == ErrorCode.RESOURCE_ALREADY_EXISTS ? HttpStatus.CONFLICT.value() : code.httpStatus();
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
