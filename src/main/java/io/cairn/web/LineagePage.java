package io.cairn.web;

import io.cairn.features.SavedTrainingSet;
import io.cairn.features.TrainingSets;
import io.cairn.platform.error.CairnException;
import io.cairn.platform.security.Access;
import io.cairn.platform.security.Permission;
import io.cairn.platform.security.ResourceType;
import io.cairn.registry.ModelRegistry;
import io.cairn.registry.ModelVersion;
import io.cairn.registry.ModelVersions;
import io.cairn.serving.DeploymentCatalog;
import io.cairn.tracking.DatasetInput;
import io.cairn.tracking.Run;
import io.cairn.tracking.RunBrowsing;
import io.cairn.tracking.RunInfo;
import io.cairn.tracking.RunService;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;

/**
 * {@code /lineage}: one graph from a training set, a run, a model version or a deployment, through the runs that
 * used the data and the versions registered from them, to the deployments that serve those versions.
 */
@Controller
@DashboardPage
class LineagePage {

    /** Runs followed from one training set, and versions per run: the graph stays readable and its cost bounded. */
    private static final int MAX_RUNS = 30;
    private static final int MAX_VERSIONS_PER_RUN = 20;

    private final TrainingSets trainingSets;
    private final RunBrowsing browsing;
    private final RunService runs;
    private final ModelVersions versions;
    private final ModelRegistry registry;
    private final DeploymentCatalog deployments;
    private final Access access;

    LineagePage(TrainingSets trainingSets, RunBrowsing browsing, RunService runs, ModelVersions versions,
                ModelRegistry registry, DeploymentCatalog deployments, Access access) {
        this.trainingSets = trainingSets;
        this.browsing = browsing;
        this.runs = runs;
        this.versions = versions;
        this.registry = registry;
        this.deployments = deployments;
        this.access = access;
    }

    @GetMapping("/lineage")
    String lineage(@RequestParam(name = "training_set", required = false) String trainingSet,
                   @RequestParam(required = false) String run, @RequestParam(required = false) String model,
                   @RequestParam(required = false) String version, @RequestParam(required = false) String deployment,
                   Model page) {
        LineageGraph.Builder graph = new LineageGraph.Builder();
        List<String> runIds = new ArrayList<>();
        List<ModelVersion> startVersions = new ArrayList<>();
        String title;
        if (trainingSet != null) {
            SavedTrainingSet set = trainingSets.saved(trainingSet);
            access.require(ResourceType.TRAINING_SET, set.name(), Permission.READ);
            String id = "set:" + set.id();
            graph.node(id, 0, "training set", set.name(), "/features/training-sets/" + Format.segment(set.id()))
                    .start(id);
            browsing.runsUsingDataset(TrainingSetSource.TYPE, set.uri(), MAX_RUNS).forEach(r -> runIds.add(r.runId()));
            title = "Training set " + set.name();
        } else if (run != null) {
            runIds.add(runs.getInfo(run).runId());
            graph.start("run:" + run);
            title = "Run " + run;
        } else if (model != null && version != null) {
            access.require(ResourceType.REGISTERED_MODEL, model, Permission.READ);
            ModelVersion v = versions.get(model, version);
            startVersions.add(v);
            graph.start("version:" + v.name() + "/" + v.version());
            if (v.runId() != null && !v.runId().isEmpty()) {
                runIds.add(v.runId());
            }
            title = model + " version " + v.version();
        } else if (deployment != null) {
            access.require(ResourceType.DEPLOYMENT, deployment, Permission.READ);
            DeploymentCatalog.Routing routing = deployments.routing(deployment).orElseThrow(() ->
                    CairnException.notFound("Deployment '" + deployment + "' does not exist."));
            graph.start("deployment:" + deployment);
            for (String alias : routing.canaryAlias() == null ? List.of(routing.alias())
                    : List.of(routing.alias(), routing.canaryAlias())) {
                try {
                    ModelVersion v = registry.byAlias(routing.model(), alias);
                    startVersions.add(v);
                    if (v.runId() != null && !v.runId().isEmpty()) {
                        runIds.add(v.runId());
                    }
                } catch (CairnException e) {
                    // An alias that points nowhere yet: the deployment is drawn without it.
                }
            }
            title = "Deployment " + deployment;
        } else {
            page.addAttribute("graph", null);
            return "lineage";
        }

        List<ModelVersion> allVersions = new ArrayList<>(startVersions);
        for (String runId : runIds.stream().distinct().toList()) {
            Run r;
            try {
                r = runs.get(runId);
            } catch (CairnException e) {
                continue; // deleted for good: the version keeps its run id, the graph skips it
            }
            RunInfo info = r.info();
            if (!access.allows(ResourceType.EXPERIMENT, info.experimentId(), Permission.READ)) {
                continue;
            }
            String runNode = "run:" + info.runId();
            graph.node(runNode, 1, "run", Format.runName(info), "/runs/" + Format.segment(info.runId()));
            for (DatasetInput input : r.inputs()) {
                String setId = TrainingSetSource.id(input.dataset());
                String dataNode;
                if (setId != null) {
                    dataNode = "set:" + setId;
                    graph.node(dataNode, 0, "training set", input.dataset().name(), "/features/training-sets/"
                            + Format.segment(setId));
                } else {
                    dataNode = "dataset:" + input.dataset().name() + "@" + input.dataset().digest();
                    graph.node(dataNode, 0, "dataset", input.dataset().name(), "/runs/" + Format.segment(info.runId())
                            + "#datasets-h");
                }
                graph.edge(dataNode, runNode);
            }
            for (ModelVersion v : versions.ofRun(info.runId(), MAX_VERSIONS_PER_RUN)) {
                if (access.allows(ResourceType.REGISTERED_MODEL, v.name(), Permission.READ)) {
                    allVersions.add(v);
                    graph.edge(runNode, "version:" + v.name() + "/" + v.version());
                }
            }
        }
        Map<String, ModelVersion> byNode = new LinkedHashMap<>();
        allVersions.forEach(v -> byNode.putIfAbsent("version:" + v.name() + "/" + v.version(), v));
        byNode.forEach((id, v) -> graph.node(id, 2, "model version", v.name() + " v" + v.version(), "/models/"
                + Format.segment(v.name()) + "/versions/" + v.version()));
        for (String name : deployments.names()) {
            if (!access.allows(ResourceType.DEPLOYMENT, name, Permission.READ)) {
                continue;
            }
            deployments.routing(name).ifPresent(routing -> byNode.forEach((id, v) -> {
                boolean serves = v.name().equals(routing.model()) && (v.aliases().contains(routing.alias())
                        || routing.canaryAlias() != null && v.aliases().contains(routing.canaryAlias()));
                if (serves) {
                    graph.node("deployment:" + name, 3, "deployment", name, "/deployments/" + Format.segment(name));
                    graph.edge(id, "deployment:" + name);
                }
            }));
        }
        if (deployment != null && !graph.has("deployment:" + deployment)) {
            graph.node("deployment:" + deployment, 3, "deployment", deployment, "/deployments/"
                    + Format.segment(deployment));
        }
        page.addAttribute("graph", graph.build(title));
        return "lineage";
    }
}
