package io.cairn.web;

import io.cairn.registry.ModelVersion;
import io.cairn.registry.card.CardRevision;
import java.util.List;

/**
 * A model version's page: its facts, lineage (run, experiment, datasets from the card), its rendered card with the
 * human fields editable, and the card's revision history.
 *
 * @param runName the name of the run it came from, or null when it has none or the run is not readable
 */
public record VersionView(ModelVersion version, String runName, String experimentId, CardRevision card,
                          List<CardRevision> revisions, List<ModelView.DeploymentUse> deployments) {

    public String path() {
        return "/models/" + Format.segment(version.name()) + "/versions/" + version.version();
    }

    public String modelPath() {
        return "/models/" + Format.segment(version.name());
    }
}
