package io.cairn.web;

import io.cairn.features.Entity;
import io.cairn.features.FeatureDefinitions;
import io.cairn.features.FeatureStats;
import io.cairn.features.FeatureView;
import io.cairn.features.SavedTrainingSet;
import io.cairn.features.TrainingSets;
import io.cairn.platform.security.Access;
import io.cairn.platform.security.Permission;
import io.cairn.platform.security.ResourceType;
import io.cairn.registry.ModelVersion;
import io.cairn.registry.ModelVersions;
import io.cairn.tracking.RunBrowsing;
import io.cairn.tracking.RunInfo;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestParam;

/** {@code /features}: entities, feature views with row counts, freshness and online coverage, training sets. */
@Controller
@DashboardPage
class FeaturePages {

    private static final int RUNS_SHOWN = 50;
    static final int VIEWS_PER_PAGE = 50;

    private final FeatureDefinitions definitions;
    private final FeatureStats stats;
    private final TrainingSets trainingSets;
    private final RunBrowsing runs;
    private final ModelVersions versions;
    private final Access access;

    FeaturePages(FeatureDefinitions definitions, FeatureStats stats, TrainingSets trainingSets, RunBrowsing runs,
                 ModelVersions versions, Access access) {
        this.definitions = definitions;
        this.stats = stats;
        this.trainingSets = trainingSets;
        this.runs = runs;
        this.versions = versions;
        this.access = access;
    }

    @GetMapping("/features")
    String features(@RequestParam(defaultValue = "1") int page, Model model) {
        int p = RunsPages.page(page);
        List<Entity> entities = access.readable(ResourceType.ENTITY, definitions.entities(), Entity::name);
        List<FeatureView> all = access.readable(ResourceType.FEATURE_VIEW, definitions.views(), FeatureView::name)
                .stream().sorted(java.util.Comparator.comparing(FeatureView::updated_at).reversed()
                        .thenComparing(FeatureView::name)).toList();
        // Most recently changed first. Figures cost a few queries and a Redis round trip per view, so they are read for one page of views.
        List<FeatureView> views = all.stream().skip((long) (p - 1) * VIEWS_PER_PAGE).limit(VIEWS_PER_PAGE).toList();
        Map<String, FeatureStats.ViewStats> figures = new LinkedHashMap<>();
        boolean redisAnswers = true;
        for (FeatureView v : views) {
            FeatureStats.ViewStats s = stats.stats(v.name(), redisAnswers);
            redisAnswers &= s.onlineError() == null;
            figures.put(v.name(), s);
        }
        List<SavedTrainingSet> sets = access.readable(ResourceType.TRAINING_SET, trainingSets.saved(),
                SavedTrainingSet::name);
        model.addAttribute("features", new FeaturesView(entities, views, figures, sets, p,
                all.size() > p * VIEWS_PER_PAGE));
        return "features";
    }

    @GetMapping("/features/training-sets/{idOrName}")
    String trainingSet(@PathVariable String idOrName, Model model) {
        SavedTrainingSet set = trainingSets.saved(idOrName);
        access.require(ResourceType.TRAINING_SET, set.name(), Permission.READ);
        List<RunInfo> using = runs.runsUsingDataset(TrainingSetSource.TYPE, set.uri(), RUNS_SHOWN).stream()
                .filter(r -> access.allows(ResourceType.EXPERIMENT, r.experimentId(), Permission.READ)).toList();
        List<ModelVersion> registered = new ArrayList<>();
        for (RunInfo run : using) {
            registered.addAll(versions.ofRun(run.runId(), 100));
        }
        model.addAttribute("view", new TrainingSetView(set, using, access.readable(ResourceType.REGISTERED_MODEL,
                registered, ModelVersion::name)));
        return "training-set";
    }
}
