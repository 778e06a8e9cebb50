package io.cairn.features;

import com.fasterxml.jackson.annotation.JsonAnySetter;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Size;
import java.util.Map;

/** The body of {@code PUT /api/v1/entities/{name}}; {@code unknown} collects misspelt fields so they can be refused. */
public record EntityDefinition(
        @NotBlank(message = "join_key is required, e.g. \"driver_id\"") String join_key,
        @NotBlank(message = "value_type is required: one of INT64, INT32, STRING") String value_type,
        @Size(max = 10_000, message = "description is at most 10000 characters") String description,
        @JsonAnySetter Map<String, Object> unknown) {

    public EntityDefinition(String join_key, String value_type, String description) {
        this(join_key, value_type, description, null);
    }
}
