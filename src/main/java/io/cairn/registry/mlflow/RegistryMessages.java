package io.cairn.registry.mlflow;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.cairn.platform.error.CairnException;
import io.cairn.registry.ModelVersion;
import io.cairn.registry.RegisteredModel;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** MLflow's model_registry.proto messages as JSON records, component names as the proto's field names. */
final class RegistryMessages {

    private RegistryMessages() {
    }

    record KeyValue(String key, String value) {
    }

    record Alias(String alias, String version) {
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    record ModelVersionJson(String name, String version, Long creation_timestamp, Long last_updated_timestamp,
                            String user_id, String current_stage, String description, String source, String run_id,
                            String status, String run_link, List<KeyValue> tags, List<String> aliases) {
        static ModelVersionJson of(ModelVersion v) {
            return new ModelVersionJson(v.name(), Integer.toString(v.version()), v.creationTimestamp(),
                    v.lastUpdatedTimestamp(), v.userId(), v.currentStage(), v.description(), v.source(), v.runId(),
                    v.status(), v.runLink(), keyValues(v.tags()), v.aliases());
        }
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    record RegisteredModelJson(String name, Long creation_timestamp, Long last_updated_timestamp, String description,
                               List<ModelVersionJson> latest_versions, List<KeyValue> tags, List<Alias> aliases) {
        static RegisteredModelJson of(RegisteredModel m) {
            return new RegisteredModelJson(m.name(), m.creationTimestamp(), m.lastUpdatedTimestamp(), m.description(),
                    m.latestVersions().stream().map(ModelVersionJson::of).toList(), keyValues(m.tags()),
                    m.aliases().entrySet().stream().map(e -> new Alias(e.getKey(), Integer.toString(e.getValue()))).toList());
        }
    }

    static List<KeyValue> keyValues(Map<String, String> map) {
        return map.entrySet().stream().map(e -> new KeyValue(e.getKey(), e.getValue())).toList();
    }

    static Map<String, String> map(List<KeyValue> list) {
        Map<String, String> out = new LinkedHashMap<>();
        if (list != null) {
            for (KeyValue kv : list) {
                if (kv == null || kv.key() == null) {
                    throw CairnException.invalid("Missing value for required parameter 'tags[].key'.");
                }
                out.put(kv.key(), kv.value() == null ? "" : kv.value());
            }
        }
        return out;
    }

    record CreateRegisteredModel(String name, List<KeyValue> tags, String description) {
    }

    record RegisteredModelResponse(RegisteredModelJson registered_model) {
    }

    record Rename(String name, String new_name) {
    }

    record UpdateRegisteredModel(String name, String description) {
    }

    record NameOnly(String name) {
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    record SearchRegisteredModelsResponse(List<RegisteredModelJson> registered_models, String next_page_token) {
    }

    record ModelTag(String name, String key, String value) {
    }

    record SetAlias(String name, String alias, String version) {
    }

    record DeleteAlias(String name, String alias) {
    }

    record GetLatestVersions(String name, List<String> stages) {
    }

    record ModelVersionsResponse(List<ModelVersionJson> model_versions) {
    }

    record CreateModelVersion(String name, String source, String run_id, List<KeyValue> tags, String run_link,
                              String description) {
    }

    record ModelVersionResponse(ModelVersionJson model_version) {
    }

    record UpdateModelVersion(String name, String version, String description) {
    }

    record VersionRef(String name, String version) {
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    record SearchModelVersionsResponse(List<ModelVersionJson> model_versions, String next_page_token) {
    }

    record VersionTag(String name, String version, String key, String value) {
    }

    record TransitionStage(String name, String version, String stage, Boolean archive_existing_versions) {
    }

    record DownloadUriResponse(String artifact_uri) {
    }
}
