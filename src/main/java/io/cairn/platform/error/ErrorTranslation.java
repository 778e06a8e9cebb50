package io.cairn.platform.error;

import java.sql.SQLException;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DataAccessResourceFailureException;
import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.dao.TransientDataAccessException;
import org.springframework.http.converter.HttpMessageNotReadableException;
import org.springframework.validation.FieldError;
import org.springframework.web.HttpMediaTypeNotAcceptableException;
import org.springframework.web.HttpMediaTypeNotSupportedException;
import org.springframework.web.bind.MethodArgumentNotValidException;
import org.springframework.web.bind.MissingServletRequestParameterException;
import org.springframework.web.method.annotation.MethodArgumentTypeMismatchException;
import tools.jackson.core.JacksonException;

/**
 * The one translation from a failure to what the client is told ({@link ApiError}), for every protocol family: the
 * advice of each (MLflow, problem details, Feast, V2) and the feature server's own port use it.
 *
 * <p>What it decides for all of them: a domain error ({@link CairnException}) keeps its code and message; a body over
 * its limit is 413 wherever a parser wrapped the {@link PayloadTooLarge}; the database being away is 503 (logged as a
 * warning); a character PostgreSQL cannot store (NUL) is 400; anything unforeseen is 500, logged with its stack trace,
 * and tells the client only the exception's type. What a protocol may word its own way, by overriding: a body that
 * does not parse, a media type it does not take or cannot answer in, a missing or mistyped parameter, a body that fails
 * validation, and which HTTP status a code gets ({@link #status}).
 */
public class ErrorTranslation {

    private static final Logger log = LoggerFactory.getLogger(ErrorTranslation.class);

    private final String endpoints;

    /** @param endpoints what the log calls an endpoint of this protocol, e.g. "an MLflow endpoint" */
    public ErrorTranslation(String endpoints) {
        this.endpoints = endpoints;
    }

    public final ApiError translate(Throwable e) {
        PayloadTooLarge tooLarge = PayloadTooLarge.in(e);
        if (tooLarge != null) {
            return error(tooLarge.code(), tooLarge.getMessage());
        }
        if (e instanceof CairnException c) {
            return error(c.code(), c.getMessage());
        }
        if (e instanceof HttpMessageNotReadableException unreadable) {
            return unreadable(unreadable);
        }
        if (e instanceof JacksonException json) {
            return malformedJson(json);
        }
        if (e instanceof HttpMediaTypeNotSupportedException mediaType) {
            return unsupportedMediaType(mediaType);
        }
        if (e instanceof HttpMediaTypeNotAcceptableException) {
            return notAcceptable();
        }
        if (e instanceof MissingServletRequestParameterException missing) {
            return missingParameter(missing);
        }
        if (e instanceof MethodArgumentTypeMismatchException mismatch) {
            return typeMismatch(mismatch);
        }
        if (e instanceof MethodArgumentNotValidException invalid) {
            return invalidBody(invalid);
        }
        if (e instanceof DataAccessResourceFailureException || e instanceof TransientDataAccessException) {
            log.warn("Database unavailable", e);
            return error(ErrorCode.TEMPORARILY_UNAVAILABLE, "The database is temporarily unavailable; retry later.");
        }
        if (e instanceof DataIntegrityViolationException && unstorableCharacter(e)) {
            return error(ErrorCode.INVALID_PARAMETER_VALUE, "A value in the request holds a character the database "
                    + "cannot store (NUL, U+0000); remove it.");
        }
        log.error("Unexpected error on " + endpoints, e);
        return error(ErrorCode.INTERNAL_ERROR, "Internal error: " + e.getClass().getSimpleName());
    }

    /** The code with this protocol's status for it. */
    protected final ApiError error(ErrorCode code, String message) {
        return new ApiError(code, status(code), message);
    }

    /** The HTTP status of a code in this protocol; the code's own unless the protocol says otherwise. */
    protected int status(ErrorCode code) {
        return code.httpStatus();
    }

    protected ApiError unreadable(HttpMessageNotReadableException e) {
        Throwable cause = e.getMostSpecificCause();
        return error(ErrorCode.BAD_REQUEST, "Malformed JSON in request body: "
                + (cause instanceof JacksonException j ? j.getOriginalMessage() : cause.getMessage()));
    }

    /** JSON a controller or reader parsed itself (not through Spring's message converters). */
    protected ApiError malformedJson(JacksonException e) {
        return error(ErrorCode.BAD_REQUEST, "Malformed JSON in request body: " + e.getOriginalMessage());
    }

    protected ApiError unsupportedMediaType(HttpMediaTypeNotSupportedException e) {
        return error(ErrorCode.BAD_REQUEST, "Unsupported content type " + e.getContentType()
                + "; send application/json.");
    }

    /** An Accept header that rules out JSON (e.g. only text/html); the error itself is still sent as JSON. */
    protected ApiError notAcceptable() {
        return error(ErrorCode.NOT_ACCEPTABLE, "This endpoint answers application/json; send Accept: "
                + "application/json (or */*).");
    }

    protected ApiError missingParameter(MissingServletRequestParameterException e) {
        return error(ErrorCode.INVALID_PARAMETER_VALUE, "Missing required parameter '" + e.getParameterName() + "'.");
    }

    protected ApiError typeMismatch(MethodArgumentTypeMismatchException e) {
        return error(ErrorCode.INVALID_PARAMETER_VALUE, "Invalid value '" + e.getValue() + "' for parameter '"
                + e.getName() + "'.");
    }

    protected ApiError invalidBody(MethodArgumentNotValidException e) {
        String detail = e.getBindingResult().getAllErrors().stream()
                .map(error -> (error instanceof FieldError field ? field.getField() + ": " : "")
                        + error.getDefaultMessage())
                .sorted()
                .collect(Collectors.joining("; "));
        return error(ErrorCode.INVALID_PARAMETER_VALUE, "Invalid request body: " + detail + ".");
    }

    /**
     * PostgreSQL refusing a character text cannot hold (U+0000: SQLSTATE 22021, 22P05 in JSON) in a field no check
     * before the write names. The statement failed, so its transaction wrote nothing.
     */
    private static boolean unstorableCharacter(Throwable e) {
        Throwable t = e;
        for (int depth = 0; t != null && depth < 32; depth++, t = t.getCause()) {
            if (t instanceof SQLException sql && ("22021".equals(sql.getSQLState())
                    || "22P05".equals(sql.getSQLState()))) {
                return true;
            }
        }
        return false;
    }
}
