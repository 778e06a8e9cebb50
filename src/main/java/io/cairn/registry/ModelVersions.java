package io.cairn.registry;

import io.cairn.artifacts.ArtifactLocations;
import io.cairn.artifacts.ArtifactPaths;
import io.cairn.artifacts.ArtifactStore;
import io.cairn.platform.error.CairnException;
import io.cairn.platform.search.OrderBy;
import io.cairn.platform.search.Page;
import io.cairn.platform.search.PageToken;
import io.cairn.platform.search.SearchSyntax;
import io.cairn.platform.text.NulCheck;
import io.cairn.registry.card.CardRevision;
import io.cairn.registry.card.ModelCards;
import io.cairn.registry.store.ModelVersionStore;
import io.cairn.registry.store.ModelVersionStore.VersionRow;
import io.cairn.registry.store.RegisteredModelStore;
import io.cairn.tracking.Run;
import io.cairn.tracking.RunService;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/** Model versions: create from a run or an artifact location, describe, tag, move between stages, delete. */
@Service
public class ModelVersions {

    static final String VERSION = "model_version";
    private static final String RUNS_SCHEME = "runs:/";

    private final RegisteredModelStore models;
    private final ModelVersionStore versions;
    private final RegistryViews views;
    private final RegistryChanges changes;
    private final RunService runs;
    private final ArtifactStore artifacts;
    private final ArtifactLocations locations;
    private final ModelCards cards;
    private final Clock clock;

    ModelVersions(RegisteredModelStore models, ModelVersionStore versions, RegistryViews views, RegistryChanges changes,
                  RunService runs, ArtifactStore artifacts, ArtifactLocations locations, ModelCards cards, Clock clock) {
        this.models = models;
        this.versions = versions;
        this.views = views;
        this.changes = changes;
        this.runs = runs;
        this.artifacts = artifacts;
        this.locations = locations;
        this.cards = cards;
        this.clock = clock;
    }

    /** What a new version is made from; {@code runId} links lineage, {@code source} says where its files are. */
    public record NewVersion(String name, String source, String runId, String runLink, String description,
                             Map<String, String> tags, String userId) {
    }

    /**
     * Creates the next version of the model. Its source must exist in the artifact store; its number is the model's
     * highest ever plus one, assigned under the model's row lock so concurrent creates never share or skip a number.
     * The version's model card is filled from the run in the same transaction.
     */
    @Transactional
    public ModelVersion create(NewVersion request) {
        RegistryLimits.modelName(request.name());
        RegistryLimits.description(request.description());
        request.tags().forEach((key, value) -> {
            RegistryLimits.tag(key, value);
            MonitoringTags.validate(key, value);
        });
        NulCheck.noNul("source", request.source());
        NulCheck.noNul("run_id", request.runId());
        NulCheck.noNul("run_link", request.runLink());
        if (request.source() == null || request.source().isBlank()) {
            throw CairnException.invalid("Missing value for required parameter 'source'.");
        }
        Run run = null;
        String storage;
        if (request.source().startsWith(RUNS_SCHEME)) {
            String rest = request.source().substring(RUNS_SCHEME.length());
            int slash = rest.indexOf('/');
            String sourceRunId = slash < 0 ? rest : rest.substring(0, slash);
            if (request.runId() != null && !request.runId().isEmpty() && !request.runId().equals(sourceRunId)) {
                throw CairnException.invalid("The source '" + request.source() + "' names run " + sourceRunId
                        + " but run_id is " + request.runId() + "; they must agree.");
            }
            Run sourceRun = existingRun(sourceRunId, request.source());
            run = sourceRun;
            String base = locations.storePath(sourceRun.info().artifactUri()).orElseThrow(() -> CairnException.invalid(
                    "Run " + sourceRunId + " keeps its artifacts at " + sourceRun.info().artifactUri()
                            + ", outside this server's artifact store."));
            storage = ArtifactPaths.join(base, ArtifactPaths.normalize(slash < 0 ? "" : rest.substring(slash + 1)));
        } else if (request.source().startsWith("models:/")) {
            throw CairnException.invalid("Source '" + request.source() + "' is a model URI; register from a run "
                    + "(runs:/<run_id>/<path>) or an artifact location (mlflow-artifacts:/..., s3://..., a local path).");
        } else {
            storage = locations.storePath(request.source()).orElseThrow(() -> CairnException.invalid("Source '"
                    + request.source() + "' is outside this server's artifact store (" + artifacts.uri("") + ")."));
            if (request.runId() != null && !request.runId().isEmpty()) {
                run = existingRun(request.runId(), request.source());
            }
        }
        if (!artifacts.exists(storage)) {
            throw CairnException.invalid("Source '" + request.source() + "' does not exist: nothing is stored at "
                    + artifacts.uri(storage) + ". Upload the model's files first.");
        }

        models.lock(request.name()).orElseThrow(() -> ModelRegistry.notFound(request.name()));
        long now = clock.millis();
        int number = models.nextVersion(request.name(), now);
        versions.insert(new VersionRow(request.name(), number, now, now, request.description(), request.userId(), "None",
                request.source(), run == null ? null : run.info().runId(), request.runLink(), "READY", storage));
        request.tags().forEach((k, v) -> versions.setTag(request.name(), number, k, v));
        ModelVersion created = get(request.name(), number);
        cards.createInitial(created, run);
        changes.audited(VERSION, id(request.name(), number), "create", null, created);
        return created;
    }

