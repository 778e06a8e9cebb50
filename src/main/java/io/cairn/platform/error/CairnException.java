package io.cairn.platform.error;

/** A domain failure with a stable code; only the protocol edges turn it into HTTP. */
public class CairnException extends RuntimeException {

    private final ErrorCode code;

    public CairnException(ErrorCode code, String message) {
        super(message);
        this.code = code;
    }

    public ErrorCode code() {
        return code;
    }

    public static CairnException invalid(String message) {
        return new CairnException(ErrorCode.INVALID_PARAMETER_VALUE, message);
    }

    public static CairnException notFound(String message) {
        return new CairnException(ErrorCode.RESOURCE_DOES_NOT_EXIST, message);
    }

    public static CairnException permissionDenied(String message) {
        return new CairnException(ErrorCode.PERMISSION_DENIED, message);
    }

    public static CairnException unauthenticated(String message) {
        return new CairnException(ErrorCode.UNAUTHENTICATED, message);
    }

    public static CairnException alreadyExists(String message) {
        return new CairnException(ErrorCode.RESOURCE_ALREADY_EXISTS, message);
    }
}
