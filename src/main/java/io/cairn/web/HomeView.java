package io.cairn.web;

import io.cairn.registry.RegisteredModel;
import io.cairn.serving.DeploymentCatalog;
import io.cairn.tracking.Experiment;
import java.util.List;

/** The start page: the most recently updated experiments and models, and every deployment with its routing. */
public record HomeView(List<Experiment> experiments, List<RegisteredModel> models, List<Deployment> deployments) {

    /** A deployment by name with what it serves (null when it vanished between listing and reading). */
    public record Deployment(String name, DeploymentCatalog.Routing routing) {
    }
}
