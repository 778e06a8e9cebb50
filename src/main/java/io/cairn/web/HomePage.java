package io.cairn.web;

import io.cairn.platform.security.Access;
import io.cairn.platform.security.ResourceType;
import io.cairn.registry.ModelRegistry;
import io.cairn.registry.RegisteredModel;
import io.cairn.serving.DeploymentCatalog;
import io.cairn.tracking.Experiment;
import io.cairn.tracking.ExperimentService;
import io.cairn.tracking.ViewType;
import java.util.List;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;

/** {@code /}: where a person lands. */
@Controller
@DashboardPage
class HomePage {

    private static final int RECENT = 8;

    private final ExperimentService experiments;
    private final ModelRegistry registry;
    private final DeploymentCatalog deployments;
    private final Access access;

    HomePage(ExperimentService experiments, ModelRegistry registry, DeploymentCatalog deployments, Access access) {
        this.experiments = experiments;
        this.registry = registry;
        this.deployments = deployments;
        this.access = access;
    }

    @GetMapping("/")
    String home(Model model) {
        List<Experiment> recent = access.readable(ResourceType.EXPERIMENT, experiments.search(null,
                List.of("last_update_time DESC"), ViewType.ACTIVE_ONLY, RECENT, null).items(),
                Experiment::experimentId);
        List<RegisteredModel> models = access.readable(ResourceType.REGISTERED_MODEL, registry.search(null,
                List.of("last_updated_timestamp DESC"), RECENT, null).items(), RegisteredModel::name);
        List<HomeView.Deployment> served = access.readable(ResourceType.DEPLOYMENT, deployments.names(), n -> n)
                .stream()
                .map(name -> new HomeView.Deployment(name, deployments.routing(name).orElse(null))).toList();
        model.addAttribute("home", new HomeView(recent, models, served));
        return "home";
    }
}
