package io.cairn.registry;

import io.cairn.registry.store.ModelVersionStore;
import io.cairn.registry.store.ModelVersionStore.VersionRow;
import io.cairn.registry.store.RegisteredModelStore;
import io.cairn.registry.store.RegisteredModelStore.ModelRow;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.stereotype.Component;

/** Assembles full models and versions from rows with a fixed number of queries, whatever the number of rows. */
@Component
class RegistryViews {

    private final RegisteredModelStore models;
    private final ModelVersionStore versions;

    RegistryViews(RegisteredModelStore models, ModelVersionStore versions) {
        this.models = models;
        this.versions = versions;
    }

    List<RegisteredModel> models(List<ModelRow> rows) {
        List<String> names = rows.stream().map(ModelRow::name).toList();
        Map<String, Map<String, String>> tags = models.tags(names);
        Map<String, Map<String, Integer>> aliases = models.aliases(names);
        List<VersionRow> latestRows = versions.latestPerStage(names);
        List<ModelVersion> latest = versions(latestRows, aliases);
        Map<String, List<ModelVersion>> latestByModel = new LinkedHashMap<>();
        for (ModelVersion v : latest) {
            latestByModel.computeIfAbsent(v.name(), k -> new ArrayList<>()).add(v);
        }
        List<RegisteredModel> out = new ArrayList<>(rows.size());
        for (ModelRow row : rows) {
            out.add(new RegisteredModel(row.name(), row.creationTimestamp(), row.lastUpdatedTimestamp(), row.description(),
                    latestByModel.getOrDefault(row.name(), List.of()), tags.getOrDefault(row.name(), Map.of()),
                    aliases.getOrDefault(row.name(), Map.of())));
        }
        return out;
    }

    List<ModelVersion> versions(List<VersionRow> rows) {
        return versions(rows, models.aliases(rows.stream().map(VersionRow::name).distinct().toList()));
    }

    private List<ModelVersion> versions(List<VersionRow> rows, Map<String, Map<String, Integer>> aliases) {
        Map<String, Map<String, String>> tags = versions.tags(rows);
        List<ModelVersion> out = new ArrayList<>(rows.size());
        for (VersionRow r : rows) {
            List<String> versionAliases = new ArrayList<>();
            aliases.getOrDefault(r.name(), Map.of()).forEach((alias, version) -> {
                if (version == r.version()) {
                    versionAliases.add(alias);
                }
            });
            out.add(new ModelVersion(r.name(), r.version(), r.creationTimestamp(), r.lastUpdatedTimestamp(), r.userId(),
                    r.currentStage(), r.description(), r.source(), r.runId(), r.runLink(), r.status(),
                    r.storageLocation(), tags.getOrDefault(ModelVersionStore.key(r.name(), r.version()), Map.of()),
                    versionAliases));
        }
        return out;
    }
}
