package io.cairn.serving;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * A deployment as {@code GET /api/v1/deployments/{name}} shows it: its definition and, under {@code state}, what the
 * replica that answers has loaded for each alias.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record DeploymentView(String name, String model, String alias, CanaryView canary, String device,
                             int max_batch_size, int max_queue_delay_ms, String stale_features, long revision,
                             Instant created_at, Instant updated_at, State state) {

    /** The canary's alias, share of requests and guard (absent when it has none). */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record CanaryView(String alias, int percent, Map<String, Object> guard) {
    }

    /** Ready when the primary alias has a version loaded; one entry per alias. */
    public record State(boolean ready, List<AliasState> aliases) {
    }

    /**
     * One alias on this replica: the version it points to, the version loaded (which serves until a newer one is
     * ready), the device it runs on, whether requests are batched, and the last problem, if any.
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record AliasState(String role, String alias, String target_version, String loaded_version, boolean ready,
                             boolean loading, String device, String device_note, Boolean batching,
                             Instant loaded_at, String error) {
    }
}
