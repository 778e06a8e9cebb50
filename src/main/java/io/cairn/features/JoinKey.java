package io.cairn.features;

/** A join key column of a feature view, resolved from one of its entities. */
public record JoinKey(String entity, String name, ValueType type) {
}
