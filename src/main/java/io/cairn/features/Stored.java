package io.cairn.features;

/** The outcome of an idempotent PUT: the stored definition and whether this call created it. */
public record Stored<T>(T value, boolean created) {
}
