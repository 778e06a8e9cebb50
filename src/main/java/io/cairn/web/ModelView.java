package io.cairn.web;

import io.cairn.registry.ModelVersion;
import io.cairn.registry.RegisteredModel;
import java.util.List;
import java.util.Map;

/**
 * A registered model's page: its versions (newest first), aliases, and the deployments that serve it.
 *
 * @param moved the alias just set, for the confirmation line; null otherwise
 */
public record ModelView(RegisteredModel model, List<ModelVersion> versions, boolean moreVersions,
                        List<DeploymentUse> deployments, String moved) {

    /** A deployment that serves one of this model's aliases, as primary or canary. */
    public record DeploymentUse(String deployment, String alias, String role, int percent) {
    }

    public String path() {
        return "/models/" + Format.segment(model.name());
    }

    public String versionPath(int version) {
        return path() + "/versions/" + version;
    }

    public Map<String, Integer> aliases() {
        return model.aliases();
    }
}
