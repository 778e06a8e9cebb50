package io.cairn.web;

import java.util.List;

/**
 * What moving an alias will do, shown before it is done: where it points now, where it will point, and which
 * deployments will load the new version because they follow it.
 */
public record AliasChange(String model, String alias, Integer from, int to, List<ModelView.DeploymentUse> affected) {

    public String modelPath() {
        return "/models/" + Format.segment(model);
    }
}