    @Transactional(readOnly = true)
    public ModelVersion get(String name, String version) {
        return get(RegistryLimits.modelName(name), RegistryLimits.version(version));
    }

    ModelVersion get(String name, int version) {
        return views.versions(List.of(versions.find(name, version).orElseThrow(() -> notFound(name, version)))).get(0);
    }

    /**
     * The input column names of the version's MLflow signature (its {@code MLmodel} file), in order, when the
     * signature is column-based; empty otherwise. Monitoring names a 2-D input's columns by them when the version has
     * no {@code cairn.features} tag.
     */
    @Transactional(readOnly = true)
    public List<String> signatureColumns(String name, int version) {
        return cards.signatureColumns(name, version);
    }

    @Transactional
    public ModelVersion updateDescription(String name, String version, String description) {
        RegistryLimits.description(description);
        ModelVersion before = lockAndGet(name, version);
        versions.updateDescription(name, before.version(), description, clock.millis());
        ModelVersion after = get(name, before.version());
        changes.audited(VERSION, id(name, before.version()), "update", before, after);
        return after;
    }

    /** Deletes the version; aliases that pointed to it go with it and are announced as removed. */
    @Transactional
    public void delete(String name, String version) {
        ModelVersion before = lockAndGet(name, version);
        versions.delete(name, before.version());
        models.touch(name, clock.millis());
        changes.audited(VERSION, id(name, before.version()), "delete", before, null);
        for (String alias : before.aliases()) {
            changes.audited("model_alias", name + "@" + alias, "delete_alias", Map.of("version", before.version()), null);
            changes.event(RegistryEvent.Type.ALIAS_DELETED, name, alias, null, before.version(), null);
        }
        changes.event(RegistryEvent.Type.VERSION_DELETED, name, null, null, before.version(), null);
    }

    @Transactional
    public void setTag(String name, String version, String key, String value) {
        RegistryLimits.tag(key, value);
        MonitoringTags.validate(key, value);
        ModelVersion before = lockAndGet(name, version);
        versions.setTag(name, before.version(), key, value);
        changes.audited(VERSION, id(name, before.version()), "set_tag", before.tags(), get(name, before.version()).tags());
    }

    @Transactional
    public void deleteTag(String name, String version, String key) {
        ModelVersion before = lockAndGet(name, version);
        if (!versions.deleteTag(name, before.version(), key)) {
            throw CairnException.notFound("Model version tag with name=" + key + " not found for " + name + " version "
                    + version + ".");
        }
        changes.audited(VERSION, id(name, before.version()), "delete_tag", before.tags(), get(name, before.version()).tags());
    }

