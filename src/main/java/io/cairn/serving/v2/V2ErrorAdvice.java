package io.cairn.serving.v2;

import io.cairn.platform.error.ApiError;
import io.cairn.platform.error.ErrorTranslation;
import io.cairn.platform.error.ProtocolErrors;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.web.bind.annotation.RestControllerAdvice;

/**
 * Errors of the Open Inference Protocol paths ({@code /v2/...}) as the protocol sends them: a non-2xx status with
 * {@code {"error": "<message>"}}. Unknown model 404, malformed request or wrong tensor 400, model not ready 503. The
 * protocol's wording is the translation's plain one.
 */
@RestControllerAdvice(annotations = V2Api.class)
@Order(Ordered.HIGHEST_PRECEDENCE)
class V2ErrorAdvice extends ProtocolErrors {

    /** The protocol's error body. */
    record V2Error(String error) {
    }

    V2ErrorAdvice() {
        super(new ErrorTranslation("a /v2 endpoint"));
    }

    @Override
    public boolean owns(String path) {
        return path.equals("/v2") || path.startsWith("/v2/");
    }

    @Override
    public Object body(ApiError error) {
        return new V2Error(error.message());
    }
}
