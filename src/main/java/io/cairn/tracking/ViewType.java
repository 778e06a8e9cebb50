package io.cairn.tracking;

/** Which lifecycle stages a search returns. */
public enum ViewType {
    ACTIVE_ONLY, DELETED_ONLY, ALL;

    /** The SQL lifecycle_stage values this view admits. */
    public java.util.List<String> stages() {
        return switch (this) {
            case ACTIVE_ONLY -> java.util.List.of("active");
            case DELETED_ONLY -> java.util.List.of("deleted");
            case ALL -> java.util.List.of("active", "deleted");
        };
    }
}
