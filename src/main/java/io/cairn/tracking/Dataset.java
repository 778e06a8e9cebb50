package io.cairn.tracking;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * A dataset a run consumed, identified within its experiment by name and digest. On the wire (Cairn's API, as MLflow's)
 * its fields are snake_case.
 */
public record Dataset(String name, String digest, @JsonProperty("source_type") String sourceType, String source,
                      String schema, String profile) {
}
