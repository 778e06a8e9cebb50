package io.cairn.tracking;

import io.cairn.platform.search.Page;
import io.cairn.platform.error.CairnException;
import io.cairn.platform.search.PageToken;
import io.cairn.platform.error.ErrorCode;
import io.cairn.platform.search.OrderBy;
import io.cairn.platform.search.SearchSyntax;
import io.cairn.platform.security.Access;
import io.cairn.platform.security.ResourceType;
import io.cairn.platform.text.NulCheck;
import io.cairn.tracking.store.ExperimentStore;
import io.cairn.tracking.store.RunStore;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/** Creates, finds, renames, deletes and tags experiments. */
@Service
public class ExperimentService {

    private final ExperimentStore experiments;
    private final RunStore runs;
    private final TrackingProperties properties;
    private final ArtifactLocationPolicy artifactLocations;
    private final Clock clock;
    private final Access access;

    public ExperimentService(ExperimentStore experiments, RunStore runs, TrackingProperties properties,
                             ArtifactLocationPolicy artifactLocations, Clock clock, Access access) {
        this.experiments = experiments;
        this.runs = runs;
        this.properties = properties;
        this.artifactLocations = artifactLocations;
        this.clock = clock;
        this.access = access;
    }

    @Transactional
    public String create(String name, String artifactLocation, Map<String, String> tags) {
        validateName(name);
        tags.forEach((k, v) -> {
            TrackingLimits.key("tag", k);
            TrackingLimits.value("tag", k, v, TrackingLimits.MAX_EXPERIMENT_TAG_VALUE_LENGTH);
        });
        String requested = artifactLocation == null || artifactLocation.isBlank() ? null
                : artifactLocations.check(artifactLocation);
        long id = experiments.nextId();
        String location = requested == null ? withSlash(properties.defaultArtifactRoot()) + id : requested;
        experiments.insert(id, name, location, clock.millis());
        tags.forEach((k, v) -> experiments.setTag(id, k, v));
        access.grantCreator(ResourceType.EXPERIMENT, Long.toString(id));
        return Long.toString(id);
    }

    @Transactional(readOnly = true)
    public Experiment get(String experimentId) {
        return experiments.findById(parseId(experimentId)).orElseThrow(() -> notFound(experimentId));
    }

    @Transactional(readOnly = true)
    public Experiment getByName(String name) {
        TrackingLimits.required("experiment_name", name);
        return experiments.findByName(name).orElseThrow(() ->
                CairnException.notFound("Could not find experiment with name '" + name + "'"));
    }

    @Transactional(readOnly = true)
    public Page<Experiment> search(String filter, List<String> orderBy, ViewType view, Integer maxResults, String pageToken) {
        int limit = TrackingLimits.maxResults(maxResults, 1000, TrackingLimits.MAX_RESULTS_SEARCH);
        int offset = PageToken.offset(pageToken);
        List<OrderBy> order = orderBy == null ? List.of() : orderBy.stream().map(SearchSyntax::parseOrderBy).toList();
        List<Experiment> rows = experiments.search(SearchSyntax.parseFilter(filter), order,
                view == null ? ViewType.ACTIVE_ONLY : view, limit, offset);
        boolean more = rows.size() > limit;
        List<Experiment> items = more ? rows.subList(0, limit) : rows;
        return new Page<>(List.copyOf(items), PageToken.next(offset, items.size(), more));
    }

    @Transactional
    public void rename(String experimentId, String newName) {
        validateName(newName);
        Experiment experiment = lock(experimentId);
        if (!experiment.lifecycleStage().equals("active")) {
            throw new CairnException(ErrorCode.INVALID_STATE, "Cannot rename a non-active experiment.");
        }
        experiments.rename(Long.parseLong(experiment.experimentId()), newName, clock.millis());
    }

    /** Soft-deletes the experiment and all its runs, as MLflow does. */
    @Transactional
    public void delete(String experimentId) {
        Experiment experiment = lock(experimentId);
        if (!experiment.lifecycleStage().equals("active")) {
            throw notFound(experimentId);
        }
        if (experiment.experimentId().equals("0")) {
            throw CairnException.invalid("Cannot delete the default experiment '0'. This is an internally reserved experiment.");
        }
        long now = clock.millis();
        long id = Long.parseLong(experiment.experimentId());
        experiments.setLifecycleStage(id, "deleted", now);
        runs.setLifecycleStageOfExperiment(id, "deleted", now);
    }

    /** Restores the experiment and all its runs. */
    @Transactional
    public void restore(String experimentId) {
        Experiment experiment = lock(experimentId);
        if (!experiment.lifecycleStage().equals("deleted")) {
            throw notFound(experimentId);
        }
        long id = Long.parseLong(experiment.experimentId());
        experiments.setLifecycleStage(id, "active", clock.millis());
        runs.setLifecycleStageOfExperiment(id, "active", null);
    }

    @Transactional
    public void setTag(String experimentId, String key, String value) {
        TrackingLimits.key("tag", key);
        TrackingLimits.value("tag", key, value, TrackingLimits.MAX_EXPERIMENT_TAG_VALUE_LENGTH);
        Experiment experiment = requireActive(lock(experimentId));
        experiments.setTag(Long.parseLong(experiment.experimentId()), key, value);
    }

    @Transactional
    public void deleteTag(String experimentId, String key) {
        TrackingLimits.required("key", key);
        Experiment experiment = requireActive(lock(experimentId));
        if (!experiments.deleteTag(Long.parseLong(experiment.experimentId()), key)) {
            throw CairnException.notFound("No tag with name: " + key + " in experiment with id " + experimentId);
        }
    }

    /** The experiment, which must exist and be active, for creating runs in it. */
    Experiment requireActive(String experimentId) {
        return requireActive(get(experimentId));
    }

    private Experiment requireActive(Experiment experiment) {
        if (!experiment.lifecycleStage().equals("active")) {
            throw CairnException.invalid("The experiment " + experiment.experimentId()
                    + " must be in the 'active' state. Current state is " + experiment.lifecycleStage() + ".");
        }
        return experiment;
    }

    private Experiment lock(String experimentId) {
        return experiments.lockById(parseId(experimentId)).orElseThrow(() -> notFound(experimentId));
    }

    static long parseId(String experimentId) {
        TrackingLimits.required("experiment_id", experimentId);
        try {
            return Long.parseLong(experimentId);
        } catch (NumberFormatException e) {
            throw notFound(experimentId);
        }
    }

    private static CairnException notFound(String experimentId) {
        return CairnException.notFound("No Experiment with id=" + experimentId + " exists");
    }

    private static void validateName(String name) {
        if (name == null || name.isBlank()) {
            throw CairnException.invalid("Invalid experiment name: '" + (name == null ? "" : name)
                    + "'. An experiment name must be a non-empty string.");
        }
        NulCheck.noNul("name", name);
        if (name.length() > TrackingLimits.MAX_EXPERIMENT_NAME_LENGTH) {
            throw CairnException.invalid("'name' exceeds the maximum length of "
                    + TrackingLimits.MAX_EXPERIMENT_NAME_LENGTH + " characters");
        }
    }

    private static String withSlash(String root) {
        return root.endsWith("/") ? root : root + "/";
    }
}
