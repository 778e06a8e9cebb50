package io.cairn.registry;

/**
 * A change serving must react to, published in-process after commit and stored in registry_events so that other
 * replicas see it too. {@code version} is the new target (null when an alias was removed).
 */
public record RegistryEvent(long id, long occurredAt, Type type, String name, String alias, Integer version,
                            Integer previousVersion, String stage) {

    public enum Type { ALIAS_SET, ALIAS_DELETED, STAGE_CHANGED, VERSION_DELETED, MODEL_RENAMED, MODEL_DELETED }
}
