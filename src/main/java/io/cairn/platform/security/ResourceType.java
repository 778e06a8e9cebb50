package io.cairn.platform.security;

/**
 * The kinds of resource permissions are granted on. Runs share their experiment's permission and model versions their
 * registered model's, as in MLflow; the id is the experiment id, or the name for every other kind.
 */
public enum ResourceType {
    EXPERIMENT("experiment"),
    REGISTERED_MODEL("registered model"),
    FEATURE_VIEW("feature view"),
    ENTITY("entity"),
    DEPLOYMENT("deployment"),
    TRAINING_SET("training set");

    private final String label;

    ResourceType(String label) {
        this.label = label;
    }

    /** How messages name this kind. */
    public String label() {
        return label;
    }

    /** The kind named on the wire ({@code feature_view}, ...), or a clear error. */
    public static ResourceType parse(String value) {
        if (value != null) {
            for (ResourceType type : values()) {
                if (type.name().equalsIgnoreCase(value.replace('-', '_'))) {
                    return type;
                }
            }
        }
        throw io.cairn.platform.error.CairnException.invalid("Invalid resource type '" + value
                + "': use one of experiment, registered_model, feature_view, entity, deployment, training_set.");
    }
}
