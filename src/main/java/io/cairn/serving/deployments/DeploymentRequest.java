package io.cairn.serving.deployments;

import com.fasterxml.jackson.annotation.JsonAnySetter;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import java.util.Map;

/**
 * The body of {@code PUT /api/v1/deployments/{name}}. Defaults: no canary, {@code device} auto, {@code max_batch_size}
 * 1 (no batching), {@code max_queue_delay_ms} 0, {@code stale_features} reject. {@code unknown} collects misspelt
 * fields so they can be refused.
 */
public record DeploymentRequest(
        @NotBlank(message = "model is required: the registered model to serve") String model,
        @NotBlank(message = "alias is required: the registered model's alias whose version is served") String alias,
        @Valid Canary canary,
        String device,
        @Min(value = 1, message = "max_batch_size must be between 1 (no batching) and 4096")
        @Max(value = 4096, message = "max_batch_size must be between 1 (no batching) and 4096") Integer max_batch_size,
        @Min(value = 0, message = "max_queue_delay_ms must be between 0 and 1000")
        @Max(value = 1000, message = "max_queue_delay_ms must be between 0 and 1000") Integer max_queue_delay_ms,
        String stale_features,
        @JsonAnySetter Map<String, Object> unknown) {

    /**
     * The canary: {@code percent} (0–100) of requests go to the version behind {@code alias}; an optional
     * {@code guard} pulls it back when it is worse than the champion ({@link io.cairn.serving.CanaryGuard}).
     */
    public record Canary(
            @NotBlank(message = "canary.alias is required") String alias,
            @NotNull(message = "canary.percent is required: 0 to 100")
            @Min(value = 0, message = "canary.percent must be between 0 and 100")
            @Max(value = 100, message = "canary.percent must be between 0 and 100") Integer percent,
            Guard guard,
            @JsonAnySetter Map<String, Object> unknown) {
    }

    /** A canary's guard as sent: {@code {"metric", "max_degradation", "min_samples"}}. */
    public record Guard(String metric, Double max_degradation, Integer min_samples,
                        @JsonAnySetter Map<String, Object> unknown) {
    }
}
