package io.cairn.features;

/**
 * One column of a training set: its name and type, a {@link ValueType} name, {@code TIMESTAMP} for
 * {@code event_timestamp}, or {@code JSON} for a column carried through from the entity rows as sent.
 */
public record TrainingSetColumn(String name, String type) {
}
