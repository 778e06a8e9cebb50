package io.cairn.features;

import java.time.Instant;

/** What feature rows are about (a driver, a customer), identified by one join key column of a key type. */
public record Entity(String name, String join_key, ValueType value_type, String description, Instant created_at,
                     Instant updated_at) {
}
