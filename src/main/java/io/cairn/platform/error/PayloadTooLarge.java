package io.cairn.platform.error;

/**
 * A request body over its endpoint's limit (HTTP 413). It is thrown from inside the body's input stream, so a parser
 * may wrap it on the way out (Jackson adds the JSON path it was reading); {@link #in(Throwable)} finds it again, which
 * is how every protocol family's advice answers 413 rather than "malformed body".
 */
public class PayloadTooLarge extends CairnException {

    public PayloadTooLarge(String message) {
        super(ErrorCode.PAYLOAD_TOO_LARGE, message);
    }

    /** The PayloadTooLarge in the cause chain of {@code failure}, or null when there is none. */
    public static PayloadTooLarge in(Throwable failure) {
        // Bounded: a cause chain can loop (a.initCause(b), b.initCause(a)).
        Throwable t = failure;
        for (int depth = 0; t != null && depth < 32; depth++, t = t.getCause()) {
            if (t instanceof PayloadTooLarge tooLarge) {
                return tooLarge;
            }
        }
        return null;
    }
}
