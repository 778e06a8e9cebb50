package io.cairn.platform.error;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.stream.Collectors;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.converter.HttpMessageNotReadableException;
import org.springframework.web.HttpMediaTypeNotSupportedException;
import org.springframework.web.bind.MissingServletRequestParameterException;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.method.annotation.MethodArgumentTypeMismatchException;
import tools.jackson.core.JacksonException;
import tools.jackson.core.exc.StreamReadException;

/**
 * Every failure on an MLflow path as MLflow's error JSON, {@code {error_code, message}}, with MLflow's HTTP status and
 * MLflow's wording for the framework's errors (which MLflow's clients show as they are).
 *
 * <p>In {@code platform} rather than in one module because four modules speak MLflow's REST API: tracking, the
 * registry, the artifact proxy and the user and permission endpoints ({@code platform.security}).
 */
@RestControllerAdvice(annotations = MlflowApi.class)
@Order(Ordered.HIGHEST_PRECEDENCE)
public class MlflowErrorAdvice extends ProtocolErrors {

    /** MLflow's error body. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record MlflowError(String error_code, String message) {
    }

    public MlflowErrorAdvice() {
        super(new MlflowWording());
    }

    @Override
    public boolean owns(String path) {
        return path.startsWith("/api/2.0/") || path.startsWith("/ajax-api/2.0/");
    }

    @Override
    public Object body(ApiError error) {
        return new MlflowError(error.code().name(), error.message());
    }

    private static final class MlflowWording extends ErrorTranslation {

        MlflowWording() {
            super("an MLflow endpoint");
        }

        @Override
        protected ApiError unreadable(HttpMessageNotReadableException e) {
            Throwable cause = e.getMostSpecificCause();
            if (cause instanceof StreamReadException syntax
                    && !(cause instanceof tools.jackson.databind.DatabindException)) {
                return error(ErrorCode.MALFORMED_REQUEST,
                        "Malformed JSON in request body: " + syntax.getOriginalMessage());
            }
            if (cause instanceof JacksonException jackson && !jackson.getPath().isEmpty()) {
                String field = jackson.getPath().stream()
                        .map(ref -> ref.getPropertyName() != null ? ref.getPropertyName() : "[" + ref.getIndex() + "]")
                        .collect(Collectors.joining(".")).replace(".[", "[");
                return error(ErrorCode.INVALID_PARAMETER_VALUE,
                        "Invalid value for parameter '" + field + "' supplied: " + jackson.getOriginalMessage());
            }
            if (e.getMessage() != null && e.getMessage().contains("Required request body is missing")) {
                return error(ErrorCode.MALFORMED_REQUEST, "Request body is missing: send a JSON object.");
            }
            return error(ErrorCode.MALFORMED_REQUEST, "Malformed request body: " + cause.getMessage());
        }

        @Override
        protected ApiError malformedJson(JacksonException e) {
            return error(ErrorCode.MALFORMED_REQUEST, "Malformed JSON in request body: " + e.getOriginalMessage());
        }

        @Override
        protected ApiError unsupportedMediaType(HttpMediaTypeNotSupportedException e) {
            return error(ErrorCode.MALFORMED_REQUEST,
                    "Unsupported content type " + e.getContentType() + ": send application/json.");
        }

        /** Sent as JSON all the same, as MLflow's server, which ignores Accept, would. */
        @Override
        protected ApiError notAcceptable() {
            return error(ErrorCode.NOT_ACCEPTABLE, "MLflow endpoints answer application/json; "
                    + "send Accept: application/json (or */*).");
        }

        @Override
        protected ApiError missingParameter(MissingServletRequestParameterException e) {
            return error(ErrorCode.INVALID_PARAMETER_VALUE, "Missing value for required parameter '"
                    + e.getParameterName() + "'. See the API docs for more information about request parameters.");
        }

        @Override
        protected ApiError typeMismatch(MethodArgumentTypeMismatchException e) {
            return error(ErrorCode.INVALID_PARAMETER_VALUE,
                    "Invalid value '" + e.getValue() + "' for parameter '" + e.getName() + "' supplied.");
        }
    }
}