    /** Moves the version to a stage; with {@code archiveExisting}, other versions in that stage go to Archived. */
    @Transactional
    public ModelVersion transitionStage(String name, String version, String stage, boolean archiveExisting) {
        String target = Stages.canonical(stage);
        if (archiveExisting && !(target.equals("Staging") || target.equals("Production"))) {
            throw CairnException.invalid("Model version transition cannot archive existing model versions because '"
                    + target + "' is not an Active stage. Valid stages are Staging and Production.");
        }
        ModelVersion before = lockAndGet(name, version);
        long now = clock.millis();
        if (archiveExisting) {
            for (int other : versions.versionsInStage(name, target, before.version())) {
                versions.setStage(name, other, "Archived", now);
                changes.audited(VERSION, id(name, other), "transition_stage", Map.of("stage", target),
                        Map.of("stage", "Archived"));
                changes.event(RegistryEvent.Type.STAGE_CHANGED, name, null, other, null, "Archived");
            }
        }
        versions.setStage(name, before.version(), target, now);
        models.touch(name, now);
        ModelVersion after = get(name, before.version());
        changes.audited(VERSION, id(name, before.version()), "transition_stage", Map.of("stage", before.currentStage()),
                Map.of("stage", target));
        changes.event(RegistryEvent.Type.STAGE_CHANGED, name, null, before.version(), null, target);
        return after;
    }

    /** The highest version in each requested stage (all stages when none are given). */
    @Transactional(readOnly = true)
    public List<ModelVersion> latest(String name, List<String> stages) {
        RegistryLimits.modelName(name);
        models.find(name).orElseThrow(() -> ModelRegistry.notFound(name));
        Set<String> wanted = stages == null || stages.isEmpty() ? Set.copyOf(Stages.ALL)
                : stages.stream().map(Stages::canonical).collect(Collectors.toSet());
        List<VersionRow> rows = new ArrayList<>(versions.latestPerStage(List.of(name)));
        rows.removeIf(r -> !wanted.contains(r.currentStage()));
        return views.versions(rows);
    }

    @Transactional(readOnly = true)
    public Page<ModelVersion> search(String filter, List<String> orderBy, Integer maxResults, String pageToken) {
        int limit = RegistryLimits.maxResults(maxResults, RegistryLimits.SEARCH_VERSIONS_DEFAULT,
                RegistryLimits.SEARCH_VERSIONS_MAX);
        int offset = PageToken.offset(pageToken);
        List<OrderBy> order = orderBy == null ? List.of() : orderBy.stream().map(SearchSyntax::parseOrderBy).toList();
        List<VersionRow> rows = versions.search(SearchSyntax.parseFilter(filter), order, limit, offset);
        boolean more = rows.size() > limit;
        List<VersionRow> page = more ? rows.subList(0, limit) : rows;
        return new Page<>(views.versions(page), PageToken.next(offset, page.size(), more));
    }

    /** The versions registered from a run, newest first, at most {@code limit}. */
    @Transactional(readOnly = true)
    public List<ModelVersion> ofRun(String runId, int limit) {
        return search("run_id = '" + runId.replace("'", "\\'") + "'", List.of("version_number DESC"), limit, null)
                .items();
    }

    /**
     * Fills the version's card again from its lineage as it is now, keeping what people edited; see
     * {@link ModelCards#refresh}. A run deleted for good (not just marked deleted) is a 404.
     */
    @Transactional
    public CardRevision refreshCard(String name, int version) {
        ModelVersion v = get(name, version);
        return cards.refresh(v, v.runId() == null || v.runId().isEmpty() ? null : runs.get(v.runId()));
    }

    /** Where clients download the version's files: the artifact proxy's URI of its storage location. */
    @Transactional(readOnly = true)
    public String downloadUri(String name, String version) {
        return locations.proxyUri(get(name, version).storageLocation());
    }

    private Run existingRun(String runId, String source) {
        try {
            return runs.get(runId);
        } catch (CairnException e) {
            throw CairnException.invalid("Source '" + source + "' refers to run " + runId + ", which does not exist.");
        }
    }

    private ModelVersion lockAndGet(String name, String version) {
        RegistryLimits.modelName(name);
        int number = RegistryLimits.version(version);
        models.lock(name).orElseThrow(() -> ModelRegistry.notFound(name));
        return get(name, number);
    }

    static String id(String name, int version) {
        return name + "/" + version;
    }

    static CairnException notFound(String name, int version) {
        return CairnException.notFound("Model Version (name=" + name + ", version=" + version + ") not found");
    }
}
