package io.cairn.features;

import com.fasterxml.jackson.annotation.JsonAnySetter;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.PositiveOrZero;
import jakarta.validation.constraints.Size;
import java.util.List;
import java.util.Map;

/**
 * The body of {@code PUT /api/v1/feature-views/{name}}. {@code ttl_seconds} defaults to 0 (no limit), {@code online}
 * to true; {@code schedule} (none by default) is when the server materializes the view incrementally, see
 * {@link MaterializationSchedule}. {@code unknown} collects misspelt fields so they can be refused.
 */
public record FeatureViewDefinition(
        @NotEmpty(message = "entities must name at least one entity") List<@NotBlank String> entities,
        @NotEmpty(message = "features must list at least one feature") @Size(max = 1000, message = "at most 1000 features")
        List<@NotNull @Valid FeatureSpec> features,
        @PositiveOrZero(message = "ttl_seconds must be 0 (no limit) or a positive number of seconds") Long ttl_seconds,
        Boolean online,
        @Size(max = 10_000, message = "description is at most 10000 characters") String description,
        Map<String, String> tags,
        @Size(max = 200, message = "schedule is at most 200 characters") String schedule,
        @JsonAnySetter Map<String, Object> unknown) {

    public FeatureViewDefinition(List<String> entities, List<FeatureSpec> features, Long ttl_seconds, Boolean online,
                                 String description, Map<String, String> tags) {
        this(entities, features, ttl_seconds, online, description, tags, null, null);
    }

    /** One feature as declared: a name and a type. */
    public record FeatureSpec(
            @NotBlank(message = "a feature needs a name") String name,
            @NotBlank(message = "a feature needs a type: one of INT64, INT32, FLOAT64, FLOAT32, STRING, BOOL") String type,
            @JsonAnySetter Map<String, Object> unknown) {

        public FeatureSpec(String name, String type) {
            this(name, type, null);
        }
    }
}
