package io.cairn.features;

/** One feature of a view: a column name and its value type. */
public record Feature(String name, ValueType type) {
}
