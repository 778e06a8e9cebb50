package io.cairn.platform.error;

import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.ExceptionHandler;

/**
 * One protocol family's error answers: the shared {@link ErrorTranslation} (with the protocol's wording) and the
 * protocol's body shape. A subclass is the family's controller advice (scoped to its marker annotation) and lives in
 * the module that speaks the protocol; the security filters, which answer before any controller is chosen, find the
 * family by path ({@link #owns}).
 */
public abstract class ProtocolErrors {

    private final ErrorTranslation translation;

    protected ProtocolErrors(ErrorTranslation translation) {
        this.translation = translation;
    }

    /** What the client of this protocol is told about {@code failure}. */
    public final ApiError translate(Throwable failure) {
        return translation.translate(failure);
    }

    /** Whether requests to this path (from the context root) speak this protocol. */
    public abstract boolean owns(String path);

    /** The error in this protocol's body shape. */
    public abstract Object body(ApiError error);

    /**
     * The content type a 406 is sent in, set so that it is not negotiated again against the Accept header that
     * caused it; null leaves it to Spring.
     */
    protected MediaType notAcceptableType() {
        return MediaType.APPLICATION_JSON;
    }

    @ExceptionHandler(Exception.class)
    public ResponseEntity<Object> failed(Exception e) {
        ApiError error = translate(e);
        ResponseEntity.BodyBuilder answer = ResponseEntity.status(error.status());
        if (error.code() == ErrorCode.NOT_ACCEPTABLE && notAcceptableType() != null) {
            answer.contentType(notAcceptableType());
        }
        return answer.body(body(error));
    }
}
