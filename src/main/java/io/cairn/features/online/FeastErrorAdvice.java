package io.cairn.features.online;

import io.cairn.platform.error.ApiError;
import io.cairn.platform.error.ErrorTranslation;
import io.cairn.platform.error.ProtocolErrors;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.web.bind.annotation.RestControllerAdvice;

/**
 * Errors of the Feast feature-server paths ({@code /get-online-features}, {@code /push}, ...) the way Feast's FastAPI
 * server sends them: an HTTP status with {@code {"detail": "<message>"}}, on the main port (this advice) and on the
 * feature server's own port ({@link FeatureServer}, not Spring MVC, through {@link #TRANSLATION}). Feast's wording is
 * the translation's plain one.
 */
@RestControllerAdvice(annotations = FeastApi.class)
@Order(Ordered.HIGHEST_PRECEDENCE)
class FeastErrorAdvice extends ProtocolErrors {

    static final ErrorTranslation TRANSLATION = new ErrorTranslation("a Feast endpoint");

    /** FastAPI's error body. */
    record Detail(String detail) {
    }

    FeastErrorAdvice() {
        super(TRANSLATION);
    }

    @Override
    public boolean owns(String path) {
        return path.equals("/get-online-features") || path.equals("/push") || path.equals("/materialize")
                || path.equals("/materialize-incremental") || path.equals("/health");
    }

    @Override
    public Object body(ApiError error) {
        return new Detail(error.message());
    }
}
